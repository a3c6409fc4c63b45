#include <catch2/catch.hpp>

#include "TestData.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/Nb201Accuracy.hpp"

using namespace zcgp::proxy_cache;

TEST_CASE("NB201 test accuracies of all 15625 cells", "[proxy_cache]") {
    auto const table = Nb201Accuracy::load(zcgp::test::requireData("nb201").parent_path());
    CHECK(table.entries().size() == 15625);
    auto const* e = table.find("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|");
    REQUIRE(e != nullptr);
    CHECK(e->accuracy[0] == Approx(93.66).margin(1e-9));
    auto const best = table.optimum();
    // the optima quoted for NAS-Bench-201 (test accuracy, 200 epochs)
    CHECK(best[0] == Approx(94.37).margin(0.005));
    CHECK(best[1] == Approx(73.51).margin(0.005));
    CHECK(best[2] == Approx(47.31).margin(0.005));
    CHECK(table.find("|none~0|") == nullptr);
    CHECK_THROWS_WITH(Nb201Accuracy::datasetIndex("svhn"), Catch::Contains("svhn") && Catch::Contains("cifar100"));
}

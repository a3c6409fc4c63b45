// nb201ArchString (ArchitectureGraph.hpp): suite keys map onto the NAS-Bench-201 accuracy table's arch strings.
#include <catch2/catch.hpp>

#include "TestData.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/proxy_cache/ArchitectureGraph.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/Nb201Accuracy.hpp"

namespace pc = zcgp::proxy_cache;

TEST_CASE("nb201ArchString: every suite cell is in the accuracy table, and its accuracy agrees", "[proxy_cache]") {
    auto const benchmark = pc::Benchmark::load(zcgp::test::requireData(""));
    auto const accuracy = pc::Nb201Accuracy::load(zcgp::test::requireData(""));
    auto const& table = benchmark.task("nb201/cifar10");
    // edges (1<-0), (2<-0), (3<-0), (2<-1), (3<-1), (3<-2); 0 skip, 1 none, 2 conv3x3, 3 conv1x1 (README)
    auto const row = table.findArchitecture("(0, 2, 3, 2, 3, 1)");
    REQUIRE(row);
    auto const g = pc::decodeArchitecture(table, *row);
    CHECK(pc::nb201ArchString(std::get<pc::MicroCell>(g.structure)) ==
          "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|");
    std::vector<double> val, test;
    for (std::size_t r = 0; r < table.size(); ++r) {
        auto const s = pc::nb201ArchString(std::get<pc::MicroCell>(pc::decodeArchitecture(table, r).structure));
        auto const* e = accuracy.find(s);
        REQUIRE(e != nullptr);
        val.push_back(table.accuracy[static_cast<Eigen::Index>(r)]);
        test.push_back(e->accuracy[0]);
    }
    // the README: Spearman 0.978 between the suite's val_accuracy and the 200-epoch test accuracy
    CHECK(zcgp::fitness::spearman(val, test) == Approx(0.978).margin(0.005));
}

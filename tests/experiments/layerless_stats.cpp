// zcgp evolve --stats on a cache whose statistics have 0 layers on every architecture (issue 11 item 2): layer
// terminals then reduce empty lists; the run must finish (it segfaulted in Interpreter::evaluate).
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"

namespace pc = zcgp::proxy_cache;

TEST_CASE("zcgp evolve --stats with 0 layers for every architecture runs on the layer terminals", "[experiments]") {
    auto const dir = zcgp::test::scratchDir("layerless_stats");
    auto const benchmark = pc::Benchmark::load(zcgp::test::requireData("nbsz").parent_path());
    auto const& task = benchmark.task("nb201/cifar10");
    pc::GatherOptions options;
    options.space = "nb201";
    options.dataset = "cifar10";
    options.device = "cpu";
    options.zcgpVersion = "0.1.0";
    options.selection = "all";
    pc::StatisticsCacheBuilder builder(options, {"nwot"});
    for (std::size_t i = 0; i < 200; ++i) {
        pc::ArchitectureMeasurement m;
        m.archKey = task.archs[i].key;
        m.statistics.push_back({"weight_l2", {}});
        m.statistics.push_back({"grad_abs_mean", {}});
        builder.append(m);
    }
    auto const cache = dir / "layerless.zcstats";
    builder.build().write(cache);

    auto const r = zcgp::test::runCommand(zcgp::test::zcgpCli(
        "evolve --task nb201/cifar10 --stats " + cache.string() + " --terminals both --functions all --train-archs 50 " +
        "--population 40 --generations 5 --seed 1 --json --quiet --out " + (dir / "run").string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const result = nlohmann::json::parse(r.out);
    CHECK(result["finite_on_all_archs"].get<bool>());
    CHECK(std::filesystem::exists(dir / "run" / "result.json"));
}

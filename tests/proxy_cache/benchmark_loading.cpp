// Loading the real NAS-Bench-Suite-Zero files, and clear errors on malformed ones.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "TestData.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

using namespace zcgp::proxy_cache;
namespace fs = std::filesystem;

namespace {
Benchmark const& realBenchmark() {
    static const Benchmark benchmark = Benchmark::load(zcgp::test::requireData("nbsz").parent_path());
    return benchmark;
}

fs::path writeTemp(std::string const& name, std::string const& text) {
    auto dir = fs::temp_directory_path() / "zcgp_loader_test";
    fs::create_directories(dir);
    auto path = dir / name;
    std::ofstream(path) << text;
    return path;
}

std::string errorOf(auto&& f) {
    try {
        f();
    } catch (DataError const& e) {
        return e.what();
    }
    return "no error";
}
}  // namespace

TEST_CASE("every suite file in the data directory loads into one table per task", "[proxy_cache]") {
    auto const& b = realBenchmark();
    auto const ids = b.taskIds();
    // ../shared/nbsz/README.md: 12 tasks in the four zc_*.json files (NB101 x1, NB201 x3, NB301 x1, TNB101 micro
    // x7), 9 NAS-Bench-360 tasks (nb360/), 2 full NB201 tables (nb201_full/); ../shared/lm: flexibert/glue
    REQUIRE(ids.size() == 12 + 9 + 2 + 1);
    CHECK(b.task("nb101/cifar10").size() == 500);
    CHECK(b.task("nb301/cifar10").size() == 725);
    for (auto const* name : {"cifar10", "cifar100", "ImageNet16-120"}) {
        auto const n = b.task(std::string("nb201/") + name).size();
        CHECK(n >= 724);
        CHECK(n <= 725);
    }
    for (auto const* t : b.select("tnb101_micro")) {  // README: 711 archs per suite task, 192 per NAS-Bench-360 task
        CHECK(t->size() == (t->source.filename() == "zc_transbench101_micro.json" ? 711U : 192U));
    }
    CHECK(b.select("tnb101_micro").size() == 7 + 3);
}

TEST_CASE("a NB201 record is read with its score objects, ops and accuracy", "[proxy_cache]") {
    auto const& t = realBenchmark().task("nb201/cifar10");
    auto const row = t.findArchitecture("(0, 2, 3, 2, 3, 1)");
    REQUIRE(row);
    CHECK(t.archs[*row].ops == std::vector<int>{0, 2, 3, 2, 3, 1});
    CHECK(t.accuracy(static_cast<Eigen::Index>(*row)) == Approx(86.06));
    CHECK(t.column("synflow")[*row] == Approx(41.94876860937543).epsilon(1e-15));
    CHECK(t.column("nwot")[*row] == Approx(406.5381264995463).epsilon(1e-15));
    // zen is not in the JSON: it is merged from nb201_zen_full/ (value read there with Python's json module)
    CHECK(t.proxies.size() == 13);
    REQUIRE(t.proxyIndex("zen"));
    CHECK(t.column("zen")[*row] == Approx(97.95861053466797).epsilon(1e-15));
}

TEST_CASE("non-finite scores (-Infinity) and the -1e8 sentinel are masked as missing", "[proxy_cache]") {
    auto const& c10 = realBenchmark().task("nb201/cifar10");
    auto const nwot = *c10.proxyIndex("nwot");
    CHECK(c10.missingCount(nwot) >= 1);  // the file stores -Infinity for some cells
    for (Eigen::Index i = 0; i < c10.scores.rows(); ++i) {
        CHECK(c10.present(i, static_cast<Eigen::Index>(nwot)) == std::isfinite(c10.scores(i, static_cast<Eigen::Index>(nwot))));
    }
    auto const& seg = realBenchmark().task("tnb101_micro/segmentsemantic");
    auto const epe = *seg.proxyIndex("epe_nas");
    CHECK(seg.missingCount(epe) == seg.size());  // regression task: the sentinel everywhere
    auto const& jigsaw = realBenchmark().task("tnb101_micro/jigsaw");
    CHECK(jigsaw.missingCount(*jigsaw.proxyIndex("epe_nas")) == 325);  // partly defined there
}

TEST_CASE("zen scores are merged into the TransNAS micro tasks by architecture", "[proxy_cache]") {
    for (auto const* t : realBenchmark().select("tnb101_micro")) {
        if (t->source.filename() != "zc_transbench101_micro.json") continue;  // the NAS-Bench-360 tasks have zen itself
        auto const zen = t->proxyIndex("zen");
        REQUIRE(zen);
        // every cell has a zen record; 20 of them hold the -1e8 sentinel (degenerate cells), as jacov does
        CHECK(t->size() - t->missingCount(*zen) == 691);
        CHECK(t->missingCount(*zen) == t->missingCount(*t->proxyIndex("jacov")));
        CHECK(std::is_sorted(t->proxies.begin(), t->proxies.end()));
    }
}

TEST_CASE("the old NAS-Bench-101 format: bare numbers under an extra nesting level", "[proxy_cache]") {
    auto const& t = realBenchmark().task("nb101/cifar10");
    CHECK(t.proxyIndex("params"));
    CHECK_FALSE(t.proxyIndex("nwot"));
    CHECK(t.missingCount(*t.proxyIndex("params")) == 0);
    // the key is the flattened 7x7 adjacency matrix followed by the 7 op codes
    CHECK(t.archs.front().ops.size() == 56);
}

TEST_CASE("file names map to search spaces, including the macro file", "[proxy_cache]") {
    CHECK(spaceOfFile("zc_transbench101_macro.json") == SearchSpace::TNB101Macro);
    CHECK(spaceOfFile("zc_nasbench201.json") == SearchSpace::NB201);
    CHECK_FALSE(spaceOfFile("notes.json"));
    auto const macro = writeTemp("zc_transbench101_macro.json",
                                 R"js({"autoencoder": {"(1, 2, 3, 4)": {"idx": "0", "arch": "(1, 2, 3, 4)",
                                   "val_accuracy": 0.5, "params": {"score": 1.5, "time": 0.1}}}})js");
    auto tables = loadSuiteFile(macro, SearchSpace::TNB101Macro);
    REQUIRE(tables.size() == 1);
    CHECK(tables[0].id() == "tnb101_macro/autoencoder");
    CHECK(tables[0].archs[0].ops == std::vector<int>{1, 2, 3, 4});
}

TEST_CASE("malformed input gives errors that name the file, position or architecture", "[proxy_cache]") {
    auto const bad = writeTemp("zc_nasbench201.json", "{\"cifar10\": {\"(0, 1, 2, 3, 4, 0)\": {\"val_accuracy\": 1.0,,}}}");
    auto msg = errorOf([&] { (void)loadSuiteFile(bad, SearchSpace::NB201); });
    CHECK_THAT(msg, Catch::Contains("zc_nasbench201.json:1:") && Catch::Contains("malformed JSON"));

    auto const noAcc = writeTemp("noacc.json", R"js({"cifar10": {"(0, 1, 2, 3, 4, 0)": {"val_accuracy": 1.0},
                                   "(1, 1, 1, 1, 1, 1)": {"params": 3.0}}})js");
    msg = errorOf([&] { (void)loadSuiteFile(noAcc, SearchSpace::NB201); });
    CHECK_THAT(msg, Catch::Contains("noacc.json") && Catch::Contains("(1, 1, 1, 1, 1, 1)") &&
                        Catch::Contains("val_accuracy"));

    auto const badOp = writeTemp("badop.json", R"js({"cifar10": {"(0, 1, 2, 3, 9, 0)": {"val_accuracy": 1.0}}})js");
    msg = errorOf([&] { (void)loadSuiteFile(badOp, SearchSpace::NB201); });
    CHECK_THAT(msg, Catch::Contains("(0, 1, 2, 3, 9, 0)") && Catch::Contains("op index 9"));

    auto const empty = writeTemp("empty.json", R"js({"cifar10": {}})js");
    msg = errorOf([&] { (void)loadSuiteFile(empty, SearchSpace::NB201); });
    CHECK_THAT(msg, Catch::Contains("cifar10") && Catch::Contains("no architectures"));
}

TEST_CASE("unknown tasks and spaces list the valid ones", "[proxy_cache]") {
    auto const& b = realBenchmark();
    auto msg = errorOf([&] { (void)b.task("nb201/cifar11"); });
    CHECK_THAT(msg, Catch::Contains("cifar11") && Catch::Contains("nb201/ImageNet16-120"));
    msg = errorOf([&] { (void)b.task("nb999/cifar10"); });
    CHECK_THAT(msg, Catch::Contains("nb999") && Catch::Contains("tnb101_micro"));
    CHECK_THROWS_AS(parseSearchSpace("nope"), std::invalid_argument);
}

// Loading the real NAS-Bench-Suite-Zero files, and clear errors on malformed ones.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "TempDir.hpp"
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

namespace {
// NaN-aware bitwise equality of two columns
bool sameColumn(std::span<double const> a, std::span<double const> b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) != std::isnan(b[i]) || (!std::isnan(a[i]) && a[i] != b[i])) return false;
    }
    return true;
}
}  // namespace

TEST_CASE("one NB201 task's zen, merged from its own dataset's files, equals the merge of the whole folder",
          "[proxy_cache]") {
    auto const nbsz = zcgp::test::requireData("nbsz");
    auto whole = loadSuiteFile(nbsz / "zc_nasbench201.json", SearchSpace::NB201);
    mergeZenScores(nbsz / "nb201_zen_full", whole);  // every file of every dataset, as loading did before
    auto single = loadSuiteFile(nbsz / "zc_nasbench201.json", SearchSpace::NB201);
    REQUIRE(single.size() == 3);
    for (std::size_t k = 0; k < single.size(); ++k) {
        mergeZenScores(nbsz / "nb201_zen_full", single[k]);
        INFO(single[k].id());
        REQUIRE(single[k].proxies == whole[k].proxies);
        CHECK(sameColumn(single[k].column("zen"), whole[k].column("zen")));
        CHECK(single[k].proxySeconds == whole[k].proxySeconds);  // zen's time: the median over its dataset's files
        CHECK(single[k].missingCount(*single[k].proxyIndex("zen")) == whole[k].missingCount(*whole[k].proxyIndex("zen")));
    }
    // and what Benchmark::task serves is the same table
    auto const& served = realBenchmark().task("nb201/cifar100");
    CHECK(sameColumn(served.column("zen"), whole[1].column("zen")));
    CHECK(served.proxySeconds == whole[1].proxySeconds);
}

TEST_CASE("a suite task reads only its own dataset's zen files: a broken one of another dataset does not block it",
          "[proxy_cache]") {
    auto const nbsz = zcgp::test::requireData("nbsz");
    zcgp::test::TempDir tmp("zcgp_zen_lazy_");
    fs::create_symlink(nbsz / "zc_nasbench201.json", tmp.path / "zc_nasbench201.json");
    fs::create_directory(tmp.path / "nb201_zen_full");
    std::string const broken = "benchmark--nasbench201--cifar100--1000.json";
    for (auto const& entry : fs::directory_iterator(nbsz / "nb201_zen_full")) {
        if (entry.path().filename() == broken) continue;
        fs::create_symlink(entry.path(), tmp.path / "nb201_zen_full" / entry.path().filename());
    }
    zcgp::test::writeFile(tmp.path / "nb201_zen_full", broken, "[{\"arch\": \"(0, 1, 2, 3, 4, 0)\",");
    auto const b = Benchmark::load(tmp.path);
    auto const& c10 = b.task("nb201/cifar10");  // its zen files are intact
    CHECK(sameColumn(c10.column("zen"), realBenchmark().task("nb201/cifar10").column("zen")));
    auto const msg = errorOf([&] { (void)b.task("nb201/cifar100"); });
    CHECK_THAT(msg, Catch::Contains(broken) && Catch::Contains("malformed JSON"));
    CHECK_THAT(errorOf([&] { (void)b.select("nb201"); }), Catch::Contains(broken));
    // the listing names the broken file for the whole source, as a failed source
    auto const statuses = b.survey();
    REQUIRE(statuses.size() == 1);
    CHECK_THAT(statuses[0].error, Catch::Contains(broken));
    CHECK(statuses[0].tables.empty());
}

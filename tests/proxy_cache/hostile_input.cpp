// Hostile or corrupt benchmark files: each gives one DataError naming the file (and key), never a crash, and a
// corrupt file blocks only the tasks that need it (reliability issue, items 8, 9 and 11).
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "TempDir.hpp"
#include "TestData.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

using namespace zcgp::proxy_cache;
namespace fs = std::filesystem;

namespace {
std::string errorOf(auto&& f) { return zcgp::test::errorOf<DataError>(f, "DataError"); }

fs::path write(fs::path const& dir, std::string const& name, std::string const& text) {
    return zcgp::test::writeFile(dir, name, text);
}

std::string record(std::string const& key) {
    return "\"" + key + "\": {\"idx\": \"0\", \"arch\": \"" + key + "\", \"val_accuracy\": 1.0, \"params\": {\"score\": 1.0}}";
}
}  // namespace

TEST_CASE("an op index beyond int range is a DataError naming the file and the key", "[proxy_cache]") {
    zcgp::test::TempDir dir;
    auto const key = std::string("(99999999999, 0, 0, 0, 0, 0)");
    auto const file = write(dir.path, "zc_nasbench201.json", "{\"cifar10\": {" + record(key) + "}}");
    auto const msg = errorOf([&] { (void)loadSuiteFile(file, SearchSpace::NB201); });
    CHECK_THAT(msg, Catch::Contains(file.string()) && Catch::Contains(key));
}

TEST_CASE("a 10000-op architecture key is rejected without recursion", "[proxy_cache]") {
    zcgp::test::TempDir dir;
    std::string key = "(0";
    for (int i = 1; i < 10000; ++i) key += ", 0";
    key += ")";
    auto const file = write(dir.path, "zc_nasbench201.json", "{\"cifar10\": {" + record(key) + "}}");
    auto const msg = errorOf([&] { (void)loadSuiteFile(file, SearchSpace::NB201); });
    CHECK_THAT(msg, Catch::Contains(file.string()) && Catch::Contains("10000 ops"));
}

TEST_CASE("a million nested brackets are a malformed-JSON error, not a stack overflow", "[proxy_cache]") {
    zcgp::test::TempDir dir;
    auto const file = write(dir.path, "zc_nasbench201.json", "{\"cifar10\": " + std::string(1000000, '['));
    auto const msg = errorOf([&] { (void)loadSuiteFile(file, SearchSpace::NB201); });
    CHECK_THAT(msg, Catch::Contains(file.string()) && Catch::Contains("malformed JSON"));
}

TEST_CASE("a corrupt zc_nasbench201.json does not block the NAS-Bench-301 task", "[proxy_cache]") {
    zcgp::test::TempDir dir;
    fs::create_directories(dir.path / "nbsz");
    fs::copy_file(zcgp::test::requireData("nbsz/zc_nasbench301.json"), dir.path / "nbsz" / "zc_nasbench301.json");
    write(dir.path / "nbsz", "zc_nasbench201.json", "{\"cifar10\": {\"(0, 1, 2, 3, 4, 0)\": {\"val_accuracy\": 1.0,,}}}");
    auto const benchmark = Benchmark::load(dir.path);
    CHECK(benchmark.task("nb301/cifar10").size() == 725);  // README table: 725 archs
    // the NB201 task itself still reports the broken file
    auto const msg = errorOf([&] { (void)benchmark.task("nb201/cifar10"); });
    CHECK_THAT(msg, Catch::Contains("zc_nasbench201.json") && Catch::Contains("malformed JSON"));
}

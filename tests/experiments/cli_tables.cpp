// End-to-end on the real zcgp binary: zcgp tasks with a broken data file, a researcher's own table (--table) and
// the errors on broken copies of real files (each exit 2, nothing written).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TempDir.hpp"
#include "TestData.hpp"

using zcgp::test::runCommand;
namespace fs = std::filesystem;

namespace {
std::string cli(std::string const& args, fs::path const& data) {
    return zcgp::test::cliPath().string() + " " + args + " --data " + data.string();
}
}  // namespace

TEST_CASE("zcgp tasks lists a broken file with its error and every other task", "[experiments]") {
    zcgp::test::TempDir dir;
    fs::create_directories(dir.path / "nbsz");
    fs::copy_file(zcgp::test::requireData("nbsz/zc_nasbench301.json"), dir.path / "nbsz" / "zc_nasbench301.json");
    std::ofstream(dir.path / "nbsz" / "zc_nasbench201.json") << "{\"cifar10\": {\"(0, 1, 2, 3, 4, 0)\": [";
    auto const r = runCommand(cli("tasks --format csv", dir.path));
    INFO(r.err);
    CHECK(r.exitCode == 0);
    CHECK_THAT(r.out, Catch::Contains("nb301/cifar10,nb301,725,12,"));
    CHECK_THAT(r.out, Catch::Contains("nb201/*,nb201,,,,error: ") && Catch::Contains("zc_nasbench201.json:1:"));
    CHECK_THAT(r.err, Catch::Contains("warning") && Catch::Contains("zc_nasbench201.json"));
    // the NB301 task evolves; the NB201 one is an error naming the file
    auto const out = dir.path / "run";
    auto const ok = runCommand(cli("evolve --task nb301/cifar10 --generations 2 --population 10 --quiet --out " + out.string(),
                                   dir.path));
    INFO(ok.err);
    CHECK(ok.exitCode == 0);
    CHECK(fs::exists(out / "result.json"));
    auto const bad = runCommand(cli("evolve --task nb201/cifar10 --generations 2 --quiet --out " + (dir.path / "r2").string(),
                                    dir.path));
    CHECK(bad.exitCode == 2);
    CHECK_THAT(bad.err, Catch::Contains("zc_nasbench201.json"));
    CHECK_FALSE(fs::exists(dir.path / "r2"));
}

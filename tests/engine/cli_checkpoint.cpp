// `zcgp evolve` checkpoints on the real data: the run folder holds checkpoint.bin, and a folder left by an older
// zcgp (checkpoint.json, the JSON format of version 4) is refused on --resume with its version, exit code 1.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "RunCommand.hpp"
#include "TempDir.hpp"
#include "TestData.hpp"

namespace fs = std::filesystem;

TEST_CASE("zcgp evolve writes checkpoint.bin and refuses an older zcgp's checkpoint.json on --resume", "[engine]") {
    zcgp::test::TempDir d;
    auto const out = d.path / "run";
    auto const run = zcgp::test::runCommand(zcgp::test::zcgpCli(
        "evolve --task nb201/cifar10 --population 20 --generations 4 --checkpoint-every 2 --checkpoint-seconds 0 --seed 1 --quiet --out " +
        out.string()));
    INFO(run.err);
    REQUIRE(run.exitCode == 0);
    CHECK(fs::exists(out / "checkpoint.bin"));
    CHECK_FALSE(fs::exists(out / "checkpoint.json"));

    auto const before = zcgp::test::readBytes(out / "result.json");
    fs::remove(out / "checkpoint.bin");
    std::ofstream(out / "checkpoint.json") << R"({"version":4,"seed":1,"generation":4,"population":[]})";
    auto const resumed = zcgp::test::runCommand(zcgp::test::zcgpCli("evolve --resume " + out.string() + " --quiet"));
    CHECK(resumed.exitCode == 2);  // a usage error: the file given to continue from is not one this zcgp reads
    CHECK_THAT(resumed.err, Catch::Contains((out / "checkpoint.json").string()) &&
                                Catch::Contains("JSON checkpoint (format version 4) of an older zcgp"));
    // the refused resume changes nothing: the finished run's own result stays as it was
    CHECK(zcgp::test::readBytes(out / "result.json") == before);
}

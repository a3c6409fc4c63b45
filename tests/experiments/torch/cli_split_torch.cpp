// score, gather and search run in zcgp-torch, which zcgp hands over to: `zcgp --help` lists them with their
// summaries, their flags, errors and exit codes are those of zcgp, and a zcgp without its zcgp-torch says so.
#include <catch2/catch.hpp>

#include <filesystem>

#include "RunCommand.hpp"
#include "TempDir.hpp"
#include "TestData.hpp"

using zcgp::test::runCommand;
namespace fs = std::filesystem;

TEST_CASE("zcgp hands score, gather and search over to zcgp-torch", "[experiments][torch]") {
    auto const cli = zcgp::test::cliPath();
    auto const torch = cli.parent_path() / "zcgp-torch";
    auto const ldd = runCommand("ldd " + torch.string());
    REQUIRE(ldd.exitCode == 0);
    CHECK_THAT(ldd.out, Catch::Contains("libtorch"));  // the other half does load LibTorch

    auto const help = runCommand(cli.string() + " --help");
    REQUIRE(help.exitCode == 0);
    CHECK_THAT(help.out, Catch::Contains("  score        compute zero-cost proxies of architectures natively (LibTorch)"));
    CHECK_THAT(help.out, Catch::Contains("  gather       measure proxies and raw statistics"));
    CHECK_THAT(help.out, Catch::Contains("  search       zero-shot NAS over NAS-Bench-201"));

    auto const usage = runCommand(cli.string() + " score --help");
    CHECK(usage.exitCode == 0);
    CHECK_THAT(usage.out, Catch::StartsWith("usage: zcgp score "));
    auto const badFlag = runCommand(cli.string() + " gather --no-such-flag");
    CHECK(badFlag.exitCode == 2);
    CHECK_THAT(badFlag.err, Catch::StartsWith("zcgp: error: zcgp gather: ") && Catch::Contains("no-such-flag"));
    auto const badArch = runCommand(zcgp::test::zcgpCli("score --arch \"(0, 9, 3, 2, 3, 1)\""));
    CHECK(badArch.exitCode == 2);
    CHECK_THAT(badArch.err, Catch::StartsWith("zcgp: error: "));

    // a zcgp copied away from its zcgp-torch keeps its own subcommands and names what is missing
    zcgp::test::TempDir alone;
    fs::copy_file(cli, alone.path / "zcgp");
    auto const lonely = runCommand((alone.path / "zcgp").string() + " score --arch \"(0, 2, 3, 2, 3, 1)\"");
    CHECK(lonely.exitCode == 1);
    CHECK_THAT(lonely.err, Catch::Contains((alone.path / "zcgp-torch").string()) && Catch::Contains("cannot be run"));
    CHECK(runCommand((alone.path / "zcgp").string() + " --help").exitCode == 0);
}

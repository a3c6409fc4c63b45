// The zcgp executable links no LibTorch (the LibTorch subcommands live in zcgp-torch): its dynamic dependencies
// (ldd, the loader's own answer) name no torch or c10 library, and `zcgp --help` still lists every subcommand.
#include <catch2/catch.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"

using zcgp::test::runCommand;

TEST_CASE("zcgp loads no LibTorch and lists every subcommand", "[experiments]") {
    auto const ldd = runCommand("ldd " + zcgp::test::cliPath().string());
    REQUIRE(ldd.exitCode == 0);
    CHECK_THAT(ldd.out, Catch::Contains("libc.so"));  // the listing is real
    CHECK_THAT(ldd.out, !Catch::Contains("libtorch") && !Catch::Contains("libc10"));
    auto const help = runCommand(zcgp::test::cliPath().string() + " --help");
    REQUIRE(help.exitCode == 0);
    for (auto name : {"correlate", "evaluate", "evolve", "export", "reproduce", "tasks"}) {
        CHECK_THAT(help.out, Catch::Contains(std::string("  ") + name + " "));
    }
}

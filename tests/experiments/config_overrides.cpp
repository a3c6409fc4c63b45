// zcgp reproduce --set with keys and values that are not plain (issue 11, found by fuzzing the config loader):
// dotted and spaced keys, quotes, invalid UTF-8. A bad override is one usage error; a saved config always loads.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "RunCommand.hpp"
#include "TempDir.hpp"
#include "TestData.hpp"

using zcgp::test::runCommand;
using zcgp::test::scratchDir;
using zcgp::test::zcgpCli;
namespace fs = std::filesystem;

namespace {
std::string readText(fs::path const& p) { return zcgp::test::readBytes(p); }

// A correlations config over one task, written into dir.
std::string writeConfig(fs::path const& dir) {
    auto const path = dir / "c.toml";
    std::ofstream(path) << "name = \"c\"\nexperiment = \"correlations\"\ntasks = [\"nb201/cifar10\"]\noutputs = [\"csv\"]\n";
    return path.string();
}
}  // namespace

TEST_CASE("reproduce --set with a dotted or quoted key is a usage error naming it, not a crash", "[experiments]") {
    auto const dir = scratchDir("set_keys");
    auto const config = writeConfig(dir);
    for (auto const* set : {"a.b=1", "\"metrics\"=[\"kendall\"]", "tasks.x=1", "=3", "  =3", "metrics"}) {
        INFO(set);
        auto const r = runCommand(zcgpCli("reproduce " + config + " --set '" + std::string(set) + "' --results " +
                                          (dir / "results").string()));
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::StartsWith("zcgp: error: --set '" + std::string(set) + "'"));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK_FALSE(fs::exists(dir / "results" / "c"));
    }
    auto const r = runCommand(zcgpCli("reproduce " + config + " --set 'a.b=1' --results " + (dir / "results").string()));
    CHECK_THAT(r.err, Catch::Contains("unknown key 'a.b' for experiment 'correlations'"));
}

TEST_CASE("reproduce --set 'metrics =[...]' (space before =) sets metrics, and the saved config loads again",
          "[experiments]") {
    auto const dir = scratchDir("set_spaced");
    auto const results = dir / "results";
    auto const r = runCommand(zcgpCli("reproduce " + writeConfig(dir) + " --set 'metrics =[\"kendall\"]'" +
                                      " --set 'description=say \"hi\" \\ there' --results " + results.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(fs::exists(results / "c" / "kendall.csv"));
    CHECK_FALSE(fs::exists(results / "c" / "spearman.csv"));
    auto const saved = results / "c" / "config.toml";
    CHECK_THAT(readText(saved), Catch::Contains("metrics = [ 'kendall' ]"));
    // the saved config is a config: it loads (and runs) again, with the same description
    auto const again = runCommand(zcgpCli("reproduce " + saved.string() + " --set name=c2 --results " + results.string()));
    INFO(again.err);
    REQUIRE(again.exitCode == 0);
    CHECK(readText(results / "c2" / "config.toml") == [&] {
        auto text = readText(saved);
        return text.replace(text.find("name = 'c'"), 10, "name = 'c2'");
    }());
}

TEST_CASE("reproduce --set with invalid UTF-8 or a name that is no file name is refused before anything is written",
          "[experiments]") {
    auto const dir = scratchDir("set_utf8");
    auto const config = writeConfig(dir);
    auto const results = (dir / "results").string();
    auto r = runCommand(zcgpCli("reproduce " + config + " --set \"$(printf 'name=\\310')\" --results " + results));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("--set 'name=") && Catch::Contains("not valid UTF-8"));
    r = runCommand(zcgpCli("reproduce " + config + " --set \"$(printf 'tasks=nb201/cifar10,\\377')\" --results " + results));
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("not valid UTF-8"));
    for (auto const* name : {"..", ".", "a\\\\b", "\"$(printf 'a\\001b')\""}) {
        INFO(name);
        r = runCommand(zcgpCli("reproduce " + config + " --set name=" + name + " --results " + results));
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains("key 'name' must be a non-empty file name"));
    }
    CHECK_FALSE(fs::exists(dir / "results"));
}

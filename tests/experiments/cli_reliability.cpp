// The run lifecycle of the CLI on the real data: no subcommand exits 0 on an error, no flag value crashes, a failed
// command leaves no files, an existing run is never touched without --force or --resume, and the same formula
// text means the same function in every subcommand.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using zcgp::test::runCommand;
using zcgp::test::zcgpCli;

namespace {

// Every file below dir, with its contents (to check that a failed command changed nothing).
std::map<std::string, std::string> snapshot(fs::path const& dir) {
    std::map<std::string, std::string> files;
    if (!fs::exists(dir)) return files;
    for (auto const& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        files[fs::relative(e.path(), dir).string()] = s.str();
    }
    return files;
}

// A usage error: exit 2, one line on stderr that names `needle`, and no crash or library-internal text.
void checkUsageError(zcgp::test::CommandResult const& r, std::string const& needle) {
    INFO(r.err);
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains(needle));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.err, !Catch::Contains("json.exception") && !Catch::Contains("stoi") && !Catch::Contains("terminate"));
}

}  // namespace

TEST_CASE("reusing --out never destroys the earlier run, and a failed command leaves no files", "[experiments]") {
    auto const tmp = zcgp::test::scratchDir("reuse_out");
    auto const run = tmp / "main";
    auto r = runCommand(zcgpCli("evolve --task nb201/cifar10 --generations 5 --quiet --out " + run.string()));
    REQUIRE(r.exitCode == 0);
    auto const before = snapshot(run);
    REQUIRE(before.count("result.json") == 1);
    // a bad flag on the same directory: refused before anything is written
    checkUsageError(runCommand(zcgpCli("evolve --task nb201/cifar10 --train-archs 0 --out " + run.string())),
                    "--train-archs");
    CHECK(snapshot(run) == before);
    // a good command on the same directory: refused too, unless --force
    checkUsageError(runCommand(zcgpCli("evolve --task nb201/cifar10 --seed 3 --out " + run.string())), "--force");
    CHECK(snapshot(run) == before);
    r = runCommand(zcgpCli("evolve --task nb201/cifar10 --generations 5 --seed 3 --quiet --force --out " + run.string()));
    CHECK(r.exitCode == 0);
    CHECK(json::parse(std::ifstream(run / "result.json"))["seed"] == 3);
    // failures on a fresh directory leave nothing: no options.json, no directory
    for (std::string const& bad : {"--task nb201/cifar10 --max-size 0", "--task nb201/cifar10 --max-depth 0",
                                   "--task nb201/cifar10 --constants 2", "--task nb201/nosuch",
                                   "--task nb201/cifar10 --selector roulette"}) {
        INFO(bad);
        auto const fresh = tmp / "fresh";
        r = runCommand(zcgpCli("evolve " + bad + " --out " + fresh.string()));
        CHECK(r.exitCode == 2);
        CHECK_FALSE(fs::exists(fresh));
    }
    // export --out DIR: refused, and no DIR.tmp
    fs::create_directories(tmp / "hdr");
    checkUsageError(runCommand(zcgpCli("export --run " + run.string() + " --out " + (tmp / "hdr").string())), "--out");
    CHECK_FALSE(fs::exists(tmp / "hdr.tmp"));
}

TEST_CASE("every numeric flag is range-checked, and no flag value crashes", "[experiments]") {
    auto const tmp = zcgp::test::scratchDir("numeric_flags");
    auto const out = (tmp / "x").string();
    struct Case {
        std::string args, flag;
    };
    std::vector<Case> const cases{
        {"evolve --task nb201/cifar10 --generations -3 --out " + out, "--generations"},
        {"evolve --task nb201/cifar10 --train-archs -5 --out " + out, "--train-archs"},
        {"evolve --task nb201/cifar10 --seed -1 --out " + out, "--seed"},
        {"evolve --task nb201/cifar10 --threads -1 --out " + out, "--threads"},
        {"evolve --task nb201/cifar10 --population 1 --out " + out, "--population"},
        {"evolve --task nb201/cifar10 --mutation-rate 1.5 --out " + out, "--mutation-rate"},
        {"evolve --task nb201/cifar10 --time-limit nan --out " + out, "--time-limit"},
        {"evolve --task nb201/cifar10 --checkpoint-seconds -1 --out " + out, "--checkpoint-seconds"},
        {"evolve --task nb201/cifar10 --checkpoint-seconds nan --out " + out, "--checkpoint-seconds"},
        {"evolve --task nb201/cifar10 --parsimony inf --out " + out, "--parsimony"},
        {"evolve --task nb201/cifar10 --generations 12abc --out " + out, "--generations"},
        {"evolve --task nb201/cifar10 --seed 18446744073709551616 --out " + out, "--seed"},
        {"evolve --task nb201/cifar10 --ensemble 0 --out " + out, "--ensemble"},
        {"evolve --task nb201/cifar10 --ensemble 2 --member-creators bogus:1 --out " + out, "--member-creators"},
        {"evolve --task nb201/cifar10 --ensemble 2 --member-creators rhh:2:5, --out " + out, "--member-creators"},
        {"evolve --task nb201/cifar10 --elites 100 --out " + out, "--elites"},
        {"evolve --task nb201/cifar10 --islands 0 --out " + out, "--islands"},
        {"evolve --task nb201/cifar10 --islands two --out " + out, "--islands"},
        {"evolve --task nb201/cifar10 --islands 2x --out " + out, "--islands"},
        {"evolve --task nb201/cifar10 --islands -2 --out " + out, "--islands"},
        {"evolve --task nb201/cifar10 --islands 1001 --out " + out, "--islands"},
        {"evolve --task nb201/cifar10 --islands 60 --out " + out, "--islands"},  // islands of 1 (below 2)
        {"evolve --task nb201/cifar10 --islands 3 --population 9 --elites 3 --out " + out, "--islands"},
        {"evolve --task nb201/cifar10 --islands 60 --ensemble 20 --max-size 40 --out " + out, "--ensemble"},
        {"correlate --precision -1", "--precision"},
        {"correlate --precision 99999", "--precision"},
    };
    for (auto const& c : cases) {
        INFO(c.args);
        checkUsageError(runCommand(zcgpCli(c.args)), c.flag);
        CHECK_FALSE(fs::exists(out));
    }
    // the error names the valid range
    auto const r = runCommand(zcgpCli("evolve --task nb201/cifar10 --generations -3 --out " + out));
    CHECK_THAT(r.err, Catch::Contains("from 1 to"));
    // a seed may be any 64-bit value; a thread count above the hardware's is capped with a note
    auto const big = runCommand(zcgpCli("evolve --task nb201/cifar10 --seed 18446744073709551615 --threads 100000 "
                                        "--generations 2 --population 20 --json --out " + out));
    INFO(big.err);
    REQUIRE(big.exitCode == 0);
    CHECK(json::parse(big.out)["seed"] == 18446744073709551615ULL);
    CHECK_THAT(big.err, Catch::Contains("capped"));
}

TEST_CASE("evaluate and export: formula errors exit 2, and one transform default everywhere", "[experiments]") {
    for (std::string const& f : {"nwot + foo", "(nwot + ", "nwot)"}) {
        INFO(f);
        auto r = runCommand(zcgpCli("evaluate --task nb201/cifar10 --format json --formula \"" + f + "\""));
        checkUsageError(r, "--formula");
        CHECK(r.out.empty());
        checkUsageError(runCommand(zcgpCli("export --formula \"" + f + "\"")), "--formula");
    }
    // a proxy a task lacks is a note on that task only, as long as another task has it
    auto const transfer = runCommand(zcgpCli("evaluate --task nb201/cifar10 --task tnb101_micro/normal --format json "
                                             "--formula \"synflow + nwot\""));
    CHECK(transfer.exitCode == 0);
    // the same formula text is the same function: evaluate's tau equals the tau of export's values
    auto const tmp = zcgp::test::scratchDir("transform_default");
    auto const ev = runCommand(zcgpCli("evaluate --task nb201/cifar10 --format csv --formula \"nwot + jacov\""));
    REQUIRE(ev.exitCode == 0);
    auto const ex = runCommand(zcgpCli("export --formula \"nwot + jacov\" --task nb201/cifar10 --out " +
                                       (tmp / "p.hpp").string() + " --values-csv " + (tmp / "v.csv").string()));
    REQUIRE(ex.exitCode == 0);
    // the exported values, re-ranked here against the evaluate output of an explicit --normalize logz
    auto const explicitLogz = runCommand(zcgpCli("evaluate --task nb201/cifar10 --format csv --normalize logz "
                                                 "--formula \"nwot + jacov\""));
    CHECK(ev.out == explicitLogz.out);
    std::ifstream header(tmp / "p.hpp");
    std::stringstream text;
    text << header.rdbuf();
    CHECK_THAT(text.str(), Catch::Contains("logz"));
    auto const help = runCommand(zcgp::test::cliPath().string() + " export --help");
    auto const evalHelp = runCommand(zcgp::test::cliPath().string() + " evaluate --help");
    auto const words = [](std::string text) {  // --help wraps lines; compare word sequences
        std::istringstream in(text);
        std::string w, out;
        while (in >> w) out += w + " ";
        return out;
    };
    CHECK_THAT(words(help.out), Catch::Contains("default logz"));
    CHECK_THAT(words(evalHelp.out), Catch::Contains("default logz"));
}

TEST_CASE("stray words, duplicate tasks and a time limit are never silent", "[experiments]") {
    auto const tmp = zcgp::test::scratchDir("silent");
    auto const out = (tmp / "pp").string();
    auto r = runCommand(zcgpCli("evolve --task nb201/cifar10 --proxies jacov nwot synflow --out " + out));
    checkUsageError(r, "nwot synflow");
    CHECK_THAT(r.err, Catch::Contains("--proxies jacov,nwot,synflow"));
    CHECK_FALSE(fs::exists(out));
    checkUsageError(runCommand(zcgpCli("correlate stray")), "stray");
    checkUsageError(runCommand(zcgpCli("evaluate --formula nwot --task nb201/cifar10 extra")), "extra");
    checkUsageError(runCommand(zcgpCli("evolve --task nb201/cifar10 --task nb201/cifar10 --out " + out)),
                    "nb201/cifar10");
    CHECK_FALSE(fs::exists(out));
    // --time-limit stops the run and says so, on screen and in result.json
    r = runCommand(zcgpCli("evolve --task nb201/cifar10 --generations 100000 --time-limit 0.3 --out " + out));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.err, Catch::Contains("--time-limit"));
    auto const result = json::parse(std::ifstream(fs::path(out) / "result.json"));
    CHECK(result["stopped"] == "time_limit");
    CHECK(result["generations"].get<std::size_t>() < result["generations_planned"].get<std::size_t>());
    // the result screen says what held-out means and what the formula is written over
    r = runCommand(zcgpCli("evolve --task nb201/cifar10 --generations 3 --force --out " + out));
    CHECK_THAT(r.err, Catch::Contains("held-out tau over the other 623") && Catch::Contains("logz+robust-transformed"));
    // --quiet prints nothing but errors
    r = runCommand(zcgpCli("evolve --task nb201/cifar10 --generations 3 --quiet --force --out " + out));
    CHECK(r.exitCode == 0);
    CHECK(r.err.empty());
}

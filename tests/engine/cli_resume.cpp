// `zcgp evolve --resume` after a real `kill -9`: the resumed run takes every option from the saved run, and its
// result.json and log.jsonl equal an uninterrupted run's (apart from timings), for single runs and ensembles.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string cli() { return zcgp::test::cliPath().string() + " "; }
std::string dataFlag() { return "--data " + zcgp::test::requireData("nbsz").parent_path().string() + " "; }

// Strips the wall-clock fields, which differ between any two runs.
json withoutTimings(json j) {
    if (j.is_object()) {
        j.erase("seconds");
        j.erase("node_evaluations_per_second");
        for (auto& [key, value] : j.items()) value = withoutTimings(value);
    } else if (j.is_array()) {
        for (auto& value : j) value = withoutTimings(value);
    }
    return j;
}

json resultOf(fs::path const& dir) { return withoutTimings(json::parse(std::ifstream(dir / "result.json"))); }

std::vector<json> logOf(fs::path const& file) {
    std::vector<json> lines;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(withoutTimings(json::parse(line)));
    }
    return lines;
}

// Starts `zcgp evolve ARGS` in the background, waits until `watched` has at least `lines` lines, then kill -9.
// Returns false if the run finished before it could be killed.
bool killAfterLines(std::string const& args, fs::path const& watched, std::size_t lines, fs::path const& out) {
    auto const script = out.parent_path() / (out.filename().string() + "_kill.sh");
    std::ofstream(script) << cli() << "evolve " << dataFlag() << args << " --quiet >/dev/null 2>&1 &\n"
                          << "pid=$!\n"
                          << "while kill -0 $pid 2>/dev/null && [ \"$(cat '" << watched.string()
                          << "' 2>/dev/null | wc -l)\" -lt " << lines << " ]; do :; done\n"
                          << "kill -9 $pid 2>/dev/null\nwait $pid 2>/dev/null\nexit 0\n";
    auto const r = zcgp::test::runCommand("bash " + script.string());
    return r.exitCode == 0 && !fs::exists(out / "result.json");
}

}  // namespace

TEST_CASE("zcgp evolve --resume after kill -9 at five points equals the uninterrupted run", "[engine]") {
    auto const tmp = zcgp::test::scratchDir("kill_resume");
    std::string const common = "--task nb201/cifar10 --population 100 --generations 900 --checkpoint-every 7 --seed 5 "
                               "--checkpoint-seconds 0 "
                               "--threads 1 --islands 1 ";
    auto const straight = tmp / "straight";
    auto r = zcgp::test::runCommand(cli() + "evolve " + dataFlag() + common + "--quiet --out " + straight.string());
    REQUIRE(r.exitCode == 0);
    auto const want = resultOf(straight);
    auto const wantLog = logOf(straight / "log.jsonl");
    REQUIRE(wantLog.size() == 901);
    std::size_t killed = 0;
    for (std::size_t point : {3U, 60U, 250U, 480U, 700U}) {
        INFO("killed after " << point << " log lines");
        auto const dir = tmp / ("k" + std::to_string(point));
        if (killAfterLines(common + "--out " + dir.string(), dir / "log.jsonl", point, dir)) ++killed;
        // the resumed run gives no budget flags: they come from the saved options
        auto const resumed = zcgp::test::runCommand(cli() + "evolve --resume " + dir.string() + " --quiet " + dataFlag());
        INFO(resumed.err);
        REQUIRE(resumed.exitCode == 0);
        CHECK(resultOf(dir) == want);
        CHECK(logOf(dir / "log.jsonl") == wantLog);
    }
    CHECK(killed >= 4);  // the kills landed mid-run (a run can only outpace its killer on a very slow poll)
}

namespace {
// Runs `zcgp evolve COMMON` uninterrupted into tmp/straight, then for each point (K, lines): kill -9 once
// PREFIX-K/log.jsonl has that many lines, resume, and check that the run's result.json and each of its `parts`
// parts' result.json and log.jsonl equal the uninterrupted run's. Returns the uninterrupted result and how many
// kills landed mid-run.
std::pair<json, std::size_t> killAndResumeParts(fs::path const& tmp, std::string const& common, std::string const& prefix,
                                                int parts, std::vector<std::pair<int, std::size_t>> const& points) {
    auto const straight = tmp / "straight";
    auto r = zcgp::test::runCommand(cli() + "evolve " + dataFlag() + common + "--quiet --out " + straight.string());
    REQUIRE(r.exitCode == 0);
    auto const want = resultOf(straight);
    std::size_t killed = 0;
    for (auto const& [part, lines] : points) {
        INFO("killed in " << prefix << "-" << part << " after " << lines << " log lines");
        auto const dir = tmp / (prefix + std::to_string(part) + "_" + std::to_string(lines));
        auto const watched = dir / (prefix + "-" + std::to_string(part)) / "log.jsonl";
        if (killAfterLines(common + "--out " + dir.string(), watched, lines, dir)) ++killed;
        CHECK(!fs::exists(dir / "result.json"));  // a killed run claims nothing
        auto const resumed = zcgp::test::runCommand(cli() + "evolve --resume " + dir.string() + " --quiet " + dataFlag());
        INFO(resumed.err);
        REQUIRE(resumed.exitCode == 0);
        CHECK(resultOf(dir) == want);
        for (int k = 0; k < parts; ++k) {
            auto const name = prefix + "-" + std::to_string(k);
            CHECK(resultOf(dir / name) == resultOf(straight / name));
            CHECK(logOf(dir / name / "log.jsonl") == logOf(straight / name / "log.jsonl"));
        }
    }
    return {want, killed};
}
}  // namespace

TEST_CASE("zcgp evolve --ensemble --resume after kill -9 equals the uninterrupted ensemble", "[engine]") {
    std::string const common = "--task nb201/cifar100 --population 60 --generations 300 --checkpoint-every 5 --seed 6 "
                               "--checkpoint-seconds 0 "
                               "--ensemble 3 --threads 1 --islands 1 ";
    auto const [want, killed] = killAndResumeParts(zcgp::test::scratchDir("kill_resume_ensemble"), common, "member", 3,
                                                   {{0, 40}, {1, 2}, {1, 200}, {2, 120}});
    CHECK(want.at("ensemble") == 3);
    CHECK(killed >= 3);
}

TEST_CASE("zcgp evolve --islands --resume after kill -9 equals the uninterrupted run", "[engine]") {
    // the default at a population of 100: two islands of 50, side by side on the two threads
    std::string const common = "--task nb201/cifar10 --population 100 --generations 400 --checkpoint-every 6 --seed 8 "
                               "--checkpoint-seconds 0 "
                               "--threads 2 ";
    auto const [want, killed] = killAndResumeParts(zcgp::test::scratchDir("kill_resume_islands"), common, "island", 2,
                                                   {{0, 5}, {0, 300}, {1, 2}, {1, 150}});
    CHECK(want.at("islands") == 2);
    CHECK(want.at("island_bests").size() == 2);
    CHECK(killed >= 3);
    // the same islands one after the other (1 thread) give the same result
    auto const dir = zcgp::test::scratchDir("kill_resume_islands") / "sequential";
    std::string const sequential = "--task nb201/cifar10 --population 100 --generations 400 --checkpoint-every 6 "
                                   "--checkpoint-seconds 0 "
                                   "--seed 8 --threads 1 ";
    auto const r = zcgp::test::runCommand(cli() + "evolve " + dataFlag() + sequential + "--quiet --out " + dir.string());
    REQUIRE(r.exitCode == 0);
    auto got = resultOf(dir);
    CHECK(got == want);
}

TEST_CASE("a run saved before --islands existed resumes as one population", "[engine]") {
    auto const tmp = zcgp::test::scratchDir("resume_pre_islands");
    auto const dir = tmp / "run";
    std::string const common = "--task nb201/cifar10 --population 60 --generations 20 --seed 3 --threads 1 ";
    auto r = zcgp::test::runCommand(cli() + "evolve " + dataFlag() + common + "--islands 1 --quiet --out " +
                                    dir.string());
    REQUIRE(r.exitCode == 0);
    auto const want = resultOf(dir);
    // options.json as a zcgp before --islands wrote it, and the run cut short after its checkpoint at 10
    auto saved = json::parse(std::ifstream(dir / "options.json"));
    json stripped = json::array();
    for (std::size_t i = 0; i < saved.size(); ++i) {
        if (saved[i] == "--islands") { ++i; continue; }
        stripped.push_back(saved[i]);
    }
    REQUIRE(stripped.size() + 2 == saved.size());
    std::ofstream(dir / "options.json") << stripped.dump();
    fs::remove(dir / "result.json");
    r = zcgp::test::runCommand(cli() + "evolve --resume " + dir.string() + " --quiet " + dataFlag());
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(!fs::exists(dir / "island-0"));
    CHECK(resultOf(dir) == want);
    CHECK(want.at("islands") == 1);
}

TEST_CASE("zcgp evolve --resume keeps the saved options, and a different one is an error", "[engine]") {
    auto const tmp = zcgp::test::scratchDir("resume_options");
    auto const dir = tmp / "run";
    // a run saved with --generations 30 resumes to 30, not to the default 50
    auto r = zcgp::test::runCommand(cli() + "evolve " + dataFlag() +
                                    "--task nb201/cifar10 --generations 30 --population 30 --quiet --out " + dir.string());
    REQUIRE(r.exitCode == 0);
    fs::remove(dir / "result.json");
    r = zcgp::test::runCommand(cli() + "evolve --resume " + dir.string() + " --quiet --json " + dataFlag());
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(json::parse(r.out)["generations"] == 30);
    auto const before = json::parse(std::ifstream(dir / "result.json"));
    for (std::string const& flag : std::vector<std::string>{"--generations 40", "--seed 1", "--task nb201/cifar100", "--normalize none",
                                   "--out " + (tmp / "elsewhere").string(), "--force"}) {
        INFO(flag);
        r = zcgp::test::runCommand(cli() + "evolve --resume " + dir.string() + " " + flag + " " + dataFlag());
        CHECK(r.exitCode == 2);
        CHECK_THAT(r.err, Catch::Contains(flag.substr(0, flag.find(' '))));
        CHECK(json::parse(std::ifstream(dir / "result.json")) == before);  // nothing touched
    }
    // repeating a saved value, or changing a runtime flag, is accepted
    r = zcgp::test::runCommand(cli() + "evolve --resume " + dir.string() + " --generations 30 --threads 1 --quiet " +
                               dataFlag());
    CHECK(r.exitCode == 0);
    // a garbage options.json is one clear line naming the file
    std::ofstream(dir / "options.json") << "{not json";
    r = zcgp::test::runCommand(cli() + "evolve --resume " + dir.string() + " " + dataFlag());
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains((dir / "options.json").string()));
    CHECK_THAT(r.err, !Catch::Contains("json.exception"));
}

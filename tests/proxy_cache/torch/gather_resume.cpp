// zcgp gather end to end, through the real binary: a run killed with SIGKILL (and one stopped by the hidden
// --stop-after flag) and then resumed writes the same bytes as an uninterrupted run; shards merge back into it;
// user errors are refused with messages that name the culprit.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "TempDir.hpp"

#include "TestData.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"
#include "zcgp/proxy_cache/StatisticsJournal.hpp"

namespace fs = std::filesystem;
using namespace zcgp::proxy_cache;
using zcgp::test::readBytes;
using zcgp::test::TempDir;

namespace {

// Starts `zcgp args...` with stdout and stderr going to `log`.
pid_t spawnCli(std::vector<std::string> const& args, fs::path const& log) {
    std::vector<std::string> argv = {zcgp::test::cliPath().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::FILE* out = std::freopen(log.c_str(), "w", stdout);
        if (out == nullptr || ::dup2(STDOUT_FILENO, STDERR_FILENO) < 0) {
            std::_Exit(126);
        }
        std::vector<char*> cargv;
        for (auto& a : argv) {
            cargv.push_back(a.data());
        }
        cargv.push_back(nullptr);
        ::execv(cargv[0], cargv.data());
        std::_Exit(127);
    }
    return pid;
}

struct Result {
    int exitCode = -1;  // -1 when killed by a signal
    std::string output;
};

Result waitFor(pid_t pid, fs::path const& log) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    Result r;
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.output = readBytes(log);
    return r;
}

Result runCli(std::vector<std::string> const& args, fs::path const& log) {
    return waitFor(spawnCli(args, log), log);
}

// A handful of varied cells (convolutions, pooling, skips, some none edges) and a small batch keep this quick.
std::vector<std::string> const Archs = {"(0, 2, 3, 2, 3, 1)", "(4, 0, 4, 1, 2, 0)", "(2, 2, 2, 2, 2, 2)",
                                        "(0, 3, 4, 0, 2, 3)", "(3, 1, 0, 4, 1, 2)"};

std::vector<std::string> gatherArgs(fs::path const& dir, fs::path const& out) {
    return {"gather", "--task", "nb201/cifar10", "--archs", (dir / "archs.txt").string(),
            "--batch", "4", "--seed", "5", "--device", "cpu",
            "--data", zcgp::test::dataDir().string(), "--out", out.string()};
}

template <typename... Extra>
std::vector<std::string> with(std::vector<std::string> args, Extra... extra) {
    (args.push_back(extra), ...);
    return args;
}

// The uninterrupted reference run, shared by the test cases.
struct Reference {
    TempDir dir;
    fs::path file;
    std::string bytes;
    Reference() {
        std::ofstream list(dir.path / "archs.txt");
        list << "# test architectures\n";
        for (auto const& a : Archs) {
            list << a << '\n';
        }
        list.close();
        file = dir.path / "reference.zcstats";
        auto r = runCli(gatherArgs(dir.path, file), dir.path / "reference.log");
        INFO(r.output);
        REQUIRE(r.exitCode == 0);
        bytes = readBytes(file);
    }
};

Reference& reference() {
    static Reference instance;
    return instance;
}

}  // namespace

TEST_CASE("zcgp gather writes a readable cache of every selected architecture", "[proxy_cache][torch]") {
    auto& ref = reference();
    auto cache = StatisticsCache::read(ref.file);
    CHECK(cache.architectures() == Archs);
    CHECK(cache.options().space == "nb201");
    CHECK(cache.options().dataset == "cifar10");
    CHECK(cache.options().seed == 5);
    CHECK(cache.options().batchSize == 4);
    CHECK(cache.options().device == "cpu");
    CHECK(cache.options().selection == "file:archs.txt");
    CHECK(cache.proxyNames().size() == 13);
    CHECK(cache.proxyNonFinite(*cache.proxyIndex("flops")).nan == 0);
    CHECK_FALSE(cache.statistics().empty());
    CHECK(fs::exists(ref.file.string() + ".journal") == false);
    // An existing output is never overwritten without --resume.
    auto r = runCli(gatherArgs(ref.dir.path, ref.file), ref.dir.path / "refuse.log");
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.output, Catch::Contains("exists") && Catch::Contains("reference.zcstats"));
    CHECK(readBytes(ref.file) == ref.bytes);
    // With --resume, a complete file is left as it is.
    r = runCli(with(gatherArgs(ref.dir.path, ref.file), "--resume"), ref.dir.path / "again.log");
    CHECK(r.exitCode == 0);
    CHECK_THAT(r.output, Catch::Contains("already complete"));
    CHECK(readBytes(ref.file) == ref.bytes);
}

TEST_CASE("zcgp gather killed with SIGKILL resumes to a byte-identical file", "[proxy_cache][torch]") {
    auto& ref = reference();
    auto out = ref.dir.path / "killed.zcstats";
    fs::path journal = out.string() + ".journal";
    auto log = ref.dir.path / "killed.log";
    pid_t pid = spawnCli(gatherArgs(ref.dir.path, out), log);

    // Kill as soon as two architectures are journaled: the child is then busy measuring the third.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    std::size_t recorded = 0;
    while (recorded < 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        try {
            recorded = StatisticsJournal::readRecords(journal).size();
        } catch (CacheError const&) {
            // not created yet, or created but its header not yet written
        }
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            FAIL("zcgp gather exited before it could be killed:\n" << readBytes(log));
        }
    }
    ::kill(pid, SIGKILL);
    auto killed = waitFor(pid, log);
    REQUIRE(recorded >= 2);
    REQUIRE(killed.exitCode == -1);
    REQUIRE_FALSE(fs::exists(out));
    REQUIRE(fs::exists(journal));
    auto left = StatisticsJournal::readRecords(journal).size();
    CHECK(left >= 2);
    CHECK(left < Archs.size());

    // Without --resume the journal is not silently thrown away.
    auto r = runCli(gatherArgs(ref.dir.path, out), ref.dir.path / "noresume.log");
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.output, Catch::Contains("--resume") && Catch::Contains("killed.zcstats.journal"));

    r = runCli(with(gatherArgs(ref.dir.path, out), "--resume"), ref.dir.path / "resumed.log");
    INFO(r.output);
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.output, Catch::Contains("resuming"));
    CHECK_FALSE(fs::exists(journal));
    CHECK(readBytes(out) == ref.bytes);
}

TEST_CASE("zcgp gather --stop-after, resumed with --resume, matches the uninterrupted run", "[proxy_cache][torch]") {
    auto& ref = reference();
    auto out = ref.dir.path / "stopped.zcstats";
    auto r = runCli(with(gatherArgs(ref.dir.path, out), "--stop-after", "3"), ref.dir.path / "stopped.log");
    REQUIRE(r.exitCode == 3);
    REQUIRE_FALSE(fs::exists(out));
    CHECK(StatisticsJournal::readRecords(out.string() + ".journal").size() == 3);
    // A different seed must not continue this journal.
    auto args = gatherArgs(ref.dir.path, out);
    args[8] = "6";  // --seed
    r = runCli(with(args, "--resume"), ref.dir.path / "wrongseed.log");
    CHECK(r.exitCode != 0);
    CHECK_THAT(r.output, Catch::Contains("seed: 5 vs 6"));

    r = runCli(with(gatherArgs(ref.dir.path, out), "--resume"), ref.dir.path / "stopped-resumed.log");
    INFO(r.output);
    REQUIRE(r.exitCode == 0);
    CHECK(readBytes(out) == ref.bytes);
}

TEST_CASE("zcgp gather shards merge back into the unsharded file", "[proxy_cache][torch]") {
    auto& ref = reference();
    std::vector<std::string> merge = {"gather", "--merge", (ref.dir.path / "merged.zcstats").string()};
    for (auto const* shard : {"1/2", "0/2"}) {
        auto out = ref.dir.path / (std::string("shard") + shard[0] + ".zcstats");
        auto r = runCli(with(gatherArgs(ref.dir.path, out), "--shard", shard), ref.dir.path / "shard.log");
        INFO(r.output);
        REQUIRE(r.exitCode == 0);
        merge.push_back(out.string());
    }
    CHECK(StatisticsCache::read(merge[3]).size() == 2);  // shard 1/2 of five: positions 1 and 3
    auto r = runCli(merge, ref.dir.path / "merge.log");
    INFO(r.output);
    REQUIRE(r.exitCode == 0);
    CHECK(readBytes(ref.dir.path / "merged.zcstats") == ref.bytes);
    // Merging into an existing file is refused.
    r = runCli(merge, ref.dir.path / "merge2.log");
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.output, Catch::Contains("exists"));
}

TEST_CASE("zcgp gather refuses bad tasks, shards and architecture files", "[proxy_cache][torch]") {
    TempDir dir;
    auto data = zcgp::test::dataDir().string();
    auto out = (dir.path / "x.zcstats").string();
    auto run = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "gather");
        for (auto const* a : {"--data", "--out"}) {
            args.push_back(a);
            args.push_back(std::string(a) == "--data" ? data : out);
        }
        return runCli(args, dir.path / "err.log");
    };
    auto r = run({"--task", "nb301/cifar10"});
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.output, Catch::Contains("nb301/cifar10") && Catch::Contains("nb201/cifar100"));
    r = run({"--task", "nb201/mnist"});
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.output, Catch::Contains("unknown dataset 'mnist'") && Catch::Contains("ImageNet16-120"));
    r = run({"--task", "nb201/cifar10", "--shard", "2/2"});
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.output, Catch::Contains("2/2"));
    std::ofstream(dir.path / "bad.txt") << "(0, 2, 3, 2, 3, 1)\n(0, 2, 3, 2, 3, 7)\n";
    r = run({"--task", "nb201/cifar10", "--archs", (dir.path / "bad.txt").string()});
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.output, Catch::Contains("bad.txt:2") && Catch::Contains("(0, 2, 3, 2, 3, 7)"));
    r = run({"--task", "nb201/cifar10", "--archs", "nope.txt"});
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.output, Catch::Contains("nope.txt"));
    r = run({"--task", "nb201/cifar10", "--archs", "100000"});
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.output, Catch::Contains("100000"));
    CHECK_FALSE(fs::exists(out));
}

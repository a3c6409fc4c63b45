// zcgp gather under `mpirun -n 2` (Open MPI, this machine only): rank 0 writes one cache, byte-identical to a
// single-process gather of the same architectures, batch and seed; a rank that fails is named with its
// architecture and nothing is written; after a failed or killed rank, --resume finishes with the same bytes.
// Compiled only when zcgp-torch links MPI (ZCGP_TEST_MPIRUN is mpirun's path).
#ifdef ZCGP_TEST_MPIRUN
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "RunCommand.hpp"
#include "TempDir.hpp"
#include "TestData.hpp"

namespace fs = std::filesystem;
using zcgp::test::readBytes;
using zcgp::test::runCommand;

namespace {
std::string gatherArgs(fs::path const& dir, fs::path const& out) {
    return "gather --task nb201/cifar10 --archs " + (dir / "archs.txt").string() +
           " --batch 4 --seed 5 --device cpu --data " + zcgp::test::dataDir().string() + " --out " + out.string();
}
// as root, Open MPI needs both variables; --oversubscribe: two ranks even where fewer cores are free
std::string mpirun(int ranks) {
    return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader " +
           std::string(ZCGP_TEST_MPIRUN) + " -n " + std::to_string(ranks) + " --oversubscribe " +
           zcgp::test::cliPath().string() + " ";
}
}  // namespace

TEST_CASE("zcgp gather under mpirun -n 2 writes the single-process cache, and failed and killed ranks resume", "[proxy_cache][torch]") {
    zcgp::test::TempDir dir;
    std::ofstream(dir.path / "archs.txt") << "(0, 2, 3, 2, 3, 1)\n(4, 0, 4, 1, 2, 0)\n(2, 2, 2, 2, 2, 2)\n"
                                             "(0, 3, 4, 0, 2, 3)\n(3, 1, 0, 4, 1, 2)\n";
    auto const single = dir.path / "single.zcstats";
    auto r = runCommand(zcgp::test::cliPath().string() + " " + gatherArgs(dir.path, single));  // no mpirun: one process
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const reference = readBytes(single);

    auto const ranks = dir.path / "ranks.zcstats";
    r = runCommand(mpirun(2) + gatherArgs(dir.path, ranks));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(readBytes(ranks) == reference);
    CHECK_THAT(r.err, Catch::Contains("2 ranks: merged into"));
    CHECK_FALSE(fs::exists(ranks.string() + ".rank-0-of-2"));
    CHECK_FALSE(fs::exists(ranks.string() + ".rank-1-of-2"));

    // rank 1 measures positions 1 and 3; it fails on its second: reported by rank and architecture, nothing written
    auto const failed = dir.path / "failed.zcstats";
    r = runCommand(mpirun(2) + gatherArgs(dir.path, failed) + " --fail-on \"(0, 3, 4, 0, 2, 3)\"");
    CHECK(r.exitCode == 1);
    CHECK_THAT(r.err, Catch::Contains("rank 1 of 2: measuring architecture (0, 3, 4, 0, 2, 3) (2 of 2)"));
    CHECK_THAT(r.err, !Catch::Contains("rank 0 of 2"));
    CHECK_FALSE(fs::exists(failed));
    r = runCommand(mpirun(2) + gatherArgs(dir.path, failed) + " --resume");
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK_THAT(r.err, Catch::Contains("resuming"));
    CHECK(readBytes(failed) == reference);

    // both ranks stop abruptly after one architecture (as if killed); mpirun fails; --resume completes the cache
    auto const killed = dir.path / "killed.zcstats";
    r = runCommand(mpirun(2) + gatherArgs(dir.path, killed) + " --stop-after 1");
    CHECK(r.exitCode != 0);
    CHECK_FALSE(fs::exists(killed));
    r = runCommand(mpirun(2) + gatherArgs(dir.path, killed) + " --resume");
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(readBytes(killed) == reference);
    r = runCommand(mpirun(2) + gatherArgs(dir.path, killed) + " --resume");  // complete: nothing to do
    CHECK(r.exitCode == 0);
    CHECK_THAT(r.err, Catch::Contains("already complete"));

    // --shard is the ranks' job under mpirun
    r = runCommand(mpirun(2) + gatherArgs(dir.path, dir.path / "sharded.zcstats") + " --shard 0/2");
    CHECK(r.exitCode == 2);
    CHECK_THAT(r.err, Catch::Contains("--shard cannot be combined with mpirun"));
}
#endif

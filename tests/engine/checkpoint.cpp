// Binary checkpoints: what a checkpoint file holds equals the running loop's state, damaged and foreign files get
// one clear error (never a crash or a silent resume), and an older zcgp's JSON checkpoint is refused by version.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "Synthetic.hpp"
#include "TempDir.hpp"
#include "zcgp/engine/Checkpoint.hpp"
#include "zcgp/engine/Evolution.hpp"

using namespace zcgp;
using namespace zcgp::engine;

namespace {
EvolutionConfig config(std::size_t generations) {
    EvolutionConfig c;
    c.populationSize = 30;
    c.generations = generations;
    c.trainArchs = 30;
    c.seed = 11;
    c.threads = 1;
    return c;
}
std::vector<Task> tasks() { return {{"synthetic/0", test::syntheticDataset(80, 5)}, {"synthetic/1", test::syntheticDataset(80, 6)}}; }

void writeBytes(std::filesystem::path const& file, std::string const& bytes) {
    std::ofstream os(file, std::ios::binary | std::ios::trunc);
    os << bytes;
}

bool sameIndividual(Individual const& a, Individual const& b) {
    return a.tree == b.tree && a.valid == b.valid && a.ranks == b.ranks && a.hash == b.hash &&
           std::memcmp(&a.trainTau, &b.trainTau, sizeof(double)) == 0 && std::memcmp(&a.fitness, &b.fitness, sizeof(double)) == 0;
}
}  // namespace

TEST_CASE("checkpoint: the file written by run() holds the loop's state, bit for bit", "[engine]") {
    test::TempDir dir;
    auto const file = dir.path / CheckpointFileName;
    Evolution evo(tasks(), config(7));
    evo.setCheckpoint(file, 3);
    evo.run();
    REQUIRE(std::filesystem::exists(file));
    CHECK_FALSE(std::filesystem::exists(file.string() + ".tmp"));
    auto const s = readCheckpoint(file);
    CHECK(s.progress.generation == 7);  // after the last generation, whatever the interval
    CHECK(s.progress.evaluations == evo.evaluations());
    CHECK(s.progress.nodeEvaluations == evo.nodeEvaluations());
    CHECK(s.progress.pruned == evo.pruned());
    CHECK(s.run.seed == 11);
    CHECK(s.run.tasks == std::vector<std::string>{"synthetic/0", "synthetic/1"});
    REQUIRE(s.population.size() == evo.population().size());
    for (std::size_t i = 0; i < s.population.size(); ++i) CHECK(sameIndividual(s.population[i], evo.population()[i]));
    CHECK(sameIndividual(s.best, evo.best()));
    REQUIRE(s.hallOfFame.size() == evo.hallOfFame().size());
    std::size_t k = 0;
    for (auto const& [size, ind] : evo.hallOfFame()) CHECK(sameIndividual(s.hallOfFame[k++], ind));
    CHECK(s.seenRanks.size() > 30);  // several generations of distinct rankings
    CHECK(s.seenTrees.size() >= s.seenRanks.size());
}

TEST_CASE("checkpoint: damaged, foreign and older files are refused with one clear error", "[engine]") {
    test::TempDir dir;
    auto const file = dir.path / CheckpointFileName;
    {
        Evolution evo(tasks(), config(4));
        evo.setCheckpoint(file, 2);
        evo.run();
    }
    auto const good = test::readBytes(file);
    REQUIRE(good.size() > 1000);
    Evolution fresh(tasks(), config(8));
    auto refused = [&](std::string const& bytes, std::string const& message) {
        auto const damaged = dir.path / "damaged.bin";
        writeBytes(damaged, bytes);
        INFO(message);
        CHECK_THROWS_WITH(fresh.loadCheckpoint(damaged), Catch::Contains(damaged.string()) && Catch::Contains(message));
    };
    // cut short at several points, including inside the header
    for (std::size_t keep : {std::size_t{0}, std::size_t{5}, std::size_t{14}, std::size_t{20}, good.size() / 2, good.size() - 1}) {
        refused(good.substr(0, keep), keep < 8 ? "not a zcgp checkpoint" : keep < 20 ? "ends early" : "length is wrong");
    }
    auto flipped = good;
    flipped[good.size() / 3] = static_cast<char>(flipped[good.size() / 3] ^ 0x10);
    refused(flipped, "checksum does not match");
    auto newer = good;
    newer[8] = static_cast<char>(CheckpointVersion + 1);  // the u32 version after the 8-byte magic
    refused(newer, "has format version 7; this zcgp reads version 6");
    refused("not a checkpoint at all", "not a zcgp checkpoint");
    // what zcgp wrote before version 5 (checkpoint.json), abridged: refused by its version, not parsed
    refused(R"({"version":4,"seed":11,"generation":4,"population":[],"seen_ranks":""})",
            "JSON checkpoint (format version 4) of an older zcgp");
    // a checkpoint of another run is refused; the good one resumes
    Evolution other(tasks(), [] { auto c = config(8); c.populationSize = 31; return c; }());
    CHECK_THROWS_WITH(other.loadCheckpoint(file), Catch::Contains("another seed, train split, population"));
    fresh.loadCheckpoint(file);
    CHECK(fresh.generation() == 4);
}

TEST_CASE("checkpoint: saveCheckpoint after run() keeps the file run() wrote, and resuming from it is exact", "[engine]") {
    test::TempDir dir;
    auto const file = dir.path / CheckpointFileName;
    Evolution straight(tasks(), config(9));
    straight.run();
    {
        Evolution cut(tasks(), config(5));
        cut.setCheckpoint(file, 10);  // the interval is never reached: only the final checkpoint is written
        cut.run();
        auto const written = std::filesystem::last_write_time(file);
        auto const bytes = test::readBytes(file);
        cut.saveCheckpoint(file);  // the same generation is on disk already: nothing is rewritten
        CHECK(std::filesystem::last_write_time(file) == written);
        CHECK(test::readBytes(file) == bytes);
        cut.saveCheckpoint(dir.path / "copy.bin");  // another file is written, with the same state
        auto const copy = readCheckpoint(dir.path / "copy.bin");
        auto const original = readCheckpoint(file);
        CHECK(copy.progress.generation == 5);
        CHECK(copy.seenTrees == original.seenTrees);
        CHECK(copy.rngs == original.rngs);
    }
    Evolution resumed(tasks(), config(9));
    resumed.loadCheckpoint(file);
    resumed.run();
    CHECK(resumed.generation() == 9);
    CHECK(resumed.evaluations() == straight.evaluations());
    REQUIRE(resumed.population().size() == straight.population().size());
    for (std::size_t i = 0; i < straight.population().size(); ++i) {
        CHECK(sameIndividual(resumed.population()[i], straight.population()[i]));
    }
    CHECK(sameIndividual(resumed.best(), straight.best()));
}

TEST_CASE("checkpoint: a write that fails off the loop's thread is reported by run()", "[engine]") {
    test::TempDir dir;
    auto const missing = dir.path / "no_such_folder" / CheckpointFileName;
    Evolution evo(tasks(), config(4));
    evo.setCheckpoint(missing, 2);
    CHECK_THROWS_WITH(evo.run(), Catch::Contains("cannot write checkpoint") && Catch::Contains("no_such_folder"));
}

TEST_CASE("checkpoint: a kill between the first checkpoint's write and its rename resumes from the .tmp",
          "[engine]") {
    // writeCheckpointFile writes file.tmp and renames it over file: a kill after the first checkpoint's write and
    // before its rename leaves only file.tmp, complete, which a resume must find.
    test::TempDir dir;
    auto const file = dir.path / CheckpointFileName;
    auto const tmp = std::filesystem::path(file.string() + ".tmp");
    CHECK_FALSE(findCheckpoint(file).has_value());  // nothing written yet
    Evolution straight(tasks(), config(9));
    straight.run();
    {
        Evolution cut(tasks(), config(5));
        cut.setCheckpoint(file, 2);
        cut.run();
    }
    REQUIRE(findCheckpoint(file) == file);
    CHECK_FALSE(std::filesystem::exists(tmp));
    auto const complete = test::readBytes(file);

    std::filesystem::rename(file, tmp);  // the kill landed after the write, before the rename
    REQUIRE(findCheckpoint(file) == tmp);
    Evolution resumed(tasks(), config(9));
    resumed.loadCheckpoint(*findCheckpoint(file));
    CHECK(resumed.generation() == 5);
    resumed.setCheckpoint(file, 2);
    resumed.run();
    CHECK(resumed.evaluations() == straight.evaluations());
    CHECK(sameIndividual(resumed.best(), straight.best()));
    // the resumed run wrote its own checkpoint.bin and left no .tmp; a stale .tmp beside it is never preferred
    REQUIRE(std::filesystem::exists(file));
    CHECK_FALSE(std::filesystem::exists(tmp));
    writeBytes(tmp, complete.substr(0, complete.size() / 2));
    CHECK(findCheckpoint(file) == file);

    // the very first write cut short: a partial .tmp and no checkpoint.bin is no checkpoint yet
    std::filesystem::remove(file);
    CHECK_FALSE(findCheckpoint(file).has_value());
    // a complete one in the .tmp is found again
    writeBytes(tmp, complete);
    CHECK(findCheckpoint(file) == tmp);
}

TEST_CASE("checkpoint: a minimum interval skips checkpoints, never the last one, and never changes the run",
          "[engine]") {
    test::TempDir dir;
    auto const file = dir.path / CheckpointFileName;
    Evolution every(tasks(), config(7));
    every.setCheckpoint(dir.path / "every.bin", 2);  // no minimum: generations 2, 4, 6 and the last, 7
    every.run();
    CHECK(every.checkpointsWritten() == 4);
    Evolution sparse(tasks(), config(7));
    sparse.setCheckpoint(file, 2, 3600.0);  // an hour apart: only the last generation's
    sparse.run();
    CHECK(sparse.checkpointsWritten() == 1);
    CHECK(readCheckpoint(file).progress.generation == 7);
    CHECK(sparse.evaluations() == every.evaluations());
    CHECK(sameIndividual(sparse.best(), every.best()));
    // a resumed run keeps the minimum interval: resumed from generation 7, it writes only its last generation's
    Evolution resumed(tasks(), config(11));
    resumed.loadCheckpoint(file);
    resumed.setCheckpoint(file, 2, 3600.0);
    resumed.run();
    CHECK(resumed.checkpointsWritten() == 1);
    CHECK(readCheckpoint(file).progress.generation == 11);
    CHECK_THROWS_AS(resumed.setCheckpoint(file, 2, -1.0), std::invalid_argument);
    CHECK_THROWS_AS(resumed.setCheckpoint(file, 2, std::nan("")), std::invalid_argument);
}

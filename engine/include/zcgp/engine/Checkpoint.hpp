#pragma once
// Checkpoints of the evolution loop: a binary snapshot of everything the loop needs to continue exactly where
// it stopped, and a writer that puts it on disk (temp file + rename) off the calling thread.
//
// Format (version 6; all integers little-endian, doubles as their IEEE-754 bits):
//   "ZCGPCKPT" u32 version  u64 total bytes  u64 checksum of the bytes after this field
//   u32 opcode names (u8 length + name each): the node opcodes below index this table, so a build that
//       renumbers its primitives still reads the file
//   run:      u64 seed, split seed, population size, train architectures; u32 tasks (u32 length + id each)
//   progress: u64 generation, evaluations, node evaluations; f64 seconds; u32 rule count + u64 each (pruned)
//   u32 generators (4 u64 each); u32 population, individuals; best individual; u32 hall of fame, individuals;
//       u32 cost front, individuals (by increasing cost; version 6)
//   u32 seen rankings, u64 each; u32 seen trees, u64 each (both in insertion order)
//   individual: u32 nodes (u8 opcode, u32 index, f64 value each); f64 train tau; f64 fitness; u8 valid; u64 ranks
// Version 4 and older were JSON (checkpoint.json); they are refused with their version.
#include <array>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "zcgp/engine/Evolution.hpp"

namespace zcgp::engine {

inline constexpr std::uint32_t CheckpointVersion = 6;
inline constexpr char const* CheckpointFileName = "checkpoint.bin";  // in a run's --out folder

// Identity of a run: a checkpoint is resumed only by a run with the same values.
struct CheckpointRun {
    std::uint64_t seed{0}, splitSeed{0}, populationSize{0}, trainArchs{0};
    std::vector<std::string> tasks;
    bool operator==(CheckpointRun const&) const = default;
};

struct CheckpointProgress {
    std::uint64_t generation{0}, evaluations{0}, nodeEvaluations{0};
    double seconds{0.0};
    PruneCounts pruned{};
};

// What a checkpoint holds, read back (Individual::hash is recomputed from the tree).
struct CheckpointState {
    CheckpointRun run;
    CheckpointProgress progress;
    std::vector<std::array<std::uint64_t, 4>> rngs;
    std::vector<Individual> population;
    Individual best;
    std::vector<Individual> hallOfFame;  // by increasing size
    std::vector<Individual> costFront;   // by increasing cost (Individual::cost is recomputed by the loader)
    std::vector<std::uint64_t> seenRanks, seenTrees;
};

// The same, by reference into the running loop, for writing without copying it first.
struct CheckpointView {
    CheckpointRun const& run;
    CheckpointProgress progress;
    std::span<Random const> rngs;
    std::span<Individual const> population;
    Individual const& best;
    std::map<std::size_t, Individual> const& hallOfFame;
    std::map<double, Individual> const& costFront;
    std::span<std::uint64_t const> seenRanks, seenTrees;
};

[[nodiscard]] std::string encodeCheckpoint(CheckpointView const& view);
// The same bytes into `bytes`, reusing its storage.
void encodeCheckpoint(CheckpointView const& view, std::string& bytes);
// The checksum stored in a checkpoint's header: 64-bit words of `body` (every byte after the checksum field)
// folded with a multiply-rotate; detects truncation and corruption, not an adversary.
[[nodiscard]] std::uint64_t checkpointChecksum(std::string_view body);
// Throws std::runtime_error naming `file` for a truncated, corrupt, older (JSON) or newer checkpoint.
[[nodiscard]] CheckpointState decodeCheckpoint(std::string_view bytes, std::filesystem::path const& file);
[[nodiscard]] CheckpointState readCheckpoint(std::filesystem::path const& file);

// Writes checkpoints on a thread of its own: write() returns at once, the bytes go to `file`.tmp, which is
// then renamed over `file` (writeCheckpointFile), so a resume after a kill finds the old checkpoint or the new
// one (findCheckpoint).
// At most one write is in flight: the next write() or wait() waits for it and rethrows its error.
class CheckpointWriter {
public:
    CheckpointWriter() = default;
    ~CheckpointWriter();  // waits for the write in flight (its error, if any, is dropped)
    CheckpointWriter(CheckpointWriter const&) = delete;
    CheckpointWriter& operator=(CheckpointWriter const&) = delete;

    void write(std::filesystem::path file, std::string bytes);
    void wait();
    // The bytes of the last finished write, to encode the next checkpoint into (their storage is reused);
    // empty while a write is in flight or after none.
    [[nodiscard]] std::string spare();

private:
    void run();
    std::mutex mutex_;
    std::condition_variable ready_;  // a write was handed over, or one finished, or the writer stops
    std::filesystem::path file_;
    std::string bytes_;
    bool pending_{false}, stop_{false};
    std::exception_ptr error_;
    std::thread thread_;  // started with the first write, lives as long as the writer
};

// Writes bytes to file.tmp and renames it over file; throws std::runtime_error naming the file. The rename onto
// the existing name costs 0.3-0.5 ms on ext4 (auto_da_alloc starts the new file's write-back inside rename(),
// against 0.05 ms onto a free name), and is kept for it: removing the old file first would leave a window in
// which an operating-system crash keeps neither checkpoint (docs/engine.md, "checkpoint.bin").
void writeCheckpointFile(std::filesystem::path const& file, std::string_view bytes);

// The checkpoint to resume from for `file`: `file` if it exists (damaged or not: loading it reports that), else
// file.tmp if it holds a complete checkpoint (a kill between the first checkpoint's write and its rename), else
// nullopt (no checkpoint yet, or only the first one's write cut short).
[[nodiscard]] std::optional<std::filesystem::path> findCheckpoint(std::filesystem::path const& file);

}  // namespace zcgp::engine

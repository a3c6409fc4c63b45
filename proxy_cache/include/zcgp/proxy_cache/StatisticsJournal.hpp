#pragma once
// The journal of a `zcgp gather` run in progress (<out>.journal next to the output): an append-only file of
// measurements, one self-checking record per architecture, written through to the OS after every architecture
// (a killed process loses at most the one it was measuring) and fsynced every few. `--resume` reads it back,
// drops a torn last record and continues; the finished run writes the StatisticsCache and deletes the journal.
// Format: docs/statistics-cache.md.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "zcgp/proxy_cache/Measurement.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"

namespace zcgp::proxy_cache {

class StatisticsJournal {
public:
    static constexpr std::string_view Magic = "ZCGPJRNL";
    static constexpr std::uint64_t FormatVersion = 1;

    // Starts a new journal; throws CacheError if the file exists.
    [[nodiscard]] static StatisticsJournal create(std::filesystem::path const& path, GatherOptions const& options,
                                                  std::vector<std::string> const& proxyNames);

    struct Resumed;
    // Opens an existing journal for appending. Throws CacheError naming the file and the first differing field
    // when it was started with other options or proxies; a torn or corrupt tail (a record cut short by a kill)
    // is dropped and the file truncated after the last good record.
    [[nodiscard]] static Resumed resume(std::filesystem::path const& path, GatherOptions const& options,
                                        std::vector<std::string> const& proxyNames);

    // Reads the good records of a journal without opening it for writing (for inspection and tests).
    [[nodiscard]] static std::vector<ArchitectureMeasurement> readRecords(std::filesystem::path const& path);

    StatisticsJournal(StatisticsJournal&&) noexcept;
    StatisticsJournal& operator=(StatisticsJournal&&) noexcept;
    ~StatisticsJournal();

    // Appends one record and hands it to the OS (one write call), so it survives the process being killed.
    // Proxies are stored in the journal's proxy order (NaN where absent); seconds are not stored.
    void append(ArchitectureMeasurement const& measurement);
    // fsync: survives a power loss too.
    void sync();
    [[nodiscard]] std::filesystem::path const& path() const { return path_; }

private:
    StatisticsJournal(int fd, std::filesystem::path path, std::vector<std::string> proxyNames);
    int fd_ = -1;
    std::filesystem::path path_;
    std::vector<std::string> proxyNames_;
};

struct StatisticsJournal::Resumed {
    StatisticsJournal journal;
    std::vector<ArchitectureMeasurement> recorded;  // in journal order
    std::size_t droppedBytes = 0;                   // size of a torn tail that was cut off
};

}  // namespace zcgp::proxy_cache

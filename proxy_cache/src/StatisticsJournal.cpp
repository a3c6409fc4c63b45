#include "zcgp/proxy_cache/StatisticsJournal.hpp"

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "BinaryIo.hpp"
#include "OptionsJson.hpp"

namespace zcgp::proxy_cache {

namespace {

using Json = nlohmann::ordered_json;
constexpr std::size_t PreambleSize = 24;
constexpr std::uint64_t RecordMarker = 0x314345524c4e524aULL;  // "JRNLREC1" read as little-endian
constexpr std::size_t RecordHeaderSize = 24;                   // marker, payload length, FNV-1a 64 of payload

CacheError journalError(std::filesystem::path const& path, std::string const& what) {
    return CacheError(fmt::format("gather journal '{}': {}", path.string(), what));
}

std::string encodeHeader(GatherOptions const& options, std::vector<std::string> const& proxyNames) {
    Json header;
    header["format"] = "zcgp-gather-journal";
    header["version"] = StatisticsJournal::FormatVersion;
    header["options"] = detail::optionsToJson(options);
    header["proxies"] = proxyNames;
    std::string text = header.dump() + "\n";
    while ((PreambleSize + text.size()) % 8 != 0) {
        text += ' ';
    }
    std::string out(StatisticsJournal::Magic);
    detail::appendU64(out, StatisticsJournal::FormatVersion);
    detail::appendU64(out, text.size());
    return out + text;
}

std::string encodeRecord(ArchitectureMeasurement const& m, std::vector<std::string> const& proxyNames) {
    std::string payload;
    detail::appendU64(payload, m.archKey.size());
    payload += m.archKey;
    detail::appendU64(payload, proxyNames.size());
    for (auto const& name : proxyNames) {
        auto it = m.proxies.find(name);
        detail::appendF64(payload, it == m.proxies.end() ? std::numeric_limits<double>::quiet_NaN() : it->second);
    }
    detail::appendU64(payload, m.statistics.size());
    for (auto const& s : m.statistics) {
        detail::appendU64(payload, s.name.size());
        payload += s.name;
        detail::appendU64(payload, s.values.size());
        for (double v : s.values) {
            detail::appendF64(payload, v);
        }
    }
    std::string record;
    detail::appendU64(record, RecordMarker);
    detail::appendU64(record, payload.size());
    detail::appendU64(record, detail::fnv1a(payload));
    return record + payload;
}

// Bounds-checked reader over one record's payload; a short payload means corruption (the checksum matched a
// record we did not write), reported as std::out_of_range.
struct PayloadReader {
    std::string_view bytes;
    std::size_t pos = 0;
    std::uint64_t u64() {
        if (bytes.size() - pos < 8) {
            throw std::out_of_range("payload too short");
        }
        auto v = detail::loadU64(bytes.data() + pos);
        pos += 8;
        return v;
    }
    double f64() { return std::bit_cast<double>(u64()); }
    std::string str() {
        auto n = u64();
        if (bytes.size() - pos < n) {
            throw std::out_of_range("payload too short");
        }
        std::string s(bytes.substr(pos, n));
        pos += n;
        return s;
    }
};

ArchitectureMeasurement decodeRecord(std::string_view payload, std::vector<std::string> const& proxyNames) {
    PayloadReader r{payload};
    ArchitectureMeasurement m;
    m.archKey = r.str();
    auto nProxies = r.u64();
    if (nProxies != proxyNames.size()) {
        throw std::out_of_range("proxy count");
    }
    for (std::size_t c = 0; c < nProxies; ++c) {
        double v = r.f64();
        // A NaN means "not computed": leave it out, as the scorer would. Its bits are the canonical quiet NaN
        // either way, so the cache written after a resume is byte-identical.
        if (!std::isnan(v) || std::bit_cast<std::uint64_t>(v) != std::bit_cast<std::uint64_t>(
                                                                   std::numeric_limits<double>::quiet_NaN())) {
            m.proxies.emplace(proxyNames[c], v);
        }
    }
    auto nStats = r.u64();
    for (std::uint64_t s = 0; s < nStats; ++s) {
        LayerStatistic stat;
        stat.name = r.str();
        auto count = r.u64();
        if ((payload.size() - r.pos) / 8 < count) {
            throw std::out_of_range("payload too short");
        }
        stat.values.resize(count);
        for (auto& v : stat.values) {
            v = r.f64();
        }
        m.statistics.push_back(std::move(stat));
    }
    if (r.pos != payload.size()) {
        throw std::out_of_range("trailing bytes in payload");
    }
    return m;
}

struct Parsed {
    GatherOptions options;
    std::vector<std::string> proxyNames;
    std::vector<ArchitectureMeasurement> records;
    std::uint64_t goodSize = 0;  // bytes up to the end of the last good record
    std::uint64_t fileSize = 0;
};

Parsed parseJournal(std::filesystem::path const& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw journalError(path, std::filesystem::exists(path) ? "cannot open" : "no such file");
    }
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        throw journalError(path, "cannot stat: " + ec.message());
    }
    std::string bytes(size, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(size));
    if (!in) {
        throw journalError(path, "cannot read");
    }
    Parsed p;
    p.fileSize = bytes.size();
    if (bytes.size() < PreambleSize || std::string_view(bytes).substr(0, 8) != StatisticsJournal::Magic) {
        throw journalError(path, "bad magic or truncated preamble: not a zcgp gather journal");
    }
    auto version = detail::loadU64(bytes.data() + 8);
    if (version != StatisticsJournal::FormatVersion) {
        throw journalError(path, fmt::format("unknown format version {} (this zcgp reads version {})", version,
                                             StatisticsJournal::FormatVersion));
    }
    auto headerSize = detail::loadU64(bytes.data() + 16);
    if (headerSize > bytes.size() - PreambleSize) {
        throw journalError(path, "truncated header");
    }
    try {
        auto header = Json::parse(bytes.substr(PreambleSize, headerSize));
        p.options = detail::optionsFromJson(header.at("options"));
        p.proxyNames = header.at("proxies").get<std::vector<std::string>>();
    } catch (nlohmann::json::exception const& e) {
        throw journalError(path, fmt::format("malformed header: {}", e.what()));
    }
    std::size_t pos = PreambleSize + headerSize;
    p.goodSize = pos;
    std::string_view view(bytes);
    while (bytes.size() - pos >= RecordHeaderSize) {
        if (detail::loadU64(bytes.data() + pos) != RecordMarker) {
            break;
        }
        auto length = detail::loadU64(bytes.data() + pos + 8);
        auto checksum = detail::loadU64(bytes.data() + pos + 16);
        if (length > bytes.size() - pos - RecordHeaderSize) {
            break;  // torn: the process died while writing this record
        }
        auto payload = view.substr(pos + RecordHeaderSize, length);
        if (detail::fnv1a(payload) != checksum) {
            break;
        }
        try {
            p.records.push_back(decodeRecord(payload, p.proxyNames));
        } catch (std::out_of_range const&) {
            break;
        }
        pos += RecordHeaderSize + length;
        p.goodSize = pos;
    }
    return p;
}

}  // namespace

StatisticsJournal::StatisticsJournal(int fd, std::filesystem::path path, std::vector<std::string> proxyNames)
    : fd_(fd), path_(std::move(path)), proxyNames_(std::move(proxyNames)) {}

StatisticsJournal::StatisticsJournal(StatisticsJournal&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), proxyNames_(std::move(other.proxyNames_)) {}

StatisticsJournal& StatisticsJournal::operator=(StatisticsJournal&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
        proxyNames_ = std::move(other.proxyNames_);
    }
    return *this;
}

StatisticsJournal::~StatisticsJournal() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

StatisticsJournal StatisticsJournal::create(std::filesystem::path const& path, GatherOptions const& options,
                                            std::vector<std::string> const& proxyNames) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        throw journalError(path, errno == EEXIST ? "exists already (pass --resume to continue that run)"
                                                 : fmt::format("cannot create: {}", std::strerror(errno)));
    }
    StatisticsJournal journal(fd, path, proxyNames);
    try {
        auto header = encodeHeader(options, proxyNames);
        detail::writeAll(fd, header.data(), header.size(), path);
        journal.sync();
        detail::fsyncDirectory(path.parent_path());
    } catch (std::runtime_error const& e) {
        throw journalError(path, e.what());
    }
    return journal;
}

StatisticsJournal::Resumed StatisticsJournal::resume(std::filesystem::path const& path, GatherOptions const& options,
                                                     std::vector<std::string> const& proxyNames) {
    auto parsed = parseJournal(path);
    if (auto diff = optionsDifference(parsed.options, options)) {
        throw journalError(path, fmt::format("was started with other options ({}, journal vs this run); rerun with "
                                             "the journal's options or delete it",
                                             *diff));
    }
    if (parsed.proxyNames != proxyNames) {
        throw journalError(path, "was started with another proxy list");
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        throw journalError(path, fmt::format("cannot open for appending: {}", std::strerror(errno)));
    }
    StatisticsJournal journal(fd, path, proxyNames);
    if (parsed.goodSize < parsed.fileSize && ::ftruncate(fd, static_cast<off_t>(parsed.goodSize)) != 0) {
        throw journalError(path, fmt::format("cannot cut off the torn tail: {}", std::strerror(errno)));
    }
    if (::lseek(fd, 0, SEEK_END) < 0) {
        throw journalError(path, fmt::format("cannot seek: {}", std::strerror(errno)));
    }
    journal.sync();
    return Resumed{std::move(journal), std::move(parsed.records),
                   static_cast<std::size_t>(parsed.fileSize - parsed.goodSize)};
}

std::vector<ArchitectureMeasurement> StatisticsJournal::readRecords(std::filesystem::path const& path) {
    return parseJournal(path).records;
}

void StatisticsJournal::append(ArchitectureMeasurement const& measurement) {
    auto record = encodeRecord(measurement, proxyNames_);
    try {
        detail::writeAll(fd_, record.data(), record.size(), path_);
    } catch (std::runtime_error const& e) {
        throw journalError(path_, e.what());
    }
}

void StatisticsJournal::sync() {
    if (::fsync(fd_) != 0) {
        throw journalError(path_, fmt::format("cannot fsync: {}", std::strerror(errno)));
    }
}

}  // namespace zcgp::proxy_cache

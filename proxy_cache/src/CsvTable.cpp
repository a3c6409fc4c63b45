// CSV tables, parsed by libcsv (Debian libcsv-dev). libcsv reports fields and record ends through callbacks; the
// file is fed to it one physical line at a time so that every record knows the line it starts on.
#include "zcgp/proxy_cache/CsvTable.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <unordered_map>

#include <csv.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "zcgp/proxy_cache/ArchitectureKey.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

namespace zcgp::proxy_cache {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Collector {
    std::vector<std::vector<std::string>> records;
    std::vector<std::size_t> lines;
    std::vector<std::string> current;
    std::size_t line{1};
    std::size_t start{0};  // the line the current record started on; 0 before its first field
};

void onField(void* text, std::size_t length, void* data) {
    auto& c = *static_cast<Collector*>(data);
    if (c.start == 0) c.start = c.line;
    c.current.emplace_back(static_cast<char const*>(text), length);
}

void onRecord(int /*terminator*/, void* data) {
    auto& c = *static_cast<Collector*>(data);
    c.records.push_back(std::move(c.current));
    c.lines.push_back(c.start == 0 ? c.line : c.start);
    c.current.clear();
    c.start = 0;
}

std::string trimmed(std::string_view s) {
    auto const space = [](char ch) { return ch == ' ' || ch == '\t'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

}  // namespace

std::string terminalName(std::string_view column) {
    std::string out;
    bool gap = false;
    for (char const c : column) {
        bool const word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!word) {
            gap = true;
            continue;
        }
        if (gap && !out.empty()) out += '_';
        gap = false;
        out += c;
    }
    while (!out.empty() && out.front() == '_') out.erase(out.begin());
    while (!out.empty() && out.back() == '_') out.pop_back();
    if (!out.empty() && out.front() >= '0' && out.front() <= '9') out = "c_" + out;
    return out;
}

std::size_t CsvFile::column(std::string const& name, std::string_view role) const {
    auto const it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
        throw DataError(fmt::format("{}: no {} column '{}' (columns: {})", file.string(), role, name,
                                    fmt::join(header, ", ")));
    }
    return static_cast<std::size_t>(it - header.begin());
}

CsvFile readCsv(std::filesystem::path const& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(fmt::format("cannot open {}", file.string()));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string const text = std::move(buffer).str();
    std::string_view rest(text);
    if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // UTF-8 byte-order mark

    csv_parser parser{};
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) throw DataError("libcsv: cannot initialise the parser");
    struct Free {
        csv_parser* p;
        ~Free() { csv_free(p); }
    } const release{&parser};
    Collector collector;
    while (!rest.empty()) {
        auto const newline = rest.find('\n');
        auto const piece = rest.substr(0, newline == std::string_view::npos ? rest.size() : newline + 1);
        if (csv_parse(&parser, piece.data(), piece.size(), onField, onRecord, &collector) != piece.size()) {
            throw DataError(fmt::format("{}:{}: malformed CSV: {}", file.string(), collector.line,
                                        csv_strerror(csv_error(&parser))));
        }
        rest.remove_prefix(piece.size());
        if (newline != std::string_view::npos) ++collector.line;
    }
    if (csv_fini(&parser, onField, onRecord, &collector) != 0) {
        throw DataError(fmt::format("{}:{}: malformed CSV (truncated file?): {}", file.string(), collector.line,
                                    csv_strerror(csv_error(&parser))));
    }
    if (collector.records.empty()) throw DataError(fmt::format("{}: empty file (no header row)", file.string()));
    CsvFile csv;
    csv.file = file;
    for (auto const& name : collector.records.front()) csv.header.push_back(trimmed(name));
    for (std::size_t r = 1; r < collector.records.size(); ++r) {
        if (collector.records[r].size() != csv.header.size()) {
            throw DataError(fmt::format("{}:{}: {} fields, the header has {} (truncated or malformed file)",
                                        file.string(), collector.lines[r], collector.records[r].size(),
                                        csv.header.size()));
        }
        csv.rows.push_back(std::move(collector.records[r]));
        csv.lines.push_back(collector.lines[r]);
    }
    if (csv.rows.empty()) throw DataError(fmt::format("{}: no data rows after the header", file.string()));
    return csv;
}

std::optional<double> parseCell(std::string_view cell) {
    auto const space = [](char ch) { return ch == ' ' || ch == '\t'; };
    while (!cell.empty() && space(cell.front())) cell.remove_prefix(1);
    while (!cell.empty() && space(cell.back())) cell.remove_suffix(1);
    if (cell.empty()) return kNaN;
    if (cell.front() == '+') cell.remove_prefix(1);
    double value = 0;
    auto const [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
    if (end != cell.data() + cell.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range) return kNaN;  // beyond double: not a usable score
    if (ec != std::errc()) return std::nullopt;
    return std::isfinite(value) ? value : kNaN;  // nan, inf, -inf (from_chars reads them in any case)
}

ProxyTable loadTable(TableSpec const& spec, std::vector<std::string>* excludedFound) {
    auto const csv = readCsv(spec.file);
    auto const& file = spec.file;
    std::vector<bool> skip(csv.header.size(), false);
    for (auto const& name : spec.exclude) {
        for (std::size_t c = 0; c < csv.header.size(); ++c) {
            if (csv.header[c] != name && terminalName(csv.header[c]) != name) continue;
            skip[c] = true;
            if (excludedFound != nullptr) excludedFound->push_back(name);
        }
    }
    std::optional<std::size_t> target, id;
    if (!spec.target.empty()) target = csv.column(spec.target, "target");
    if (!spec.idColumn.empty()) id = csv.column(spec.idColumn, "id");
    if (target) skip[*target] = true;
    if (id) skip[*id] = true;
    {
        std::map<std::string, std::size_t> seen;
        for (std::size_t c = 0; c < csv.header.size(); ++c) {
            if (skip[c]) continue;
            auto const name = terminalName(csv.header[c]);
            if (name.empty()) {
                throw DataError(fmt::format("{}: column {} ('{}') has no letters or digits to name a terminal",
                                            file.string(), c + 1, csv.header[c]));
            }
            if (auto const [it, fresh] = seen.emplace(name, c); !fresh) {
                throw DataError(fmt::format("{}: columns '{}' and '{}' both become the terminal '{}'", file.string(),
                                            csv.header[it->second], csv.header[c], name));
            }
        }
    }

    ProxyTable table;
    table.space = spec.space;
    table.collection = spec.collection;
    table.task = spec.task.empty() ? file.stem().string() : spec.task;
    table.source = file;
    table.target = spec.target;
    table.targetNegated = spec.order == TargetOrder::Lower;
    auto const n = csv.rows.size();
    std::vector<std::size_t> proxyColumns;
    for (std::size_t c = 0; c < csv.header.size(); ++c) {
        if (!skip[c]) proxyColumns.push_back(c);
    }
    std::sort(proxyColumns.begin(), proxyColumns.end(), [&](std::size_t a, std::size_t b) {
        return terminalName(csv.header[a]) < terminalName(csv.header[b]);
    });  // columns sorted by name
    if (proxyColumns.empty()) throw DataError(fmt::format("{}: no proxy columns left", file.string()));
    table.scores.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(proxyColumns.size()));
    table.accuracy = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(n), kNaN);
    std::unordered_map<std::string, std::size_t> ids;
    for (std::size_t r = 0; r < n; ++r) {
        auto const& row = csv.rows[r];
        auto const line = csv.lines[r];
        Architecture arch;
        arch.key = id ? canonicalArchKey(trimmed(row[*id])) : std::to_string(r + 1);
        if (id) {
            if (arch.key.empty()) throw DataError(fmt::format("{}:{}: empty id in column '{}'", file.string(), line, spec.idColumn));
            auto const [it, fresh] = ids.emplace(arch.key, line);
            if (!fresh) {
                throw DataError(fmt::format("{}:{}: id '{}' in column '{}' duplicates line {}", file.string(), line,
                                            arch.key, spec.idColumn, it->second));
            }
        }
        table.archs.push_back(std::move(arch));
        for (std::size_t k = 0; k < proxyColumns.size(); ++k) {
            auto const c = proxyColumns[k];
            auto const value = parseCell(row[c]);
            if (!value) {
                throw DataError(fmt::format("{}:{}: column '{}': '{}' is not a number (exclude the column with --exclude)",
                                            file.string(), line, csv.header[c], row[c]));
            }
            table.scores(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(k)) = *value;
        }
        if (target) {
            auto const value = parseCell(row[*target]);
            if (!value || !std::isfinite(*value)) {
                throw DataError(fmt::format("{}:{}: target column '{}': '{}' is not a finite number", file.string(), line,
                                            spec.target, row[*target]));
            }
            table.accuracy(static_cast<Eigen::Index>(r)) = table.targetNegated ? -*value : *value;
        }
    }
    for (auto c : proxyColumns) {
        table.proxies.push_back(terminalName(csv.header[c]));
        if (table.proxies.back() != csv.header[c]) table.columnNames[table.proxies.back()] = csv.header[c];
    }
    table.present = table.scores.array().isFinite();
    return table;
}

}  // namespace zcgp::proxy_cache

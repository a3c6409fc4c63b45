// NASLib's benchmark-list format (benchmark--<space>--<dataset>--<offset>.json): the nine NAS-Bench-360 tasks,
// the zen folders and any folder a NASLib zero-cost run writes. One reader for all of them.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "SuiteJson.hpp"
#include "zcgp/proxy_cache/ArchitectureKey.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

namespace zcgp::proxy_cache {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// "benchmark--nasbench201--svhn--0.json" -> ("nasbench201", "svhn"); nullopt for other names.
std::optional<std::pair<std::string, std::string>> splitListName(std::string const& name) {
    constexpr std::string_view head = "benchmark--", ext = ".json";
    if (!name.starts_with(head) || !name.ends_with(ext)) return std::nullopt;
    std::string_view rest(name);
    rest.remove_prefix(head.size());
    rest.remove_suffix(ext.size());
    auto const first = rest.find("--");
    auto const last = rest.rfind("--");
    if (first == std::string_view::npos || last == first || first == 0) return std::nullopt;
    auto const offset = rest.substr(last + 2);
    if (offset.empty() || !std::all_of(offset.begin(), offset.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    auto const dataset = rest.substr(first + 2, last - first - 2);
    if (dataset.empty()) return std::nullopt;
    return std::pair(std::string(rest.substr(0, first)), std::string(dataset));
}

}  // namespace

std::optional<SearchSpace> spaceOfNaslibName(std::string_view name) {
    if (name == "nasbench101") return SearchSpace::NB101;
    if (name == "nasbench201") return SearchSpace::NB201;
    if (name == "nasbench301") return SearchSpace::NB301;
    if (name == "transbench101_micro") return SearchSpace::TNB101Micro;
    if (name == "transbench101_macro") return SearchSpace::TNB101Macro;
    return std::nullopt;
}

std::vector<BenchmarkListFile> findBenchmarkLists(std::filesystem::path const& dir) {
    std::vector<std::filesystem::path> candidates;
    for (auto const& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.is_directory()) {
            for (auto const& inner : std::filesystem::directory_iterator(entry.path())) candidates.push_back(inner.path());
        } else {
            candidates.push_back(entry.path());
        }
    }
    std::sort(candidates.begin(), candidates.end());
    std::vector<BenchmarkListFile> files;
    for (auto const& path : candidates) {
        auto const parts = splitListName(path.filename().string());
        if (!parts) continue;
        auto const space = spaceOfNaslibName(parts->first);
        if (!space) {
            throw DataError(fmt::format("{}: unknown search space '{}' in the file name (known: nasbench101, "
                                        "nasbench201, nasbench301, transbench101_micro, transbench101_macro)",
                                        path.string(), parts->first));
        }
        files.push_back({path, *space, parts->second});
    }
    return files;
}

std::vector<ProxyTable> loadBenchmarkLists(std::vector<BenchmarkListFile> const& files) {
    struct Builder {
        ProxyTable table;
        std::unordered_map<std::string, std::size_t> rows;
        std::vector<double> accuracy;
        std::map<std::string, std::vector<double>> columns;  // std::map: columns sorted by name
        std::map<std::string, std::vector<double>> times;    // recorded compute times per proxy
        // the proxies seen so far, with their columns: a record's member names are looked up here, not in the maps
        struct Proxy {
            std::string name;
            std::vector<double>* column;
            std::vector<double>* times;
        };
        std::vector<Proxy> seen;
        Proxy& proxy(std::string_view name) {
            for (auto& p : seen) {
                if (p.name == name) return p;
            }
            std::string owned(name);
            auto& column = columns[owned];
            auto& time = times[owned];  // an empty list gives no median (medianTimes skips it)
            return seen.emplace_back(Proxy{std::move(owned), &column, &time});
        }
    };
    std::map<std::pair<SearchSpace, std::string>, Builder> builders;
    for (auto const& f : files) {
        auto& b = builders[{f.space, f.dataset}];
        if (b.table.task.empty()) {
            b.table.space = f.space;
            b.table.task = f.dataset;
            b.table.source = f.file.parent_path();
            b.table.keyEncoding = KeyEncoding::Naslib;  // NASLib's runner writes its own op indices (nb360/)
        }
        std::string const text = detail::readFile(f.file);
        rapidjson::Document const doc = detail::parseJson(f.file, text);
        if (!doc.IsArray()) {
            throw DataError(fmt::format("{}: expected a JSON list of {{\"arch\", <proxy>, \"val_accuracy\"}} records",
                                        f.file.string()));
        }
        std::size_t index = 0;
        for (auto const& record : doc.GetArray()) {
            ++index;
            auto const arch = record.IsObject() ? record.FindMember("arch") : rapidjson::Value::ConstMemberIterator();
            if (!record.IsObject() || arch == record.MemberEnd() || !arch->value.IsString()) {
                throw DataError(fmt::format("{}: record {} has no \"arch\" string", f.file.string(), index));
            }
            auto const key = canonicalArchKey({arch->value.GetString(), arch->value.GetStringLength()});
            auto [it, fresh] = b.rows.emplace(key, b.table.archs.size());
            if (fresh) {
                b.table.archs.push_back({key, detail::parseCellOps(f.file, f.dataset, key, f.space), std::nullopt});
                b.accuracy.push_back(kNaN);
            }
            auto const row = it->second;
            for (auto m = record.MemberBegin(); m != record.MemberEnd(); ++m) {
                std::string_view const name(m->name.GetString(), m->name.GetStringLength());
                if (name == "val_accuracy") {
                    if (!m->value.IsNumber() || !std::isfinite(m->value.GetDouble())) {
                        throw DataError(fmt::format("{}: architecture {}: \"val_accuracy\" is not a finite number",
                                                    f.file.string(), key));
                    }
                    b.accuracy[row] = m->value.GetDouble();
                    continue;
                }
                if (detail::isMetadataKey(name)) continue;
                auto& p = b.proxy(name);
                p.column->resize(b.table.archs.size(), kNaN);
                (*p.column)[row] = detail::readScore(m->value, f.file, f.dataset, key, p.name);
                if (auto t = detail::readTime(m->value)) p.times->push_back(*t);
            }
        }
    }
    std::vector<ProxyTable> tables;
    for (auto& [key, b] : builders) {
        if (b.table.archs.empty()) {
            throw DataError(fmt::format("{}: task {}/{} has no architectures", b.table.source.string(),
                                        toString(key.first), key.second));
        }
        auto const n = static_cast<Eigen::Index>(b.table.archs.size());
        b.table.accuracy = Eigen::Map<Eigen::VectorXd>(b.accuracy.data(), n);
        b.table.scores.resize(n, static_cast<Eigen::Index>(b.columns.size()));
        Eigen::Index c = 0;
        for (auto& [name, values] : b.columns) {
            values.resize(b.table.archs.size(), kNaN);
            b.table.proxies.push_back(name);
            b.table.scores.col(c++) = Eigen::Map<Eigen::VectorXd>(values.data(), n);
        }
        b.table.present = b.table.scores.array().isFinite();
        b.table.proxySeconds = detail::medianTimes(b.times);
        tables.push_back(std::move(b.table));
    }
    return tables;
}

namespace {
void mergeInto(std::vector<ProxyTable> const& extra, ProxyTable& table) {
    for (auto const& e : extra) {
        if (table.space != e.space || table.task != e.task || !table.collection.empty()) continue;
        std::unordered_map<std::string_view, std::size_t> rows;
        for (std::size_t r = 0; r < e.archs.size(); ++r) rows.emplace(e.archs[r].key, r);
        auto const n = static_cast<Eigen::Index>(table.size());
        for (std::size_t p = 0; p < e.proxies.size(); ++p) {
            Eigen::VectorXd column = Eigen::VectorXd::Constant(n, kNaN);
            for (Eigen::Index i = 0; i < n; ++i) {
                auto it = rows.find(table.archs[static_cast<std::size_t>(i)].key);
                if (it != rows.end()) {
                    column(i) = e.scores(static_cast<Eigen::Index>(it->second), static_cast<Eigen::Index>(p));
                }
            }
            table.setProxy(e.proxies[p], column);
            if (auto t = e.proxySeconds.find(e.proxies[p]); t != e.proxySeconds.end()) {
                table.proxySeconds[e.proxies[p]] = t->second;
            }
        }
    }
}
}  // namespace

void mergeProxyColumns(std::vector<ProxyTable> const& extra, std::vector<ProxyTable>& tables) {
    for (auto& table : tables) mergeInto(extra, table);
}

void mergeZenScores(std::filesystem::path const& zenDir, std::vector<ProxyTable>& tables) {
    mergeProxyColumns(loadBenchmarkLists(findBenchmarkLists(zenDir)), tables);
}

void mergeZenScores(std::filesystem::path const& zenDir, ProxyTable& table) {
    auto files = findBenchmarkLists(zenDir);
    std::erase_if(files, [&](BenchmarkListFile const& f) { return f.space != table.space || f.dataset != table.task; });
    if (files.empty()) return;
    mergeInto(loadBenchmarkLists(files), table);
}

}  // namespace zcgp::proxy_cache

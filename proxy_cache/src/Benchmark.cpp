// NAS-Bench-Suite-Zero files (zc_*.json) and the discovery of every source of tasks in a data directory.
// RapidJSON is used because the suite files were written by Python's json module and contain its NaN / Infinity /
// -Infinity tokens, which kParseNanAndInfFlag accepts.
#include "zcgp/proxy_cache/Benchmark.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rapidjson/document.h>

#include "SuiteJson.hpp"
#include "zcgp/proxy_cache/ArchitectureKey.hpp"

namespace zcgp::proxy_cache {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using detail::isMetadataKey;
using detail::parseCellOps;
using detail::parseJson;
using detail::readFile;
using detail::readScore;

bool isRecord(rapidjson::Value const& v) { return v.IsObject() && v.HasMember("val_accuracy"); }

// A task map is {arch_key: record}. Look at its first member only: files are homogeneous.
bool isTaskMap(rapidjson::Value const& v) {
    return v.IsObject() && v.MemberCount() > 0 && isRecord(v.MemberBegin()->value);
}

ProxyTable readTask(std::filesystem::path const& file, SearchSpace space, std::string const& task,
                    rapidjson::Value const& taskMap) {
    ProxyTable table;
    table.space = space;
    table.task = task;
    table.source = file;
    std::map<std::string, std::vector<double>> columns, times;
    std::vector<double> accuracy;
    std::size_t row = 0;
    for (auto it = taskMap.MemberBegin(); it != taskMap.MemberEnd(); ++it, ++row) {
        std::string const key = canonicalArchKey({it->name.GetString(), it->name.GetStringLength()});
        auto const& record = it->value;
        if (!record.IsObject()) {
            throw DataError(fmt::format("{}: task {}: architecture {}: record is not an object", file.string(), task, key));
        }
        auto acc = record.FindMember("val_accuracy");
        if (acc == record.MemberEnd()) {
            throw DataError(fmt::format("{}: task {}: architecture {} has no \"val_accuracy\"", file.string(), task, key));
        }
        if (!acc->value.IsNumber() || !std::isfinite(acc->value.GetDouble())) {
            throw DataError(fmt::format("{}: task {}: architecture {}: \"val_accuracy\" is not a finite number",
                                        file.string(), task, key));
        }
        accuracy.push_back(acc->value.GetDouble());
        table.archs.push_back(Architecture{key, parseCellOps(file, task, key, space), std::nullopt});
        for (auto m = record.MemberBegin(); m != record.MemberEnd(); ++m) {
            std::string proxy(m->name.GetString(), m->name.GetStringLength());
            if (isMetadataKey(proxy)) {
                continue;
            }
            auto& column = columns[proxy];
            column.resize(table.archs.size(), kNaN);  // records that lacked this proxy stay NaN
            column[row] = readScore(m->value, file, task, key, proxy);
            if (auto t = detail::readTime(m->value)) times[proxy].push_back(*t);
        }
    }
    if (table.archs.empty()) {
        throw DataError(fmt::format("{}: task {} has no architectures", file.string(), task));
    }
    auto const n = static_cast<Eigen::Index>(table.archs.size());
    table.accuracy = Eigen::Map<Eigen::VectorXd>(accuracy.data(), n);
    table.scores.resize(n, static_cast<Eigen::Index>(columns.size()));
    Eigen::Index c = 0;
    for (auto& [name, values] : columns) {  // std::map: alphabetical column order
        values.resize(table.archs.size(), kNaN);
        table.proxies.push_back(name);
        table.scores.col(c++) = Eigen::Map<Eigen::VectorXd>(values.data(), n);
    }
    table.present = table.scores.array().isFinite();
    table.proxySeconds = detail::medianTimes(times);
    return table;
}

}  // namespace

std::optional<SearchSpace> spaceOfFile(std::string_view fileName) {
    static const std::map<std::string_view, SearchSpace> files{
        {"zc_nasbench101.json", SearchSpace::NB101},
        {"zc_nasbench201.json", SearchSpace::NB201},
        {"zc_nasbench301.json", SearchSpace::NB301},
        {"zc_transbench101_micro.json", SearchSpace::TNB101Micro},
        {"zc_transbench101_macro.json", SearchSpace::TNB101Macro},
    };
    auto it = files.find(fileName);
    if (it == files.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::vector<ProxyTable> loadSuiteFile(std::filesystem::path const& file, SearchSpace space) {
    std::string const text = readFile(file);
    rapidjson::Document const doc = parseJson(file, text);
    if (!doc.IsObject()) {
        throw DataError(fmt::format("{}: top level is not a JSON object {{task: {{arch: record}}}}", file.string()));
    }
    std::vector<ProxyTable> tables;
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
        std::string name(it->name.GetString(), it->name.GetStringLength());
        auto const& value = it->value;
        if (isTaskMap(value)) {
            tables.push_back(readTask(file, space, name, value));
        } else if (value.IsObject() && value.MemberCount() > 0 && isTaskMap(value.MemberBegin()->value)) {
            // NAS-Bench-101's older release nests the task map one level deeper: {"nasbench101": {task: ...}}.
            for (auto t = value.MemberBegin(); t != value.MemberEnd(); ++t) {
                if (!isTaskMap(t->value)) {
                    throw DataError(fmt::format("{}: {}/{} is not a map of architecture records", file.string(), name,
                                                t->name.GetString()));
                }
                tables.push_back(readTask(file, space, t->name.GetString(), t->value));
            }
        } else if (value.IsObject() && value.MemberCount() == 0) {
            throw DataError(fmt::format("{}: task {} has no architectures", file.string(), name));
        } else {
            throw DataError(fmt::format("{}: member '{}' is neither a task map {{arch: record}} nor a group of tasks "
                                        "(records need \"val_accuracy\")",
                                        file.string(), name));
        }
    }
    if (tables.empty()) {
        throw DataError(fmt::format("{}: no tasks", file.string()));
    }
    return tables;
}


// ---------------------------------------------------------------------------------------------------------------
// Discovery of the sources in a data directory, and lazy loading.

namespace {

bool contains(std::vector<std::string> const& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// zen folders merged into the suite file of a space
std::vector<std::filesystem::path> zenFolders(std::vector<std::filesystem::path> const& dirs, SearchSpace space) {
    std::string_view const name = space == SearchSpace::NB201         ? "nb201_zen_full"
                                  : space == SearchSpace::TNB101Micro ? "zen_transbench101_micro"
                                                                      : "";
    std::vector<std::filesystem::path> found;
    if (name.empty()) return found;
    for (auto const& dir : dirs) {
        if (std::filesystem::is_directory(dir / name)) found.push_back(dir / name);
    }
    return found;
}

void addSuiteFiles(std::vector<std::filesystem::path> const& dirs, std::vector<TaskSource>& sources) {
    for (auto const& dir : dirs) {
        std::vector<std::filesystem::path> files;
        for (auto const& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (auto const& file : files) {
            auto const space = spaceOfFile(file.filename().string());
            if (!space) continue;
            auto const zen = zenFolders(dirs, *space);
            // zen is merged per task, when that task is first used: only its dataset's zen files are parsed
            sources.push_back({file.string(), *space, std::string(toString(*space)), {},
                               [file, space = *space] { return loadSuiteFile(file, space); },
                               [zen](ProxyTable& table) {
                                   for (auto const& z : zen) mergeZenScores(z, table);
                               }});
        }
    }
}

void addBenchmarkListTasks(std::filesystem::path const& dir, std::vector<TaskSource>& sources) {
    std::vector<BenchmarkListFile> files;
    try {
        files = findBenchmarkLists(dir);
    } catch (DataError const& e) {
        std::string const message = e.what();
        sources.push_back({dir.string(), SearchSpace::NB201, "nb360", {}, [message]() -> std::vector<ProxyTable> {
                               throw DataError(message);
                           }, {}});
        return;
    }
    std::map<std::pair<SearchSpace, std::string>, std::vector<BenchmarkListFile>> groups;
    for (auto const& f : files) groups[{f.space, f.dataset}].push_back(f);
    for (auto const& entry : groups) {  // no structured binding: clang 14 (the fuzz preset) cannot capture one
        auto const& key = entry.first;
        auto const& group = entry.second;
        auto const prefix = std::string(toString(key.first));
        sources.push_back({fmt::format("{}/*/benchmark--*--{}--*.json", dir.string(), key.second), key.first, prefix,
                           {prefix + "/" + key.second}, [group] { return loadBenchmarkLists(group); }, {}});
    }
}

void addFullTables(std::filesystem::path const& dir, std::vector<TaskSource>& sources) {
    std::vector<std::filesystem::path> files;
    for (auto const& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    constexpr std::string_view head = "nb201_", tail = "_zc_proxies.csv";
    for (auto const& file : files) {
        auto const name = file.filename().string();
        if (!name.starts_with(head) || !name.ends_with(tail) || name.size() <= head.size() + tail.size()) continue;
        auto const dataset = name.substr(head.size(), name.size() - head.size() - tail.size());
        auto const accuracy = dir / fmt::format("nb201_{}_val_accs.csv", dataset);
        sources.push_back({file.string(), SearchSpace::NB201, "nb201_full", {"nb201_full/" + dataset},
                           [file, accuracy, dataset] { return std::vector<ProxyTable>{loadNb201Full(file, accuracy, dataset)}; }, {}});
    }
}

}  // namespace

Benchmark Benchmark::load(std::filesystem::path const& dataDir) {
    Benchmark benchmark;
    benchmark.root_ = dataDir;
    if (!std::filesystem::is_directory(dataDir)) {
        throw DataError(fmt::format("data directory {} does not exist (run scripts/setup.sh)", dataDir.string()));
    }
    std::vector<std::filesystem::path> dirs{dataDir};
    if (std::filesystem::is_directory(dataDir / "nbsz")) dirs.push_back(dataDir / "nbsz");
    auto& sources = benchmark.sources_;
    addSuiteFiles(dirs, sources);
    for (auto const& dir : dirs) {
        if (std::filesystem::is_directory(dir / "nb360")) addBenchmarkListTasks(dir / "nb360", sources);
        if (std::filesystem::is_directory(dir / "nb201_full")) addFullTables(dir / "nb201_full", sources);
    }
    for (auto const& lm : {dataDir / "lm", dataDir / "nbsz" / "lm"}) {
        auto const csv = lm / "BERT_results_activation_lpzero.csv";
        if (std::filesystem::is_regular_file(csv)) {
            auto const json = lm / "BERT_benchmark.json";
            sources.push_back({csv.string(), SearchSpace::FlexiBERT, "flexibert", {"flexibert/glue"},
                               [csv, json] { return std::vector<ProxyTable>{loadFlexiBert(csv, json)}; }, {}});
            break;
        }
    }
    if (sources.empty()) {
        throw DataError(fmt::format("no benchmark files (zc_*.json, nb360/, nb201_full/, lm/) in {} or {}/nbsz (run "
                                    "scripts/setup.sh)",
                                    dataDir.string(), dataDir.string()));
    }
    // by space; within a space the suite file first, then the other collections
    std::stable_sort(sources.begin(), sources.end(), [](TaskSource const& a, TaskSource const& b) {
        auto const rank = [](TaskSource const& s) { return std::pair(s.space, s.prefix != toString(s.space)); };
        return rank(a) < rank(b);
    });
    benchmark.slots_ = std::make_unique<std::vector<Slot>>(sources.size());
    return benchmark;
}

Benchmark::Slot const& Benchmark::slot(std::size_t source) const {
    auto& s = (*slots_)[source];
    if (!s.tried) {
        s.tried = true;
        try {
            s.tables = sources_[source].load();
        } catch (DataError const& e) {
            s.error = e.what();
        } catch (std::exception const& e) {
            s.error = fmt::format("{}: {}", sources_[source].name, e.what());
        }
    }
    return s;
}

std::string const& Benchmark::complete(std::size_t source, std::size_t k) const {
    auto& s = (*slots_)[source];
    if (s.completed.size() != s.tables.size()) {
        s.completed.assign(s.tables.size(), 0);
        s.tableErrors.assign(s.tables.size(), {});
    }
    if (s.completed[k] == 0) {
        s.completed[k] = 1;
        if (auto const& finish = sources_[source].complete) {
            try {
                finish(s.tables[k]);
            } catch (DataError const& e) {
                s.tableErrors[k] = e.what();
            } catch (std::exception const& e) {
                s.tableErrors[k] = fmt::format("{}: {}", sources_[source].name, e.what());
            }
        }
    }
    return s.tableErrors[k];
}

std::string Benchmark::completeAll(std::size_t source) const {
    auto const& s = slot(source);
    if (!s.error.empty()) return s.error;
    for (std::size_t k = 0; k < s.tables.size(); ++k) {
        if (auto const& error = complete(source, k); !error.empty()) return error;
    }
    return {};
}

std::vector<std::size_t> Benchmark::sourcesWithPrefix(std::string_view prefix) const {
    std::vector<std::size_t> found;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        if (sources_[i].prefix == prefix) found.push_back(i);
    }
    return found;
}

std::vector<ProxyTable const*> Benchmark::tasks() const {
    std::vector<ProxyTable const*> all;
    std::set<std::string> ids;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        if (auto const error = completeAll(i); !error.empty()) throw DataError(error);
        for (auto const& t : slot(i).tables) {
            if (!ids.insert(t.id()).second) {
                throw DataError(fmt::format("task {} appears twice (the second time in {})", t.id(), sources_[i].name));
            }
            all.push_back(&t);
        }
    }
    return all;
}

std::vector<std::string> Benchmark::taskIds() const {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        for (auto const& t : slot(i).tables) ids.push_back(t.id());
    }
    return ids;
}

std::vector<SourceStatus> Benchmark::survey() const {
    std::vector<SourceStatus> statuses;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        SourceStatus status{&sources_[i], {}, completeAll(i)};
        if (status.error.empty()) {
            for (auto const& t : slot(i).tables) status.tables.push_back(&t);
        }
        statuses.push_back(std::move(status));
    }
    return statuses;
}

ProxyTable const& Benchmark::task(std::string_view id) const {
    auto const slash = id.find('/');
    std::string const prefix(id.substr(0, slash == std::string_view::npos ? 0 : slash));
    auto const candidates = sourcesWithPrefix(prefix);
    if (slash != std::string_view::npos && candidates.empty()) {
        std::set<std::string> prefixes;
        for (auto const& s : sources_) prefixes.insert(s.prefix);
        throw DataError(fmt::format("unknown search space '{}' in task '{}' (valid spaces: {}; valid tasks: {})", prefix,
                                    id, fmt::join(prefixes, ", "), fmt::join(taskIds(), ", ")));
    }
    // sources whose file names name the task first: a broken file elsewhere does not block it
    for (auto const i : candidates) {
        if (!contains(sources_[i].ids, id)) continue;
        auto const& s = slot(i);
        if (!s.error.empty()) throw DataError(s.error);
        for (std::size_t k = 0; k < s.tables.size(); ++k) {
            if (s.tables[k].id() != id) continue;
            if (auto const& e = complete(i, k); !e.empty()) throw DataError(e);
            return s.tables[k];
        }
    }
    std::string error;
    for (auto const i : candidates) {
        if (!sources_[i].ids.empty()) continue;
        auto const& s = slot(i);
        if (!s.error.empty() && error.empty()) error = s.error;
        for (std::size_t k = 0; k < s.tables.size(); ++k) {
            if (s.tables[k].id() != id) continue;
            if (auto const& e = complete(i, k); !e.empty()) throw DataError(e);
            return s.tables[k];
        }
    }
    if (!error.empty()) throw DataError(error);  // the task may be in the file that did not load
    throw DataError(fmt::format("unknown task '{}' (valid tasks: {})", id, fmt::join(taskIds(), ", ")));
}

std::vector<ProxyTable const*> Benchmark::select(std::string_view pattern) const {
    if (pattern == "all") return tasks();
    if (pattern.find('/') != std::string_view::npos) return {&task(pattern)};
    auto const candidates = sourcesWithPrefix(pattern);
    std::vector<ProxyTable const*> selected;
    for (auto const i : candidates) {
        if (auto const error = completeAll(i); !error.empty()) throw DataError(error);
        for (auto const& t : slot(i).tables) selected.push_back(&t);
    }
    if (selected.empty()) {
        throw DataError(fmt::format("'{}' is neither a loaded search space nor a task (valid tasks: {})", pattern,
                                    fmt::join(taskIds(), ", ")));
    }
    return selected;
}

}  // namespace zcgp::proxy_cache

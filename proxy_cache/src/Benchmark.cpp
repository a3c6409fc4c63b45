// NAS-Bench-Suite-Zero loading. RapidJSON is used because the suite files were written by Python's json
// module and contain its NaN / Infinity / -Infinity tokens, which kParseNanAndInfFlag accepts.
#include "zcgp/proxy_cache/Benchmark.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace zcgp::proxy_cache {

namespace {

// NASLib's "not computed" marker: epe_nas on non-classification tasks, and jacov/zen on degenerate cells.
constexpr double kMissingSentinel = -100000000.0;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string readFile(std::filesystem::path const& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw DataError(fmt::format("cannot open {}", file.string()));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return std::move(buffer).str();
}

std::pair<std::size_t, std::size_t> lineAndColumn(std::string const& text, std::size_t offset) {
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

rapidjson::Document parseJson(std::filesystem::path const& file, std::string const& text) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseNanAndInfFlag>(text.c_str(), text.size());
    if (doc.HasParseError()) {
        auto [line, column] = lineAndColumn(text, doc.GetErrorOffset());
        throw DataError(fmt::format("{}:{}:{}: malformed JSON: {} (byte offset {})", file.string(), line, column,
                                    rapidjson::GetParseError_En(doc.GetParseError()), doc.GetErrorOffset()));
    }
    return doc;
}

bool isRecord(rapidjson::Value const& v) { return v.IsObject() && v.HasMember("val_accuracy"); }

// A task map is {arch_key: record}. Look at its first member only: files are homogeneous.
bool isTaskMap(rapidjson::Value const& v) {
    return v.IsObject() && v.MemberCount() > 0 && isRecord(v.MemberBegin()->value);
}

bool isMetadataKey(std::string_view key) {
    return key == "idx" || key == "arch" || key == "val_accuracy" || key == "test_accuracy" || key == "train_time";
}

// Parses "(0, 2, 3, 2, 3, 1)" into op indices; nullopt if the key is not a flat integer tuple.
std::optional<std::vector<int>> parseOpTuple(std::string const& key) {
    static const std::regex tuple(R"(^\(\s*\d+(\s*,\s*\d+)*\s*,?\s*\)$)");
    if (!std::regex_match(key, tuple)) {
        return std::nullopt;
    }
    std::vector<int> ops;
    static const std::regex number(R"(\d+)");
    for (auto it = std::sregex_iterator(key.begin(), key.end(), number); it != std::sregex_iterator(); ++it) {
        ops.push_back(std::stoi(it->str()));
    }
    return ops;
}

std::vector<int> parseCellOps(std::filesystem::path const& file, std::string const& task, std::string const& key,
                              SearchSpace space) {
    auto ops = parseOpTuple(key);
    int const opCount = space == SearchSpace::NB201 ? 5 : 4;
    bool const cell = space == SearchSpace::NB201 || space == SearchSpace::TNB101Micro;
    if (!ops) {
        if (cell) {
            throw DataError(fmt::format("{}: task {}: architecture key '{}' is not an op tuple like \"(0, 2, 3, 2, 3, 1)\"",
                                        file.string(), task, key));
        }
        return {};
    }
    if (cell) {
        if (ops->size() != 6) {
            throw DataError(fmt::format("{}: task {}: architecture '{}' has {} ops, a {} cell has 6 edges",
                                        file.string(), task, key, ops->size(), toString(space)));
        }
        for (int op : *ops) {
            if (op < 0 || op >= opCount) {
                throw DataError(fmt::format("{}: task {}: architecture '{}' has op index {} (valid 0..{})",
                                            file.string(), task, key, op, opCount - 1));
            }
        }
    }
    return *ops;
}

// A score is a bare number, {"score": x, ...} or null. Missing, sentinel and non-finite become NaN.
double readScore(rapidjson::Value const& v, std::filesystem::path const& file, std::string const& task,
                 std::string const& key, std::string const& proxy) {
    rapidjson::Value const* number = &v;
    if (v.IsObject()) {
        auto it = v.FindMember("score");
        if (it == v.MemberEnd()) {
            throw DataError(fmt::format("{}: task {}: architecture {}: proxy '{}' is an object without \"score\"",
                                        file.string(), task, key, proxy));
        }
        number = &it->value;
    }
    if (number->IsNull()) {
        return kNaN;
    }
    if (!number->IsNumber()) {
        throw DataError(fmt::format("{}: task {}: architecture {}: proxy '{}' is not a number", file.string(), task,
                                    key, proxy));
    }
    double const x = number->GetDouble();
    if (!std::isfinite(x) || x == kMissingSentinel) {
        return kNaN;
    }
    return x;
}

ProxyTable readTask(std::filesystem::path const& file, SearchSpace space, std::string const& task,
                    rapidjson::Value const& taskMap) {
    ProxyTable table;
    table.space = space;
    table.task = task;
    table.source = file;
    std::map<std::string, std::vector<double>> columns;
    std::vector<double> accuracy;
    std::size_t row = 0;
    for (auto it = taskMap.MemberBegin(); it != taskMap.MemberEnd(); ++it, ++row) {
        std::string key(it->name.GetString(), it->name.GetStringLength());
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
        table.archs.push_back(Architecture{key, parseCellOps(file, task, key, space)});
        for (auto m = record.MemberBegin(); m != record.MemberEnd(); ++m) {
            std::string proxy(m->name.GetString(), m->name.GetStringLength());
            if (isMetadataKey(proxy)) {
                continue;
            }
            auto& column = columns[proxy];
            column.resize(table.archs.size(), kNaN);  // records that lacked this proxy stay NaN
            column[row] = readScore(m->value, file, task, key, proxy);
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

void mergeZenScores(std::filesystem::path const& zenDir, std::vector<ProxyTable>& tables) {
    // benchmark--transbench101_micro--<task>--<offset>.json: [{idx, arch, zen: {score}, val_accuracy}, ...]
    static const std::regex pattern(R"(^benchmark--transbench101_micro--(.+)--\d+\.json$)");
    std::vector<std::filesystem::path> files;
    for (auto const& entry : std::filesystem::directory_iterator(zenDir)) {
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::map<std::string, std::map<std::string, double>> zen;  // task -> arch -> score
    for (auto const& file : files) {
        std::smatch match;
        std::string const fileName = file.filename().string();
        if (!std::regex_match(fileName, match, pattern)) {
            continue;
        }
        std::string const task = match[1];
        std::string const text = readFile(file);
        rapidjson::Document const doc = parseJson(file, text);
        if (!doc.IsArray()) {
            throw DataError(fmt::format("{}: expected a JSON list of {{arch, zen}} records", file.string()));
        }
        for (auto const& record : doc.GetArray()) {
            if (!record.IsObject() || !record.HasMember("arch") || !record["arch"].IsString() ||
                !record.HasMember("zen")) {
                throw DataError(fmt::format("{}: a record lacks \"arch\" or \"zen\"", file.string()));
            }
            std::string const key = record["arch"].GetString();
            zen[task][key] = readScore(record["zen"], file, task, key, "zen");
        }
    }
    for (auto& table : tables) {
        if (table.space != SearchSpace::TNB101Micro) {
            continue;
        }
        auto scores = zen.find(table.task);
        if (scores == zen.end()) {
            continue;
        }
        auto const n = static_cast<Eigen::Index>(table.size());
        Eigen::VectorXd column = Eigen::VectorXd::Constant(n, kNaN);
        for (Eigen::Index i = 0; i < n; ++i) {
            auto it = scores->second.find(table.archs[static_cast<std::size_t>(i)].key);
            if (it != scores->second.end()) {
                column(i) = it->second;
            }
        }
        auto existing = table.proxyIndex("zen");
        if (existing) {
            table.scores.col(static_cast<Eigen::Index>(*existing)) = column;
        } else {
            auto const pos = static_cast<Eigen::Index>(
                std::lower_bound(table.proxies.begin(), table.proxies.end(), std::string("zen")) - table.proxies.begin());
            Eigen::MatrixXd widened(n, table.scores.cols() + 1);
            widened.leftCols(pos) = table.scores.leftCols(pos);
            widened.col(pos) = column;
            widened.rightCols(table.scores.cols() - pos) = table.scores.rightCols(table.scores.cols() - pos);
            table.scores = std::move(widened);
            table.proxies.insert(table.proxies.begin() + pos, "zen");
        }
        table.present = table.scores.array().isFinite();
    }
}

Benchmark Benchmark::load(std::filesystem::path const& dataDir) {
    Benchmark benchmark;
    benchmark.root_ = dataDir;
    if (!std::filesystem::is_directory(dataDir)) {
        throw DataError(fmt::format("data directory {} does not exist (run scripts/setup.sh)", dataDir.string()));
    }
    std::vector<std::filesystem::path> dirs{dataDir};
    if (std::filesystem::is_directory(dataDir / "nbsz")) {
        dirs.push_back(dataDir / "nbsz");
    }
    std::vector<std::pair<std::filesystem::path, SearchSpace>> files;
    for (auto const& dir : dirs) {
        for (auto const& entry : std::filesystem::directory_iterator(dir)) {
            if (auto space = spaceOfFile(entry.path().filename().string())) {
                files.emplace_back(entry.path(), *space);
            }
        }
    }
    if (files.empty()) {
        throw DataError(fmt::format("no NAS-Bench-Suite-Zero files (zc_*.json) in {} or {}/nbsz (run scripts/setup.sh)",
                                    dataDir.string(), dataDir.string()));
    }
    std::sort(files.begin(), files.end(), [](auto const& a, auto const& b) {
        return std::pair(a.second, a.first) < std::pair(b.second, b.first);
    });
    for (auto const& [file, space] : files) {
        auto tables = loadSuiteFile(file, space);
        for (auto& t : tables) {
            for (auto const& existing : benchmark.tasks_) {
                if (existing.id() == t.id()) {
                    throw DataError(fmt::format("task {} appears in both {} and {}", t.id(), existing.source.string(),
                                                file.string()));
                }
            }
            benchmark.tasks_.push_back(std::move(t));
        }
    }
    for (auto const& dir : dirs) {
        if (std::filesystem::is_directory(dir / "zen_transbench101_micro")) {
            mergeZenScores(dir / "zen_transbench101_micro", benchmark.tasks_);
        }
    }
    return benchmark;
}

std::vector<std::string> Benchmark::taskIds() const {
    std::vector<std::string> ids;
    for (auto const& t : tasks_) {
        ids.push_back(t.id());
    }
    return ids;
}

ProxyTable const& Benchmark::task(std::string_view id) const {
    for (auto const& t : tasks_) {
        if (t.id() == id) {
            return t;
        }
    }
    auto const slash = id.find('/');
    if (slash != std::string_view::npos) {
        auto const spaceName = id.substr(0, slash);
        auto const names = allSearchSpaceNames();
        if (std::find(names.begin(), names.end(), spaceName) == names.end()) {
            throw DataError(fmt::format("unknown search space '{}' in task '{}' (valid spaces: {}; valid tasks: {})",
                                        spaceName, id, fmt::join(names, ", "), fmt::join(taskIds(), ", ")));
        }
    }
    throw DataError(fmt::format("unknown task '{}' (valid tasks: {})", id, fmt::join(taskIds(), ", ")));
}

std::vector<ProxyTable const*> Benchmark::select(std::string_view pattern) const {
    std::vector<ProxyTable const*> selected;
    if (pattern == "all") {
        for (auto const& t : tasks_) {
            selected.push_back(&t);
        }
        return selected;
    }
    if (pattern.find('/') == std::string_view::npos) {
        for (auto const& t : tasks_) {
            if (toString(t.space) == pattern) {
                selected.push_back(&t);
            }
        }
        if (selected.empty()) {
            throw DataError(fmt::format("'{}' is neither a loaded search space nor a task (valid tasks: {})", pattern,
                                        fmt::join(taskIds(), ", ")));
        }
        return selected;
    }
    selected.push_back(&task(pattern));
    return selected;
}

}  // namespace zcgp::proxy_cache

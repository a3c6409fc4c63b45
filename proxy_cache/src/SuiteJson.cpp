#include "SuiteJson.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <rapidjson/error/en.h>

#include "zcgp/proxy_cache/ArchitectureKey.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

namespace zcgp::proxy_cache::detail {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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
}  // namespace

std::string readFile(std::filesystem::path const& file) {
    std::ifstream in(file, std::ios::binary | std::ios::ate);
    if (!in) throw DataError(fmt::format("cannot open {}", file.string()));
    // one read of the whole file (a stringstream copy grew its buffer by doubling: 3% of the main job)
    auto const size = in.tellg();
    std::string text;
    if (size > 0) {
        text.resize(static_cast<std::size_t>(size));
        in.seekg(0);
        in.read(text.data(), static_cast<std::streamsize>(size));
        if (in.gcount() != static_cast<std::streamsize>(size)) throw DataError(fmt::format("cannot read {}", file.string()));
        return text;
    }
    // size unknown (a pipe, /proc): read to the end
    in.clear();
    in.seekg(0);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return std::move(buffer).str();
}

rapidjson::Document parseJson(std::filesystem::path const& file, std::string const& text) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseNanAndInfFlag | rapidjson::kParseIterativeFlag>(text.c_str(), text.size());
    if (doc.HasParseError()) {
        auto [line, column] = lineAndColumn(text, doc.GetErrorOffset());
        throw DataError(fmt::format("{}:{}:{}: malformed JSON: {} (byte offset {})", file.string(), line, column,
                                    rapidjson::GetParseError_En(doc.GetParseError()), doc.GetErrorOffset()));
    }
    return doc;
}

bool isMetadataKey(std::string_view key) {
    return key == "idx" || key == "arch" || key == "val_accuracy" || key == "test_accuracy" || key == "train_time";
}

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
    if (number->IsNull()) return kNaN;
    if (!number->IsNumber()) {
        throw DataError(fmt::format("{}: task {}: architecture {}: proxy '{}' is not a number", file.string(), task,
                                    key, proxy));
    }
    double const x = number->GetDouble();
    if (!std::isfinite(x) || x == kMissingSentinel) return kNaN;
    return x;
}

std::optional<double> readTime(rapidjson::Value const& v) {
    if (!v.IsObject()) return std::nullopt;
    auto it = v.FindMember("time");
    if (it == v.MemberEnd() || !it->value.IsNumber()) return std::nullopt;
    double const t = it->value.GetDouble();
    if (!std::isfinite(t) || t < 0.0) return std::nullopt;
    return t;
}

std::map<std::string, double> medianTimes(std::map<std::string, std::vector<double>>& times) {
    std::map<std::string, double> out;
    for (auto& [proxy, t] : times) {
        if (t.empty()) continue;
        auto mid = t.begin() + static_cast<std::ptrdiff_t>(t.size() / 2);
        std::nth_element(t.begin(), mid, t.end());
        double m = *mid;
        if (t.size() % 2 == 0) m = (m + *std::max_element(t.begin(), mid)) / 2.0;
        out[proxy] = m;
    }
    return out;
}

std::vector<int> parseCellOps(std::filesystem::path const& file, std::string const& task, std::string const& key,
                              SearchSpace space) {
    std::optional<std::vector<int>> ops;
    try {
        ops = parseOpTuple(key);
    } catch (std::out_of_range const& e) {
        throw DataError(fmt::format("{}: task {}: architecture '{}': {}", file.string(), task, key, e.what()));
    }
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
            // a hostile key can be huge: name its start only
            auto const shown = key.size() > 60 ? key.substr(0, 60) + "..." : key;
            throw DataError(fmt::format("{}: task {}: architecture '{}' has {} ops, a {} cell has 6 edges",
                                        file.string(), task, shown, ops->size(), toString(space)));
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

}  // namespace zcgp::proxy_cache::detail

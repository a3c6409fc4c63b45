#include "ExperimentConfig.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "Command.hpp"

namespace zcgp::cli {

namespace {

std::vector<ConfigKey> commonKeys() {
    return {
        {"name", KeyType::String, "", "results go to results/<name>/"},
        {"experiment", KeyType::String, "", "experiment kind"},
        {"description", KeyType::String, "\"\"", "free text"},
        {"outputs", KeyType::StringList, "[\"csv\", \"markdown\", \"plots\"]", "what to write: csv, markdown, plots"},
    };
}

std::vector<ConfigKey> evolutionBudgetKeys() {
    return {
        {"seeds", KeyType::Integer, "10", "seeds per task (0 .. seeds-1)"},
        {"train_archs", KeyType::Integer, "100", "train architectures sampled per seed"},
        {"population", KeyType::Integer, "100", "population size"},
        {"generations", KeyType::Integer, "50", "generations"},
        {"threads_per_run", KeyType::Integer, "1", "threads of each evolve run"},
        {"parallel_runs", KeyType::Integer, "0", "runs at once (0 = hardware threads / threads_per_run)"},
        {"evolve_args", KeyType::StringList, "[]", "extra flags passed to every zcgp evolve run"},
    };
}

std::map<std::string, std::vector<ConfigKey>, std::less<>> const& schemas() {
    static const auto table = [] {
        std::map<std::string, std::vector<ConfigKey>, std::less<>> s;
        auto with = [](std::vector<ConfigKey> keys, std::vector<ConfigKey> const& more) {
            keys.insert(keys.end(), more.begin(), more.end());
            return keys;
        };
        s["correlations"] = with(commonKeys(), {
            {"tasks", KeyType::StringList, "[\"all\"]", "tasks (space/task), spaces, or \"all\""},
            {"metrics", KeyType::StringList, "[\"kendall\", \"spearman\"]", "kendall, spearman, pearson, topk"},
            {"tables", KeyType::StringList, "[]", "a researcher's own CSV tables (zcgp correlate --table)"},
            {"targets", KeyType::StringList, "[]", "their ground-truth columns (--target: one, or one per table)"},
            {"target_orders", KeyType::StringList, "[]", "higher or lower (--target-order: one, or one per table)"},
            {"ids", KeyType::StringList, "[]", "their architecture id columns (--id: one, or one per table)"},
            {"exclude", KeyType::StringList, "[]", "columns or proxies dropped everywhere (--exclude)"},
        });
        auto const taskKeys = [](std::vector<ConfigKey> more) {
            std::vector<ConfigKey> keys{
                {"tasks", KeyType::StringList, "[\"all\"]", "tasks (space/task), spaces, or \"all\""},
                {"tables", KeyType::StringList, "[]", "a researcher's own CSV tables (--table)"},
                {"targets", KeyType::StringList, "[]", "their ground-truth columns (--target: one, or one per table)"},
                {"target_orders", KeyType::StringList, "[]", "higher or lower (--target-order: one, or one per table)"},
                {"ids", KeyType::StringList, "[]", "their architecture id columns (--id: one, or one per table)"},
                {"exclude", KeyType::StringList, "[]", "columns or proxies dropped everywhere (--exclude)"},
            };
            keys.insert(keys.end(), more.begin(), more.end());
            return keys;
        };
        s["bias"] = with(commonKeys(), taskKeys({
            {"metrics", KeyType::StringList, "[\"pearson\"]", "pearson, kendall, spearman (one table each)"},
            {"properties", KeyType::StringList, "[]", "table columns used as architecture properties (--property)"},
            {"correct", KeyType::String, "\"cell_size\"", "the property the bias correction removes"},
            {"train_archs", KeyType::Integer, "100", "architectures whose accuracy the excess correction may see"},
            {"seed", KeyType::Integer, "0", "seed of that split"},
        }));
        s["information"] = with(commonKeys(), taskKeys({
            {"max_k", KeyType::Integer, "5", "greedy selection up to this many proxies"},
            {"evolved", KeyType::Boolean, "true", "compare an evolved formula's held-out information with the best pair's"},
            {"train_archs", KeyType::Integer, "100", "train architectures of the evolved formula"},
            {"seed", KeyType::Integer, "0", "seed of its split and run"},
            {"population", KeyType::Integer, "100", "its GP population"},
            {"generations", KeyType::Integer, "50", "its GP generations"},
        }));
        s["surrogate"] = with(commonKeys(), taskKeys({
            {"train_sizes", KeyType::StringList, "[\"10\", \"20\", \"50\", \"100\", \"200\", \"400\", \"1000\"]", "train sizes"},
            {"seeds", KeyType::Integer, "10", "splits per train size"},
            {"test_archs", KeyType::Integer, "0", "held-out architectures per split (0: all the rest)"},
            {"feature_sets", KeyType::StringList,
             "[\"encoding\", \"zc\", \"encoding+zc\", \"encoding+evolved\", \"encoding+graph\"]", "feature sets"},
            {"rounds", KeyType::Integer, "500", "XGBoost boosting rounds"},
            {"population", KeyType::Integer, "100", "GP population of encoding+evolved"},
            {"generations", KeyType::Integer, "50", "GP generations of encoding+evolved"},
        }));
        s["evolve"] = with(with(commonKeys(), evolutionBudgetKeys()), {
            {"tasks", KeyType::StringList, "", "tasks to evolve on, one run per task and seed"},
            {"baselines", KeyType::StringList, "[\"handcrafted\", \"deap\"]",
             "handcrafted, deap, rf (forest on the proxies), rf_graph (forest on proxies + graph features), ridge; each "
             "Python baseline trains on the zcgp run's train architectures"},
            {"deap_script", KeyType::String, "\"scripts/deap_baseline.py\"", "DEAP baseline (run when python3-deap is installed)"},
            {"ensemble_args", KeyType::StringList, "[]",
             "if set: a second evolved column, runs with these extra flags (e.g. [\"--ensemble\", \"20\"]) on the same tasks and seeds"},
            {"rf_script", KeyType::String, "\"scripts/rf_baseline.py\"", "300-tree random-forest anchors (run when python3-sklearn is installed)"},
            {"ridge_script", KeyType::String, "\"scripts/ridge_baseline.py\"", "ridge on signed-log proxies + graph features (python3-sklearn)"},
            {"graph_args", KeyType::StringList, "[]",
             "if set: another single-formula column, runs with these extra flags (e.g. [\"--terminals\", \"cached,graph\"])"},
            {"exclude", KeyType::StringList, "[]", "proxies dropped from every run and baseline (--exclude), e.g. [\"lpzero\"]"},
        });
        s["transfer"] = with(with(commonKeys(), evolutionBudgetKeys()), {
            {"tasks", KeyType::StringList, "", "evolve on each, score on every other"},
            {"multitask_train", KeyType::StringList, "[]", "tasks for one multi-task proxy"},
            {"multitask_test", KeyType::StringList, "[]", "tasks it is scored on (left out of training)"},
            {"multitask_fitness", KeyType::String, "\"mean\"", "mean or worst tau across training tasks"},
        });
        s["raw_statistics"] = with(with(commonKeys(), evolutionBudgetKeys()), {
            {"task", KeyType::String, "\"nb201/cifar10\"", "task"},
            {"stats", KeyType::String, "", "statistics cache from zcgp gather"},
            {"terminal_sets", KeyType::StringList, "[\"raw\", \"cached\", \"both\"]", "raw, cached, both"},
        });
        s["parzc"] = with(commonKeys(), {
            {"stats", KeyType::String, "", "statistics cache of NB201 cells (zcgp gather; docs/parzc.md)"},
            {"train_sizes", KeyType::StringList, "[\"78\", \"156\", \"469\"]", "train architectures per run"},
            {"seeds", KeyType::Integer, "5", "seeds 0 .. seeds-1 (split, initialisation)"},
            {"epochs", KeyType::Integer, "30", "ParZC training epochs"},
            {"samples", KeyType::Integer, "8", "Bayesian samples per ParZC prediction"},
            {"population", KeyType::Integer, "100", "zcgp evolve population"},
            {"generations", KeyType::Integer, "50", "zcgp evolve generations"},
            {"script", KeyType::String, "\"scripts/parzc_experiment.py\"", "the grid driver"},
            {"evolve_args", KeyType::StringList, "[]", "extra flags passed to every zcgp evolve run of the grid"},
        });
        s["zero_shot_search"] = with(commonKeys(), {
            {"dataset", KeyType::String, "\"cifar10\"", "dataset the proxies are computed on"},
            {"objectives", KeyType::StringList, "[\"evolved\", \"synflow\", \"nwot\", \"random\"]", "search objectives"},
            {"algorithms", KeyType::StringList, "[\"evolution\", \"random\"]", "regularized evolution, random sampling"},
            {"evolved_run", KeyType::String, "\"\"", "a zcgp evolve output folder; empty = evolve one on nb201/cifar10 first"},
            {"evolve_args", KeyType::StringList, "[]", "flags of that evolve run (when evolved_run is empty)"},
            {"init_seed", KeyType::Integer, "0", "seed of network initialisation and mini-batch"},
            {"parallel_runs", KeyType::Integer, "0", "searches at once (0 = hardware threads)"},
            {"archs", KeyType::Integer, "100", "architectures scored per search (the equal budget)"},
            {"time_limit", KeyType::Float, "0.0", "seconds per search (0: none); with a large archs, an equal wall-time budget"},
            {"seeds", KeyType::Integer, "5", "searches per objective and algorithm"},
            {"batch", KeyType::Integer, "64", "mini-batch size for native scoring"},
            {"population", KeyType::Integer, "20", "regularized evolution population"},
            {"sample", KeyType::Integer, "5", "regularized evolution tournament sample"},
        });
        return s;
    }();
    return table;
}

std::string_view typeName(KeyType type) {
    switch (type) {
        case KeyType::String: return "a string";
        case KeyType::Integer: return "an integer";
        case KeyType::Float: return "a number";
        case KeyType::Boolean: return "true or false";
        case KeyType::StringList: return "a list of strings";
    }
    return "?";
}

bool matches(toml::node const& node, KeyType type) {
    switch (type) {
        case KeyType::String: return node.is_string();
        case KeyType::Integer: return node.is_integer();
        case KeyType::Float: return node.is_number();
        case KeyType::Boolean: return node.is_boolean();
        case KeyType::StringList: {
            auto const* array = node.as_array();
            return array != nullptr && std::all_of(array->begin(), array->end(), [](auto const& e) { return e.is_string(); });
        }
    }
    return false;
}

// A TOML basic string holding `text`; toml++ then refuses text that is not UTF-8.
std::string quotedToml(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        auto const u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            out += fmt::format("\\u{:04x}", u);
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// Parses an override value as TOML; failing that, a bare word is a string and, for list keys, a comma-separated
// word list (so `--set tasks=nb201/cifar10,nb301/cifar10` needs no shell quoting). The value is always parsed
// under a fixed key, so whatever the user's key is (`a.b`, `"x"`, with spaces), the result is one node.
toml::node_view<toml::node const> onlyValue(toml::table const& table) {
    return table.size() == 1 ? table["v"] : toml::node_view<toml::node const>{};
}

toml::table parseValue(std::string const& assignment, std::string const& value, std::optional<KeyType> type) {
    try {
        auto parsed = toml::parse("v = " + value);
        auto const node = onlyValue(parsed);
        if (node && !(type == KeyType::StringList && node.is_string())) return parsed;
    } catch (toml::parse_error const&) {
    }
    auto string = [&](std::string_view text) -> toml::table {
        try {
            return toml::parse("v = " + quotedToml(text));
        } catch (toml::parse_error const& e) {
            throw UsageError(fmt::format("--set '{}': the value is not valid UTF-8 text ({})", assignment,
                                         e.description()));
        }
    };
    if (type == KeyType::StringList) {
        std::string body = value;
        if (body.size() >= 2 && body.front() == '[' && body.back() == ']') body = body.substr(1, body.size() - 2);
        toml::array items;
        std::stringstream in(body);
        for (std::string item; std::getline(in, item, ',');) {
            auto const b = item.find_first_not_of(" \t\"'");
            auto const e = item.find_last_not_of(" \t\"'");
            if (b != std::string::npos) items.push_back(*string(item.substr(b, e - b + 1))["v"].as_string());
        }
        toml::table table;
        table.insert("v", std::move(items));
        return table;
    }
    return string(value);
}

std::string trimmed(std::string const& text) {
    auto const b = text.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return text.substr(b, text.find_last_not_of(" \t") - b + 1);
}

}  // namespace

std::vector<std::string> ExperimentConfig::experimentKinds() {
    std::vector<std::string> kinds;
    for (auto const& [k, v] : schemas()) kinds.push_back(k);
    return kinds;
}

std::vector<ConfigKey> const& ExperimentConfig::schema(std::string_view experiment) {
    auto it = schemas().find(experiment);
    if (it == schemas().end()) {
        throw UsageError(fmt::format("unknown experiment kind '{}' (valid: {})", experiment,
                                     fmt::join(experimentKinds(), ", ")));
    }
    return it->second;
}

ExperimentConfig ExperimentConfig::load(std::filesystem::path const& file, std::vector<std::string> const& overrides) {
    ExperimentConfig config;
    config.file_ = file;
    if (!std::filesystem::is_regular_file(file)) {
        throw UsageError(fmt::format("config file {} does not exist", file.string()));
    }
    try {
        config.table_ = toml::parse_file(file.string());
    } catch (toml::parse_error const& e) {
        throw UsageError(fmt::format("{}:{}:{}: malformed TOML: {}", file.string(), e.source().begin.line,
                                     e.source().begin.column, e.description()));
    }
    struct Assignment {
        std::string text;  // as given, for messages
        std::string key;
        std::string value;
    };
    std::vector<Assignment> assignments;
    for (auto const& assignment : overrides) {
        auto const eq = assignment.find('=');
        auto key = eq == std::string::npos ? std::string{} : trimmed(assignment.substr(0, eq));
        if (key.empty()) {
            throw UsageError(fmt::format("--set '{}': expected KEY=VALUE", assignment));
        }
        assignments.push_back({assignment, std::move(key), trimmed(assignment.substr(eq + 1))});
    }
    for (auto const& assignment : assignments) {
        if (assignment.key == "experiment") {
            auto parsed = parseValue(assignment.text, assignment.value, KeyType::String);
            config.table_.insert_or_assign("experiment", std::move(*parsed.get("v")));
        }
    }
    auto const* experiment = config.table_.get_as<std::string>("experiment");
    if (experiment == nullptr) {
        throw UsageError(fmt::format("{}: missing key 'experiment' (valid: {})", file.string(),
                                     fmt::join(experimentKinds(), ", ")));
    }
    config.experiment_ = experiment->get();
    std::vector<ConfigKey> const* keys = nullptr;
    try {
        keys = &schema(config.experiment_);
    } catch (UsageError const& e) {
        throw UsageError(fmt::format("{}: key 'experiment': {}", file.string(), e.what()));
    }
    // (no structured bindings in these lambdas: clang 14, which builds the fuzz targets, cannot capture them)
    auto schemaKey = [&](std::string_view name) {
        return std::find_if(keys->begin(), keys->end(), [&](ConfigKey const& k) { return k.name == name; });
    };
    for (auto const& assignment : assignments) {
        auto const it = schemaKey(assignment.key);
        if (it == keys->end()) {
            std::vector<std::string> valid;
            for (auto const& k : *keys) valid.push_back(k.name);
            throw UsageError(fmt::format("--set '{}': unknown key '{}' for experiment '{}' (valid: {})", assignment.text,
                                         assignment.key, config.experiment_, fmt::join(valid, ", ")));
        }
        auto parsed = parseValue(assignment.text, assignment.value, it->type);
        config.table_.insert_or_assign(assignment.key, std::move(*parsed.get("v")));
    }
    for (auto const& entry : config.table_) {
        auto const& key = entry.first.str();
        auto const it = schemaKey(key);
        if (it == keys->end()) {
            std::vector<std::string> valid;
            for (auto const& k : *keys) valid.push_back(k.name);
            throw UsageError(fmt::format("{}: unknown key '{}' for experiment '{}' (valid: {})", file.string(), key,
                                         config.experiment_, fmt::join(valid, ", ")));
        }
        if (!matches(entry.second, it->type)) {
            throw UsageError(fmt::format("{}: key '{}' must be {}", file.string(), key, typeName(it->type)));
        }
    }
    for (auto const& k : *keys) {
        if (config.table_.contains(k.name)) continue;
        if (k.defaultToml.empty()) {
            throw UsageError(fmt::format("{}: missing required key '{}' ({})", file.string(), k.name, k.help));
        }
        auto parsed = toml::parse(k.name + " = " + k.defaultToml);
        config.table_.insert(k.name, std::move(*parsed.get(k.name)));
    }
    config.name_ = config.getString("name");
    if (config.name_.empty() || config.name_ == "." || config.name_ == ".." ||
        config.name_.find_first_of("/\\") != std::string::npos ||
        std::any_of(config.name_.begin(), config.name_.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
        throw UsageError(fmt::format("{}: key 'name' must be a non-empty file name", file.string()));
    }
    // results/<name>/config.toml must load again: the effective table has to read back as itself
    try {
        if (!(toml::parse(config.effectiveToml()) == config.table_)) {
            throw UsageError(fmt::format("{}: the effective config does not read back as written", file.string()));
        }
    } catch (toml::parse_error const& e) {
        throw UsageError(fmt::format("{}: the effective config does not read back as TOML ({})", file.string(),
                                     e.description()));
    }
    return config;
}

std::string ExperimentConfig::getString(std::string_view key) const { return table_.at_path(key).value<std::string>().value(); }
std::int64_t ExperimentConfig::getInt(std::string_view key) const { return table_.at_path(key).value<std::int64_t>().value(); }
double ExperimentConfig::getFloat(std::string_view key) const { return table_.at_path(key).value<double>().value(); }
bool ExperimentConfig::getBool(std::string_view key) const { return table_.at_path(key).value<bool>().value(); }

std::vector<std::string> ExperimentConfig::getStringList(std::string_view key) const {
    std::vector<std::string> out;
    if (auto const* array = table_.at_path(key).as_array()) {
        for (auto const& e : *array) out.push_back(e.value<std::string>().value());
    }
    return out;
}

std::string ExperimentConfig::effectiveToml() const {
    std::ostringstream out;
    out << table_ << '\n';
    return out.str();
}

}  // namespace zcgp::cli

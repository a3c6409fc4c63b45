#include "zcgp/engine/RunReport.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace zcgp::engine {

using nlohmann::json;

namespace {

// Readers report the first problem as "<file>: field '<path>': <what>".
struct Reader {
    std::string const& source;
    std::string path;

    [[noreturn]] void fail(std::string const& what) const {
        throw RunReportError(fmt::format("{}: field '{}': {}", source, path, what));
    }
    Reader at(std::string const& key) const { return {source, path.empty() ? key : path + "." + key}; }
    Reader at(std::size_t index) const { return {source, fmt::format("{}[{}]", path, index)}; }

    json const& field(json const& j, std::string const& key) const {
        if (!j.is_object()) fail("expected an object");
        auto it = j.find(key);
        if (it == j.end()) at(key).fail("missing");
        return *it;
    }
    double number(json const& j) const {
        if (j.is_null()) return std::nan("");  // written for a non-finite value
        if (!j.is_number()) fail("expected a number");
        return j.get<double>();
    }
    std::uint64_t count(json const& j) const {
        if (!j.is_number_unsigned() && !(j.is_number_integer() && j.get<std::int64_t>() >= 0)) {
            fail("expected a non-negative integer");
        }
        return j.get<std::uint64_t>();
    }
    std::string text(json const& j) const {
        if (!j.is_string()) fail("expected a string");
        return j.get<std::string>();
    }
    bool flag(json const& j) const {
        if (!j.is_boolean()) fail("expected true or false");
        return j.get<bool>();
    }
    std::vector<std::string> texts(json const& j) const {
        if (!j.is_array()) fail("expected an array of strings");
        std::vector<std::string> out;
        for (std::size_t i = 0; i < j.size(); ++i) out.push_back(at(i).text(j[i]));
        return out;
    }
    template <typename F> void each(json const& j, F&& f) const {
        if (!j.is_array()) fail("expected an array");
        for (std::size_t i = 0; i < j.size(); ++i) f(at(i), j[i]);
    }
    // helpers over a field of an object
    double number(json const& j, std::string const& key) const { return at(key).number(field(j, key)); }
    std::uint64_t count(json const& j, std::string const& key) const { return at(key).count(field(j, key)); }
    std::string text(json const& j, std::string const& key) const { return at(key).text(field(j, key)); }
};

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

}  // namespace

std::string toJsonText(RunReport const& r, int indent) {
    json perTask = json::array();
    for (auto const& t : r.perTask) {
        perTask.push_back({{"task", t.task}, {"train_tau", number(t.trainTau)}, {"test_tau", number(t.testTau)},
                           {"test_spearman", number(t.testSpearman)}, {"train_archs", t.trainArchs},
                           {"test_archs", t.testArchs}, {"train_keys", t.trainKeys}});
    }
    json handcrafted = nullptr;
    if (r.bestHandcrafted) {
        auto const& h = *r.bestHandcrafted;
        handcrafted = {{"name", h.name}, {"train_tau", number(h.trainTau)}, {"test_tau", number(h.testTau)},
                       {"test_spearman", number(h.testSpearman)}};
    }
    json pareto = json::array();
    for (auto const& p : r.pareto) {
        pareto.push_back({{"size", p.size}, {"formula", p.formula}, {"train_tau", number(p.trainTau)},
                          {"test_tau", number(p.testTau)}});
    }
    json costPareto = json::array();
    for (auto const& p : r.costPareto) {
        costPareto.push_back({{"cost", number(p.cost)}, {"size", p.size}, {"formula", p.formula},
                              {"train_tau", number(p.trainTau)}, {"test_tau", number(p.testTau)}});
    }
    json data = json::array();
    for (auto const& d : r.data) {
        data.push_back({{"task", d.task}, {"archs", d.archs}, {"dropped_archs", d.droppedArchs},
                        {"dropped_proxies", d.droppedProxies}, {"source", d.source}, {"target", d.target},
                        {"target_negated", d.targetNegated}});
    }
    json terminals = json::array();
    for (auto const& t : r.terminals) {
        json e = {{"name", t.name}, {"kind", t.kind}, {"in_scale", t.inScale}, {"shift", t.shift}, {"scale", t.scale}};
        if (t.knee) e["knee"] = *t.knee;
        if (t.source) e["source"] = *t.source;
        terminals.push_back(std::move(e));
    }
    json j = {
        {"formula", r.formula},
        {"simplified", r.simplified},
        {"size", r.size},
        {"depth", r.depth},
        {"train_tau", number(r.trainTau)},
        {"test_tau", number(r.testTau)},
        {"test_spearman", number(r.testSpearman)},
        {"penalised_fitness", number(r.penalisedFitness)},
        {"finite_on_all_archs", r.finiteOnAllArchs},
        {"tasks", r.tasks},
        {"per_task", perTask},
        {"seed", r.seed},
        {"generations", r.generations},
        {"generations_planned", r.generationsPlanned},
        {"stopped", r.stopped},
        {"population", r.population},
        {"train_archs", r.trainArchs},
        {"best_handcrafted", handcrafted},
        {"seconds", r.seconds},
        {"evaluations", r.evaluations},
        {"node_evaluations", r.nodeEvaluations},
        {"node_evaluations_per_second", r.nodeEvaluationsPerSecond()},
        {"pruned", r.pruned},
        {"pareto", pareto},
        {"cost_pareto", costPareto},
        {"terms", r.terms},
        {"cost_weight", r.costWeight},
        {"data", data},
        {"normalize", r.normalize},
        {"terminals", terminals},
        {"terminal_set", r.terminalSet},
        {"fitness", r.fitness},
    };
    j["cost"] = r.cost ? number(*r.cost) : json(nullptr);
    if (r.stats) j["stats"] = *r.stats;
    auto const runs = [&](std::vector<EnsembleMember> const& list) {
        json out = json::array();
        for (auto const& m : list) {
            out.push_back({{"seed", m.seed}, {"formula", m.formula}, {"size", m.size},
                           {"train_tau", number(m.trainTau)}, {"test_tau", number(m.testTau)}, {"dir", m.dir},
                           {"creator", m.creator}});
        }
        return out;
    };
    j["islands"] = r.islands;
    if (r.islands > 1) j["island_bests"] = runs(r.islandBests);
    if (r.ensemble) {
        j["ensemble"] = *r.ensemble;
        j["members"] = runs(r.members);
    }
    return j.dump(indent);
}

RunReport parseRunReport(std::string_view text, std::string const& source) {
    json j;
    try {
        j = json::parse(text);
    } catch (json::parse_error const& e) {
        throw RunReportError(fmt::format("{}: not a JSON document ({})", source, e.what()));
    }
    Reader const in{source, ""};
    if (!j.is_object()) in.fail("expected a JSON object (a zcgp evolve result.json)");
    RunReport r;
    r.formula = in.text(j, "formula");
    r.simplified = j.contains("simplified") ? in.text(j, "simplified") : r.formula;
    r.size = in.count(j, "size");
    r.depth = j.contains("depth") ? in.count(j, "depth") : 0;
    r.trainTau = in.number(j, "train_tau");
    r.testTau = in.number(j, "test_tau");
    r.testSpearman = in.number(j, "test_spearman");
    r.penalisedFitness = in.number(j, "penalised_fitness");
    r.finiteOnAllArchs = in.at("finite_on_all_archs").flag(in.field(j, "finite_on_all_archs"));
    r.tasks = in.at("tasks").texts(in.field(j, "tasks"));
    in.at("per_task").each(in.field(j, "per_task"), [&](Reader const& at, json const& t) {
        TaskQuality q;
        q.task = at.text(t, "task");
        q.trainTau = at.number(t, "train_tau");
        q.testTau = at.number(t, "test_tau");
        q.testSpearman = at.number(t, "test_spearman");
        q.trainArchs = at.count(t, "train_archs");
        q.testArchs = at.count(t, "test_archs");
        if (t.contains("train_keys")) q.trainKeys = at.at("train_keys").texts(t.at("train_keys"));
        r.perTask.push_back(std::move(q));
    });
    r.seed = in.count(j, "seed");
    r.generations = in.count(j, "generations");
    r.generationsPlanned = j.contains("generations_planned") ? in.count(j, "generations_planned") : r.generations;
    r.stopped = j.contains("stopped") ? in.text(j, "stopped") : "generations";
    r.population = in.count(j, "population");
    r.trainArchs = in.count(j, "train_archs");
    if (auto const& h = in.field(j, "best_handcrafted"); !h.is_null()) {
        auto const at = in.at("best_handcrafted");
        r.bestHandcrafted = HandcraftedQuality{at.text(h, "name"), at.number(h, "train_tau"), at.number(h, "test_tau"),
                                               at.number(h, "test_spearman")};
    }
    r.seconds = in.number(j, "seconds");
    r.evaluations = in.count(j, "evaluations");
    r.nodeEvaluations = in.count(j, "node_evaluations");
    {
        auto const& p = in.field(j, "pruned");
        if (!p.is_object()) in.at("pruned").fail("expected an object");
        for (auto it = p.begin(); it != p.end(); ++it) r.pruned[it.key()] = in.at("pruned").at(it.key()).count(it.value());
    }
    in.at("pareto").each(in.field(j, "pareto"), [&](Reader const& at, json const& p) {
        r.pareto.push_back({at.count(p, "size"), at.text(p, "formula"), at.number(p, "train_tau"), at.number(p, "test_tau")});
    });
    // written since issue 13; older reports lack them
    if (j.contains("cost_pareto")) {
        in.at("cost_pareto").each(in.field(j, "cost_pareto"), [&](Reader const& at, json const& p) {
            r.costPareto.push_back({at.number(p, "cost"), at.count(p, "size"), at.text(p, "formula"),
                                    at.number(p, "train_tau"), at.number(p, "test_tau")});
        });
    }
    if (j.contains("cost") && !j.at("cost").is_null()) r.cost = in.number(j, "cost");
    if (j.contains("terms")) r.terms = in.count(j, "terms");
    if (j.contains("cost_weight")) r.costWeight = in.number(j, "cost_weight");
    in.at("data").each(in.field(j, "data"), [&](Reader const& at, json const& d) {
        DataSummary summary{at.text(d, "task"), at.count(d, "archs"), at.count(d, "dropped_archs"),
                            at.at("dropped_proxies").texts(at.field(d, "dropped_proxies")), "", "", false};
        // written since issue 12; older reports lack them
        if (d.is_object() && d.contains("source")) summary.source = at.text(d, "source");
        if (d.is_object() && d.contains("target")) summary.target = at.text(d, "target");
        if (d.is_object() && d.contains("target_negated")) summary.targetNegated = at.at("target_negated").flag(d.at("target_negated"));
        r.data.push_back(std::move(summary));
    });
    r.normalize = in.text(j, "normalize");
    in.at("terminals").each(in.field(j, "terminals"), [&](Reader const& at, json const& t) {
        TerminalTransform x;
        x.name = at.text(t, "name");
        x.kind = at.text(t, "kind");
        x.inScale = at.number(t, "in_scale");
        x.shift = at.number(t, "shift");
        x.scale = at.number(t, "scale");
        if (t.contains("knee")) x.knee = at.number(t, "knee");
        if (t.contains("source")) x.source = at.text(t, "source");
        r.terminals.push_back(std::move(x));
    });
    if (j.contains("terminal_set")) r.terminalSet = in.text(j, "terminal_set");
    if (j.contains("fitness")) r.fitness = in.text(j, "fitness");  // absent before --fitness existed: kendall
    if (j.contains("stats")) r.stats = in.text(j, "stats");
    auto const readRuns = [&](char const* key, std::vector<EnsembleMember>& list) {
        in.at(key).each(in.field(j, key), [&](Reader const& at, json const& m) {
            list.push_back({at.count(m, "seed"), at.text(m, "formula"), at.count(m, "size"),
                            at.number(m, "train_tau"), at.number(m, "test_tau"), at.text(m, "dir"),
                            m.contains("creator") ? at.text(m, "creator") : std::string()});
        });
    };
    if (j.contains("islands")) {  // absent before --islands existed: one population
        r.islands = in.count(j, "islands");
        if (r.islands == 0) throw RunReportError(fmt::format("{}: field 'islands': must be at least 1", source));
        if (r.islands > 1) readRuns("island_bests", r.islandBests);
    }
    if (j.contains("ensemble")) {
        r.ensemble = in.count(j, "ensemble");
        readRuns("members", r.members);
    }
    return r;
}

RunReport readRunReport(std::filesystem::path const& runOrFile) {
    std::error_code ec;
    auto const file = std::filesystem::is_directory(runOrFile, ec) ? runOrFile / "result.json" : runOrFile;
    if (std::filesystem::is_directory(file, ec)) {
        throw RunReportError(fmt::format("{}: is a directory, not a result.json", file.string()));
    }
    std::ifstream is(file);
    if (!is) {
        throw RunReportError(fmt::format("{}: cannot be read (no finished zcgp evolve run there)", file.string()));
    }
    std::stringstream text;
    text << is.rdbuf();
    return parseRunReport(text.str(), file.string());
}

}  // namespace zcgp::engine

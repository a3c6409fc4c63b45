// Experiment "zero_shot_search": NAS over the full NAS-Bench-201 space with a proxy as the objective. Every
// search scores the same number of cells natively (zcgp search); objectives are the evolved proxy, single
// proxies and random choice. Reports the chosen cell's true test accuracy and the time taken.
// It runs `zcgp search` in sub-processes (zcgp-torch's), so it links no LibTorch itself; it is offered only
// by builds that have zcgp-torch.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "EvolveRuns.hpp"
#include "Experiments.hpp"
#include "Plot.hpp"
#include "TableFormat.hpp"
#include "zcgp/proxy_cache/Nb201Accuracy.hpp"

namespace zcgp::cli {
namespace {

[[maybe_unused]] std::string runZeroShot(ExperimentContext& ctx) {
    auto const& cfg = ctx.config;
    auto const objectives = cfg.getStringList("objectives");
    auto const algorithms = cfg.getStringList("algorithms");
    auto const seeds = cfg.getInt("seeds");
    auto const archs = cfg.getInt("archs");
    std::filesystem::path evolvedRun = cfg.getString("evolved_run");
    // "evolved" is the run's reported formula; "evolved@PICK" the formula `zcgp search --pick PICK` chooses of it
    auto const isEvolved = [](std::string const& o) { return o == "evolved" || o.starts_with("evolved@"); };
    for (auto const& o : objectives) {
        if (!o.starts_with("evolved@")) continue;
        auto const pick = o.substr(8);
        if (pick != "best" && pick != "search-value" && !(pick.starts_with("cost-of:") && pick.size() > 8)) {
            throw UsageError(fmt::format("{}: objectives: '{}' has an unknown pick '{}' (valid: evolved@best, "
                                         "evolved@cost-of:PROXY, evolved@search-value)", ctx.config.file().string(), o, pick));
        }
    }
    bool const needsEvolved = std::any_of(objectives.begin(), objectives.end(), isEvolved);
    if (needsEvolved && evolvedRun.empty()) {
        // Evolve the proxy first, on the cached NB201 CIFAR-10 scores (paper budget unless overridden).
        evolvedRun = ctx.results.path() / "evolved";
        std::string cmd = fmt::format("{} evolve --task nb201/cifar10 --seed 0 --quiet --force --out {} --data {}",
                                      shellQuote(ctx.zcgpBinary.string()), shellQuote(evolvedRun.string()),
                                      shellQuote(ctx.dataDir.string()));
        for (auto const& a : cfg.getStringList("evolve_args")) cmd += " " + shellQuote(a);
        auto const r = runJobs({{"evolve the objective", cmd}}, 1, ctx.quiet).front();
        if (r.exitCode != 0) throw std::runtime_error(fmt::format("evolving the objective failed: {}", r.err));
    }
    std::vector<Job> jobs;
    struct Key {
        std::string objective, algorithm;
    };
    std::vector<Key> keys;
    // seed outermost, so that the searches of one seed run next to each other: on a shared machine the
    // (objective, algorithm) pairs then see the same load
    for (std::int64_t s = 0; s < seeds; ++s) {
        for (auto const& objective : objectives) {
            for (auto const& algorithm : algorithms) {
                // Random choice needs no search: one random pick among `archs` sampled cells per seed.
                if (objective == "random" && algorithm != "random") continue;
                bool const evolved = isEvolved(objective);
                std::string cmd = fmt::format(
                    "{} search --objective {} --algorithm {} --archs {} --seed {} --init-seed {} --batch {} "
                    "--population {} --sample {} --dataset {} --time-limit {} --json --data {}",
                    shellQuote(ctx.zcgpBinary.string()), shellQuote(evolved ? std::string("evolved") : objective),
                    shellQuote(algorithm), archs, s, cfg.getInt("init_seed"), cfg.getInt("batch"),
                    cfg.getInt("population"), cfg.getInt("sample"), shellQuote(cfg.getString("dataset")),
                    cfg.getFloat("time_limit"), shellQuote(ctx.dataDir.string()));
                if (evolved) cmd += " --run " + shellQuote(evolvedRun.string());
                if (objective.starts_with("evolved@")) cmd += " --pick " + shellQuote(objective.substr(8));
                jobs.push_back({fmt::format("{} / {} seed {}", objective, algorithm, s), cmd});
                keys.push_back({objective, algorithm});
            }
        }
    }
    auto const results = runJobs(jobs, static_cast<std::size_t>(std::max<std::int64_t>(0, cfg.getInt("parallel_runs"))), ctx.quiet);
    std::map<std::pair<std::string, std::string>, std::vector<nlohmann::json>> byKey;
    std::string csv = "objective,algorithm,seed,arch,cifar10,cifar100,ImageNet16-120,archs_scored,seconds,formula\n";
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (results[i].exitCode != 0) {
            throw std::runtime_error(fmt::format("search '{}' failed (exit {}): {}", jobs[i].label, results[i].exitCode, results[i].err));
        }
        auto const j = nlohmann::json::parse(results[i].out);
        auto const& acc = j.at("best").at("test_accuracy");
        csv += fmt::format("{},{},{},{},{:.4f},{:.4f},{:.4f},{},{:.2f},\"{}\"\n", keys[i].objective, keys[i].algorithm,
                           j.value("seed", 0), j.at("best").value("arch", ""), acc.value("cifar10", 0.0),
                           acc.value("cifar100", 0.0), acc.value("ImageNet16-120", 0.0), j.value("archs_scored", 0),
                           j.value("seconds", 0.0), j.value("formula", ""));
        byKey[{keys[i].objective, keys[i].algorithm}].push_back(j);
    }
    ctx.results.write("searches.csv", csv);

    auto const optimum = proxy_cache::Nb201Accuracy::load(ctx.dataDir).optimum();
    ResultTable table;
    table.corner = "objective / algorithm";
    table.columns = {"CIFAR-10", "CIFAR-100", "ImageNet16-120", "cells scored", "seconds per search"};
    std::vector<PlotSeries> curves;
    for (auto const& [key, list] : byKey) {
        std::vector<double> c10, c100, in16, secs, scored;
        for (auto const& j : list) {
            auto const& acc = j.at("best").at("test_accuracy");
            c10.push_back(acc.value("cifar10", std::nan("")));
            c100.push_back(acc.value("cifar100", std::nan("")));
            in16.push_back(acc.value("ImageNet16-120", std::nan("")));
            secs.push_back(j.value("seconds", std::nan("")));
            scored.push_back(j.value("archs_scored", 0.0));
        }
        table.rows.push_back(key.first + " / " + key.second);
        table.cells.push_back({{std::nullopt, formatMeanStd(meanStd(c10), 2)}, {std::nullopt, formatMeanStd(meanStd(c100), 2)},
                               {std::nullopt, formatMeanStd(meanStd(in16), 2)}, {std::nullopt, formatMeanStd(meanStd(scored), 0)},
                               {std::nullopt, formatMeanStd(meanStd(secs), 1)}});
        // mean CIFAR-10 accuracy of the current choice against the number of cells scored
        PlotSeries curve{key.first + " / " + key.second, {}, {}, {}, "lines lw 2"};
        std::size_t const steps = list.front().at("trajectory").size();
        for (std::size_t s = 0; s < steps; ++s) {
            std::vector<double> at;
            for (auto const& j : list) {
                auto const& t = j.at("trajectory");
                if (s < t.size()) at.push_back(t[s][1].get<double>());
            }
            curve.x.push_back(static_cast<double>(s + 1));
            curve.y.push_back(meanStd(at).mean);
        }
        curves.push_back(curve);
    }
    table.rows.push_back("optimum (NAS-Bench-201)");
    table.cells.push_back({{optimum[0], ""}, {optimum[1], ""}, {optimum[2], ""}, {std::nullopt, ""}, {std::nullopt, ""}});
    table.precision = 2;
    auto const markdown = table.render(TableFormat::Markdown);
    ctx.results.write("summary.md", markdown);
    ctx.results.write("summary.csv", table.render(TableFormat::Csv));
    renderPlot(ctx.results.path(), "search_curves",
               PlotSpec{"zero-shot search on NAS-Bench-201: CIFAR-10 test accuracy of the chosen cell (mean over seeds)",
                        "cells scored", "test accuracy of the current choice (%)", curves, false, ""});
    double const timeLimit = cfg.getFloat("time_limit");
    std::string const budget = timeLimit > 0 ? fmt::format("at most {} cells or {:g} s per search", archs, timeLimit)
                                             : fmt::format("{} cells scored per search", archs);
    return fmt::format("## Zero-shot search over NAS-Bench-201 ({}, {} seeds, proxies on {}, batch {})\n\n"
                       "Test accuracy (%) of the chosen cell, mean ± std over seeds.\n\n{}",
                       budget, seeds, cfg.getString("dataset"), cfg.getInt("batch"), markdown);
}

#ifdef ZCGP_HAS_TORCH_COMMANDS
ZCGP_REGISTER_EXPERIMENT("zero_shot_search", runZeroShot);
#endif

}  // namespace
}  // namespace zcgp::cli

// zcgp parzc: train ParZC (MABN + DiffKendall, proxy_cache/torch/ParZC.hpp) on the node-wise statistics of a
// statistics cache, and evaluate a trained model on another cache. docs/parzc.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "Command.hpp"
#include "TorchCommands.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/proxy_cache/ArchitectureSelection.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"
#include "zcgp/proxy_cache/torch/ParZC.hpp"
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace pc = zcgp::proxy_cache;
namespace pz = zcgp::proxy_cache::parzc;
using nlohmann::json;

namespace zcgp::cli {
namespace {

constexpr char const* TrainUsage =
    "train --task SPACE/DATASET --stats FILE.zcstats (--train-archs N | --train-keys FILE) [--seed S] --out DIR\n"
    "       [--force] [--resume] [--loss diffkendall|mse|both] [--epochs N] [--device auto|cpu|cuda] [--kinds a,b,c] [--json]";
constexpr char const* EvaluateUsage = "evaluate --run DIR [--stats FILE] [--samples S] [--json]";

// Every file a train run writes; --force replaces exactly these.
constexpr std::array<char const*, 6> kRunFiles = {"model.pt", "result.json", "log.jsonl", "options.json",
                                                  "train_keys.txt", "predictions.csv"};

json finiteOrNull(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

pc::StatisticsCache readCache(std::string const& file) {
    try {
        return pc::StatisticsCache::read(file);
    } catch (std::exception const& e) {
        throw UsageError(fmt::format("--stats: {}", e.what()));
    }
}

std::vector<std::string> splitList(std::string const& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string k; std::getline(in, k, ',');) {
        if (!k.empty()) out.push_back(k);
    }
    return out;
}

// One architecture per line: its key, the truth, the predicted mean and std, and which side of the split it is on.
std::string predictionsCsv(pz::FeatureMatrix const& f, std::vector<double> const& truth, pz::Prediction const& p,
                           std::vector<std::string> const& side) {
    std::string out = "arch,target,mean,std,split\n";
    for (std::size_t i = 0; i < f.rows(); ++i) {
        out += fmt::format("\"{}\",{:.17g},{:.17g},{:.17g},{}\n", f.keys[i], truth[i], p.mean[i], p.std[i], side[i]);
    }
    return out;
}

struct Quality {
    double tau{0}, spearman{0}, uncertainty{0};
};

Quality quality(pz::Prediction const& p, std::vector<double> const& truth) {
    return {fitness::kendallTau(p.mean, truth), fitness::spearman(p.mean, truth),
            pz::uncertaintyRankCorrelation(p, truth)};
}

std::vector<double> pick(std::vector<double> const& v, std::vector<std::size_t> const& rows) {
    std::vector<double> out;
    for (auto r : rows) out.push_back(v[r]);
    return out;
}

int runTrain(std::vector<std::string> const& args) {
    po::options_description visible("zcgp parzc train options");
    visible.add_options()
        ("task", po::value<std::string>()->value_name("SPACE/DATASET"), "the cache's task, e.g. nb201/cifar10")
        ("stats", po::value<std::string>()->value_name("FILE"), "statistics cache from zcgp gather")
        ("train-archs", po::value<std::size_t>(), "train on the first N of a seeded shuffle of the cache's archs")
        ("train-keys", po::value<std::string>()->value_name("FILE"),
         "train on these architectures (one key per line, e.g. another run's train_keys.txt) instead")
        ("seed", po::value<std::uint64_t>()->default_value(0), "seed of the split, initialisation and every draw")
        ("out", po::value<std::string>()->value_name("DIR"), "run directory (model.pt, result.json, log.jsonl, ...)")
        ("force", po::bool_switch(), "replace the run already in --out")
        ("resume", po::bool_switch(),
         "continue the interrupted training in OUT.partial after its last completed epoch (the same options)")
        ("loss", po::value<std::string>()->default_value("diffkendall"), "diffkendall | mse | both (their sum)")
        ("epochs", po::value<std::size_t>()->default_value(100), "training epochs (cosine schedule over them)")
        ("batch", po::value<std::size_t>()->default_value(32), "architectures per training batch")
        ("lr", po::value<double>()->default_value(1e-4), "Adam learning rate at the start")
        ("weight-decay", po::value<double>()->default_value(1e-3), "Adam weight decay")
        ("alpha", po::value<double>()->default_value(0.5), "DiffKendall's alpha")
        ("kl-weight", po::value<double>()->default_value(1e-2), "beta: loss += beta * KL / Bayesian weights")
        ("prior-sigma", po::value<double>()->default_value(0.1), "std of the Bayesian weights' Gaussian prior")
        ("samples", po::value<std::size_t>()->default_value(16), "Bayesian samples per prediction (mean, std)")
        ("kinds", po::value<std::string>()->default_value("grad_l2,snip_layer,synflow_layer"),
         "node-wise statistics of the cache the model reads, comma-separated")
        ("device", po::value<std::string>()->default_value("auto"), "auto | cpu | cuda")
        ("threads", po::value<std::size_t>()->default_value(1), "LibTorch threads (0: its default)")
        ("json", po::bool_switch(), "print result.json to stdout")
        ("quiet", po::bool_switch(), "print nothing but errors");
    addCommonOptions(visible);
    po::options_description hidden;
    // the control of the experiment: the same training on a random permutation of the train targets
    hidden.add_options()("shuffle-labels", po::bool_switch());
    // the tests' stand-in for a killed training: stop with exit code 3 once epoch N is checkpointed
    hidden.add_options()("stop-after-epoch", po::value<std::size_t>());
    po::options_description all;
    all.add(visible).add(hidden);
    po::variables_map vm;
    if (!parseArguments("parzc", TrainUsage, all, args, vm, nullptr,
                        {{"train-archs", {2, 1e9}}, {"epochs", {1, 1e6}}, {"batch", {2, 1e6}}, {"lr", {0, 10}},
                         {"weight-decay", {0, 10}}, {"alpha", {1e-6, 1e9}}, {"kl-weight", {0, 1e6}},
                         {"prior-sigma", {1e-6, 1e3}}, {"samples", {1, 1e5}}, {"threads", {0, 1024}}})) {
        return 0;
    }
    for (auto const* required : {"task", "stats", "out"}) {
        if (vm.count(required) == 0U) throw UsageError(fmt::format("zcgp parzc train: --{} is required", required));
    }
    if ((vm.count("train-archs") == 0U) == (vm.count("train-keys") == 0U)) {
        throw UsageError("zcgp parzc train: give exactly one of --train-archs N and --train-keys FILE");
    }
    auto const task = vm["task"].as<std::string>();
    auto const statsFile = fs::absolute(vm["stats"].as<std::string>()).lexically_normal();
    fs::path const out = vm["out"].as<std::string>();
    bool const force = vm["force"].as<bool>(), quiet = vm["quiet"].as<bool>();
    // refuse before any work: an existing run is only replaced with --force, and only at the end
    std::error_code ec;
    if (fs::exists(out, ec) && !fs::is_directory(out, ec)) {
        throw UsageError(fmt::format("--out {}: exists and is not a directory", out.string()));
    }
    if (fs::exists(out, ec) && !fs::is_empty(out, ec) && !force) {
        throw UsageError(fmt::format("--out {}: already holds files; pass --force to replace the run there, or "
                                     "choose another directory", out.string()));
    }
    pz::TrainOptions options;
    try {
        options.loss = pz::parseLoss(vm["loss"].as<std::string>());
    } catch (std::invalid_argument const& e) {
        throw UsageError(fmt::format("--loss: {}", e.what()));
    }
    options.epochs = vm["epochs"].as<std::size_t>();
    options.batchSize = vm["batch"].as<std::size_t>();
    options.learningRate = vm["lr"].as<double>();
    options.weightDecay = vm["weight-decay"].as<double>();
    options.alpha = vm["alpha"].as<double>();
    options.klWeight = vm["kl-weight"].as<double>();
    options.priorSigma = vm["prior-sigma"].as<double>();
    options.samples = vm["samples"].as<std::size_t>();
    options.seed = vm["seed"].as<std::uint64_t>();
    options.device = vm["device"].as<std::string>();
    auto const kinds = splitList(vm["kinds"].as<std::string>());
    pz::setTorchThreads(vm["threads"].as<std::size_t>());

    auto const cache = readCache(statsFile.string());
    auto const cacheTask = cache.options().space + "/" + cache.options().dataset;
    if (cacheTask != task) {
        throw UsageError(fmt::format("--stats {}: gathered for {}, but --task is {}", statsFile.string(), cacheTask, task));
    }
    auto const dataDir = resolveDataDir(vm);
    pz::FeatureMatrix features;
    std::vector<double> truth;
    pz::Split split;
    std::string splitSource;
    try {
        features = pz::buildFeatures(cache, kinds);
        truth = pz::nb201Targets(features.keys, cache.options().dataset, dataDir);
        if (vm.count("train-keys") != 0U) {
            auto const file = vm["train-keys"].as<std::string>();
            std::vector<std::string> keys;
            try {
                keys = pc::readArchitectureList(file, [](std::string const& k) {
                    return pc::nb201TupleKey(pc::parseNb201Cell(k));
                });
            } catch (std::exception const& e) {
                throw UsageError(fmt::format("--train-keys: {}", e.what()));
            }
            split = pz::splitFromKeys(features.keys, keys, "--train-keys " + file);
            splitSource = "file:" + file;
        } else {
            split = pz::seededSplit(features.keys, vm["train-archs"].as<std::size_t>(), options.seed);
            splitSource = "seeded";
        }
    } catch (pz::ParzcError const& e) {
        throw UsageError(e.what());
    }
    auto trainX = features.subset(split.train);
    auto trainY = pick(truth, split.train);
    bool const shuffled = vm["shuffle-labels"].as<bool>();
    if (shuffled) {
        std::mt19937_64 rng(options.seed ^ 0x5eedULL);  // the control's own permutation; the split is unchanged
        for (std::size_t i = trainY.size(); i > 1; --i) std::swap(trainY[i - 1], trainY[rng() % i]);
    }

    std::vector<std::string> trainKeys;
    for (auto r : split.train) trainKeys.push_back(features.keys[r]);
    json opts{{"task", task}, {"stats", statsFile.string()}, {"split", splitSource},
              {"train_archs", split.train.size()}, {"seed", options.seed}, {"loss", pz::lossName(options.loss)},
              {"epochs", options.epochs}, {"batch", options.batchSize}, {"lr", options.learningRate},
              {"weight_decay", options.weightDecay}, {"alpha", options.alpha}, {"kl_weight", options.klWeight},
              {"prior_sigma", options.priorSigma}, {"samples", options.samples}, {"kinds", kinds},
              {"dropout", options.dropout}, {"shuffle_labels", shuffled},
              // how the cache's statistics were measured: zcgp search --objective parzc measures candidates alike
              {"gather", {{"dataset", cache.options().dataset}, {"batch", cache.options().batchSize},
                          {"seed", cache.options().seed}}}};
    auto const trainKeysText = fmt::format("{}\n", fmt::join(trainKeys, "\n"));

    // everything goes to a sibling directory first; the old run is replaced only once the new one is complete.
    // The staging directory holds options.json and train_keys.txt from the start and checkpoint.pt after every
    // epoch, so --resume can check that it continues the same training.
    fs::path const staging = out.string() + ".partial";
    bool const resume = vm["resume"].as<bool>();
    if (resume) {
        if (!fs::is_regular_file(staging / "options.json")) {
            throw UsageError(fmt::format("--resume: no interrupted training in {} (start without --resume)",
                                         staging.string()));
        }
        json before;
        try {
            before = json::parse(std::ifstream(staging / "options.json"));
        } catch (std::exception const& e) {
            throw UsageError(fmt::format("--resume: {}: unreadable: {}", (staging / "options.json").string(), e.what()));
        }
        for (auto const& [key, value] : opts.items()) {
            if (!before.contains(key) || before[key] != value) {
                throw UsageError(fmt::format("--resume: {} was started with {} = {}, this command has {} (run without "
                                             "--resume to start over)", staging.string(), key,
                                             before.contains(key) ? before[key].dump() : std::string("nothing"),
                                             value.dump()));
            }
        }
        std::ifstream keysIn(staging / "train_keys.txt");
        std::string const keysBefore((std::istreambuf_iterator<char>(keysIn)), std::istreambuf_iterator<char>());
        if (keysBefore != trainKeysText) {
            throw UsageError(fmt::format("--resume: {} was started on other train architectures than this command's "
                                         "(run without --resume to start over)", staging.string()));
        }
    } else {
        fs::remove_all(staging, ec);
        fs::create_directories(staging);
        writeAtomically(staging / "options.json", opts.dump(2) + "\n");
        writeAtomically(staging / "train_keys.txt", trainKeysText);
    }
    std::ofstream log(staging / "log.jsonl", std::ios::trunc);  // a resumed training replays its epochs' lines
    if (!quiet) {
        std::cerr << fmt::format("zcgp parzc train: {} train and {} held-out architectures of {}, loss {}, {} epochs{}\n",
                                 split.train.size(), split.test.size(), statsFile.string(), pz::lossName(options.loss),
                                 options.epochs, shuffled ? " (train labels shuffled)" : "");
    }
    std::size_t const stopAfter = vm.count("stop-after-epoch") != 0U ? vm["stop-after-epoch"].as<std::size_t>() : 0;
    struct Stopped {};
    pz::Checkpointing const checkpointing{staging / "checkpoint.pt", resume};
    pz::Model model;
    double seconds = 0;  // the training loop's, over every invocation of a resumed training
    try {
        model = pz::Model::train(trainX, trainY, options, [&](pz::EpochLog const& e) {
            seconds = e.seconds;
            json line{{"epoch", e.epoch}, {"loss", finiteOrNull(e.loss)}, {"rank_loss", finiteOrNull(e.rankLoss)},
                      {"mse_loss", finiteOrNull(e.mseLoss)}, {"kl", finiteOrNull(e.kl)},
                      {"train_tau", finiteOrNull(e.trainTau)}, {"lr", e.learningRate}, {"seconds", e.seconds},
                      {"phase_seconds", {{"forward", e.forwardSeconds}, {"backward", e.backwardSeconds},
                                         {"step", e.stepSeconds}, {"train_tau", e.trainTauSeconds},
                                         {"checkpoint", e.checkpointSeconds}}}};
            log << line.dump() << '\n';
            log.flush();
            if (e.epoch == stopAfter) throw Stopped{};
        }, &checkpointing);
    } catch (Stopped const&) {
        std::cerr << fmt::format("zcgp parzc train: stopped after epoch {} (--stop-after-epoch); continue with --resume\n",
                                 stopAfter);
        return 3;
    } catch (pz::ParzcError const& e) {
        if (!resume) fs::remove_all(staging, ec);
        throw UsageError(e.what());
    }
    model.save(staging / "model.pt");
    // The held-out rows are predicted on their own, in cache order, exactly as zcgp parzc evaluate predicts them:
    // float32 GEMMs give other last bits for other batch shapes on some CPUs, so one prediction of all rows would
    // not reproduce evaluate's numbers there.
    auto const trainPrediction = model.predict(trainX, 0, 0);
    auto const testPrediction = model.predict(features.subset(split.test), 0, 0);
    auto const trainQ = quality(trainPrediction, trainY);
    auto const testQ = quality(testPrediction, pick(truth, split.test));
    pz::Prediction prediction;
    prediction.mean.assign(features.rows(), 0.0);
    prediction.std.assign(features.rows(), 0.0);
    for (auto const& [rows, part] : {std::pair{&split.train, &trainPrediction}, std::pair{&split.test, &testPrediction}}) {
        for (std::size_t k = 0; k < rows->size(); ++k) {
            prediction.mean[(*rows)[k]] = part->mean[k];
            prediction.std[(*rows)[k]] = part->std[k];
        }
    }

    std::vector<std::string> side(features.rows(), "test");
    for (auto r : split.train) side[r] = "train";
    // field names as in an evolve run's result.json where they mean the same (engine/RunReport.hpp)
    json result{{"model", "parzc"}, {"loss", pz::lossName(options.loss)},
                {"train_tau", finiteOrNull(trainQ.tau)}, {"test_tau", finiteOrNull(testQ.tau)},
                {"test_spearman", finiteOrNull(testQ.spearman)},
                {"test_uncertainty_spearman", finiteOrNull(testQ.uncertainty)},
                {"tasks", {task}},
                {"per_task", {{{"task", task}, {"train_tau", finiteOrNull(trainQ.tau)},
                               {"test_tau", finiteOrNull(testQ.tau)}, {"test_spearman", finiteOrNull(testQ.spearman)},
                               {"train_archs", split.train.size()}, {"test_archs", split.test.size()},
                               {"train_keys", trainKeys}}}},
                {"seed", options.seed}, {"train_archs", split.train.size()}, {"epochs", options.epochs},
                {"seconds", seconds}, {"device", model.deviceName()}, {"parameters", model.parameterCount()},
                {"kinds", kinds}, {"stats", statsFile.string()},
                {"data", {{{"task", task}, {"archs", features.rows()}, {"dropped_archs", 0},
                           {"source", statsFile.string()}, {"target", "nb201 test accuracy (200 epochs)"}}}},
                {"shuffle_labels", shuffled}};
    writeAtomically(staging / "predictions.csv", predictionsCsv(features, truth, prediction, side));
    log.close();
    writeAtomically(staging / "result.json", result.dump(2) + "\n");
    // --force replaces the files of a ParZC run only; anything else in --out stays
    fs::create_directories(out);
    for (auto const* f : kRunFiles) fs::remove(out / f, ec);
    for (auto const* f : kRunFiles) fs::rename(staging / f, out / f);
    fs::remove_all(staging, ec);
    if (vm["json"].as<bool>()) std::cout << result.dump() << '\n';
    if (!quiet) {
        std::cerr << fmt::format("zcgp parzc train: held-out Kendall {:.4f}, Spearman {:.4f} ({} archs); train Kendall "
                                 "{:.4f}; {:.1f} s on {}; wrote {}\n", testQ.tau, testQ.spearman, split.test.size(),
                                 trainQ.tau, seconds, model.deviceName(), out.string());
    }
    return 0;
}

int runEvaluate(std::vector<std::string> const& args) {
    po::options_description visible("zcgp parzc evaluate options");
    visible.add_options()
        ("run", po::value<std::string>()->value_name("DIR"), "a zcgp parzc train run")
        ("stats", po::value<std::string>()->value_name("FILE"),
         "another statistics cache (another seed or dataset); default: the run's own, on its held-out archs")
        ("samples", po::value<std::size_t>(), "Bayesian samples per prediction (default: the run's)")
        ("device", po::value<std::string>()->default_value("cpu"), "auto | cpu | cuda")
        ("threads", po::value<std::size_t>()->default_value(1), "LibTorch threads (0: its default)")
        ("predictions", po::value<std::string>()->value_name("FILE"), "write the per-architecture predictions (CSV)")
        ("json", po::bool_switch(), "print one JSON object");
    addCommonOptions(visible);
    po::variables_map vm;
    if (!parseArguments("parzc", EvaluateUsage, visible, args, vm, nullptr, {{"samples", {1, 1e5}}, {"threads", {0, 1024}}})) {
        return 0;
    }
    if (vm.count("run") == 0U) throw UsageError("zcgp parzc evaluate: --run DIR is required");
    fs::path const run = vm["run"].as<std::string>();
    if (!fs::exists(run / "result.json") || !fs::exists(run / "options.json")) {
        throw UsageError(fmt::format("--run {}: not a finished zcgp parzc train run (no result.json / options.json)",
                                     run.string()));
    }
    json opts;
    try {
        std::ifstream in(run / "options.json");
        opts = json::parse(in);
        (void)opts.at("stats").get<std::string>();
    } catch (std::exception const& e) {
        throw UsageError(fmt::format("{}: unreadable: {}", (run / "options.json").string(), e.what()));
    }
    pz::setTorchThreads(vm["threads"].as<std::size_t>());
    pz::Model model;
    try {
        model = pz::Model::load(run / "model.pt", vm["device"].as<std::string>());
    } catch (pz::ParzcError const& e) {
        throw UsageError(e.what());
    }
    std::string const statsFile = vm.count("stats") != 0U ? vm["stats"].as<std::string>() : opts["stats"].get<std::string>();
    auto const cache = readCache(statsFile);
    std::vector<std::string> trainKeys;
    {
        std::ifstream in(run / "train_keys.txt");
        for (std::string k; std::getline(in, k);) {
            if (!k.empty()) trainKeys.push_back(k);
        }
    }
    pz::FeatureMatrix features;
    std::vector<double> truth;
    try {
        features = pz::buildFeatures(cache, model.kinds());
        truth = pz::nb201Targets(features.keys, cache.options().dataset, resolveDataDir(vm));
    } catch (pz::ParzcError const& e) {
        throw UsageError(e.what());
    }
    // the run's train architectures are never scored as held out, whichever cache they come from
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < features.rows(); ++i) {
        if (std::find(trainKeys.begin(), trainKeys.end(), features.keys[i]) == trainKeys.end()) rows.push_back(i);
    }
    if (rows.size() < 2) {
        throw UsageError(fmt::format("--stats {}: {} architectures outside the run's train set; at least 2 are needed",
                                     statsFile, rows.size()));
    }
    auto const heldOut = features.subset(rows);
    auto const y = pick(truth, rows);
    auto const samples = vm.count("samples") != 0U ? vm["samples"].as<std::size_t>() : model.options().samples;
    auto const prediction = model.predict(heldOut, samples, 0);
    auto const q = quality(prediction, y);
    if (vm.count("predictions") != 0U) {
        writeAtomically(vm["predictions"].as<std::string>(),
                        predictionsCsv(heldOut, y, prediction, std::vector<std::string>(rows.size(), "test")));
    }
    json result{{"run", run.string()}, {"stats", statsFile},
                {"task", cache.options().space + "/" + cache.options().dataset}, {"test_archs", rows.size()},
                {"test_tau", finiteOrNull(q.tau)}, {"test_spearman", finiteOrNull(q.spearman)},
                {"test_uncertainty_spearman", finiteOrNull(q.uncertainty)}, {"samples", samples}};
    if (vm["json"].as<bool>()) {
        std::cout << result.dump() << '\n';
    } else {
        std::cout << fmt::format("{}: held-out Kendall {:.4f}, Spearman {:.4f} over {} architectures of {}; "
                                 "Spearman(std, |rank error|) {:.4f}\n", run.string(), q.tau, q.spearman, rows.size(),
                                 statsFile, q.uncertainty);
    }
    return 0;
}

int runParzc(std::vector<std::string> const& args) {
    std::string const usage = fmt::format("usage: zcgp parzc {}\n   or: zcgp parzc {}\n", TrainUsage, EvaluateUsage);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::cout << usage;
        return args.empty() ? 2 : 0;
    }
    std::vector<std::string> const rest(args.begin() + 1, args.end());
    if (args[0] == "train") return runTrain(rest);
    if (args[0] == "evaluate") return runEvaluate(rest);
    throw UsageError(fmt::format("zcgp parzc: unknown subcommand '{}' (valid: train, evaluate)", args[0]));
}

}  // namespace

ZCGP_REGISTER_COMMAND("parzc", torchCommandSummary("parzc"), runParzc);

}  // namespace zcgp::cli

#pragma once
// ParZC (Dong et al., 2024, "Parametric Zero-Cost Proxies for Efficient NAS"): a Mixer Architecture with a
// Bayesian Network (MABN) maps the node-wise zero-cost statistics of an architecture to a score with an
// uncertainty, trained with a differentiable Kendall tau (DiffKendall). Built natively in LibTorch from the
// per-layer statistics of a statistics cache (docs/parzc.md). This header is LibTorch-free; only
// zcgp::proxy_cache_torch (and what links it) loads LibTorch.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "zcgp/proxy_cache/StatisticsCache.hpp"

namespace zcgp::proxy_cache::parzc {

// Bad input for ParZC: a cache without a requested statistic, an architecture whose layer count does not match
// its cell, an unreadable or foreign model file. The message names the file, the statistic or the architecture.
class ParzcError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The statistic kinds the authors use: grad_norm, snip and synflow per layer.
[[nodiscard]] std::vector<std::string> const& defaultKinds();

// NB201 per-layer statistics have one value per conv/linear layer, so their length depends on the cell (1 + 15·c
// + 6 + 1 for c conv edges). ParZC needs a fixed-length input, so every layer gets a fixed slot: stem, then per
// cell its six edges in NASLib tuple order (slots of non-conv edges stay 0), the reduction blocks' conv_a, conv_b
// and shortcut after cells 4 and 9, the classifier last: 98 slots. Per-node statistics (45 values) keep theirs.
inline constexpr std::size_t kNb201LayerSlots = 98;
inline constexpr std::size_t kNb201NodeSlots = 45;
// The slot of each of the cell's layers, in the cache's layer order. Throws std::invalid_argument naming the
// key for a key that is not an NB201 cell.
[[nodiscard]] std::vector<std::size_t> nb201LayerSlots(std::string const& archKey);

// Row-major matrix of raw node-wise statistics, one row per architecture: the kinds side by side.
struct FeatureMatrix {
    std::vector<std::string> keys;   // architecture keys, as in the cache
    std::vector<std::string> kinds;  // statistic names, in column-block order
    std::size_t cols{0};
    std::vector<double> values;      // keys.size() x cols; non-finite values as measured
    [[nodiscard]] std::size_t rows() const { return keys.size(); }
    [[nodiscard]] std::span<double const> row(std::size_t r) const {
        return std::span<double const>(values).subspan(r * cols, cols);
    }
    // The rows at these indices, in this order.
    [[nodiscard]] FeatureMatrix subset(std::span<std::size_t const> rows) const;
};

// The node-wise matrix of `kinds` for every architecture of an NB201 cache. Throws ParzcError naming the cache
// and the statistic if the cache lacks one (listing those it has), or the architecture whose layer count does
// not fit its cell.
[[nodiscard]] FeatureMatrix buildFeatures(StatisticsCache const& cache, std::vector<std::string> const& kinds);

// The same matrix for measured architectures (ArchitectureScorer::measure, as zcgp search measures candidates):
// the layout of buildFeatures, so a measurement of a cached cell gives the cache's row. Throws ParzcError naming
// the architecture and the statistic if a measurement lacks one.
[[nodiscard]] FeatureMatrix measuredFeatures(std::span<ArchitectureMeasurement const> measurements,
                                             std::vector<std::string> const& kinds);

// DiffKendall (the authors' piconas/core/losses/diffkd.py, written from its definition):
//   L = -(2 / (N(N-1))) * sum_{i != j} tanh(alpha * (p_i - p_j) / 2) * tanh(alpha * (y_i - y_j) / 2),
// so -L/2 tends to Kendall's tau-a as alpha grows (tau-b on untied data). Computed with the LibTorch
// implementation the training uses; diffKendallGradient is dL/dp by autograd. Needs N >= 2 equal lengths.
[[nodiscard]] double diffKendall(std::span<double const> predicted, std::span<double const> target, double alpha);
[[nodiscard]] std::vector<double> diffKendallGradient(std::span<double const> predicted,
                                                      std::span<double const> target, double alpha);

enum class Loss { DiffKendall, Mse, Both };
[[nodiscard]] Loss parseLoss(std::string const& name);  // diffkendall | mse | both; std::invalid_argument else
[[nodiscard]] std::string lossName(Loss loss);

struct TrainOptions {
    Loss loss{Loss::DiffKendall};
    std::size_t epochs{100};         // the authors' run_nb201_parzc.sh
    std::size_t batchSize{32};       // the authors' script: --train_batch_size 32
    double learningRate{1e-4};       // Adam, the authors' default
    double weightDecay{1e-3};        // Adam's L2 term, the authors' default
    double alpha{0.5};               // DiffKendall's alpha, the authors' default
    double klWeight{1e-2};           // beta: loss += beta * KL / (number of Bayesian weights)
    double priorSigma{0.1};          // the Bayesian weights' prior N(0, priorSigma^2)
    double dropout{0.1};             // in the feed-forward blocks and before the last layer, as the authors
    std::uint64_t seed{0};
    std::string device{"auto"};      // auto | cpu | cuda
    // Samples of the Bayesian layers for a prediction's mean and std.
    std::size_t samples{16};
};

struct EpochLog {
    std::size_t epoch{0};       // 1-based
    double loss{0};             // mean over the epoch's batches, total
    double rankLoss{0};         // DiffKendall part (NaN without it)
    double mseLoss{0};          // MSE part (NaN without it)
    double kl{0};               // KL / weights (before beta)
    double trainTau{0};         // Kendall tau of the deterministic (mean-weight) prediction on the train archs
    double learningRate{0};
    double seconds{0};          // since training started
    // where the epoch's time went (wall seconds): forward passes and losses, backward, Adam steps, the train tau's
    // prediction, writing the checkpoint
    double forwardSeconds{0}, backwardSeconds{0}, stepSeconds{0}, trainTauSeconds{0}, checkpointSeconds{0};
};

// Checkpointing of Model::train (zcgp parzc train --resume). After every epoch the whole training state goes to
// `file` (written atomically): the weights, Adam's moments, the batch shuffler, LibTorch's CPU generator and the
// epoch logs so far. With resume and an existing file, training continues after the file's last epoch (first
// replaying its epoch logs through onEpoch), so an interrupted and resumed training ends with the model an
// uninterrupted one gives, bit for bit on the CPU (tested). Whether the options are the same is the caller's
// check; the file records the input width and kinds, and a mismatch is a ParzcError naming the file.
struct Checkpointing {
    std::filesystem::path file;
    bool resume{false};
};

struct Prediction {
    std::vector<double> mean, std;  // per architecture, in standardised target units
};

// A trained MABN with its input and target standardisation (fitted on the train architectures only).
class Model {
public:
    Model();
    ~Model();
    Model(Model&&) noexcept;
    Model& operator=(Model&&) noexcept;

    // Trains on these architectures only: standardises the features (asinh, then z-score per column) and the
    // target on them, seeds every random draw from options.seed. onEpoch, if set, runs after each epoch.
    // Throws ParzcError for fewer than 2 architectures, mismatched sizes or non-finite targets.
    [[nodiscard]] static Model train(FeatureMatrix const& features, std::span<double const> target,
                                     TrainOptions const& options,
                                     std::function<void(EpochLog const&)> const& onEpoch = {},
                                     Checkpointing const* checkpointing = nullptr);

    // Mean and std over `samples` draws of the Bayesian weights (0: options().samples), the draws seeded by
    // `seed`, so a prediction is a pure function of (model, features, samples, seed). The features must have
    // the model's kinds in its order (ParzcError naming them otherwise).
    [[nodiscard]] Prediction predict(FeatureMatrix const& features, std::size_t samples = 0,
                                     std::uint64_t seed = 0) const;

    // One torch archive: weights, standardisation, kinds and options. load() reads it onto the CPU (or the
    // device named) and throws ParzcError naming the file if it is not a ParZC model.
    void save(std::filesystem::path const& file) const;
    [[nodiscard]] static Model load(std::filesystem::path const& file, std::string const& device = "cpu");

    [[nodiscard]] std::vector<std::string> const& kinds() const;
    [[nodiscard]] TrainOptions const& options() const;
    [[nodiscard]] std::string const& deviceName() const;
    [[nodiscard]] std::size_t parameterCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The NAS-Bench-201 test accuracy (200 epochs; DATA/nb201/nb201_test_accuracy_200ep.csv) of each key on
// `dataset`. Throws ParzcError naming the key if it is not an NB201 cell.
[[nodiscard]] std::vector<double> nb201Targets(std::vector<std::string> const& keys, std::string const& dataset,
                                               std::filesystem::path const& dataDir);

// Row indices of the train and the held-out architectures.
struct Split {
    std::vector<std::size_t> train, test;
};
// The first nTrain of a platform-independent seeded shuffle (seededSample, splitmix64) train, the rest held
// out. Throws ParzcError unless 2 <= nTrain and at least 2 architectures are left to hold out.
[[nodiscard]] Split seededSplit(std::vector<std::string> const& keys, std::size_t nTrain, std::uint64_t seed);
// The listed train keys (another run's split); every other architecture is held out. Throws ParzcError
// naming `source` and the key if a train key is not among `keys`, or if fewer than 2 are left on either side.
[[nodiscard]] Split splitFromKeys(std::vector<std::string> const& keys, std::vector<std::string> const& trainKeys,
                                  std::string const& source);

// Beyond the paper: is the predicted std useful? Spearman between the std and the absolute rank error
// |rank(mean) - rank(target)| over the same architectures (positive: the model knows where it is wrong).
[[nodiscard]] double uncertaintyRankCorrelation(Prediction const& prediction, std::span<double const> target);

// zcgp search --objective parzc: a trained model as a zero-shot objective. A candidate's score is
// mean + bonus * std of the model's prediction over `samples` draws of the Bayesian weights, on the statistics the
// scorer measured for it, standardised with the model's stored (train) standardisation. Every candidate sees the
// same draws (seed 0), so a score is a pure function of (model, cell, samples) and the scores are comparable.
class SearchObjective {
public:
    struct Score {
        double mean{0}, std{0}, value{0};  // value = mean + bonus * std (standardised target units)
    };
    // samples 0: the model's own. Throws ParzcError for a negative or non-finite bonus and for a model reading a
    // statistic the nb201 scorer does not produce (naming it and listing those it does).
    SearchObjective(Model model, double uncertaintyBonus, std::size_t samples = 0);
    // What the scorer must measure for a candidate: the model's kinds, only those.
    [[nodiscard]] std::vector<std::string> const& statistics() const { return model_.kinds(); }
    [[nodiscard]] Score score(ArchitectureMeasurement const& measurement) const;
    [[nodiscard]] double uncertaintyBonus() const { return bonus_; }
    [[nodiscard]] std::size_t samples() const { return samples_; }

private:
    Model model_;
    double bonus_{0};
    std::size_t samples_{0};
};

// Sets LibTorch's intra-op thread count (0 leaves its default).
void setTorchThreads(std::size_t threads);

}  // namespace zcgp::proxy_cache::parzc

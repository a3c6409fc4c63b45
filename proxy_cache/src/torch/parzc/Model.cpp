// ParZC training, prediction and the model file (see ParZC.hpp, docs/parzc.md).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <mutex>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "Mabn.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"
#include "zcgp/proxy_cache/torch/Blas.hpp"
#include "zcgp/proxy_cache/torch/ParZC.hpp"

namespace zcgp::proxy_cache::parzc {

namespace {

constexpr std::int64_t kFormatVersion = 1;
// Rows per forward when predicting (the per-epoch train tau and predict()). Small enough that the largest activation
// (the token-mixing hidden layer, rows x 512 x 64 floats: 8 MB at 64 rows) stays below glibc's mmap threshold, so
// its memory is reused instead of mapped and page-faulted afresh on every call (measured: docs/parzc.md, Speed).
constexpr std::int64_t kPredictChunk = 64;

std::string joinKinds(std::vector<std::string> const& kinds) { return fmt::format("{}", fmt::join(kinds, ",")); }

// Reads the format number stored under `key` and refuses any other than `expected`, naming the file and `what`.
void requireFormat(torch::serialize::InputArchive& archive, char const* key, std::int64_t expected,
                   std::filesystem::path const& file, std::string_view what) {
    torch::Tensor t;
    archive.read(key, t);
    if (t.item<std::int64_t>() != expected) {
        throw ParzcError(fmt::format("{}: {} format {} (this zcgp reads {})", file.string(), what,
                                     t.item<std::int64_t>(), expected));
    }
}

std::vector<std::string> splitKinds(std::string const& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string k; std::getline(in, k, ',');) out.push_back(k);
    return out;
}

}  // namespace

Loss parseLoss(std::string const& name) {
    if (name == "diffkendall") return Loss::DiffKendall;
    if (name == "mse") return Loss::Mse;
    if (name == "both") return Loss::Both;
    throw std::invalid_argument(fmt::format("unknown loss '{}' (valid: diffkendall, mse, both)", name));
}

std::string lossName(Loss loss) {
    switch (loss) {
        case Loss::DiffKendall: return "diffkendall";
        case Loss::Mse: return "mse";
        case Loss::Both: return "both";
    }
    return "?";
}

double diffKendall(std::span<double const> predicted, std::span<double const> target, double alpha) {
    auto const p = torch::tensor(std::vector<double>(predicted.begin(), predicted.end()), torch::kFloat64);
    auto const y = torch::tensor(std::vector<double>(target.begin(), target.end()), torch::kFloat64);
    return detail::diffKendallLoss(p, y, alpha).item<double>();
}

std::vector<double> diffKendallGradient(std::span<double const> predicted, std::span<double const> target,
                                        double alpha) {
    auto p = torch::tensor(std::vector<double>(predicted.begin(), predicted.end()), torch::kFloat64).requires_grad_(true);
    auto const y = torch::tensor(std::vector<double>(target.begin(), target.end()), torch::kFloat64);
    detail::diffKendallLoss(p, y, alpha).backward();
    auto const g = p.grad().contiguous();
    return {g.data_ptr<double>(), g.data_ptr<double>() + g.numel()};
}

void setTorchThreads(std::size_t threads) {
    if (threads > 0) torch::set_num_threads(static_cast<int>(threads));
    alignBlasThreads();
}

struct Model::Impl {
    TrainOptions options;
    std::vector<std::string> kinds;
    std::int64_t inputDim{0};
    std::vector<double> featureMean, featureStd;  // of asinh(x), over the train architectures
    double targetMean{0}, targetStd{1};
    mutable detail::Mabn net{nullptr};  // prediction switches modes and redraws the Bayesian weights
    torch::Device device{torch::kCPU};
    std::string deviceName{"cpu"};

    void setDevice(std::string const& name) {
        device = detail::selectDevice(name);
        deviceName = device.is_cuda() ? "cuda" : "cpu";
    }

    void checkKinds(FeatureMatrix const& f) const {
        if (f.kinds != kinds || static_cast<std::int64_t>(f.cols) != inputDim) {
            throw ParzcError(fmt::format("the features have kinds [{}] ({} columns), the model was trained on [{}] "
                                         "({} columns)", joinKinds(f.kinds), f.cols, joinKinds(kinds), inputDim));
        }
    }

    // asinh (the statistics span many orders of magnitude and may be negative), then the train z-score; a
    // non-finite value (a log-determinant of -inf) becomes the train mean, 0.
    [[nodiscard]] torch::Tensor standardise(FeatureMatrix const& f) const {
        std::vector<float> x(f.values.size());
        for (std::size_t r = 0; r < f.rows(); ++r) {
            for (std::size_t c = 0; c < f.cols; ++c) {
                double const v = std::asinh(f.values[r * f.cols + c]);
                double const z = (v - featureMean[c]) / featureStd[c];
                x[r * f.cols + c] = std::isfinite(z) ? static_cast<float>(z) : 0.0F;
            }
        }
        return torch::from_blob(x.data(), {static_cast<std::int64_t>(f.rows()), inputDim}, torch::kFloat32)
            .clone()
            .to(device);
    }

    void fitStandardisation(FeatureMatrix const& f, std::span<double const> target) {
        featureMean.assign(f.cols, 0.0);
        featureStd.assign(f.cols, 1.0);
        for (std::size_t c = 0; c < f.cols; ++c) {
            double sum = 0, sum2 = 0;
            std::size_t n = 0;
            for (std::size_t r = 0; r < f.rows(); ++r) {
                double const v = std::asinh(f.values[r * f.cols + c]);
                if (!std::isfinite(v)) continue;
                sum += v, sum2 += v * v, ++n;
            }
            if (n == 0) continue;
            double const mean = sum / static_cast<double>(n);
            double const var = std::max(0.0, sum2 / static_cast<double>(n) - mean * mean);
            featureMean[c] = mean;
            // a constant column (a slot that is 0 in every train cell) is only centred
            featureStd[c] = var > 1e-24 ? std::sqrt(var) : 1.0;
        }
        double const mean = std::accumulate(target.begin(), target.end(), 0.0) / static_cast<double>(target.size());
        double var = 0;
        for (double t : target) var += (t - mean) * (t - mean);
        var /= static_cast<double>(target.size());
        targetMean = mean;
        targetStd = var > 1e-24 ? std::sqrt(var) : 1.0;
    }

    void build() {
        detail::MabnShape shape;
        shape.inputDim = inputDim;
        shape.dropout = options.dropout;
        net = detail::Mabn(shape);
        net->to(device);
    }

    [[nodiscard]] std::vector<double> meanPrediction(torch::Tensor const& x) const {
        torch::NoGradGuard noGrad;
        net->eval();
        net->setMeanMode(true);
        std::vector<double> out;
        out.reserve(static_cast<std::size_t>(x.size(0)));
        for (std::int64_t r = 0; r < x.size(0); r += kPredictChunk) {
            auto const p = net->forward(x.narrow(0, r, std::min(kPredictChunk, x.size(0) - r)))
                               .to(torch::kCPU, torch::kFloat64)
                               .contiguous();
            out.insert(out.end(), p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
        }
        net->setMeanMode(false);
        return out;
    }
};

Model::Model() : impl_(std::make_unique<Impl>()) {}
Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

std::vector<std::string> const& Model::kinds() const { return impl_->kinds; }
TrainOptions const& Model::options() const { return impl_->options; }
std::string const& Model::deviceName() const { return impl_->deviceName; }
std::size_t Model::parameterCount() const {
    std::size_t n = 0;
    for (auto const& p : impl_->net->parameters()) n += static_cast<std::size_t>(p.numel());
    return n;
}

namespace {

constexpr std::int64_t kCheckpointVersion = 1;
constexpr std::int64_t kLogFields = 13;

std::vector<double> logRow(EpochLog const& e) {
    return {static_cast<double>(e.epoch), e.loss, e.rankLoss, e.mseLoss, e.kl, e.trainTau, e.learningRate, e.seconds,
            e.forwardSeconds, e.backwardSeconds, e.stepSeconds, e.trainTauSeconds, e.checkpointSeconds};
}

EpochLog logFromRow(double const* r) {
    EpochLog e;
    e.epoch = static_cast<std::size_t>(r[0]);
    e.loss = r[1], e.rankLoss = r[2], e.mseLoss = r[3], e.kl = r[4], e.trainTau = r[5], e.learningRate = r[6];
    e.seconds = r[7];
    e.forwardSeconds = r[8], e.backwardSeconds = r[9], e.stepSeconds = r[10], e.trainTauSeconds = r[11];
    e.checkpointSeconds = r[12];
    return e;
}

// The training state after `epochs` epochs (see Checkpointing), written to file.tmp and renamed over file.
void saveCheckpoint(std::filesystem::path const& file, detail::Mabn const& net, torch::optim::Adam const& optimizer,
                    std::mt19937_64 const& shuffle, std::vector<EpochLog> const& logs, std::int64_t inputDim,
                    std::vector<std::string> const& kinds) {
    torch::serialize::OutputArchive archive;
    archive.write("checkpoint_format", torch::tensor({kCheckpointVersion}, torch::kInt64));
    archive.write("input_dim", torch::tensor({inputDim}, torch::kInt64));
    archive.write("kinds", c10::IValue(joinKinds(kinds)));
    torch::serialize::OutputArchive netArchive, optArchive;
    net->save(netArchive);
    optimizer.save(optArchive);
    archive.write("net", netArchive);
    archive.write("optimizer", optArchive);
    std::ostringstream rng;
    rng << shuffle;
    archive.write("shuffle", c10::IValue(rng.str()));
    auto gen = at::detail::getDefaultCPUGenerator();
    {
        std::lock_guard<std::mutex> lock(gen.mutex());
        archive.write("generator", gen.get_state());
    }
    std::vector<double> rows;
    for (auto const& e : logs) {
        auto const r = logRow(e);
        rows.insert(rows.end(), r.begin(), r.end());
    }
    archive.write("logs", torch::tensor(rows, torch::kFloat64).reshape({static_cast<std::int64_t>(logs.size()), kLogFields}));
    auto tmp = file;
    tmp += ".tmp";
    archive.save_to(tmp.string());
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) throw ParzcError(fmt::format("{}: cannot write the checkpoint: {}", file.string(), ec.message()));
}

// Restores what saveCheckpoint wrote; returns the epoch logs (their count is the number of completed epochs).
std::vector<EpochLog> loadCheckpoint(std::filesystem::path const& file, detail::Mabn& net,
                                     torch::optim::Adam& optimizer, std::mt19937_64& shuffle, std::int64_t inputDim,
                                     std::vector<std::string> const& kinds, torch::Device device) {
    std::vector<EpochLog> logs;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(file.string(), device);
        requireFormat(archive, "checkpoint_format", kCheckpointVersion, file, "checkpoint");
        torch::Tensor t;
        archive.read("input_dim", t);
        c10::IValue v;
        archive.read("kinds", v);
        if (t.item<std::int64_t>() != inputDim || v.toStringRef() != joinKinds(kinds)) {
            throw ParzcError(fmt::format("{}: the checkpoint is of a model of {} inputs [{}], this training has {} "
                                         "inputs [{}]", file.string(), t.item<std::int64_t>(), v.toStringRef(),
                                         inputDim, joinKinds(kinds)));
        }
        torch::serialize::InputArchive netArchive, optArchive;
        archive.read("net", netArchive);
        archive.read("optimizer", optArchive);
        net->load(netArchive);
        optimizer.load(optArchive);
        archive.read("shuffle", v);
        std::istringstream rng(v.toStringRef());
        rng >> shuffle;
        torch::Tensor state;
        archive.read("generator", state);
        auto gen = at::detail::getDefaultCPUGenerator();
        {
            std::lock_guard<std::mutex> lock(gen.mutex());
            gen.set_state(state.to(torch::kCPU));
        }
        torch::Tensor rows;  // a fresh tensor: read() into a defined one reuses its dtype
        archive.read("logs", rows);
        rows = rows.to(torch::kCPU, torch::kFloat64).contiguous();
        for (std::int64_t r = 0; r < rows.size(0); ++r) {
            logs.push_back(logFromRow(rows.data_ptr<double>() + r * kLogFields));
        }
    } catch (ParzcError const&) {
        throw;
    } catch (std::exception const& e) {
        std::string what = e.what();
        throw ParzcError(fmt::format("{}: not a ParZC training checkpoint: {}", file.string(),
                                     what.substr(0, what.find('\n'))));
    }
    return logs;
}

}  // namespace

Model Model::train(FeatureMatrix const& features, std::span<double const> target, TrainOptions const& options,
                   std::function<void(EpochLog const&)> const& onEpoch, Checkpointing const* checkpointing) {
    if (features.rows() != target.size()) {
        throw ParzcError(fmt::format("{} feature rows but {} targets", features.rows(), target.size()));
    }
    if (features.rows() < 2) throw ParzcError(fmt::format("ParZC needs at least 2 train architectures, got {}", features.rows()));
    for (std::size_t i = 0; i < target.size(); ++i) {
        if (!std::isfinite(target[i])) throw ParzcError(fmt::format("architecture {}: non-finite target", features.keys[i]));
    }
    if (options.epochs == 0 || options.batchSize < 2) throw ParzcError("ParZC needs epochs >= 1 and a batch of at least 2");
    Model model;
    auto& m = *model.impl_;
    m.options = options;
    m.kinds = features.kinds;
    m.inputDim = static_cast<std::int64_t>(features.cols);
    try {
        m.setDevice(options.device);
    } catch (std::invalid_argument const& e) {
        throw ParzcError(e.what());
    }
    m.fitStandardisation(features, target);
    torch::manual_seed(options.seed);  // initialisation, dropout and the Bayesian draws
    m.build();
    auto const x = m.standardise(features);
    std::vector<float> yz(target.size());
    std::vector<double> yd(target.size());
    for (std::size_t i = 0; i < target.size(); ++i) {
        yd[i] = (target[i] - m.targetMean) / m.targetStd;
        yz[i] = static_cast<float>(yd[i]);
    }
    auto const y = torch::from_blob(yz.data(), {static_cast<std::int64_t>(yz.size())}, torch::kFloat32).clone().to(m.device);
    torch::optim::Adam optimizer(m.net->parameters(),
                                 torch::optim::AdamOptions(options.learningRate).weight_decay(options.weightDecay));
    std::mt19937_64 shuffle(options.seed);
    auto const n = static_cast<std::int64_t>(features.rows());
    auto const batch = static_cast<std::int64_t>(options.batchSize);
    double const klScale = options.klWeight / static_cast<double>(m.net->bayesianWeightCount());
    bool const rank = options.loss != Loss::Mse, mse = options.loss != Loss::DiffKendall;
    auto const start = std::chrono::steady_clock::now();
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
    for (std::int64_t b = 0; b < n; b += batch) ranges.emplace_back(b, std::min(n, b + batch));
    if (ranges.size() > 1 && ranges.back().second - ranges.back().first == 1) {
        ranges.pop_back();  // a last batch of one architecture has no pair: it joins the batch before
        ranges.back().second = n;
    }
    std::vector<EpochLog> logs;
    if (checkpointing != nullptr && checkpointing->resume && std::filesystem::exists(checkpointing->file)) {
        logs = loadCheckpoint(checkpointing->file, m.net, optimizer, shuffle, m.inputDim, m.kinds, m.device);
        if (logs.size() > options.epochs) {
            throw ParzcError(fmt::format("{}: the checkpoint has {} epochs, more than the {} of this training",
                                         checkpointing->file.string(), logs.size(), options.epochs));
        }
        if (onEpoch) {
            for (auto const& e : logs) onEpoch(e);
        }
    }
    double const resumedSeconds = logs.empty() ? 0.0 : logs.back().seconds;
    for (std::size_t epoch = logs.size(); epoch < options.epochs; ++epoch) {
        // cosine annealing to 0 over the epochs (PyTorch's CosineAnnealingLR with T_max = epochs, stepped per epoch)
        double const lr = options.learningRate * 0.5 *
                          (1.0 + std::cos(M_PI * static_cast<double>(epoch) / static_cast<double>(options.epochs)));
        for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), shuffle);
        m.net->train();
        double lossSum = 0, rankSum = 0, mseSum = 0, klSum = 0;
        std::size_t batches = 0;
        EpochLog log;  // its phase clocks run through the epoch
        auto tick = std::chrono::steady_clock::now();
        auto const lap = [&tick](double& into) {
            auto const now = std::chrono::steady_clock::now();
            into += std::chrono::duration<double>(now - tick).count();
            tick = now;
        };
        for (auto const& [b, end] : ranges) {
            auto const idx = torch::tensor(std::vector<std::int64_t>(order.begin() + b, order.begin() + end), torch::kInt64)
                                 .to(m.device);
            m.net->resample();
            auto const p = m.net->forward(x.index_select(0, idx));
            auto const yb = y.index_select(0, idx);
            auto const kl = m.net->kl(options.priorSigma);
            auto loss = klScale * kl;
            if (rank) {
                auto const r = detail::diffKendallLoss(p, yb, options.alpha);
                loss = loss + r;
                rankSum += r.item<double>();
            }
            if (mse) {
                auto const e = torch::mse_loss(p, yb);
                loss = loss + e;
                mseSum += e.item<double>();
            }
            lap(log.forwardSeconds);
            optimizer.zero_grad();
            loss.backward();
            lap(log.backwardSeconds);
            optimizer.step();
            lap(log.stepSeconds);
            lossSum += loss.item<double>();
            klSum += kl.item<double>() / static_cast<double>(m.net->bayesianWeightCount());
            ++batches;
        }
        if (onEpoch || checkpointing != nullptr) {
            log.epoch = epoch + 1;
            auto const nb = static_cast<double>(batches);
            log.loss = lossSum / nb;
            log.rankLoss = rank ? rankSum / nb : std::numeric_limits<double>::quiet_NaN();
            log.mseLoss = mse ? mseSum / nb : std::numeric_limits<double>::quiet_NaN();
            log.kl = klSum / nb;
            log.trainTau = fitness::kendallTau(m.meanPrediction(x), yd);
            lap(log.trainTauSeconds);
            log.learningRate = lr;
            log.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            log.seconds += resumedSeconds;  // a resumed training's clock continues from the checkpoint's
            logs.push_back(log);
            if (checkpointing != nullptr) {
                saveCheckpoint(checkpointing->file, m.net, optimizer, shuffle, logs, m.inputDim, m.kinds);
                lap(logs.back().checkpointSeconds);
            }
            if (onEpoch) onEpoch(logs.back());
        }
    }
    return model;
}

Prediction Model::predict(FeatureMatrix const& features, std::size_t samples, std::uint64_t seed) const {
    auto const& m = *impl_;
    m.checkKinds(features);
    if (samples == 0) samples = m.options.samples;
    Prediction out;
    auto const rows = static_cast<std::int64_t>(features.rows());
    out.mean.assign(features.rows(), 0.0);
    out.std.assign(features.rows(), 0.0);
    if (rows == 0) return out;
    auto const x = m.standardise(features);
    torch::NoGradGuard noGrad;
    m.net->eval();
    torch::manual_seed(seed);
    auto all = torch::empty({static_cast<std::int64_t>(samples), rows}, torch::kFloat64);
    for (std::size_t s = 0; s < samples; ++s) {
        m.net->resample();  // one draw of the Bayesian weights for every architecture of this sample
        for (std::int64_t r = 0; r < rows; r += kPredictChunk) {
            auto const len = std::min(kPredictChunk, rows - r);
            all.index_put_({static_cast<std::int64_t>(s), torch::indexing::Slice(r, r + len)},
                           m.net->forward(x.narrow(0, r, len)).to(torch::kCPU, torch::kFloat64));
        }
    }
    auto const mean = all.mean(0).contiguous();
    auto const sd = samples > 1 ? all.std(0, /*unbiased=*/false).contiguous() : torch::zeros({rows}, torch::kFloat64);
    std::copy(mean.data_ptr<double>(), mean.data_ptr<double>() + rows, out.mean.begin());
    std::copy(sd.data_ptr<double>(), sd.data_ptr<double>() + rows, out.std.begin());
    return out;
}

void Model::save(std::filesystem::path const& file) const {
    auto const& m = *impl_;
    torch::serialize::OutputArchive archive;
    m.net->save(archive);
    auto const f64 = [](std::vector<double> const& v) { return torch::tensor(v, torch::kFloat64); };
    archive.write("parzc_format", torch::tensor({kFormatVersion}, torch::kInt64));
    archive.write("parzc_input_dim", torch::tensor({m.inputDim}, torch::kInt64));
    archive.write("parzc_kinds", c10::IValue(joinKinds(m.kinds)));
    archive.write("parzc_feature_mean", f64(m.featureMean));
    archive.write("parzc_feature_std", f64(m.featureStd));
    archive.write("parzc_target", f64({m.targetMean, m.targetStd}));
    auto const& o = m.options;
    archive.write("parzc_options", f64({o.learningRate, o.weightDecay, o.alpha, o.klWeight, o.priorSigma, o.dropout}));
    archive.write("parzc_counts", torch::tensor({static_cast<std::int64_t>(o.epochs), static_cast<std::int64_t>(o.batchSize),
                                                 static_cast<std::int64_t>(o.seed), static_cast<std::int64_t>(o.samples)},
                                                torch::kInt64));
    archive.write("parzc_loss", c10::IValue(lossName(o.loss)));
    auto tmp = file;
    tmp += ".tmp";
    archive.save_to(tmp.string());
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) throw ParzcError(fmt::format("{}: cannot write the model: {}", file.string(), ec.message()));
}

Model Model::load(std::filesystem::path const& file, std::string const& device) {
    Model model;
    auto& m = *model.impl_;
    try {
        m.setDevice(device);
    } catch (std::invalid_argument const& e) {
        throw ParzcError(e.what());
    }
    if (!std::filesystem::is_regular_file(file)) throw ParzcError(fmt::format("{}: no such model file", file.string()));
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(file.string(), m.device);
        requireFormat(archive, "parzc_format", kFormatVersion, file, "ParZC model");
        torch::Tensor t;
        archive.read("parzc_input_dim", t);
        m.inputDim = t.item<std::int64_t>();
        c10::IValue v;
        archive.read("parzc_kinds", v);
        m.kinds = splitKinds(v.toStringRef());
        auto const vec = [&](char const* key) {
            torch::Tensor a;
            archive.read(key, a);
            a = a.to(torch::kCPU, torch::kFloat64).contiguous();
            return std::vector<double>(a.data_ptr<double>(), a.data_ptr<double>() + a.numel());
        };
        m.featureMean = vec("parzc_feature_mean");
        m.featureStd = vec("parzc_feature_std");
        auto const tgt = vec("parzc_target");
        m.targetMean = tgt.at(0), m.targetStd = tgt.at(1);
        auto const o = vec("parzc_options");
        auto& opt = m.options;
        opt.learningRate = o.at(0), opt.weightDecay = o.at(1), opt.alpha = o.at(2), opt.klWeight = o.at(3),
        opt.priorSigma = o.at(4), opt.dropout = o.at(5);
        torch::Tensor counts;
        archive.read("parzc_counts", counts);
        counts = counts.to(torch::kCPU).contiguous();
        auto const* c = counts.data_ptr<std::int64_t>();
        opt.epochs = static_cast<std::size_t>(c[0]), opt.batchSize = static_cast<std::size_t>(c[1]);
        opt.seed = static_cast<std::uint64_t>(c[2]), opt.samples = static_cast<std::size_t>(c[3]);
        archive.read("parzc_loss", v);
        opt.loss = parseLoss(v.toStringRef());
        opt.device = device;
        if (m.featureMean.size() != static_cast<std::size_t>(m.inputDim) || m.featureStd.size() != m.featureMean.size()) {
            throw ParzcError(fmt::format("{}: inconsistent standardisation ({} columns for input {})", file.string(),
                                         m.featureMean.size(), m.inputDim));
        }
        m.build();
        m.net->load(archive);
        m.net->to(m.device);
    } catch (ParzcError const&) {
        throw;
    } catch (std::exception const& e) {
        // c10::Error messages carry a C++ backtrace: keep the first line
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        throw ParzcError(fmt::format("{}: not a ParZC model: {}", file.string(), what));
    }
    return model;
}

SearchObjective::SearchObjective(Model model, double uncertaintyBonus, std::size_t samples)
    : model_(std::move(model)), bonus_(uncertaintyBonus), samples_(samples == 0 ? model_.options().samples : samples) {
    if (!std::isfinite(bonus_) || bonus_ < 0) {
        throw ParzcError(fmt::format("uncertainty bonus {} must be a finite number >= 0", bonus_));
    }
    auto const known = statisticNames("nb201");
    for (auto const& k : model_.kinds()) {
        if (std::find(known.begin(), known.end(), k) == known.end()) {
            throw ParzcError(fmt::format("the model reads statistic '{}', which the nb201 scorer cannot measure for a "
                                         "candidate (it measures: {})", k, fmt::join(known, ", ")));
        }
    }
}

SearchObjective::Score SearchObjective::score(ArchitectureMeasurement const& measurement) const {
    auto const features = measuredFeatures(std::span<ArchitectureMeasurement const>(&measurement, 1), model_.kinds());
    auto const p = model_.predict(features, samples_, 0);
    return {p.mean[0], p.std[0], p.mean[0] + bonus_ * p.std[0]};
}

}  // namespace zcgp::proxy_cache::parzc

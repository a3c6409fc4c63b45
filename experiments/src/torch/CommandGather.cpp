// zcgp gather: measure the 13 proxies and the per-layer raw statistics of many architectures with LibTorch and
// store them in a statistics cache (docs/statistics-cache.md). Resumable after a kill (a journal next to the
// output), shardable across machines (--shard i/n, then --merge).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "Command.hpp"
#include "MpiWorld.hpp"
#include "ScorerProfile.hpp"
#include "TorchCommands.hpp"
#include "zcgp/proxy_cache/ArchitectureSelection.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"
#include "zcgp/proxy_cache/StatisticsJournal.hpp"
#include "zcgp/proxy_cache/torch/ArchitectureScorer.hpp"
#include "zcgp/proxy_cache/torch/SearchSpace.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace pc = zcgp::proxy_cache;

namespace zcgp::cli {
namespace {

constexpr char const* Usage =
    "--task SPACE/DATASET [--archs all|N|all15625|FILE] [--shard i/n] [--out FILE] [--resume]\n"
    "       [--batch 64|16] [--seed 0] [--device auto|cpu|cuda] [--proxies all|a,b] [--data DIR]\n"
    "   or: zcgp gather --merge OUT IN...";

std::string validTasks() {
    std::string out;
    for (auto const& space : pc::nativeSpaces()) {
        for (auto const& d : pc::spaceDatasets(space)) {
            out += fmt::format("{}{}/{}", out.empty() ? "" : ", ", space, d);
        }
    }
    return out;
}

std::string formatDuration(double seconds) {
    if (!(seconds >= 0.0) || seconds > 1e8) {
        return "?";
    }
    auto s = static_cast<long long>(seconds + 0.5);
    if (s >= 3600) {
        return fmt::format("{}h{:02}m{:02}s", s / 3600, (s / 60) % 60, s % 60);
    }
    if (s >= 60) {
        return fmt::format("{}m{:02}s", s / 60, s % 60);
    }
    return fmt::format("{}s", s);
}

// Progress on stderr: a redrawn bar on a terminal, otherwise a line every 30 s (and at the end).
class Progress {
public:
    Progress(std::size_t total, std::size_t already)
        : total_(total), already_(already), tty_(::isatty(STDERR_FILENO) != 0), start_(Clock::now()),
          lastDraw_(start_) {}

    void update(std::size_t done, std::string const& lastKey) {
        auto now = Clock::now();
        bool last = done == total_;
        double sinceDraw = std::chrono::duration<double>(now - lastDraw_).count();
        if (!last && sinceDraw < (tty_ ? 0.2 : 30.0)) {
            return;
        }
        lastDraw_ = now;
        double elapsed = std::chrono::duration<double>(now - start_).count();
        std::size_t measured = done - already_;
        double perArch = measured > 0 ? elapsed / static_cast<double>(measured) : 0.0;
        double eta = perArch * static_cast<double>(total_ - done);
        double pct = total_ > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0;
        if (tty_) {
            int const width = 28;
            auto filled = static_cast<int>(pct / 100.0 * width);
            std::string bar(static_cast<std::size_t>(filled), '#');
            bar.resize(width, '.');
            std::cerr << fmt::format("\r[{}] {}/{} {:5.1f}% {:.2f} s/arch ETA {:<9} {:<20}", bar, done, total_, pct,
                                     perArch, formatDuration(eta), lastKey)
                      << (last ? "\n" : "") << std::flush;
        } else {
            std::cerr << fmt::format("zcgp gather: {}/{} ({:.1f}%), {:.2f} s/arch, elapsed {}, ETA {}\n", done,
                                     total_, pct, perArch, formatDuration(elapsed), formatDuration(eta))
                      << std::flush;
        }
    }

private:
    using Clock = std::chrono::steady_clock;
    std::size_t total_;
    std::size_t already_;
    bool tty_;
    Clock::time_point start_;
    Clock::time_point lastDraw_;
};


std::vector<std::string> allNb201Cells() {
    std::vector<std::string> keys;
    keys.reserve(15625);
    pc::Nb201Cell cell{};
    for (int code = 0; code < 15625; ++code) {
        int c = code;
        for (int e = 5; e >= 0; --e) {  // lexicographic: the first edge varies slowest
            cell[static_cast<std::size_t>(e)] = c % 5;
            c /= 5;
        }
        keys.push_back(pc::nb201TupleKey(cell));
    }
    return keys;
}

int runMerge(std::vector<std::string> const& files) {
    if (files.size() < 2) {
        throw UsageError("zcgp gather: --merge needs an output file and at least one input: --merge OUT IN...");
    }
    fs::path out = files.front();
    if (fs::exists(out)) {
        throw UsageError(fmt::format("zcgp gather: --merge output '{}' exists; remove it or choose another name",
                                     out.string()));
    }
    std::vector<pc::StatisticsCache> inputs;
    for (std::size_t i = 1; i < files.size(); ++i) {
        if (fs::weakly_canonical(files[i]) == fs::weakly_canonical(out)) {
            throw UsageError(fmt::format("zcgp gather: --merge input '{}' is the output", files[i]));
        }
        inputs.push_back(pc::StatisticsCache::read(files[i]));
    }
    auto merged = pc::StatisticsCache::merge(inputs);
    merged.write(out);
    std::cerr << fmt::format("zcgp gather: merged {} files into '{}': {} architectures ({}/{}, seed {})\n",
                             inputs.size(), out.string(), merged.size(), merged.options().space,
                             merged.options().dataset, merged.options().seed);
    return 0;
}

// Under mpirun, the files of one rank: it gathers its shard into rankOut (with rankOut.journal, so --resume works
// per rank), and rank 0 merges every rank's file into finalOut.
struct RankFiles {
    fs::path finalOut, rankOut;
    bool finalComplete = false;  // --resume found finalOut already written: nothing to gather or merge
};

fs::path rankFile(fs::path const& finalOut, int rank, int size) {
    return finalOut.string() + fmt::format(".rank-{}-of-{}", rank, size);
}

// One process's gather: everything, its --shard, or (rankShard set: under mpirun) the shard of its rank.
int gatherOne(std::vector<std::string> const& args, std::optional<pc::Shard> rankShard, RankFiles* rankFiles) {
    po::options_description visible("zcgp gather options");
    visible.add_options()
        ("task", po::value<std::string>()->value_name("SPACE/DATASET"), "task to gather, e.g. nb201/cifar10")
        ("archs", po::value<std::string>()->default_value("all"),
         "all (the task's suite architectures), N (the first N of a seeded shuffle of them), all15625 (every "
         "NB201 cell), or a FILE of keys, one per line")
        ("shard", po::value<std::string>()->default_value("0/1"), "i/n: measure every n-th architecture from i")
        ("out", po::value<std::string>(), "output file (default SPACE-DATASET-seedS[-shardIofN].zcstats)")
        ("resume", "continue an interrupted run from OUT.journal")
        ("batch", po::value<int>(), "batch size of the data pass (default 64 for nb201, 16 for flexibert)")
        ("seed", po::value<std::uint64_t>()->default_value(0), "seed of initialisation, batch and --archs N")
        ("device", po::value<std::string>()->default_value("auto"), "auto | cpu | cuda")
        ("proxies", po::value<std::string>()->default_value("all"),
         "all, or a comma-separated list (the other columns stay NaN)")
        ("merge", po::value<std::string>()->value_name("OUT IN..."),
         "combine shard files into OUT and exit (must come first; takes the rest of the arguments)");
    addCommonOptions(visible);
    po::options_description hidden("testing options");
    hidden.add_options()
        ("stop-after", po::value<std::size_t>(), "exit abruptly (no finalising) after measuring N architectures")
        ("sync-every", po::value<std::size_t>()->default_value(16), "fsync the journal every K architectures")
        ("fail-on", po::value<std::string>(), "fail when measuring this architecture key (tests a rank's failure)");
    po::options_description all;
    all.add(visible).add(hidden);

    if (std::find_if(args.begin(), args.end(), [](auto const& a) { return a == "--help" || a == "-h"; }) !=
        args.end()) {
        std::cout << "usage: zcgp gather " << Usage << "\n\n" << visible << '\n';
        return 0;
    }
    if (!args.empty() && args.front() == "--merge") {
        return runMerge(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    po::variables_map vm;
    if (!parseArguments("gather", Usage, all, args, vm, nullptr,
                        {{"batch", {1, 1024}}, {"stop-after", {1, 1e9}}, {"sync-every", {1, 1e9}}})) {
        return 0;
    }
    if (vm.count("merge") != 0U) {
        throw UsageError("zcgp gather: --merge OUT IN... must be the first argument and takes no other options");
    }
    if (vm.count("task") == 0U) {
        throw UsageError(fmt::format("zcgp gather: --task is required (valid: {})", validTasks()));
    }

    // ---- task ----
    auto const task = vm["task"].as<std::string>();
    auto slash = task.find('/');
    if (slash == std::string::npos) {
        throw UsageError(
            fmt::format("zcgp gather: bad --task '{}': expected SPACE/DATASET (valid: {})", task, validTasks()));
    }
    std::string const space = task.substr(0, slash);
    std::string const dataset = task.substr(slash + 1);
    auto const& spaces = pc::nativeSpaces();
    if (std::find(spaces.begin(), spaces.end(), space) == spaces.end()) {
        throw UsageError(fmt::format("zcgp gather: unknown task '{}': only these can be gathered natively: {}", task,
                                     validTasks()));
    }
    auto const& datasets = pc::spaceDatasets(space);
    if (std::find(datasets.begin(), datasets.end(), dataset) == datasets.end()) {
        throw UsageError(fmt::format("zcgp gather: unknown dataset '{}' in --task '{}' (valid for {}: {}; tasks: {})",
                                     dataset, task, space, fmt::join(datasets, ", "), validTasks()));
    }
    bool const flexibert = space == "flexibert";
    int const batch = vm.count("batch") != 0U ? vm["batch"].as<int>() : (flexibert ? 16 : 64);
    if (batch <= 0) {
        throw UsageError(fmt::format("zcgp gather: --batch must be positive, got {}", batch));
    }
    std::uint64_t const seed = vm["seed"].as<std::uint64_t>();
    std::vector<std::string> proxies;
    try {
        proxies = pc::parseProxyList(vm["proxies"].as<std::string>(), space);
    } catch (std::invalid_argument const& e) {
        throw UsageError(fmt::format("zcgp gather: --proxies: {}", e.what()));
    }
    pc::Shard shard;
    try {
        shard = pc::parseShard(vm["shard"].as<std::string>());
    } catch (std::invalid_argument const& e) {
        throw UsageError(fmt::format("zcgp gather: --shard: {}", e.what()));
    }
    auto const dataDir = resolveDataDir(vm);
    // a key's canonical form; a FlexiBERT ID must also be one of the benchmark's (read on first use), so that an
    // --archs FILE names the line of an unknown ID before anything is measured
    std::optional<std::set<std::string>> flexibertIds;
    auto const canonical = [&](std::string const& key) {
        auto k = pc::canonicalSpaceKey(space, key);
        if (flexibert) {
            if (!flexibertIds) {
                flexibertIds.emplace();
                for (auto const& entry : pc::readFlexiBertConfigs(dataDir / "lm" / "BERT_benchmark.json")) {
                    flexibertIds->insert(entry.first);
                }
            }
            if (flexibertIds->count(k) == 0U) {
                throw std::invalid_argument(fmt::format("flexibert arch '{}': no architecture with ID {} in the benchmark",
                                                        key, k));
            }
        }
        return k;
    };

    // ---- selection ----
    auto const archsSpec = vm["archs"].as<std::string>();
    std::vector<std::string> selection;
    std::string selectionName = archsSpec;
    auto suiteKeys = [&] {
        auto const benchmark = pc::Benchmark::load(dataDir);
        std::vector<std::string> keys;
        for (auto const& a : benchmark.task(task).archs) {
            keys.push_back(canonical(a.key));
        }
        return keys;
    };
    bool const isNumber = !archsSpec.empty() && std::all_of(archsSpec.begin(), archsSpec.end(),
                                                            [](unsigned char c) { return std::isdigit(c) != 0; });
    try {
        if (archsSpec == "all") {
            selection = suiteKeys();
        } else if (archsSpec == "all15625") {
            if (flexibert) throw UsageError("zcgp gather: --archs all15625 is for nb201 (flexibert has the 500 of --archs all)");
            selection = allNb201Cells();
        } else if (isNumber) {
            auto n = std::stoull(archsSpec);
            if (n == 0) {
                throw UsageError("zcgp gather: --archs 0 selects nothing");
            }
            selection = pc::seededSample(suiteKeys(), n, seed);
        } else {
            if (!fs::is_regular_file(archsSpec)) {
                throw UsageError(fmt::format("zcgp gather: --archs '{}' is neither all, all15625, a number nor a "
                                             "readable file",
                                             archsSpec));
            }
            selection = pc::readArchitectureList(archsSpec, canonical);
            selectionName = "file:" + fs::path(archsSpec).filename().string();
        }
    } catch (std::invalid_argument const& e) {
        throw UsageError(fmt::format("zcgp gather: --archs: {}", e.what()));
    } catch (std::out_of_range const&) {
        throw UsageError(fmt::format("zcgp gather: --archs {} is too large", archsSpec));
    }
    if (rankShard) {
        if (shard.count != 1) {
            throw UsageError("zcgp gather: --shard cannot be combined with mpirun: each rank gathers the shard of its rank");
        }
        shard = *rankShard;
    }
    auto const keys = pc::takeShard(selection, shard);

    // ---- output, journal ----
    fs::path out;
    if (vm.count("out") != 0U) {
        out = vm["out"].as<std::string>();
    } else {
        out = fmt::format("{}-{}-seed{}{}.zcstats", space, dataset, seed,
                          shard.count > 1 && !rankShard ? fmt::format("-shard{}of{}", shard.index, shard.count)
                                                        : std::string());
    }
    bool const resume = vm.count("resume") != 0U;
    if (rankShard) {
        rankFiles->finalOut = out;
        rankFiles->rankOut = rankFile(out, static_cast<int>(shard.index), static_cast<int>(shard.count));
        if (fs::exists(out)) {
            if (!resume) {
                throw UsageError(fmt::format("zcgp gather: output '{}' exists; not overwriting it (remove it, choose "
                                             "another --out, or pass --resume to check it is complete)",
                                             out.string()));
            }
            rankFiles->finalComplete = true;
            return 0;
        }
        out = rankFiles->rankOut;
    }
    fs::path const journalPath = out.string() + ".journal";
    if (!resume && fs::exists(out)) {
        throw UsageError(fmt::format("zcgp gather: output '{}' exists; not overwriting it (remove it, choose "
                                     "another --out, or pass --resume to check it is complete)",
                                     out.string()));
    }
    if (!resume && fs::exists(journalPath)) {
        throw UsageError(fmt::format("zcgp gather: '{}' holds an interrupted run; pass --resume to continue it, or "
                                     "remove it to start over",
                                     journalPath.string()));
    }

    pc::GatherOptions options;
    options.space = space;
    options.dataset = dataset;
    options.seed = seed;
    options.batchSize = batch;
    options.proxies = vm["proxies"].as<std::string>() == "all" ? "all" : fmt::format("{}", fmt::join(proxies, ","));
    options.zcgpVersion = ZCGP_VERSION;
    options.selection = selectionName;
    options.selectionSize = selection.size();
    options.selectionHash = pc::selectionHash(selection);
    options.shardIndex = shard.index;
    options.shardCount = shard.count;

    pc::ScorerOptions scorerOptions;
    scorerOptions.space = space;
    scorerOptions.dataset = dataset;
    scorerOptions.dataDir = dataDir;
    scorerOptions.batchSize = batch;
    scorerOptions.seed = seed;
    scorerOptions.device = vm["device"].as<std::string>();
    scorerOptions.proxies = proxies;
    scorerOptions.statistics = true;
    // flexibert: the documented 128 tokens per sequence (ScorerOptions' default; the cache header has no field for
    // another length, so gather offers none)
    scorerOptions.phaseTimer = profileTimerFromEnvironment();

    if (resume && fs::exists(out) && !fs::exists(journalPath)) {
        // A finished run: nothing to do if it is the same gather, an error otherwise.
        auto done = pc::StatisticsCache::read(out);
        if (auto diff = pc::optionsDifference(done.options(), options, false, /*ignoreDevice=*/true)) {
            throw UsageError(fmt::format("zcgp gather: output '{}' exists and was gathered with other options ({}, "
                                         "file vs this run)",
                                         out.string(), *diff));
        }
        std::cerr << fmt::format("zcgp gather: '{}' is already complete ({} architectures)\n", out.string(),
                                 done.size());
        return 0;
    }

    std::unique_ptr<pc::ArchitectureScorer> scorer;
    try {
        scorer = std::make_unique<pc::ArchitectureScorer>(scorerOptions);
    } catch (std::invalid_argument const& e) {
        throw UsageError(fmt::format("zcgp gather: {}", e.what()));
    }
    options.device = scorer->deviceName();
    auto const& columns = pc::proxyNames(space);

    pc::StatisticsCacheBuilder builder(options, columns);
    std::optional<pc::StatisticsJournal> journal;
    if (resume && fs::exists(journalPath)) {
        auto resumed = pc::StatisticsJournal::resume(journalPath, options, columns);
        if (resumed.recorded.size() > keys.size()) {
            throw pc::CacheError(fmt::format("gather journal '{}' holds {} architectures, more than the {} of this "
                                             "run",
                                             journalPath.string(), resumed.recorded.size(), keys.size()));
        }
        for (std::size_t i = 0; i < resumed.recorded.size(); ++i) {
            if (resumed.recorded[i].archKey != keys[i]) {
                throw pc::CacheError(fmt::format("gather journal '{}': record {} is {}, but this run measures {} "
                                                 "there",
                                                 journalPath.string(), i, resumed.recorded[i].archKey, keys[i]));
            }
            builder.append(resumed.recorded[i]);
        }
        std::cerr << fmt::format("zcgp gather: resuming '{}' after {} of {} architectures{}\n", out.string(),
                                 resumed.recorded.size(), keys.size(),
                                 resumed.droppedBytes > 0
                                     ? fmt::format(" (dropped a torn record of {} bytes)", resumed.droppedBytes)
                                     : std::string());
        journal.emplace(std::move(resumed.journal));
    } else {
        if (resume) {
            std::cerr << fmt::format("zcgp gather: no journal '{}' to resume; starting\n", journalPath.string());
        }
        journal.emplace(pc::StatisticsJournal::create(journalPath, options, columns));
    }

    std::size_t const already = builder.size();
    std::cerr << fmt::format("zcgp gather: {} architectures of {} ({} selected{}), batch {}, seed {}, on {}\n",
                             keys.size(), task, selection.size(),
                             shard.count > 1 ? fmt::format(", shard {}/{}", shard.index, shard.count) : std::string(),
                             batch, seed, options.device);
    std::size_t const syncEvery = std::max<std::size_t>(1, vm["sync-every"].as<std::size_t>());
    std::optional<std::size_t> stopAfter;
    if (vm.count("stop-after") != 0U) {
        stopAfter = vm["stop-after"].as<std::size_t>();
    }
    Progress progress(keys.size(), already);
    auto const start = std::chrono::steady_clock::now();
    double measureSeconds = 0.0;
    auto const failOn = vm.count("fail-on") != 0U ? canonical(vm["fail-on"].as<std::string>()) : std::string();
    for (std::size_t i = already; i < keys.size(); ++i) {
        pc::ArchitectureMeasurement m;
        try {
            if (keys[i] == failOn) throw std::runtime_error("--fail-on: failing as asked");
            m = scorer->measure(keys[i]);
        } catch (std::exception const& e) {
            // LibTorch appends a C++ backtrace to its messages: keep the first paragraph.
            std::string what = e.what();
            what = what.substr(0, what.find("\nException raised from"));
            throw std::runtime_error(fmt::format("measuring architecture {} ({} of {}): {}\n(the {} finished "
                                                 "architectures are kept in '{}'; fix the cause and rerun with "
                                                 "--resume)",
                                                 keys[i], i + 1, keys.size(), what, i, journalPath.string()));
        }
        measureSeconds += m.seconds;
        m.archKey = keys[i];  // the canonical key, whatever spelling the scorer echoes
        journal->append(m);
        builder.append(m);
        if ((i + 1 - already) % syncEvery == 0) {
            journal->sync();
        }
        progress.update(i + 1, keys[i]);
        if (stopAfter && i + 1 - already >= *stopAfter && i + 1 < keys.size()) {
            std::cerr << fmt::format("zcgp gather: --stop-after {}: exiting without finalising\n", *stopAfter);
            std::_Exit(3);  // as abrupt as a kill: no destructors, no final file
        }
    }
    journal->sync();
    if (keys.empty()) {
        progress.update(0, "");
    }
    auto cache = builder.build();
    cache.write(out);
    journal.reset();
    fs::remove(journalPath);
    double const wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::size_t measured = keys.size() - already;
    std::cerr << fmt::format("zcgp gather: wrote '{}': {} architectures, {} statistics; measured {} in {} "
                             "({:.3f} s/arch, {:.3f} s/arch in the scorer)\n",
                             out.string(), cache.size(), cache.statistics().size(), measured, formatDuration(wall),
                             measured > 0 ? wall / static_cast<double>(measured) : 0.0,
                             measured > 0 ? measureSeconds / static_cast<double>(measured) : 0.0);
    std::vector<std::string> flagged;
    for (std::size_t c = 0; c < cache.proxyNames().size(); ++c) {
        auto nf = cache.proxyNonFinite(c);
        bool requested = std::find(proxies.begin(), proxies.end(), cache.proxyNames()[c]) != proxies.end();
        if ((requested && nf.nan > 0) || nf.infinite > 0) {
            flagged.push_back(fmt::format("{} ({} NaN, {} inf)", cache.proxyNames()[c], nf.nan, nf.infinite));
        }
    }
    for (std::size_t s = 0; s < cache.statistics().size(); ++s) {
        auto nf = cache.statisticNonFinite(s);
        if (nf.nan + nf.infinite > 0) {
            flagged.push_back(fmt::format("{} ({} NaN, {} inf)", cache.statistics()[s].name, nf.nan, nf.infinite));
        }
    }
    if (!flagged.empty()) {
        std::cerr << fmt::format("zcgp gather: non-finite values: {}\n", fmt::join(flagged, "; "));
    }
    return 0;
}

// Under mpirun: each rank gathers its shard, then rank 0 collects every rank's status. If all succeeded it merges the
// rank files into the one cache (byte-identical to a single-process gather: a merge of all shards is) and removes
// them; otherwise it reports each failed rank and writes nothing. The other ranks print no error of their own.
int gatherUnderMpi(std::vector<std::string> const& args, MpiWorld const& world) {
    pc::Shard const mine{static_cast<std::uint64_t>(world.rank()), static_cast<std::uint64_t>(world.size())};
    RankFiles files;
    RankStatus status;
    try {
        status.exitCode = gatherOne(args, mine, &files);
    } catch (UsageError const& e) {
        status = {2, e.what()};
    } catch (std::exception const& e) {
        status = {1, e.what()};
    }
    auto const all = world.gatherStatus(status);
    // rank 0 reports for everyone and carries the exit code: a rank exiting non-zero now would make mpirun abort
    // the job, possibly before rank 0 has said why
    if (world.rank() != 0) return 0;
    std::vector<std::string> failures;
    int code = 0;
    bool sameMessage = true;
    for (std::size_t r = 0; r < all.size(); ++r) {
        if (all[r].exitCode == 0) continue;
        code = code == 0 || code == 2 ? all[r].exitCode : code;  // a failure outranks a usage error
        sameMessage = sameMessage && all[r].message == all.front().message;
        failures.push_back(fmt::format("rank {} of {}: {}", r, all.size(), all[r].message));
    }
    if (!failures.empty()) {
        // every rank refusing the same flag is one error; otherwise each failed rank, by rank and architecture
        std::string const what = sameMessage && failures.size() == all.size()
                                     ? all.front().message
                                     : fmt::format("{}\n(no cache written; the ranks' finished architectures are kept "
                                                   "in their .rank-R-of-{} files and journals: rerun with --resume)",
                                                   fmt::join(failures, "\n"), all.size());
        if (code == 2) throw UsageError(what);
        throw std::runtime_error(what);
    }
    if (files.finalOut.empty()) return 0;  // --help
    if (files.finalComplete) {
        std::cerr << fmt::format("zcgp gather: '{}' is already complete\n", files.finalOut.string());
        return 0;
    }
    std::vector<pc::StatisticsCache> shards;
    for (int r = 0; r < world.size(); ++r) shards.push_back(pc::StatisticsCache::read(rankFile(files.finalOut, r, world.size())));
    auto merged = pc::StatisticsCache::merge(shards);
    merged.write(files.finalOut);
    for (int r = 0; r < world.size(); ++r) fs::remove(rankFile(files.finalOut, r, world.size()));
    std::cerr << fmt::format("zcgp gather: {} ranks: merged into '{}': {} architectures\n", world.size(),
                             files.finalOut.string(), merged.size());
    return 0;
}

int runGather(std::vector<std::string> const& args) {
    bool const merge = !args.empty() && args.front() == "--merge";
    auto const& world = MpiWorld::instance();
    if (world.size() == 1) return gatherOne(args, std::nullopt, nullptr);
    if (merge) throw UsageError("zcgp gather: --merge runs as one process, not under mpirun");
    return gatherUnderMpi(args, world);
}

}  // namespace

ZCGP_REGISTER_COMMAND("gather", torchCommandSummary("gather"), runGather);

}  // namespace zcgp::cli

#pragma once
// The report of one `zcgp evolve` run (or ensemble member): what result.json holds. One typed struct, written by
// the evolve command and read by every consumer (export, evaluate, search, reproduce, ensemble resume), so a
// misspelt key is a compile error instead of a silent NaN. Non-finite numbers are stored as JSON null and read
// back as NaN.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace zcgp::engine {

// A result.json that is missing, unreadable, not JSON, or lacks a field; the message names the file and the key.
class RunReportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct TaskQuality {
    std::string task;
    double trainTau{0}, testTau{0}, testSpearman{0};
    std::size_t trainArchs{0}, testArchs{0};
    std::vector<std::string> trainKeys;  // the train architectures (so baselines can be paired on the same split)
};

struct HandcraftedQuality {
    std::string name;
    double trainTau{0}, testTau{0}, testSpearman{0};
};

struct ParetoPoint {
    std::size_t size{0};
    std::string formula;
    double trainTau{0}, testTau{0};
};

// One point of the cost front: a formula's seconds per architecture against its train tau.
struct CostPoint {
    double cost{0};
    std::size_t size{0};
    std::string formula;
    double trainTau{0}, testTau{0};
};

struct DataSummary {
    std::string task;
    std::size_t archs{0}, droppedArchs{0};
    std::vector<std::string> droppedProxies;
    std::string source;          // the file or folder the task was read from (a --table file names the table)
    std::string target;          // its ground-truth column
    bool targetNegated{false};   // --target-order lower: tau is against the negated target
};

// One scalar terminal's unsupervised transform (primitives::ColumnTransform), so a reader can rebuild it.
struct TerminalTransform {
    std::string name, kind;  // kind: identity | log | neglog | asinh | rank
    double inScale{1}, shift{0}, scale{1};
    std::optional<double> knee;
    std::optional<std::string> source;  // the raw proxy a second view (NAME_r) reads
};

struct EnsembleMember {
    std::uint64_t seed{0};
    std::string formula;
    std::size_t size{0};
    double trainTau{0}, testTau{0};
    std::string dir;
    std::string creator;  // its initial trees (--member-creators); "" in runs written before the option existed
};

struct RunReport {
    std::string formula, simplified;
    std::size_t size{0}, depth{0};
    double trainTau{0}, testTau{0}, testSpearman{0}, penalisedFitness{0};
    bool finiteOnAllArchs{false};
    std::vector<std::string> tasks;
    std::vector<TaskQuality> perTask;
    std::uint64_t seed{0};
    std::size_t generations{0};         // generations completed
    std::size_t generationsPlanned{0};  // the --generations budget
    std::string stopped{"generations"};  // why the run ended: generations | time_limit
    std::size_t population{0}, trainArchs{0};
    std::optional<HandcraftedQuality> bestHandcrafted;  // none without scalar terminals (--terminals raw)
    double seconds{0};                                  // the evolution loop only
    std::uint64_t evaluations{0}, nodeEvaluations{0};
    std::map<std::string, std::uint64_t> pruned;  // rule name -> rejected candidates
    std::vector<ParetoPoint> pareto;
    // the formula's compute cost (seconds per architecture, the median recorded times of its distinct proxies)
    // and the front of cost against train tau; absent where no proxy time is recorded
    std::optional<double> cost;
    std::vector<CostPoint> costPareto;
    std::size_t terms{1};      // --terms (linear scaling)
    double costWeight{0.0};    // --cost-weight
    std::vector<DataSummary> data;
    std::string normalize;                  // the terminal transform the formula is written over
    std::vector<TerminalTransform> terminals;
    std::string fitness{"kendall"};         // --fitness: the train correlation the GP maximised
    std::string terminalSet{"cached"};      // --terminals groups: cached, cached,graph, raw, both (cached,raw) ...
    std::optional<std::string> stats;       // --stats FILE the LayerVector terminals came from
    std::optional<std::size_t> ensemble;    // members, for an ensemble run
    std::vector<EnsembleMember> members;
    // --islands: populations the run's was split into (1 in runs written before the option existed), and, for
    // more than one, each island's best (dir: island-J)
    std::size_t islands{1};
    std::vector<EnsembleMember> islandBests;

    [[nodiscard]] double nodeEvaluationsPerSecond() const {
        return seconds > 0 ? static_cast<double>(nodeEvaluations) / seconds : 0.0;
    }
};

// JSON text of the report (indent < 0: one line).
[[nodiscard]] std::string toJsonText(RunReport const& report, int indent = 2);
// Parses JSON text; `source` names it in errors (a file path).
[[nodiscard]] RunReport parseRunReport(std::string_view text, std::string const& source);
// Reads DIR/result.json, or FILE if it is a file.
[[nodiscard]] RunReport readRunReport(std::filesystem::path const& runOrFile);

}  // namespace zcgp::engine

#include "zcgp/proxy_cache/ArchitectureGraph.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <span>

#include <fmt/format.h>

#include "zcgp/proxy_cache/ArchitectureKey.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

namespace zcgp::proxy_cache {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Key position -> kCellEdges index. NB201 tuples list the edges by source node, as kCellEdges does; TransNAS micro
// tuples list them by target node, (1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2) (docs/data.md: the cells
// without a path to the output are exactly those whose stored grad_norm is 0 under this reading).
constexpr std::array<std::size_t, 6> kNb201KeyEdge{0, 1, 2, 3, 4, 5};
constexpr std::array<std::size_t, 6> kTnbMicroKeyEdge{0, 1, 3, 2, 4, 5};
constexpr std::array<CellOp, 5> kNb201Ops{CellOp::Skip, CellOp::None, CellOp::Conv3x3, CellOp::Conv1x1,
                                          CellOp::AvgPool3x3};
constexpr std::array<CellOp, 4> kTnbMicroOps{CellOp::None, CellOp::Skip, CellOp::Conv1x1, CellOp::Conv3x3};
// NASLib's TransNAS micro op indices (its OP_NAMES Identity, Zero, ReLUConvBN3x3, ReLUConvBN1x1): nb360/'s keys. In
// nb360/ the 2 cells without a path to the output under this reading are the 2 with grad_norm 0, and params grow
// 9x as fast with code 2 as with code 3 (3x3 against 1x1 kernels); in zc_transbench101_micro.json it is code 3.
constexpr std::array<CellOp, 4> kTnbMicroNaslibOps{CellOp::Skip, CellOp::None, CellOp::Conv3x3, CellOp::Conv1x1};

[[noreturn]] void malformed(std::string_view task, Architecture const& arch, std::string_view what) {
    throw DataError(fmt::format("task {}: architecture '{}': {}", task, arch.key, what));
}

std::vector<int> flatOps(Architecture const& arch, std::string_view task) {
    if (!arch.ops.empty()) return arch.ops;
    std::optional<std::vector<int>> ops;
    try {
        ops = parseOpTuple(arch.key);
    } catch (std::out_of_range const& e) {
        malformed(task, arch, e.what());
    }
    if (!ops) malformed(task, arch, "not a flat tuple of op codes");
    return *ops;
}

MicroCell decodeMicro(SearchSpace space, Architecture const& arch, std::string_view task, KeyEncoding encoding) {
    auto const ops = flatOps(arch, task);
    if (ops.size() != 6) malformed(task, arch, fmt::format("{} op codes, a cell has 6 edges", ops.size()));
    bool const nb201 = space == SearchSpace::NB201;
    bool const bySource = nb201 || encoding == KeyEncoding::Naslib;
    std::span<CellOp const> const codes = nb201                            ? std::span<CellOp const>(kNb201Ops)
                                          : encoding == KeyEncoding::Naslib ? std::span<CellOp const>(kTnbMicroNaslibOps)
                                                                            : std::span<CellOp const>(kTnbMicroOps);
    MicroCell cell;
    for (std::size_t i = 0; i < 6; ++i) {
        if (ops[i] < 0 || static_cast<std::size_t>(ops[i]) >= codes.size()) {
            malformed(task, arch, fmt::format("op code {} at position {} (valid: 0..{})", ops[i], i, codes.size() - 1));
        }
        cell.ops[bySource ? kNb201KeyEdge[i] : kTnbMicroKeyEdge[i]] = codes[static_cast<std::size_t>(ops[i])];
    }
    return cell;
}

Nb101Cell decodeNb101(Architecture const& arch, std::string_view task) {
    auto const codes = flatOps(arch, task);
    std::size_t n = 0;
    while ((n + 1) * (n + 1) + (n + 1) <= codes.size()) ++n;
    if (n < 2 || n * n + n != codes.size()) {
        malformed(task, arch, fmt::format("{} numbers, an NB101 key is an n x n adjacency matrix and n op codes", codes.size()));
    }
    Nb101Cell cell;
    cell.adjacency.assign(n, std::vector<bool>(n, false));
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            int const v = codes[i * n + j];
            if (v != 0 && v != 1) malformed(task, arch, fmt::format("adjacency entry ({}, {}) is {}, not 0 or 1", i, j, v));
            if (v == 1 && j <= i) malformed(task, arch, fmt::format("adjacency entry ({}, {}) is below the diagonal", i, j));
            cell.adjacency[i][j] = v == 1;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        int const code = codes[n * n + i];
        if (code < 0 || code > 4) malformed(task, arch, fmt::format("node {} has op code {} (valid: 0..4)", i, code));
        auto const op = static_cast<Nb101Op>(code);
        bool const endpoint = i == 0 || i + 1 == n;
        if ((i == 0 && op != Nb101Op::Input) || (i + 1 == n && op != Nb101Op::Output) ||
            (!endpoint && (op == Nb101Op::Input || op == Nb101Op::Output))) {
            malformed(task, arch, fmt::format("node {} has op {}: the first node is the input, the last the output", i,
                                              toString(op)));
        }
        cell.ops.push_back(op);
    }
    return cell;
}

// "(((0, 5), (1, 3), ...), ((...)))": 32 integers in that nesting (canonicalArchKey made lists tuples).
DartsGenotype decodeDarts(Architecture const& arch, std::string_view task) {
    auto const key = canonicalArchKey(arch.key);
    std::vector<int> numbers;
    std::vector<int> depths;  // nesting depth of each number
    int depth = 0;
    int maxDepth = 0;
    for (std::size_t i = 0; i < key.size();) {
        char const c = key[i];
        if (c == '(') {
            maxDepth = std::max(maxDepth, ++depth);
            ++i;
        } else if (c == ')') {
            if (--depth < 0) malformed(task, arch, "unbalanced parentheses");
            ++i;
        } else if (c == ',' || c == ' ') {
            ++i;
        } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            int value = 0;
            auto const [end, ec] = std::from_chars(key.data() + i, key.data() + key.size(), value);
            if (ec != std::errc()) malformed(task, arch, "a number out of range");
            numbers.push_back(value);
            depths.push_back(depth);
            i = static_cast<std::size_t>(end - key.data());
        } else {
            malformed(task, arch, fmt::format("unexpected character '{}' in a DARTS genotype", c));
        }
    }
    if (depth != 0 || maxDepth != 3 || numbers.size() != 32 ||
        std::any_of(depths.begin(), depths.end(), [](int d) { return d != 3; })) {
        malformed(task, arch, "not a DARTS genotype ((normal: 8 (input, op) pairs), (reduce: 8 pairs))");
    }
    DartsGenotype genotype;
    for (std::size_t c = 0; c < 2; ++c) {
        auto& cell = c == 0 ? genotype.normal : genotype.reduce;
        for (std::size_t e = 0; e < 8; ++e) {
            int const input = numbers[c * 16 + e * 2];
            int const op = numbers[c * 16 + e * 2 + 1];
            int const node = static_cast<int>(e / 2) + 2;
            if (input >= node) {
                malformed(task, arch, fmt::format("{} cell edge {} feeds node {} from node {} (must be earlier)",
                                                  c == 0 ? "normal" : "reduce", e, node, input));
            }
            if (op < 0 || static_cast<std::size_t>(op) >= kDartsOpCount) {
                malformed(task, arch, fmt::format("op code {} (valid: 0..{})", op, kDartsOpCount - 1));
            }
            cell.edges[e] = {input, static_cast<DartsOp>(op)};
        }
    }
    return genotype;
}

MacroNet decodeMacro(Architecture const& arch, std::string_view task) {
    auto const codes = flatOps(arch, task);
    if (codes.size() != 6) malformed(task, arch, fmt::format("{} block codes, a TransNAS macro network has 6", codes.size()));
    MacroNet net;
    for (std::size_t i = 0; i < 6; ++i) {
        if (codes[i] < 0 || codes[i] > 4) malformed(task, arch, fmt::format("block code {} (valid: 0..4)", codes[i]));
        net.codes[i] = codes[i];
    }
    return net;
}

// ---- micro cells ----
struct OpSubset {
    char const* name;
    std::vector<CellOp> ops;
};
std::vector<OpSubset> const& microSubsets(SearchSpace space) {
    static std::vector<OpSubset> const nb201{
        {"conv3", {CellOp::Conv3x3}},
        {"conv1", {CellOp::Conv1x1}},
        {"conv", {CellOp::Conv3x3, CellOp::Conv1x1}},
        {"conv_skip", {CellOp::Conv3x3, CellOp::Conv1x1, CellOp::Skip}},
        {"nonzero", {CellOp::Conv3x3, CellOp::Conv1x1, CellOp::Skip, CellOp::AvgPool3x3}},
        {"pool", {CellOp::AvgPool3x3}},
    };
    // TransNAS micro has no pooling op, so {convs, skip} is {every op but none}: kept once, as "nonzero".
    static std::vector<OpSubset> const tnb{
        {"conv3", {CellOp::Conv3x3}},
        {"conv1", {CellOp::Conv1x1}},
        {"conv", {CellOp::Conv3x3, CellOp::Conv1x1}},
        {"nonzero", {CellOp::Conv3x3, CellOp::Conv1x1, CellOp::Skip}},
    };
    return space == SearchSpace::NB201 ? nb201 : tnb;
}
std::vector<CellOp> const& microOps(SearchSpace space) {
    static std::vector<CellOp> const nb201{CellOp::None, CellOp::Skip, CellOp::Conv1x1, CellOp::Conv3x3, CellOp::AvgPool3x3};
    static std::vector<CellOp> const tnb{CellOp::None, CellOp::Skip, CellOp::Conv1x1, CellOp::Conv3x3};
    return space == SearchSpace::NB201 ? nb201 : tnb;
}

// The 4 input->output paths of the cell, as kCellEdges indices.
constexpr std::array<std::array<int, 3>, 4> kCellPaths{{{2, -1, -1}, {0, 4, -1}, {1, 5, -1}, {0, 3, 5}}};
constexpr double kNoPathMinLength = 4;  // one more than the longest path (3 edges)

std::vector<double> microFeatures(SearchSpace space, MicroCell const& cell) {
    std::vector<double> f;
    for (auto op : microOps(space)) f.push_back(static_cast<double>(std::count(cell.ops.begin(), cell.ops.end(), op)));
    for (auto const& subset : microSubsets(space)) {
        auto const in = [&](int edge) {
            return std::find(subset.ops.begin(), subset.ops.end(), cell.ops[static_cast<std::size_t>(edge)]) != subset.ops.end();
        };
        double count = 0;
        double minLength = kNoPathMinLength;
        double maxLength = 0;
        for (auto const& path : kCellPaths) {
            double length = 0;
            bool ok = true;
            for (int e : path) {
                if (e < 0) break;
                ok = ok && in(e);
                ++length;
            }
            if (!ok) continue;
            ++count;
            minLength = std::min(minLength, length);
            maxLength = std::max(maxLength, length);
        }
        f.push_back(count);
        f.push_back(minLength);
        f.push_back(maxLength);
    }
    double inputOut = 0;
    double outputIn = 0;
    for (std::size_t e = 0; e < kCellEdges.size(); ++e) {
        if (cell.ops[e] == CellOp::None) continue;
        if (kCellEdges[e].from == 0) ++inputOut;
        if (kCellEdges[e].to == 3) ++outputIn;
    }
    f.push_back(inputOut);
    f.push_back(outputIn);
    return f;
}

std::vector<std::string> microNames(SearchSpace space) {
    std::vector<std::string> names;
    for (auto op : microOps(space)) names.push_back(fmt::format("count_{}", toString(op)));
    for (auto const& subset : microSubsets(space)) {
        names.push_back(fmt::format("paths_{}", subset.name));
        names.push_back(fmt::format("minlen_{}", subset.name));
        names.push_back(fmt::format("maxlen_{}", subset.name));
    }
    names.emplace_back("input_outdegree");
    names.emplace_back("output_indegree");
    return names;
}

// ---- NB101 ----
std::vector<double> nb101Features(Nb101Cell const& cell) {
    auto const n = cell.ops.size();
    double edges = 0;
    for (auto const& row : cell.adjacency) edges += static_cast<double>(std::count(row.begin(), row.end(), true));
    // longest / shortest input->output path in edges, and the number of paths, over the DAG in node order
    std::vector<double> longest(n, -1);
    std::vector<double> shortest(n, -1);
    std::vector<double> paths(n, 0);
    longest[0] = shortest[0] = 0;
    paths[0] = 1;
    for (std::size_t j = 1; j < n; ++j) {
        for (std::size_t i = 0; i < j; ++i) {
            if (!cell.adjacency[i][j] || longest[i] < 0) continue;
            longest[j] = std::max(longest[j], longest[i] + 1);
            shortest[j] = shortest[j] < 0 ? shortest[i] + 1 : std::min(shortest[j], shortest[i] + 1);
            paths[j] += paths[i];
        }
    }
    auto const count = [&](Nb101Op op) { return static_cast<double>(std::count(cell.ops.begin(), cell.ops.end(), op)); };
    bool const connected = longest[n - 1] >= 0;
    return {count(Nb101Op::Conv3x3), count(Nb101Op::Conv1x1), count(Nb101Op::MaxPool3x3), edges,
            connected ? longest[n - 1] : 0, connected ? shortest[n - 1] : static_cast<double>(n), paths[n - 1]};
}

// ---- NB301 ----
constexpr std::array<char const*, kDartsOpCount> kDartsOpNames{"max_pool_3x3", "avg_pool_3x3", "skip_connect",
                                                               "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3",
                                                               "dil_conv_5x5"};
std::vector<double> dartsCellFeatures(DartsCell const& cell) {
    std::vector<double> f(kDartsOpCount, 0);
    std::array<double, 5> usage{};  // nodes 0..4 as an input (node 5 feeds only the output)
    std::array<double, 6> depth{};  // ops on the longest path from a cell input to each node
    for (std::size_t e = 0; e < cell.edges.size(); ++e) {
        auto const& edge = cell.edges[e];
        f[static_cast<std::size_t>(edge.op)] += 1;
        usage[static_cast<std::size_t>(edge.input)] += 1;
        auto const node = e / 2 + 2;
        depth[node] = std::max(depth[node], depth[static_cast<std::size_t>(edge.input)] + 1);
    }
    f.insert(f.end(), usage.begin(), usage.end());
    double maxDepth = 0;
    double sumDepth = 0;
    for (std::size_t node = 2; node < 6; ++node) {
        maxDepth = std::max(maxDepth, depth[node]);
        sumDepth += depth[node];
    }
    f.push_back(maxDepth);
    f.push_back(sumDepth / 4);
    return f;
}
std::vector<std::string> dartsNames() {
    std::vector<std::string> names;
    for (char const* cell : {"normal", "reduce"}) {
        for (auto const* op : kDartsOpNames) names.push_back(fmt::format("{}_count_{}", cell, op));
        names.push_back(fmt::format("{}_use_c_k-2", cell));
        names.push_back(fmt::format("{}_use_c_k-1", cell));
        for (int node = 0; node < 3; ++node) names.push_back(fmt::format("{}_use_node{}", cell, node));
        names.push_back(fmt::format("{}_depth_max", cell));
        names.push_back(fmt::format("{}_depth_mean", cell));
    }
    for (auto& name : names) std::replace(name.begin(), name.end(), '-', 'm');  // identifiers: c_k-2 -> c_km2
    return names;
}

// ---- TNB macro ----
std::vector<double> macroFeatures(MacroNet const& net) {
    std::vector<double> f;
    std::vector<int> modules;
    for (int c : net.codes) {
        if (c != 0) modules.push_back(c);
    }
    f.push_back(static_cast<double>(modules.size()));
    for (int code = 1; code <= 4; ++code) f.push_back(static_cast<double>(std::count(modules.begin(), modules.end(), code)));
    // 1-based position among the modules; 7 (after the last possible one) when there is none
    auto const first = [&](auto pred) {
        auto const it = std::find_if(modules.begin(), modules.end(), pred);
        return it == modules.end() ? 7.0 : static_cast<double>(it - modules.begin() + 1);
    };
    f.push_back(first([](int c) { return c == 3 || c == 4; }));
    f.push_back(first([](int c) { return c == 2 || c == 4; }));
    return f;
}

// ---- FlexiBERT ----
std::vector<double> flexibertFeatures(FlexiBertConfig const& config) {
    double sa = 0;
    double lt = 0;
    double dsc = 0;
    double heads = 0;
    double ffnSum = 0;
    double ffnMax = 0;
    for (auto const& layer : config.layers) {
        sa += layer.operationType == "SA" ? 1 : 0;
        lt += layer.operationType == "LT" ? 1 : 0;
        dsc += layer.operationType == "DSC" ? 1 : 0;
        heads += layer.heads;
        ffnSum += layer.feedForwardDimension;
        ffnMax = std::max(ffnMax, static_cast<double>(layer.feedForwardDimension));
    }
    auto const layers = static_cast<double>(config.layers.size());
    return {static_cast<double>(config.hiddenSize), layers, sa, lt, dsc, heads, layers > 0 ? ffnSum / layers : 0, ffnMax};
}

}  // namespace

std::string_view toString(CellOp op) {
    switch (op) {
    case CellOp::None: return "none";
    case CellOp::Skip: return "skip";
    case CellOp::Conv1x1: return "conv1x1";
    case CellOp::Conv3x3: return "conv3x3";
    case CellOp::AvgPool3x3: return "avgpool3x3";
    }
    return "?";
}

std::string nb201ArchString(MicroCell const& cell) {
    auto const name = [&](std::size_t edge) -> std::string_view {
        switch (cell.ops[edge]) {
        case CellOp::None: return "none";
        case CellOp::Skip: return "skip_connect";
        case CellOp::Conv1x1: return "nor_conv_1x1";
        case CellOp::Conv3x3: return "nor_conv_3x3";
        case CellOp::AvgPool3x3: return "avg_pool_3x3";
        }
        throw std::invalid_argument("nb201ArchString: unknown op");
    };
    // node 1 <- 0; node 2 <- 0, 1; node 3 <- 0, 1, 2 (kCellEdges order: (1<-0), (2<-0), (3<-0), (2<-1), (3<-1), (3<-2))
    return fmt::format("|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|", name(0), name(1), name(3), name(2), name(4), name(5));
}

std::string_view toString(Nb101Op op) {
    switch (op) {
    case Nb101Op::Input: return "input";
    case Nb101Op::Output: return "output";
    case Nb101Op::MaxPool3x3: return "maxpool3x3";
    case Nb101Op::Conv1x1: return "conv1x1";
    case Nb101Op::Conv3x3: return "conv3x3";
    }
    return "?";
}

std::string_view toString(DartsOp op) { return kDartsOpNames[static_cast<std::size_t>(op)]; }

std::string_view toString(BiasProperty property) {
    switch (property) {
    case BiasProperty::CellSize: return "cell_size";
    case BiasProperty::NumSkip: return "num_skip";
    case BiasProperty::ConvMinusPool: return "conv_minus_pool";
    case BiasProperty::LargeKernels: return "large_kernels";
    case BiasProperty::UniqueOps: return "unique_ops";
    }
    return "?";
}

bool hasArchitectureGraph(SearchSpace space) { return space != SearchSpace::Table; }

ArchitectureGraph decodeArchitecture(SearchSpace space, Architecture const& arch, std::string_view task,
                                     KeyEncoding encoding) {
    ArchitectureGraph graph;
    graph.space = space;
    switch (space) {
    case SearchSpace::NB201:
    case SearchSpace::TNB101Micro: graph.structure = decodeMicro(space, arch, task, encoding); break;
    case SearchSpace::NB101: graph.structure = decodeNb101(arch, task); break;
    case SearchSpace::NB301: graph.structure = decodeDarts(arch, task); break;
    case SearchSpace::TNB101Macro: graph.structure = decodeMacro(arch, task); break;
    case SearchSpace::FlexiBERT:
        if (!arch.flexibert) malformed(task, arch, "no layer configuration (BERT_benchmark.json has no such id)");
        graph.structure = *arch.flexibert;
        break;
    case SearchSpace::Table:
        throw DataError(fmt::format("task {}: architecture '{}': a table's architectures are ids; graph features need "
                                    "a known search space",
                                    task, arch.key));
    }
    return graph;
}

ArchitectureGraph decodeArchitecture(ProxyTable const& table, std::size_t row) {
    return decodeArchitecture(table.space, table.archs.at(row), table.id(), table.keyEncoding);
}

std::vector<std::string> const& graphFeatureNames(SearchSpace space) {
    static std::map<SearchSpace, std::vector<std::string>> const names{
        {SearchSpace::NB201, microNames(SearchSpace::NB201)},
        {SearchSpace::TNB101Micro, microNames(SearchSpace::TNB101Micro)},
        {SearchSpace::NB101,
         {"count_conv3x3", "count_conv1x1", "count_maxpool3x3", "edges", "longest_path", "shortest_path", "paths"}},
        {SearchSpace::NB301, dartsNames()},
        {SearchSpace::TNB101Macro,
         {"modules", "count_code1", "count_code2", "count_code3", "count_code4", "first_downsample", "first_channel_double"}},
        {SearchSpace::FlexiBERT,
         {"hidden_size", "layers", "count_sa", "count_lt", "count_dsc", "heads_total", "ffn_mean", "ffn_max"}},
        {SearchSpace::Table, {}},
    };
    return names.at(space);
}

std::vector<double> graphFeatures(ArchitectureGraph const& graph) {
    return std::visit(Overloaded{
                          [&](MicroCell const& c) { return microFeatures(graph.space, c); },
                          [](Nb101Cell const& c) { return nb101Features(c); },
                          [](DartsGenotype const& g) {
                              auto f = dartsCellFeatures(g.normal);
                              auto const r = dartsCellFeatures(g.reduce);
                              f.insert(f.end(), r.begin(), r.end());
                              return f;
                          },
                          [](MacroNet const& n) { return macroFeatures(n); },
                          [](FlexiBertConfig const& c) { return flexibertFeatures(c); },
                      },
                      graph.structure);
}

namespace {
// archs x names, row r = row(decoded architecture r)
template <class RowOf>
GraphFeatureTable tableOf(ProxyTable const& table, std::vector<std::string> names, RowOf rowOf) {
    if (!hasArchitectureGraph(table.space)) {
        throw DataError(fmt::format("task {}: graph features need a known search space; a table's architectures are "
                                    "ids (declare the space of its keys)",
                                    table.id()));
    }
    GraphFeatureTable out;
    out.names = std::move(names);
    out.values.resize(static_cast<Eigen::Index>(table.size()), static_cast<Eigen::Index>(out.names.size()));
    auto const id = table.id();
    for (std::size_t r = 0; r < table.size(); ++r) {
        std::vector<double> const f = rowOf(decodeArchitecture(table.space, table.archs[r], id, table.keyEncoding));
        for (std::size_t c = 0; c < f.size(); ++c) {
            out.values(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = f[c];
        }
    }
    return out;
}
}  // namespace

GraphFeatureTable graphFeatureTable(ProxyTable const& table) {
    return tableOf(table, graphFeatureNames(table.space), [](ArchitectureGraph const& g) { return graphFeatures(g); });
}

GraphFeatureTable biasPropertyTable(ProxyTable const& table) {
    std::vector<std::string> names;
    for (auto p : kBiasProperties) names.emplace_back(toString(p));
    return tableOf(table, std::move(names), [](ArchitectureGraph const& g) {
        std::vector<double> v;
        for (auto p : kBiasProperties) v.push_back(biasProperty(g, p).value_or(std::numeric_limits<double>::quiet_NaN()));
        return v;
    });
}

GraphFeatureTable encodingTable(ProxyTable const& table) {
    auto names = encodingNames(table.space);
    if (!names) {
        throw DataError(fmt::format("task {}: NASLib has no encoding of {} architectures", table.id(), toString(table.space)));
    }
    return tableOf(table, std::move(*names), [](ArchitectureGraph const& g) { return *encodeArchitecture(g); });
}

// ---- bias properties ----
bool biasPropertyDefined(SearchSpace space, BiasProperty property) {
    switch (space) {
    case SearchSpace::NB201:
    case SearchSpace::TNB101Micro: return true;
    case SearchSpace::NB101: return property != BiasProperty::NumSkip;  // NB101 has no skip op
    case SearchSpace::NB301: return property != BiasProperty::CellSize;  // every DARTS cell has 8 ops: constant
    case SearchSpace::TNB101Macro: return property == BiasProperty::CellSize || property == BiasProperty::UniqueOps;
    case SearchSpace::FlexiBERT: return property == BiasProperty::CellSize || property == BiasProperty::UniqueOps;
    case SearchSpace::Table: return false;
    }
    return false;
}

std::optional<double> biasProperty(ArchitectureGraph const& graph, BiasProperty property) {
    if (!biasPropertyDefined(graph.space, property)) return std::nullopt;
    auto const distinct = [](auto const& values) { return static_cast<double>(std::set(values.begin(), values.end()).size()); };
    return std::visit(
        Overloaded{
            [&](MicroCell const& c) -> double {
                auto const n = [&](CellOp op) { return static_cast<double>(std::count(c.ops.begin(), c.ops.end(), op)); };
                std::vector<CellOp> used;
                std::copy_if(c.ops.begin(), c.ops.end(), std::back_inserter(used), [](CellOp op) { return op != CellOp::None; });
                switch (property) {
                case BiasProperty::CellSize: return 6 - n(CellOp::None);
                case BiasProperty::NumSkip: return n(CellOp::Skip);
                case BiasProperty::ConvMinusPool: return n(CellOp::Conv3x3) + n(CellOp::Conv1x1) - n(CellOp::AvgPool3x3);
                case BiasProperty::LargeKernels: return n(CellOp::Conv3x3);
                case BiasProperty::UniqueOps: return distinct(used);
                }
                return 0;
            },
            [&](Nb101Cell const& c) -> double {
                auto const n = [&](Nb101Op op) { return static_cast<double>(std::count(c.ops.begin(), c.ops.end(), op)); };
                std::vector<Nb101Op> inner(c.ops.begin() + 1, c.ops.end() - 1);
                switch (property) {
                case BiasProperty::CellSize: return nb101Features(c)[3];  // edges
                case BiasProperty::ConvMinusPool: return n(Nb101Op::Conv3x3) + n(Nb101Op::Conv1x1) - n(Nb101Op::MaxPool3x3);
                case BiasProperty::LargeKernels: return n(Nb101Op::Conv3x3);
                case BiasProperty::UniqueOps: return distinct(inner);
                case BiasProperty::NumSkip: break;
                }
                return 0;
            },
            [&](DartsGenotype const& g) -> double {
                std::vector<DartsOp> ops;
                for (auto const* cell : {&g.normal, &g.reduce}) {
                    for (auto const& e : cell->edges) ops.push_back(e.op);
                }
                auto const n = [&](DartsOp op) { return static_cast<double>(std::count(ops.begin(), ops.end(), op)); };
                switch (property) {
                case BiasProperty::NumSkip: return n(DartsOp::Skip);
                case BiasProperty::ConvMinusPool:
                    return n(DartsOp::SepConv3x3) + n(DartsOp::SepConv5x5) + n(DartsOp::DilConv3x3) + n(DartsOp::DilConv5x5) -
                           n(DartsOp::MaxPool3x3) - n(DartsOp::AvgPool3x3);
                case BiasProperty::LargeKernels: return n(DartsOp::SepConv5x5) + n(DartsOp::DilConv5x5);
                case BiasProperty::UniqueOps: return distinct(ops);
                case BiasProperty::CellSize: break;
                }
                return 0;
            },
            [&](MacroNet const& m) -> double {
                std::vector<int> modules;
                std::copy_if(m.codes.begin(), m.codes.end(), std::back_inserter(modules), [](int c) { return c != 0; });
                return property == BiasProperty::CellSize ? static_cast<double>(modules.size()) : distinct(modules);
            },
            [&](FlexiBertConfig const& c) -> double {
                std::vector<std::string> types;
                for (auto const& layer : c.layers) types.push_back(layer.operationType + "/" + layer.operationParameter);
                return property == BiasProperty::CellSize ? static_cast<double>(c.layers.size()) : distinct(types);
            },
        },
        graph.structure);
}

// ---- encodings ----
std::optional<std::vector<std::string>> encodingNames(SearchSpace space) {
    std::vector<std::string> names;
    switch (space) {
    case SearchSpace::NB201:
    case SearchSpace::TNB101Micro:
        for (std::size_t e = 0; e < kCellEdges.size(); ++e) {
            for (auto op : microOps(space)) {
                names.push_back(fmt::format("edge{}{}_{}", kCellEdges[e].to, kCellEdges[e].from, toString(op)));
            }
        }
        return names;
    case SearchSpace::NB101:
        for (std::size_t i = 0; i < 7; ++i) {
            for (std::size_t j = i + 1; j < 7; ++j) names.push_back(fmt::format("adj_{}_{}", i, j));
        }
        for (std::size_t i = 1; i < 6; ++i) {
            for (auto op : {Nb101Op::Conv1x1, Nb101Op::Conv3x3, Nb101Op::MaxPool3x3}) {
                names.push_back(fmt::format("node{}_{}", i, toString(op)));
            }
        }
        return names;
    case SearchSpace::NB301:
        for (char const* cell : {"normal", "reduce"}) {
            for (std::size_t j = 2; j < 6; ++j) {
                for (std::size_t i = 0; i < j; ++i) names.push_back(fmt::format("{}_adj_{}_{}", cell, i, j));
            }
            for (std::size_t e = 0; e < 8; ++e) {
                for (auto const* op : kDartsOpNames) names.push_back(fmt::format("{}_edge{}_{}", cell, e, op));
            }
        }
        return names;
    case SearchSpace::TNB101Macro:
        for (std::size_t i = 0; i < 6; ++i) {
            for (int code = 0; code <= 4; ++code) names.push_back(fmt::format("block{}_code{}", i, code));
        }
        return names;
    case SearchSpace::FlexiBERT:
    case SearchSpace::Table: return std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::vector<double>> encodeArchitecture(ArchitectureGraph const& graph) {
    auto const names = encodingNames(graph.space);
    if (!names) return std::nullopt;
    std::vector<double> v;
    v.reserve(names->size());
    std::visit(Overloaded{
                   [&](MicroCell const& c) {
                       auto const& ops = microOps(graph.space);
                       for (auto op : c.ops) {
                           for (auto o : ops) v.push_back(o == op ? 1.0 : 0.0);
                       }
                   },
                   [&](Nb101Cell const& c) {
                       // padded to 7 nodes as NASLib does for smaller cells: the output stays the last node
                       auto const n = c.ops.size();
                       auto const node = [&](std::size_t i) { return i + 1 == n ? std::size_t{6} : i; };
                       std::vector<std::vector<double>> adj(7, std::vector<double>(7, 0.0));
                       for (std::size_t i = 0; i < n; ++i) {
                           for (std::size_t j = 0; j < n; ++j) {
                               if (c.adjacency[i][j]) adj[node(i)][node(j)] = 1;
                           }
                       }
                       for (std::size_t i = 0; i < 7; ++i) {
                           for (std::size_t j = i + 1; j < 7; ++j) v.push_back(adj[i][j]);
                       }
                       for (std::size_t i = 1; i < 6; ++i) {
                           for (auto op : {Nb101Op::Conv1x1, Nb101Op::Conv3x3, Nb101Op::MaxPool3x3}) {
                               v.push_back(i + 1 < n && c.ops[i] == op ? 1.0 : 0.0);
                           }
                       }
                   },
                   [&](DartsGenotype const& g) {
                       for (auto const* cell : {&g.normal, &g.reduce}) {
                           for (std::size_t j = 2; j < 6; ++j) {
                               for (std::size_t i = 0; i < j; ++i) {
                                   double edges = 0;
                                   for (std::size_t e = (j - 2) * 2; e < (j - 2) * 2 + 2; ++e) {
                                       edges += static_cast<std::size_t>(cell->edges[e].input) == i ? 1 : 0;
                                   }
                                   v.push_back(edges);
                               }
                           }
                           for (auto const& e : cell->edges) {
                               for (std::size_t o = 0; o < kDartsOpCount; ++o) {
                                   v.push_back(static_cast<std::size_t>(e.op) == o ? 1.0 : 0.0);
                               }
                           }
                       }
                   },
                   [&](MacroNet const& m) {
                       for (int c : m.codes) {
                           for (int code = 0; code <= 4; ++code) v.push_back(c == code ? 1.0 : 0.0);
                       }
                   },
                   [](FlexiBertConfig const&) {},
               },
               graph.structure);
    return v;
}

}  // namespace zcgp::proxy_cache

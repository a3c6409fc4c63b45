// zcgp._zcgp: the Python module's native part (the public API is python/zcgp/__init__.py).
//
// It holds no zcgp logic of its own. evolve runs the CLI's registered `zcgp evolve` command on the argument vector
// that evolve_arguments() builds from the keyword options, against the CLI's own option description, so flags,
// defaults, validation and its messages (UsageError -> ValueError) are the CLI's. Tasks come from zcgp::tasks,
// formulas from the engine's parser and interpreter, statistics from zcgp::fitness. The GIL is released while any
// of them runs; a progress callback takes it back for the moment it runs.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "CliErrors.hpp"
#include "Command.hpp"
#include "EvolveOptions.hpp"
#include "Progress.hpp"
#include "TorchCommands.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/primitives/Dataset.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace py = pybind11;
namespace po = boost::program_options;
namespace engine = zcgp::engine;
namespace primitives = zcgp::primitives;
namespace proxy_cache = zcgp::proxy_cache;
namespace tasks = zcgp::tasks;

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::span<double const> view(Array const& a, char const* name) {
    if (a.ndim() != 1) throw py::value_error(fmt::format("{}: expected a 1-d array, got {} dimensions", name, a.ndim()));
    return {a.data(), static_cast<std::size_t>(a.size())};
}

Array toNumpy(std::span<double const> values) {
    Array out(static_cast<py::ssize_t>(values.size()));
    std::copy(values.begin(), values.end(), out.mutable_data());
    return out;
}

// --data DIR (or $ZCGP_DATA, or ./data), resolved as every subcommand resolves it.
std::filesystem::path dataDir(std::optional<std::string> const& data) {
    po::variables_map vm;
    if (data) vm.emplace("data", po::variable_value(*data, false));
    return zcgp::cli::resolveDataDir(vm);
}

// One keyword value as a flag's text: Python's str() (shortest round-trip for floats, numpy scalars included).
std::string token(py::handle value) {
    if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
    if (py::hasattr(value, "__fspath__")) return py::str(value.attr("__fspath__")()).cast<std::string>();
    return py::str(value).cast<std::string>();
}

// Keyword options -> the argument vector of `zcgp evolve`: name_with_underscores=value becomes --name-with-
// underscores=value. A switch (--json, --force) is given for True and left out for False; None leaves a flag out;
// a list repeats a repeatable flag (--task, --exclude) and is a comma list otherwise (--proxies). A name that is no
// flag is passed on as one, so that the CLI's parser rejects it with its own message.
std::vector<std::string> evolveArguments(py::dict const& options) {
    auto const description = zcgp::cli::evolve::options();
    std::vector<std::string> args;
    for (auto const& [key, value] : options) {
        if (value.is_none()) continue;
        auto name = key.cast<std::string>();
        std::replace(name.begin(), name.end(), '_', '-');
        auto const* option = description.find_nothrow(name, false);
        bool const isSwitch = option != nullptr && option->semantic()->max_tokens() == 0;
        if (isSwitch && py::isinstance<py::bool_>(value)) {
            if (value.cast<bool>()) args.push_back("--" + name);
            continue;
        }
        bool const isList = (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value));
        if (isList && option != nullptr && option->semantic()->is_composing()) {
            for (auto const& item : value) args.push_back(fmt::format("--{}={}", name, token(item)));
            continue;
        }
        if (isList) {
            std::vector<std::string> items;
            for (auto const& item : value) items.push_back(token(item));
            args.push_back(fmt::format("--{}={}", name, fmt::join(items, ",")));
            continue;
        }
        args.push_back(fmt::format("--{}={}", name, token(value)));
    }
    return args;
}

// Runs a registered CLI command without the GIL. `progress(label, done, total, detail)`, if given, is called with
// the GIL at each progress-bar update; it (or Ctrl-C, checked there) may raise to stop the command, which then
// cleans up as after any error. Returns the command's exit code.
int runCommand(std::string const& name, std::vector<std::string> const& args, py::object const& progress) {
    auto const& commands = zcgp::cli::commands();
    auto const it = std::find_if(commands.begin(), commands.end(), [&](auto const& c) { return c.name == name; });
    // the LibTorch commands are registered here as hand-overs to zcgp-torch (execv): never run one in Python
    bool const handOver = std::any_of(zcgp::cli::kTorchCommands.begin(), zcgp::cli::kTorchCommands.end(),
                                      [&](auto const& c) { return c.name == name; });
    if (it == commands.end() || handOver) throw py::value_error(fmt::format("zcgp: no command '{}' here", name));
    auto const observer = [progress](std::string const& label, std::size_t done, std::size_t total,
                                     std::string const& detail) {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        if (!progress.is_none()) progress(label, done, total, detail);
    };
    py::gil_scoped_release release;
    zcgp::cli::ProgressObserverScope scope(observer);
    return it->run(args);
}

// A formula over named raw arrays: the engine's parser and interpreter, terminals in the given order.
class Formula {
public:
    Formula(std::string expression, std::vector<std::string> terminals)
        : expression_(std::move(expression)), terminals_(std::move(terminals)) {
        std::vector<double> one(1, 1.0);
        primitives::Dataset probe(std::vector<std::string>{"0"});
        for (auto const& t : terminals_) probe.addScalar(t, one);
        tree_ = engine::parse(expression_, engine::Vocabulary::of(probe));  // invalid_argument -> ValueError
        formatted_ = engine::format(tree_, engine::Vocabulary::of(probe));
    }

    // columns: one array per terminal, in terminals() order (the Python side picks them from a dict or DataFrame)
    [[nodiscard]] Array evaluate(std::vector<Array> const& columns) const {
        if (columns.size() != terminals_.size()) {
            throw py::value_error(fmt::format("Formula: {} columns for {} terminals", columns.size(), terminals_.size()));
        }
        std::size_t rows = 0;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            auto const v = view(columns[c], terminals_[c].c_str());
            if (c > 0 && v.size() != rows) {
                throw py::value_error(fmt::format("Formula: terminal '{}' has {} values, '{}' has {}", terminals_[c],
                                                  v.size(), terminals_[0], rows));
            }
            rows = v.size();
        }
        // a row with a missing (NaN) or infinite input is NaN; the others are evaluated together, and one by one
        // only if the formula is non-finite on some of them (the engine then rejects the whole column)
        std::vector<std::size_t> complete;
        for (std::size_t r = 0; r < rows; ++r) {
            bool ok = true;
            for (auto const& column : columns) ok = ok && std::isfinite(column.data()[r]);
            if (ok) complete.push_back(r);
        }
        std::vector<double> values(rows, std::numeric_limits<double>::quiet_NaN());
        std::vector<std::vector<double>> inputs(columns.size());
        for (std::size_t c = 0; c < columns.size(); ++c) {
            for (auto r : complete) inputs[c].push_back(columns[c].data()[r]);
        }
        {
            py::gil_scoped_release release;
            auto const evaluateRows = [&](std::size_t first, std::size_t count, std::span<double> out) {
                std::vector<std::string> keys(count);
                for (std::size_t r = 0; r < count; ++r) keys[r] = std::to_string(first + r);
                primitives::Dataset data(std::move(keys));
                for (std::size_t c = 0; c < columns.size(); ++c) {
                    data.addScalar(terminals_[c], std::span<double const>(inputs[c]).subspan(first, count));
                }
                engine::Interpreter const interpreter(data);
                auto scratch = interpreter.makeScratch(tree_.size());
                return interpreter.evaluate(tree_, scratch, out);
            };
            std::vector<double> out(complete.size());
            if (complete.empty()) {
            } else if (evaluateRows(0, complete.size(), out)) {
                for (std::size_t i = 0; i < complete.size(); ++i) values[complete[i]] = out[i];
            } else {
                for (std::size_t i = 0; i < complete.size(); ++i) {
                    double v = 0.0;
                    if (evaluateRows(i, 1, std::span<double>(&v, 1))) values[complete[i]] = v;
                }
            }
        }
        return toNumpy(values);
    }

    [[nodiscard]] std::string const& expression() const { return expression_; }
    [[nodiscard]] std::string const& formatted() const { return formatted_; }
    [[nodiscard]] std::vector<std::string> const& terminals() const { return terminals_; }
    [[nodiscard]] std::size_t size() const { return tree_.size(); }

private:
    std::string expression_, formatted_;
    std::vector<std::string> terminals_;
    engine::Tree tree_;
};

template <typename Statistic>
double statistic(Array const& x, Array const& y, Statistic&& f) {
    auto const a = view(x, "x");
    auto const b = view(y, "y");
    if (a.size() != b.size()) throw py::value_error(fmt::format("x has {} values, y has {}", a.size(), b.size()));
    py::gil_scoped_release release;
    return f(a, b);
}

}  // namespace

PYBIND11_MODULE(_zcgp, m) {
    m.doc() = "zcgp's native part; use the package zcgp";
    m.attr("__version__") = ZCGP_VERSION;

    zcgp::python::registerCliErrors();

    m.def("evolve_arguments", &evolveArguments, py::arg("options"),
          "the `zcgp evolve` argument vector for keyword options");
    m.def("run_command", &runCommand, py::arg("name"), py::arg("args"), py::arg("progress") = py::none(),
          "run a zcgp subcommand in this process (without the GIL); returns its exit code");

    m.def("data_dir", [](std::optional<std::string> const& data) { return dataDir(data).string(); },
          py::arg("data") = py::none());
    m.def(
        "tasks",
        [](std::optional<std::string> const& data) {
            auto const dir = dataDir(data);
            py::gil_scoped_release release;
            return proxy_cache::Benchmark::load(dir).taskIds();
        },
        py::arg("data") = py::none());
    m.def(
        "load_task",
        [](std::string const& id, std::optional<std::string> const& data) {
            auto const dir = dataDir(data);
            std::vector<proxy_cache::ProxyTable> tables;
            {
                py::gil_scoped_release release;
                tasks::TaskRequest request;
                request.ids = {id};
                tables = tasks::selectTables(proxy_cache::Benchmark::load(dir), request);
            }
            auto const& t = tables.at(0);
            py::dict proxies;
            for (std::size_t p = 0; p < t.proxies.size(); ++p) {
                if (t.missingCount(p) == t.size()) continue;  // a proxy the task does not have
                proxies[py::str(t.proxies[p])] = toNumpy(t.column(t.proxies[p]));
            }
            std::vector<std::string> archs;
            for (auto const& a : t.archs) archs.push_back(a.key);
            py::dict out;
            out["id"] = t.id();
            out["archs"] = archs;
            out["proxies"] = proxies;
            out["accuracy"] = toNumpy({t.accuracy.data(), static_cast<std::size_t>(t.accuracy.size())});
            out["target"] = t.target;
            out["target_negated"] = t.targetNegated;
            out["source"] = t.source.string();
            return out;
        },
        py::arg("id"), py::arg("data") = py::none());

    py::class_<Formula>(m, "Formula")
        .def(py::init<std::string, std::vector<std::string>>(), py::arg("expr"), py::arg("terminals"))
        .def("evaluate", &Formula::evaluate, py::arg("columns"))
        .def_property_readonly("expr", &Formula::expression)
        .def_property_readonly("formatted", &Formula::formatted)
        .def_property_readonly("terminals", &Formula::terminals)
        .def_property_readonly("size", &Formula::size);

    m.def("kendall_tau", [](Array const& x, Array const& y) { return statistic(x, y, zcgp::fitness::kendallTau); },
          py::arg("x"), py::arg("y"));
    m.def("spearman", [](Array const& x, Array const& y) { return statistic(x, y, zcgp::fitness::spearman); },
          py::arg("x"), py::arg("y"));
    m.def("pearson", [](Array const& x, Array const& y) { return statistic(x, y, zcgp::fitness::pearson); },
          py::arg("x"), py::arg("y"));
    m.def(
        "top_k",
        [](Array const& x, Array const& y, double fraction) {  // a fraction outside (0, 1]: ValueError
            return statistic(x, y, [fraction](auto a, auto b) { return zcgp::fitness::topKPrecision(a, b, fraction); });
        },
        py::arg("x"), py::arg("y"), py::arg("fraction") = 0.1);
}

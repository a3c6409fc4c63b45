// zcgp._torch: native scoring for zcgp.score(), a second extension so that `import zcgp` does not load LibTorch's
// ~280 shared libraries; zcgp.score() imports it on its first call.
//
// It runs the CLI's own `zcgp score` command (experiments/src/torch/CommandScore.cpp, linked here) with --json on
// the argument vector built from score()'s keyword options, so validation and messages are the CLI's; the JSON
// lines the command prints are captured and returned. The GIL is released while it measures.
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "CliErrors.hpp"
#include "Command.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

namespace py = pybind11;

namespace {

// Runs `zcgp score ARGS --json` and returns what it printed (one JSON object per line). std::cout is the
// command's output channel, so it is redirected for the call; one score call at a time in this process.
std::string score(std::vector<std::string> args) {
    static std::mutex mutex;
    auto const& commands = zcgp::cli::commands();
    auto const it = std::find_if(commands.begin(), commands.end(), [](auto const& c) { return c.name == "score"; });
    if (it == commands.end()) throw std::logic_error("zcgp._torch: the score command is not linked");
    args.emplace_back("--json");
    py::gil_scoped_release release;
    std::lock_guard const lock(mutex);
    std::ostringstream captured;
    struct Redirect {
        std::streambuf* previous;
        explicit Redirect(std::streambuf* to) : previous(std::cout.rdbuf(to)) {}
        ~Redirect() { std::cout.rdbuf(previous); }
    } const redirect(captured.rdbuf());
    int const code = it->run(args);
    if (code != 0) throw std::runtime_error(fmt::format("zcgp score: exit code {}", code));
    return captured.str();
}

}  // namespace

PYBIND11_MODULE(_torch, m) {
    m.doc() = "zcgp's LibTorch part (zcgp.score)";
    zcgp::python::registerCliErrors();
    m.def("score", &score, py::arg("args"), "run `zcgp score ARGS --json`; returns its JSON lines");
}

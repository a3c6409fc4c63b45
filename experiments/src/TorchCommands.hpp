#pragma once
// The subcommands that need LibTorch (score, gather, search, parzc) live in a second executable, zcgp-torch, next to
// zcgp. zcgp lists them with these summaries and hands over to zcgp-torch (execv, same process id), so the ~280
// shared libraries of LibTorch are loaded only by these three: `zcgp --help`, evolve, correlate, ... start in
// a few milliseconds. zcgp-torch registers the same names with the same summaries (one table, here).
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace zcgp::cli {

struct TorchCommandInfo {
    std::string_view name;
    std::string_view summary;
};

inline constexpr std::array<TorchCommandInfo, 4> kTorchCommands{{
    {"gather", "measure proxies and raw statistics of many architectures into a statistics cache "
               "(LibTorch; resumable, shardable)"},
    {"parzc", "train and evaluate ParZC (MABN + DiffKendall) on node-wise statistics of a cache (LibTorch)"},
    {"score", "compute zero-cost proxies of architectures natively (LibTorch)"},
    {"search", "zero-shot NAS over NAS-Bench-201 with a proxy objective, scored natively"},
}};

// The summary of a LibTorch subcommand (empty for a name not in kTorchCommands).
[[nodiscard]] inline std::string torchCommandSummary(std::string_view name) {
    for (auto const& c : kTorchCommands) {
        if (c.name == name) return std::string(c.summary);
    }
    return {};
}

// Replaces this process by `zcgp-torch COMMAND ARGS...` (the executable next to /proc/self/exe); returns only
// on failure, with the exit code 1 after printing why.
int handOverToTorch(std::string const& command, std::vector<std::string> const& args);

}  // namespace zcgp::cli

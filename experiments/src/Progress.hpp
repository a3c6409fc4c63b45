#pragma once
// A one-line progress bar with ETA for long commands (evolve, search), drawn on stderr only when it is a terminal.
#include <chrono>
#include <cstddef>
#include <string>

namespace zcgp::cli {

class ProgressBar {
public:
    // enabled=false draws nothing (not a terminal, --quiet or --verbose).
    ProgressBar(std::string label, std::size_t total, bool enabled);
    ~ProgressBar();
    ProgressBar(ProgressBar const&) = delete;
    ProgressBar& operator=(ProgressBar const&) = delete;

    // `done` of `total` steps finished; `detail` follows the bar. Redraws at most ~20 times a second.
    void update(std::size_t done, std::string const& detail);
    void finish();  // clears the line
    [[nodiscard]] bool enabled() const { return enabled_; }

    // stderr is a terminal (and TERM is not "dumb")
    [[nodiscard]] static bool stderrIsTerminal();

private:
    std::string label_;
    std::size_t total_{0}, first_{0};
    bool enabled_{false}, drawn_{false}, started_{false};
    std::chrono::steady_clock::time_point start_, lastDraw_;
};

// "1.2 s", "3 min 04 s", "1 h 02 min"
[[nodiscard]] std::string formatDuration(double seconds);

}  // namespace zcgp::cli

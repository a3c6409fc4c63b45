#pragma once
// A one-line progress bar with ETA for long commands (evolve, search), drawn on stderr only when it is a terminal.
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace zcgp::cli {

// Sees every update of every progress bar drawn on this thread while it is installed, whether the bar is drawn or
// not: the Python module's progress callback (a tqdm bar, and the check for Ctrl-C). It may throw to stop the
// command. While one is installed, enabled() is true, so the caller builds the detail text.
using ProgressObserver =
    std::function<void(std::string const& label, std::size_t done, std::size_t total, std::string const& detail)>;

// Installs an observer for the current thread for its lifetime (restoring the previous one).
class ProgressObserverScope {
public:
    explicit ProgressObserverScope(ProgressObserver observer);
    ~ProgressObserverScope();
    ProgressObserverScope(ProgressObserverScope const&) = delete;
    ProgressObserverScope& operator=(ProgressObserverScope const&) = delete;

private:
    ProgressObserver previous_;
};

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
    [[nodiscard]] bool enabled() const;

    // stderr is a terminal (and TERM is not "dumb")
    [[nodiscard]] static bool stderrIsTerminal();
    // an observer is installed on this thread (ProgressObserverScope): bars drawn on other threads would miss it
    [[nodiscard]] static bool observed();

private:
    std::string label_;
    std::size_t total_{0}, first_{0};
    bool enabled_{false}, drawn_{false}, started_{false};
    std::chrono::steady_clock::time_point start_, lastDraw_;
};

// "1.2 s", "3 min 04 s", "1 h 02 min"
[[nodiscard]] std::string formatDuration(double seconds);

}  // namespace zcgp::cli

#include "Progress.hpp"

#include <cstdlib>
#include <cstring>
#include <iostream>

#include <fmt/format.h>
#include <unistd.h>

namespace zcgp::cli {

namespace {
thread_local ProgressObserver currentObserver;
}  // namespace

ProgressObserverScope::ProgressObserverScope(ProgressObserver observer) : previous_(std::move(currentObserver)) {
    currentObserver = std::move(observer);
}

ProgressObserverScope::~ProgressObserverScope() { currentObserver = std::move(previous_); }

bool ProgressBar::enabled() const { return enabled_ || static_cast<bool>(currentObserver); }

bool ProgressBar::observed() { return static_cast<bool>(currentObserver); }

std::string formatDuration(double s) {
    if (!(s >= 0.0)) return "?";
    if (s < 60.0) return fmt::format("{:.1f} s", s);
    auto const total = static_cast<long long>(s + 0.5);
    if (total < 3600) return fmt::format("{} min {:02} s", total / 60, total % 60);
    return fmt::format("{} h {:02} min", total / 3600, (total % 3600) / 60);
}

bool ProgressBar::stderrIsTerminal() {
    char const* term = std::getenv("TERM");
    return ::isatty(STDERR_FILENO) != 0 && (term == nullptr || std::strcmp(term, "dumb") != 0);
}

ProgressBar::ProgressBar(std::string label, std::size_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled && total > 0) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::size_t done, std::string const& detail) {
    if (currentObserver) currentObserver(label_, done, total_, detail);
    if (!enabled_) return;
    auto const now = std::chrono::steady_clock::now();
    if (!started_) {  // the ETA counts from the first update (a resumed run starts part-way)
        started_ = true;
        start_ = now;
        first_ = done;
    }
    if (drawn_ && done < total_ && now - lastDraw_ < std::chrono::milliseconds(50)) return;
    lastDraw_ = now;
    double const elapsed = std::chrono::duration<double>(now - start_).count();
    double const fraction = static_cast<double>(std::min(done, total_)) / static_cast<double>(total_);
    std::size_t const width = 24;
    auto const filled = static_cast<std::size_t>(fraction * static_cast<double>(width));
    std::string eta = "?";
    if (done > first_) {
        eta = formatDuration(elapsed / static_cast<double>(done - first_) * static_cast<double>(total_ - std::min(done, total_)));
    }
    std::cerr << fmt::format("\r\033[K{}[{}{}] {}/{} {:3.0f}%  ETA {}  {}", label_, std::string(filled, '#'),
                             std::string(width - filled, '.'), done, total_, 100.0 * fraction, eta, detail)
              << std::flush;
    drawn_ = true;
}

void ProgressBar::finish() {
    if (drawn_) std::cerr << "\r\033[K" << std::flush;
    drawn_ = false;
}

}  // namespace zcgp::cli

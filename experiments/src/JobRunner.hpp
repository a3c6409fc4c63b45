#pragma once
// Runs independent shell jobs (evolve runs, baselines) a few at a time and collects their output.
#include <cstddef>
#include <string>
#include <vector>

namespace zcgp::cli {

struct Job {
    std::string label;    // shown in progress and errors, e.g. "nb201/cifar10 seed 3"
    std::string command;  // shell command; stdout is captured
};

struct JobResult {
    int exitCode = -1;
    std::string out;
    std::string err;
    double seconds = 0.0;
};

// Runs all jobs, at most `parallel` at once (0 = hardware threads). Progress lines go to stderr unless quiet.
// Never throws for a failed job: the caller decides, using exitCode and err.
[[nodiscard]] std::vector<JobResult> runJobs(std::vector<Job> const& jobs, std::size_t parallel, bool quiet);

// Shell-quotes one argument.
[[nodiscard]] std::string shellQuote(std::string const& arg);

}  // namespace zcgp::cli

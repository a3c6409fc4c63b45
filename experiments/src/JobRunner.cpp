#include "JobRunner.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

namespace zcgp::cli {

std::string shellQuote(std::string const& arg) {
    std::string out = "'";
    for (char c : arg) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

namespace {
JobResult runOne(Job const& job, std::size_t index) {
    auto const errFile = std::filesystem::temp_directory_path() / fmt::format("zcgp_job_{}_{}.err", ::getpid(), index);
    JobResult result;
    auto const start = std::chrono::steady_clock::now();
    FILE* pipe = ::popen((job.command + " 2>" + shellQuote(errFile.string())).c_str(), "r");
    if (pipe == nullptr) {
        result.err = "cannot start: " + job.command;
        return result;
    }
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.out.append(buffer.data(), n);
    int const status = ::pclose(pipe);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::ifstream in(errFile);
    std::ostringstream err;
    err << in.rdbuf();
    result.err = err.str();
    std::filesystem::remove(errFile);
    return result;
}
}  // namespace

std::vector<JobResult> runJobs(std::vector<Job> const& jobs, std::size_t parallel, bool quiet) {
    if (parallel == 0) parallel = std::max(1U, std::thread::hardware_concurrency());
    parallel = std::min(parallel, std::max<std::size_t>(jobs.size(), 1));
    std::vector<JobResult> results(jobs.size());
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::mutex printing;
    auto const start = std::chrono::steady_clock::now();
    auto worker = [&] {
        for (std::size_t i = next++; i < jobs.size(); i = next++) {
            results[i] = runOne(jobs[i], i);
            auto const finished = ++done;
            if (!quiet) {
                std::lock_guard lock(printing);
                double const elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                double const eta = elapsed / static_cast<double>(finished) * static_cast<double>(jobs.size() - finished);
                std::cerr << fmt::format("[{}/{}] {} {} ({:.1f} s; elapsed {:.0f} s, ETA {:.0f} s)\n", finished,
                                         jobs.size(), jobs[i].label, results[i].exitCode == 0 ? "done" : "FAILED",
                                         results[i].seconds, elapsed, eta);
            }
        }
    };
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < parallel; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    return results;
}

}  // namespace zcgp::cli

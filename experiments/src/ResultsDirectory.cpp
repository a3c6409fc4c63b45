#include "ResultsDirectory.hpp"

#include <fstream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <unistd.h>

namespace zcgp::cli {

ResultsDirectory::ResultsDirectory(std::filesystem::path finalPath) : final_(std::move(finalPath)) {
    auto const parent = final_.has_parent_path() ? final_.parent_path() : std::filesystem::path(".");
    std::filesystem::create_directories(parent);
    partial_ = parent / fmt::format(".{}.partial-{}", final_.filename().string(), ::getpid());
    std::filesystem::remove_all(partial_);
    std::filesystem::create_directories(partial_);
}

ResultsDirectory::~ResultsDirectory() {
    if (!committed_) {
        std::error_code ignored;
        std::filesystem::remove_all(partial_, ignored);
    }
}

void ResultsDirectory::write(std::string const& relative, std::string const& contents) const {
    auto const path = partial_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << contents;
    if (!out) {
        throw std::runtime_error(fmt::format("cannot write {}", path.string()));
    }
}

void ResultsDirectory::commit() {
    auto const old = final_.parent_path() / fmt::format(".{}.old-{}", final_.filename().string(), ::getpid());
    if (std::filesystem::exists(final_)) {
        std::filesystem::rename(final_, old);
    }
    std::filesystem::rename(partial_, final_);
    std::filesystem::remove_all(old);
    committed_ = true;
}

}  // namespace zcgp::cli

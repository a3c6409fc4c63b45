#pragma once
// Output folder of one `zcgp reproduce` run. Files are written into a hidden partial folder that replaces
// results/<name>/ only when commit() is called, so a failed run never leaves results that look complete.
#include <filesystem>
#include <string>

namespace zcgp::cli {

class ResultsDirectory {
public:
    explicit ResultsDirectory(std::filesystem::path finalPath);
    ~ResultsDirectory();
    ResultsDirectory(ResultsDirectory const&) = delete;
    ResultsDirectory& operator=(ResultsDirectory const&) = delete;

    // Where to write now (the partial folder).
    [[nodiscard]] std::filesystem::path const& path() const { return partial_; }
    [[nodiscard]] std::filesystem::path const& finalPath() const { return final_; }
    void write(std::string const& relative, std::string const& contents) const;
    // Atomically replaces finalPath with the partial folder.
    void commit();

private:
    std::filesystem::path final_;
    std::filesystem::path partial_;
    bool committed_{false};
};

}  // namespace zcgp::cli

#include "zcgp/proxy_cache/Nb201Accuracy.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "zcgp/proxy_cache/Benchmark.hpp"

namespace zcgp::proxy_cache {

namespace {
std::vector<std::string> splitCsvLine(std::string const& line) {
    // The file has no quoted fields: arch strings use | ~ + only.
    std::vector<std::string> fields;
    std::stringstream in(line);
    for (std::string f; std::getline(in, f, ',');) {
        if (!f.empty() && f.back() == '\r') f.pop_back();
        fields.push_back(f);
    }
    return fields;
}
}  // namespace

Nb201Accuracy Nb201Accuracy::load(std::filesystem::path const& dataDir) {
    auto const file = dataDir / "nb201" / "nb201_test_accuracy_200ep.csv";
    std::ifstream in(file);
    if (!in) {
        throw DataError(fmt::format("cannot open {} (run scripts/setup.sh)", file.string()));
    }
    std::string line;
    std::getline(in, line);
    auto const header = splitCsvLine(line);
    auto column = [&](std::string const& name) {
        auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end()) throw DataError(fmt::format("{}: header lacks column '{}'", file.string(), name));
        return static_cast<std::size_t>(it - header.begin());
    };
    std::array<std::size_t, 3> const acc{column("CIFAR10TestAccuracy200Epochs"), column("CIFAR100TestAccuracy200Epochs"),
                                         column("ImageNetTestAccuracy200Epochs")};
    auto const arch = column("ArchitectureString");
    auto const unique = column("UniqueString");
    Nb201Accuracy table;
    for (std::size_t lineNo = 2; std::getline(in, line); ++lineNo) {
        if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF: a blank line is "\r"
        if (line.empty()) continue;
        auto const f = splitCsvLine(line);
        if (f.size() != header.size()) {
            throw DataError(fmt::format("{}:{}: {} fields, expected {}", file.string(), lineNo, f.size(), header.size()));
        }
        Entry e{f[arch], {}, f[unique]};
        for (std::size_t d = 0; d < 3; ++d) {
            // the whole field must be the number: std::stod read "93.5garbage" as 93.5
            auto const& text = f[acc[d]];
            auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), e.accuracy[d]);
            if (ec != std::errc() || end != text.data() + text.size()) {
                throw DataError(fmt::format("{}:{}: '{}' is not a number", file.string(), lineNo, text));
            }
            if (!std::isfinite(e.accuracy[d])) {
                throw DataError(fmt::format("{}:{}: non-finite accuracy for {}", file.string(), lineNo, e.archString));
            }
        }
        if (!table.index_.emplace(e.archString, table.entries_.size()).second) {
            throw DataError(fmt::format("{}:{}: duplicate architecture {}", file.string(), lineNo, e.archString));
        }
        table.entries_.push_back(std::move(e));
    }
    if (table.entries_.empty()) throw DataError(fmt::format("{}: no architectures", file.string()));
    return table;
}

Nb201Accuracy::Entry const* Nb201Accuracy::find(std::string_view archString) const {
    auto it = index_.find(std::string(archString));
    return it == index_.end() ? nullptr : &entries_[it->second];
}

std::size_t Nb201Accuracy::datasetIndex(std::string_view dataset) {
    if (dataset == "cifar10") return 0;
    if (dataset == "cifar100") return 1;
    if (dataset == "ImageNet16-120") return 2;
    throw DataError(fmt::format("unknown NAS-Bench-201 dataset '{}' (valid: cifar10, cifar100, ImageNet16-120)", dataset));
}

std::array<double, 3> Nb201Accuracy::optimum() const {
    std::array<double, 3> best{-1.0, -1.0, -1.0};
    for (auto const& e : entries_) {
        for (std::size_t d = 0; d < 3; ++d) best[d] = std::max(best[d], e.accuracy[d]);
    }
    return best;
}

}  // namespace zcgp::proxy_cache

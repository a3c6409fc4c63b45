#pragma once
// NAS-Bench-201 test accuracy (200 epochs, mean over seeds) of all 15,625 cells on CIFAR-10, CIFAR-100 and
// ImageNet16-120, from nb201/nb201_test_accuracy_200ep.csv. Keyed by the NAS-Bench-201 arch string.
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace zcgp::proxy_cache {

class Nb201Accuracy {
public:
    struct Entry {
        std::string archString;          // "|nor_conv_3x3~0|+|...|"
        std::array<double, 3> accuracy;  // cifar10, cifar100, ImageNet16-120 (percent)
        std::string isomorphismKey;      // UniqueString: cells with the same key compute the same function
    };

    // Reads DATA/nb201/nb201_test_accuracy_200ep.csv; throws DataError naming the file and line on bad input.
    [[nodiscard]] static Nb201Accuracy load(std::filesystem::path const& dataDir);

    [[nodiscard]] std::vector<Entry> const& entries() const { return entries_; }
    [[nodiscard]] Entry const* find(std::string_view archString) const;
    // dataset: cifar10 | cifar100 | ImageNet16-120; throws listing them otherwise.
    [[nodiscard]] static std::size_t datasetIndex(std::string_view dataset);
    // The best test accuracy over all cells, per dataset.
    [[nodiscard]] std::array<double, 3> optimum() const;

private:
    std::vector<Entry> entries_;
    std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace zcgp::proxy_cache

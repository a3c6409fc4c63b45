// libFuzzer target: the line-oriented text readers of proxy_cache: the NB201 accuracy CSV (Nb201Accuracy::load)
// and architecture key lists (readArchitectureList). The same bytes go to both. Each either throws its
// documented error (DataError, std::invalid_argument) or returns a table whose every entry is finite and found.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "FuzzSupport.hpp"
#include "zcgp/proxy_cache/ArchitectureSelection.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/Nb201Accuracy.hpp"

using namespace zcgp;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const bytes(reinterpret_cast<char const*>(data), size);
    fuzz::writeScratch("data/nb201/nb201_test_accuracy_200ep.csv", bytes);
    try {
        auto const table = proxy_cache::Nb201Accuracy::load(fuzz::scratchDir() / "data");
        for (auto const& e : table.entries()) {
            if (table.find(e.archString) != &e) fuzz::propertyFailed("an entry is not found by its arch string");
            for (double a : e.accuracy) {
                if (!std::isfinite(a)) fuzz::propertyFailed("non-finite accuracy accepted");
            }
        }
        (void)table.optimum();
    } catch (proxy_cache::DataError const&) {
    }

    auto const list = fuzz::writeScratch("archs.txt", bytes);
    // a canonical form like gather's: keys must look like op tuples, spaces are normalised away
    auto canonical = [](std::string const& key) {
        if (key.size() < 2 || key.front() != '(' || key.back() != ')') throw std::invalid_argument("not an op tuple");
        std::string out;
        for (char c : key) {
            if (c != ' ') out += c;
        }
        return out;
    };
    try {
        auto const keys = proxy_cache::readArchitectureList(list, canonical);
        if (keys.empty()) fuzz::propertyFailed("an empty key list was accepted");
    } catch (std::invalid_argument const&) {
    }
    return 0;
}

// libFuzzer target: the NAS-Bench-Suite-Zero JSON loader (loadSuiteFile), for every search space. Anything but
// a DataError escaping the loader is a finding.
//
// Issue 11 items 8 and 9 (std::stoi on op indices, std::regex and RapidJSON's recursive parse overflowing the stack)
// are fixed in Benchmark.cpp / ArchitectureKey.cpp; their reproducers are ordinary regression inputs now.
#include <cstddef>
#include <cstdint>

#include "FuzzSupport.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

using namespace zcgp;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto const path = fuzz::writeScratch("zc_fuzz.json", {reinterpret_cast<char const*>(data), size});
    using proxy_cache::SearchSpace;
    for (auto space : {SearchSpace::NB101, SearchSpace::NB201, SearchSpace::NB301, SearchSpace::TNB101Micro,
                       SearchSpace::TNB101Macro}) {
        try {
            auto const tables = proxy_cache::loadSuiteFile(path, space);
            if (tables.empty()) fuzz::propertyFailed("a suite file with no tasks was accepted");
        } catch (proxy_cache::DataError const&) {
        }
    }
    return 0;
}

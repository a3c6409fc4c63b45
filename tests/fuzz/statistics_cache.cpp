// libFuzzer target: the statistics-cache reader (proxy_cache/StatisticsCache.hpp). Every input is either a
// CacheError or a cache whose accessors work, which writes back and reads back as the same content, and which
// merges (alone) or fails with a CacheError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <fmt/core.h>

#include "FuzzSupport.hpp"
#include "zcgp/proxy_cache/StatisticsCache.hpp"

using namespace zcgp;
using proxy_cache::CacheError;
using proxy_cache::StatisticsCache;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto const path = fuzz::writeScratch("input.zcstats", {reinterpret_cast<char const*>(data), size});
    StatisticsCache cache;
    try {
        cache = StatisticsCache::read(path);
    } catch (CacheError const&) {
        return 0;  // the reader's documented error
    }
    for (std::size_t c = 0; c < cache.proxyNames().size(); ++c) {
        (void)cache.proxyNonFinite(c);
        (void)cache.proxyColumn(cache.proxyNames()[c]);
    }
    for (auto const& name : cache.statisticNames()) {
        auto const& s = cache.statistic(name);
        for (std::size_t a = 0; a < cache.size(); ++a) (void)s.row(a);
    }
    for (std::size_t a = 0; a < cache.size(); ++a) {
        (void)cache.measurement(a);
        if (cache.findArchitecture(cache.architectures()[a]) != a) fuzz::propertyFailed("architecture index");
    }
    auto const copy = fuzz::scratchDir() / "copy.zcstats";
    std::filesystem::remove(copy);
    cache.write(copy);
    auto const back = StatisticsCache::read(copy);  // a file the writer wrote must read
    if (!back.sameContent(cache)) fuzz::propertyFailed("write -> read changed the content");
    try {
        (void)StatisticsCache::merge({cache});
    } catch (CacheError const&) {
    }
    return 0;
}

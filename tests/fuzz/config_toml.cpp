// libFuzzer target: the experiment config loader of `zcgp reproduce` (ExperimentConfig::load). The input is a
// TOML file, then NUL-separated `--set` overrides. Every input is either a UsageError or a config whose keys
// read with their schema types, whose effective TOML (results/<name>/config.toml) loads again as the same config.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "Command.hpp"
#include "ExperimentConfig.hpp"
#include "FuzzSupport.hpp"

using namespace zcgp;
using cli::ExperimentConfig;
using cli::KeyType;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string const bytes(reinterpret_cast<char const*>(data), size);
    auto const nul = bytes.find('\0');
    std::vector<std::string> overrides;
    if (nul != std::string::npos) {
        std::string rest = bytes.substr(nul + 1);
        for (std::size_t start = 0;;) {
            auto const end = rest.find('\0', start);
            overrides.push_back(rest.substr(start, end == std::string::npos ? std::string::npos : end - start));
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }
    auto const file = fuzz::writeScratch("config.toml", std::string_view(bytes).substr(0, nul));
    ExperimentConfig config;
    try {
        config = ExperimentConfig::load(file, overrides);
    } catch (cli::UsageError const&) {
        return 0;  // the loader's documented error
    }
    for (auto const& key : ExperimentConfig::schema(config.experiment())) {
        switch (key.type) {  // every schema key is present with its type (std::bad_optional_access otherwise)
            case KeyType::String: (void)config.getString(key.name); break;
            case KeyType::Integer: (void)config.getInt(key.name); break;
            case KeyType::Float: (void)config.getFloat(key.name); break;
            case KeyType::Boolean: (void)config.getBool(key.name); break;
            case KeyType::StringList: (void)config.getStringList(key.name); break;
        }
    }
    auto const saved = fuzz::writeScratch("saved.toml", config.effectiveToml());
    try {
        auto const again = ExperimentConfig::load(saved, {});
        if (again.effectiveToml() != config.effectiveToml() || again.name() != config.name()) {
            fuzz::propertyFailed("the saved config loads as a different config:\n" + config.effectiveToml() + "\n---\n" +
                                 again.effectiveToml());
        }
    } catch (cli::UsageError const& e) {
        fuzz::propertyFailed(fmt::format("the saved config does not load: {}\n{}", e.what(), config.effectiveToml()));
    }
    return 0;
}

#pragma once
// Experiment configs for `zcgp reproduce`: a TOML file of flat keys, validated against the schema of its
// experiment kind, with command-line overrides (`--set seeds=3`). Unknown keys and wrong types are errors that
// name the key and the file.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace zcgp::cli {

enum class KeyType { String, Integer, Float, Boolean, StringList };

struct ConfigKey {
    std::string name;
    KeyType type;
    std::string defaultToml;  // default as a TOML value literal ("" = required)
    std::string help;
};

class ExperimentConfig {
public:
    // Parses the file, applies "key=value" overrides (value in TOML syntax; bare words are taken as strings),
    // validates every key against the schema of the config's `experiment` kind and fills in defaults.
    [[nodiscard]] static ExperimentConfig load(std::filesystem::path const& file,
                                               std::vector<std::string> const& overrides);

    [[nodiscard]] std::string const& name() const { return name_; }
    [[nodiscard]] std::string const& experiment() const { return experiment_; }
    [[nodiscard]] std::filesystem::path const& file() const { return file_; }

    [[nodiscard]] std::string getString(std::string_view key) const;
    [[nodiscard]] std::int64_t getInt(std::string_view key) const;
    [[nodiscard]] double getFloat(std::string_view key) const;
    [[nodiscard]] bool getBool(std::string_view key) const;
    [[nodiscard]] std::vector<std::string> getStringList(std::string_view key) const;

    // The effective config (after overrides and defaults), as TOML text: written next to the results.
    [[nodiscard]] std::string effectiveToml() const;

    // Schema of an experiment kind (throws listing the kinds if unknown).
    [[nodiscard]] static std::vector<ConfigKey> const& schema(std::string_view experiment);
    [[nodiscard]] static std::vector<std::string> experimentKinds();

private:
    std::filesystem::path file_;
    std::string name_;
    std::string experiment_;
    toml::table table_;
};

}  // namespace zcgp::cli

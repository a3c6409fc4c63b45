// The CSV-based tasks of ../shared: the full NB201 tables (nb201_full/) and FlexiBERT (lm/).
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "SuiteJson.hpp"
#include "zcgp/proxy_cache/ArchitectureKey.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/CsvTable.hpp"

namespace zcgp::proxy_cache {

ProxyTable loadNb201Full(std::filesystem::path const& proxiesCsv, std::filesystem::path const& accuracyCsv,
                         std::string const& dataset) {
    TableSpec spec;
    spec.file = proxiesCsv;
    spec.idColumn = "net";
    spec.exclude = {"net_str"};  // the NB201 arch string of the same cell
    spec.space = SearchSpace::NB201;
    spec.collection = "nb201_full";
    spec.task = dataset;
    ProxyTable table = loadTable(spec);
    for (auto& arch : table.archs) arch.ops = detail::parseCellOps(proxiesCsv, table.id(), arch.key, SearchSpace::NB201);

    auto const accuracy = readCsv(accuracyCsv);
    auto const net = accuracy.column("net", "id");
    auto const value = accuracy.column("val_accs", "accuracy");
    std::unordered_map<std::string, double> byKey;
    for (std::size_t r = 0; r < accuracy.rows.size(); ++r) {
        auto const v = parseCell(accuracy.rows[r][value]);
        if (!v || !std::isfinite(*v)) {
            throw DataError(fmt::format("{}:{}: column 'val_accs': '{}' is not a finite number", accuracyCsv.string(),
                                        accuracy.lines[r], accuracy.rows[r][value]));
        }
        byKey[canonicalArchKey(accuracy.rows[r][net])] = *v;
    }
    for (std::size_t r = 0; r < table.size(); ++r) {
        auto const it = byKey.find(table.archs[r].key);
        if (it == byKey.end()) {
            throw DataError(fmt::format("{}: architecture {} of {} has no accuracy", accuracyCsv.string(),
                                        table.archs[r].key, proxiesCsv.string()));
        }
        table.accuracy(static_cast<Eigen::Index>(r)) = it->second;
    }
    table.target = "val_accs";
    table.source = proxiesCsv;
    return table;
}

std::vector<std::pair<std::string, FlexiBertConfig>> readFlexiBertConfigs(std::filesystem::path const& file) {
    auto const text = detail::readFile(file);
    auto const doc = detail::parseJson(file, text);
    if (!doc.IsArray()) throw DataError(fmt::format("{}: expected a JSON list of architectures", file.string()));
    auto const fail = [&](std::size_t index, std::string_view what) {
        return DataError(fmt::format("{}: architecture {} (list index {}): {}", file.string(),
                                     doc[static_cast<rapidjson::SizeType>(index)].IsObject() &&
                                             doc[static_cast<rapidjson::SizeType>(index)].HasMember("id") &&
                                             doc[static_cast<rapidjson::SizeType>(index)]["id"].IsInt()
                                         ? std::to_string(doc[static_cast<rapidjson::SizeType>(index)]["id"].GetInt())
                                         : std::string("?"),
                                     index, what));
    };
    auto const member = [](rapidjson::Value const& v, char const* name) -> rapidjson::Value const* {
        if (!v.IsObject()) return nullptr;
        auto const it = v.FindMember(name);
        return it == v.MemberEnd() ? nullptr : &it->value;
    };
    std::vector<std::pair<std::string, FlexiBertConfig>> configs;
    for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
        auto const& arch = doc[i];
        auto const* id = member(arch, "id");
        if (id == nullptr || !id->IsInt()) throw fail(i, "no integer \"id\"");
        auto const* overrides = member(arch, "hparams");
        overrides = overrides == nullptr ? nullptr : member(*overrides, "model_hparam_overrides");
        auto const* hidden = overrides == nullptr ? nullptr : member(*overrides, "hidden_size");
        auto const* nas = overrides == nullptr ? nullptr : member(*overrides, "nas_config");
        auto const* layers = nas == nullptr ? nullptr : member(*nas, "encoder_layers");
        if (hidden == nullptr || !hidden->IsInt() || layers == nullptr || !layers->IsArray() || layers->Empty()) {
            throw fail(i, "no hparams.model_hparam_overrides.{hidden_size, nas_config.encoder_layers}");
        }
        FlexiBertConfig config;
        config.hiddenSize = hidden->GetInt();
        for (auto const& layer : layers->GetArray()) {
            auto const* type = member(layer, "operation_type");
            auto const* parameter = member(layer, "operation_parameter");
            auto const* heads = member(layer, "num_operation_heads");
            auto const* ffDim = member(layer, "feed_forward_dimension");
            auto const* ffCount = member(layer, "num_feed_forward");
            if (type == nullptr || !type->IsString() || parameter == nullptr || heads == nullptr || !heads->IsInt() ||
                ffDim == nullptr || !ffDim->IsInt() || ffCount == nullptr || !ffCount->IsInt()) {
                throw fail(i, "an encoder layer lacks operation_type, operation_parameter, num_operation_heads, "
                              "feed_forward_dimension or num_feed_forward");
            }
            // operation_parameter is a string (SDP, DCT) or, for DSC, the kernel size as a number
            std::string param = parameter->IsString() ? parameter->GetString()
                                : parameter->IsInt()  ? std::to_string(parameter->GetInt())
                                                      : std::string();
            if (param.empty()) throw fail(i, "operation_parameter is neither a string nor an integer");
            config.layers.push_back({type->GetString(), std::move(param), heads->GetInt(), ffDim->GetInt(), ffCount->GetInt()});
        }
        configs.emplace_back(std::to_string(id->GetInt()), std::move(config));
    }
    return configs;
}

ProxyTable loadFlexiBert(std::filesystem::path const& resultsCsv, std::filesystem::path const& benchmarkJson) {
    TableSpec spec;
    spec.file = resultsCsv;
    spec.target = "GLUE Score";
    spec.idColumn = "ID";
    spec.space = SearchSpace::FlexiBERT;
    spec.task = "glue";
    ProxyTable table = loadTable(spec);
    std::unordered_map<std::string, FlexiBertConfig> configs;
    for (auto& [id, config] : readFlexiBertConfigs(benchmarkJson)) configs.emplace(id, std::move(config));
    for (auto& arch : table.archs) {
        auto it = configs.find(arch.key);
        if (it == configs.end()) {
            throw DataError(fmt::format("{}: ID {} of {} has no architecture there", benchmarkJson.string(), arch.key,
                                        resultsCsv.string()));
        }
        arch.flexibert = it->second;
    }
    return table;
}

}  // namespace zcgp::proxy_cache

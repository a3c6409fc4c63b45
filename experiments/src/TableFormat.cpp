#include "TableFormat.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "Command.hpp"

namespace zcgp::cli {

TableFormat parseTableFormat(std::string_view name) {
    if (name == "table") return TableFormat::Table;
    if (name == "csv") return TableFormat::Csv;
    if (name == "json") return TableFormat::Json;
    if (name == "markdown") return TableFormat::Markdown;
    throw UsageError(fmt::format("unknown format '{}' (valid: table, csv, json, markdown)", name));
}

namespace {
std::string cellText(ResultTable::Cell const& cell, int precision, std::string_view missing) {
    if (cell.number) {
        if (!std::isfinite(*cell.number)) {
            return std::string(missing);
        }
        if (precision < 0) return fmt::format("{}", *cell.number);  // shortest text that reads back exactly
        return fmt::format("{:.{}f}", *cell.number, precision);
    }
    return cell.text.empty() ? std::string(missing) : cell.text;
}

std::string csvQuote(std::string const& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) {
        return s;
    }
    std::string out = "\"";
    for (char c : s) {
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return out + "\"";
}
}  // namespace

nlohmann::json ResultTable::toJson() const {
    nlohmann::json out = nlohmann::json::object();
    for (std::size_t r = 0; r < rows.size(); ++r) {
        nlohmann::json row = nlohmann::json::object();
        for (std::size_t c = 0; c < columns.size(); ++c) {
            auto const& cell = cells[r][c];
            if (cell.number && std::isfinite(*cell.number)) {
                row[columns[c]] = *cell.number;
            } else if (!cell.number && !cell.text.empty()) {
                row[columns[c]] = cell.text;
            } else {
                row[columns[c]] = nullptr;
            }
        }
        out[rows[r]] = row;
    }
    return out;
}

std::string ResultTable::render(TableFormat format) const {
    std::ostringstream out;
    switch (format) {
        case TableFormat::Json:
            out << toJson().dump(2) << '\n';
            break;
        case TableFormat::Csv: {
            out << csvQuote(corner);
            for (auto const& c : columns) out << ',' << csvQuote(c);
            out << '\n';
            for (std::size_t r = 0; r < rows.size(); ++r) {
                out << csvQuote(rows[r]);
                for (std::size_t c = 0; c < columns.size(); ++c) out << ',' << csvQuote(cellText(cells[r][c], precision, ""));
                out << '\n';
            }
            break;
        }
        case TableFormat::Markdown: {
            out << "| " << corner;
            for (auto const& c : columns) out << " | " << c;
            out << " |\n|---";
            for (std::size_t c = 0; c < columns.size(); ++c) out << "|---:";
            out << "|\n";
            for (std::size_t r = 0; r < rows.size(); ++r) {
                out << "| " << rows[r];
                for (std::size_t c = 0; c < columns.size(); ++c) out << " | " << cellText(cells[r][c], precision, "-");
                out << " |\n";
            }
            break;
        }
        case TableFormat::Table: {
            std::vector<std::size_t> width(columns.size() + 1, corner.size());
            for (auto const& r : rows) width[0] = std::max(width[0], r.size());
            for (std::size_t c = 0; c < columns.size(); ++c) {
                width[c + 1] = columns[c].size();
                for (std::size_t r = 0; r < rows.size(); ++r) {
                    width[c + 1] = std::max(width[c + 1], cellText(cells[r][c], precision, "-").size());
                }
            }
            out << fmt::format("{:<{}}", corner, width[0]);
            for (std::size_t c = 0; c < columns.size(); ++c) out << fmt::format("  {:>{}}", columns[c], width[c + 1]);
            out << '\n';
            for (std::size_t r = 0; r < rows.size(); ++r) {
                out << fmt::format("{:<{}}", rows[r], width[0]);
                for (std::size_t c = 0; c < columns.size(); ++c) {
                    out << fmt::format("  {:>{}}", cellText(cells[r][c], precision, "-"), width[c + 1]);
                }
                out << '\n';
            }
            break;
        }
    }
    return out.str();
}

}  // namespace zcgp::cli

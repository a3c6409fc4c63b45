#pragma once
// Renders a small results table as aligned text, CSV, JSON or Markdown (the --format flag of several commands).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace zcgp::cli {

enum class TableFormat { Table, Csv, Json, Markdown };

// Throws UsageError listing the valid formats.
[[nodiscard]] TableFormat parseTableFormat(std::string_view name);

struct ResultTable {
    std::string corner;                  // header of the row-label column, e.g. "proxy"
    std::vector<std::string> columns;    // column headers
    std::vector<std::string> rows;       // row labels
    // cells[row][column]: a number, or text; an empty optional prints as "-" (csv: empty, json: null).
    struct Cell {
        std::optional<double> number;
        std::string text;
    };
    std::vector<std::vector<Cell>> cells;
    int precision = 3;  // decimals; negative: the shortest text that reads back exactly

    [[nodiscard]] std::string render(TableFormat format) const;
    [[nodiscard]] nlohmann::json toJson() const;
};

}  // namespace zcgp::cli

#pragma once
// CSV files (RFC 4180, parsed by libcsv) and proxy tables read from them: the suite's full NB201 tables,
// FlexiBERT's proxies, and a researcher's own table (`--table FILE.csv`).
#include <filesystem>
#include <string>
#include <vector>

#include "zcgp/proxy_cache/ProxyTable.hpp"

namespace zcgp::proxy_cache {

// The cells of a CSV file as text: a header row and data rows of the same width.
struct CsvFile {
    std::filesystem::path file;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::size_t> lines;  // the line each data row starts on (1-based; the header is on line 1 or later)

    // Column index of `name`; throws DataError naming the file and listing the columns if absent.
    [[nodiscard]] std::size_t column(std::string const& name, std::string_view role) const;
};

// Reads a CSV file: RFC 4180 quoting (quoted commas, quotes and line breaks), a UTF-8 byte-order mark, LF or CRLF
// line ends. Throws DataError naming the file and line for a malformed file, a row whose width differs from the
// header's (a truncated file), or a file without a header or without data rows.
[[nodiscard]] CsvFile readCsv(std::filesystem::path const& file);

// A cell as a score: empty, nan, inf and -inf (any case) are missing (NaN); nullopt if it is not a number.
[[nodiscard]] std::optional<double> parseCell(std::string_view cell);

// A column name as a GP terminal name, which formulas, the infix parser and exported C++ use as an identifier:
// each run of characters other than letters, digits and '_' becomes one '_' ("Number of Parameters" ->
// "Number_of_Parameters"), leading and trailing '_' are dropped, and a leading digit gets "c_".
[[nodiscard]] std::string terminalName(std::string_view column);

enum class TargetOrder { Higher, Lower };

// How a CSV file becomes a ProxyTable: every column other than the target, the id and the excluded ones is a
// proxy, named terminalName(column) (ProxyTable::columnNames keeps the file's names). With TargetOrder::Lower (losses, perplexities) the table's accuracy is the negated target.
struct TableSpec {
    std::filesystem::path file;
    std::string target;               // ground-truth column; empty: none (the caller fills accuracy)
    TargetOrder order{TargetOrder::Higher};
    std::string idColumn;             // architecture keys; empty: the 1-based data row number
    std::vector<std::string> exclude; // columns dropped before anything is read (the file's or the terminal name)
    // identity of the resulting task; the defaults give "table:<file stem>"
    SearchSpace space{SearchSpace::Table};
    std::string collection;
    std::string task;                 // empty: the file's stem
};

// Reads a table. Errors (DataError, one line naming the file, and the line and column where there is one): a
// missing target or id column, a duplicated id, a non-numeric cell in a proxy column, a non-finite target, a
// truncated or empty file, a table without proxy columns. `excludedFound`, if given, receives the names of
// spec.exclude that are columns of the file.
[[nodiscard]] ProxyTable loadTable(TableSpec const& spec, std::vector<std::string>* excludedFound = nullptr);

}  // namespace zcgp::proxy_cache

// The NB201 accuracy CSV reader on damaged and CRLF copies of the real file's first lines (issue 11).
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "TempDir.hpp"
#include "TestData.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/proxy_cache/Nb201Accuracy.hpp"

namespace fs = std::filesystem;
using namespace zcgp::proxy_cache;

namespace {
// The header and the first `rows` records of the real nb201_test_accuracy_200ep.csv.
std::vector<std::string> realLines(std::size_t rows) {
    std::ifstream in(zcgp::test::requireData("nb201") / "nb201_test_accuracy_200ep.csv");
    std::vector<std::string> lines;
    for (std::string line; lines.size() < rows + 1 && std::getline(in, line);) lines.push_back(line);
    REQUIRE(lines.size() == rows + 1);
    return lines;
}

// A data directory holding nb201/nb201_test_accuracy_200ep.csv with exactly `text`.
fs::path dataDirWith(zcgp::test::TempDir const& dir, std::string const& text) {
    fs::create_directories(dir.path / "nb201");
    std::ofstream(dir.path / "nb201" / "nb201_test_accuracy_200ep.csv", std::ios::binary | std::ios::trunc) << text;
    return dir.path;
}

std::string joined(std::vector<std::string> const& lines, std::string const& eol) {
    std::string out;
    for (auto const& l : lines) out += l + eol;
    return out;
}
}  // namespace

TEST_CASE("NB201 CSV: a CRLF file ending in a blank line reads like the LF file", "[proxy_cache]") {
    auto const lines = realLines(4);
    zcgp::test::TempDir lf, crlf;
    auto const a = Nb201Accuracy::load(dataDirWith(lf, joined(lines, "\n")));
    auto const b = Nb201Accuracy::load(dataDirWith(crlf, joined(lines, "\r\n") + "\r\n"));
    auto const full = Nb201Accuracy::load(zcgp::test::requireData("nb201").parent_path());
    REQUIRE(a.entries().size() == 4);
    REQUIRE(b.entries().size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
        auto const* ref = full.find(a.entries()[i].archString);
        REQUIRE(ref != nullptr);
        CHECK(b.entries()[i].archString == ref->archString);
        CHECK(b.entries()[i].isomorphismKey == ref->isomorphismKey);
        CHECK(b.entries()[i].accuracy == ref->accuracy);
    }
}

TEST_CASE("NB201 CSV: a number followed by anything else is not a number", "[proxy_cache]") {
    auto lines = realLines(3);
    auto const comma = lines[2].find(',');
    lines[2] = "93.5garbage" + lines[2].substr(comma);
    zcgp::test::TempDir dir;
    auto const data = dataDirWith(dir, joined(lines, "\n"));
    auto const file = (data / "nb201" / "nb201_test_accuracy_200ep.csv").string();
    CHECK_THROWS_WITH(Nb201Accuracy::load(data), file + ":3: '93.5garbage' is not a number");
    for (auto const* bad : {"", " 93.5", "93.5 ", "0x1p3", "nan", "1e999"}) {
        INFO("field '" << bad << "'");
        lines[2] = bad + lines[2].substr(lines[2].find(','));
        zcgp::test::TempDir d;
        CHECK_THROWS_AS(Nb201Accuracy::load(dataDirWith(d, joined(lines, "\n"))), DataError);
    }
}

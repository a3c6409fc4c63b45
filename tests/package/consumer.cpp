// A program built against an installed zcgp (find_package(zcgp), target zcgp::engine) that embeds both the
// engine and a formula exported by `zcgp export`: on every architecture of values.csv (zcgp export --values-csv:
// the raw scores and the engine's value) the exported function and the engine's interpreter, run here, must give
// the value zcgp computed. Exit 0 when they agree on every row, 1 otherwise.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "proxy.hpp"  // zc_proxy(jacov, nwot, snip, synflow), written by zcgp export (run.cmake)
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/primitives/Dataset.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: consumer values.csv\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> header;
    for (std::stringstream s(line); std::getline(s, line, ',');) header.push_back(line);
    std::vector<std::string> const names{"jacov", "nwot", "snip", "synflow"};
    std::map<std::string, std::vector<double>> columns;
    std::vector<std::string> keys;
    std::vector<double> expected;
    while (std::getline(in, line)) {
        auto const close = line.find('"', 1);  // the key is quoted: "(0, 2, 3, 2, 3, 1)"
        keys.push_back(line.substr(1, close - 1));
        std::stringstream rest(line.substr(close + 2));
        std::string cell;
        for (std::size_t c = 1; c < header.size() && std::getline(rest, cell, ','); ++c) {
            double const v = cell.empty() ? std::nan("") : std::stod(cell);
            if (header[c] == "value") expected.push_back(v);
            else columns[header[c]].push_back(v);
        }
    }
    zcgp::primitives::Dataset data(keys);
    for (auto const& n : names) data.addScalar(n, columns.at(n));
    auto const tree = zcgp::engine::parse("log(nwot) + synflow * sigmoid(jacov) / snip",
                                          zcgp::engine::Vocabulary::of(data));
    auto const engine = zcgp::engine::Interpreter(data).evaluate(tree);
    std::size_t bad = 0;
    for (std::size_t r = 0; r < keys.size(); ++r) {
        double const exported = zc_proxy(columns["jacov"][r], columns["nwot"][r], columns["snip"][r], columns["synflow"][r]);
        double const tolerance = 1e-9 * std::max(1.0, std::abs(expected[r]));
        if (!(std::abs(exported - expected[r]) <= tolerance) || !(std::abs(engine[r] - expected[r]) <= tolerance)) {
            if (++bad <= 5) std::cerr << keys[r] << ": exported " << exported << ", engine " << engine[r] << ", zcgp " << expected[r] << '\n';
        }
    }
    std::cout << keys.size() << " architectures, " << bad << " disagreeing; Kendall tau of the exported proxy "
              << zcgp::fitness::kendallTau(engine, expected) << " against zcgp's values\n";
    return bad == 0 && keys.size() > 100 ? 0 : 1;
}

// zcgp reproduce nbsz_bias / nbsz_information / nbsz_surrogate in reduced forms, asserting real values.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"

using zcgp::test::experimentConfig;
using zcgp::test::runCommand;
using zcgp::test::scratchDir;
using zcgp::test::zcgpCli;
namespace fs = std::filesystem;

namespace {
nlohmann::json readJson(fs::path const& p) {
    std::ifstream in(p);
    REQUIRE(in);
    return nlohmann::json::parse(in);
}
bool haveGnuplot() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }
}  // namespace

TEST_CASE("reproduce nbsz_bias (nb201/cifar10) writes the bias tables with the reference values and heat maps", "[experiments]") {
    auto const out = scratchDir("bias");
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("nbsz_bias") + " --set tasks=nb201/cifar10 --results " +
                                      out.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const dir = out / "nbsz_bias";
    auto const p = readJson(dir / "bias_pearson.json").at("nb201/cifar10").at("bias");
    CHECK(p.at("synflow").at("cell_size").get<double>() == Approx(0.527).margin(0.01));
    CHECK(p.at("val_accuracy").at("cell_size").get<double>() == Approx(0.146).margin(0.01));
    auto const k = readJson(dir / "bias_kendall.json").at("nb201/cifar10").at("bias");
    CHECK(k.at("synflow").at("cell_size").get<double>() == Approx(0.417).margin(0.01));
    CHECK(fs::exists(dir / "bias_pearson.md"));
    CHECK(fs::exists(dir / "bias_kendall.csv"));
    if (haveGnuplot()) CHECK(fs::file_size(dir / "bias_nb201_cifar10_pearson.png") > 10000);
}

TEST_CASE("reproduce nbsz_information (nb201/cifar10, small GP) writes pairwise information and the evolved comparison", "[experiments]") {
    auto const out = scratchDir("information");
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("nbsz_information") +
                                      " --set tasks=nb201/cifar10 --set population=30 --set generations=10 --results " +
                                      out.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const j = readJson(out / "nbsz_information" / "information.json").at("nb201/cifar10");
    // H(acc) over the 725 architectures with 23 bins; the greedy first pick is synflow (lowest H(acc | z))
    CHECK(j.at("single").at("synflow").at("H(acc | z)").get<double>() == Approx(1.447).margin(0.001));
    CHECK(j.at("greedy").at("1").at("added") == "synflow");
    auto const& e = j.at("evolved_vs_pair");
    CHECK(e.at("evolved").at("I(acc; .) bits").get<double>() > 0.3);
    CHECK(e.at("best pair").at("I(acc; .) bits").get<double>() >= e.at("best single").at("I(acc; .) bits").get<double>());
    if (haveGnuplot()) CHECK(fs::exists(out / "nbsz_information" / "information_nb201_cifar10.png"));
}

TEST_CASE("reproduce nbsz_surrogate (nb201/cifar10, 100 train): encoding+zc beats encoding", "[experiments]") {
    auto const out = scratchDir("surrogate");
    auto const r = runCommand(zcgpCli("reproduce " + experimentConfig("nbsz_surrogate") +
                                      " --set tasks=nb201/cifar10 --set 'train_sizes=[\"100\"]' --set seeds=2"
                                      " --set population=30 --set generations=10 --results " + out.string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto const j = readJson(out / "nbsz_surrogate" / "surrogate.json").at("nb201/cifar10");
    auto const& k = j.at("kendall").at("100");
    for (auto const* f : {"encoding", "zc", "encoding+zc", "encoding+evolved", "encoding+graph"}) CHECK(k.at(f).is_number());
    CHECK(k.at("encoding+zc").get<double>() > k.at("encoding").get<double>() + 0.1);
    CHECK(j.at("gain").at("100").at("encoding").get<double>() == 0.0);
}

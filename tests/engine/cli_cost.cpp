// Cost-aware proxies end to end: a formula's cost is the sum of the median recorded times of the distinct proxies
// it reads (checked against scripts/proxy_median_times.py on the suite file), the cost front of result.json is
// non-dominated, --cost-weight trades tau for cost, and bad values are usage errors.
#include <cmath>
#include <filesystem>
#include <regex>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"

using nlohmann::json;

namespace {
std::string cli() { return zcgp::test::cliPath().string() + " "; }
std::string dataFlag() { return "--data " + zcgp::test::requireData("nbsz").parent_path().string() + " "; }
json evolve(std::string const& args) {
    auto r = zcgp::test::runCommand(cli() + "evolve " + dataFlag() + args + " --json --quiet");
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    return json::parse(r.out);
}
// the reference cost: the medians of the proxies named in the formula (each once; NAME_r is NAME's second view)
double referenceCost(std::string const& formula, json const& medians) {
    std::set<std::string> used;
    std::regex word("[A-Za-z_][A-Za-z_0-9]*");
    for (auto it = std::sregex_iterator(formula.begin(), formula.end(), word); it != std::sregex_iterator(); ++it) {
        auto name = it->str();
        if (name.size() > 2 && name.ends_with("_r")) name.resize(name.size() - 2);  // the robust view of NAME reads NAME
        if (medians.contains(name)) used.insert(name);
    }
    double sum = 0.0;
    for (auto const& p : used) sum += medians.at(p).get<double>();
    return sum;
}
}  // namespace

TEST_CASE("zcgp evolve: formula cost and the cost front agree with the suite's recorded times", "[engine]") {
    auto const suite = zcgp::test::requireData("nbsz") / "zc_nasbench201.json";
    auto script = zcgp::test::runCommand(std::string("/usr/bin/python3 ") + ZCGP_SOURCE_DIR +
                                         "/scripts/proxy_median_times.py " + suite.string() + " cifar10");
    REQUIRE(script.exitCode == 0);
    auto const medians = json::parse(script.out);
    REQUIRE(medians.contains("jacov"));
    // zen comes from another folder (nb201_zen_full): left out, so every terminal's time is in the suite file
    std::string const common = "--task nb201/cifar10 --proxies jacov,nwot,synflow,flops,params,l2_norm,snip --seed 2 ";
    auto free = evolve(common);
    auto costly = evolve(common + "--cost-weight 0.3");
    for (auto const* r : {&free, &costly}) {
        INFO(r->at("formula"));
        CHECK(r->at("cost").get<double>() == Approx(referenceCost(r->at("formula"), medians)).epsilon(1e-12));
        auto const& front = r->at("cost_pareto");
        REQUIRE(front.size() >= 2);
        for (std::size_t i = 0; i < front.size(); ++i) {
            CHECK(front[i].at("cost").get<double>() ==
                  Approx(referenceCost(front[i].at("formula"), medians)).epsilon(1e-12));
            if (i > 0) {
                CHECK(front[i].at("cost").get<double>() > front[i - 1].at("cost").get<double>());
                CHECK(front[i].at("train_tau").get<double>() > front[i - 1].at("train_tau").get<double>());
            }
        }
    }
    CHECK(costly.at("cost_weight").get<double>() == 0.3);
    // the cost-aware formula is cheaper, and the unweighted one has the better train tau
    CHECK(costly.at("cost").get<double>() < free.at("cost").get<double>());
    CHECK(costly.at("train_tau").get<double>() <= free.at("train_tau").get<double>());

    for (std::string bad : {"-0.1", "nan", "inf", "x"}) {
        auto r = zcgp::test::runCommand(cli() + "evolve " + dataFlag() + "--task nb201/cifar10 --quiet --cost-weight " + bad);
        INFO(bad << ": " << r.err);
        CHECK(r.exitCode == 2);
        CHECK(r.err.find("--cost-weight") != std::string::npos);
    }
}

// zcgp evolve --ensemble with --member-creators on the real binary and data: which initial trees each member
// starts from, and what result.json records of it.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "RunCommand.hpp"
#include "TestData.hpp"

using zcgp::test::runCommand;
using zcgp::test::zcgpCli;

namespace {
nlohmann::json runEnsemble(std::filesystem::path const& out, std::string const& extra) {
    auto const r = runCommand(zcgpCli("evolve --task nb201/cifar10 --ensemble 3 --population 30 --generations 6 "
                                      "--seed 4 --quiet --force --out " + out.string() + " " + extra));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    std::ifstream in(out / "result.json");
    return nlohmann::json::parse(in);
}

std::vector<std::string> creatorsOf(nlohmann::json const& result) {
    std::vector<std::string> c;
    for (auto const& m : result.at("members")) c.push_back(m.at("creator").get<std::string>());
    return c;
}
}  // namespace

TEST_CASE("ensemble members alternate the run's creator with rhh by default, and follow --member-creators",
          "[experiments]") {
    (void)zcgp::test::requireData("nbsz/zc_nasbench201.json");
    auto const dir = zcgp::test::scratchDir("ensemble_creators");
    auto const automatic = runEnsemble(dir / "auto", "");
    CHECK(creatorsOf(automatic) == std::vector<std::string>{"additive:5:0.5", "rhh:2:5", "additive:5:0.5"});
    auto const same = runEnsemble(dir / "same", "--member-creators additive:5:0.5");
    CHECK(creatorsOf(same) == std::vector<std::string>{"additive:5:0.5", "additive:5:0.5", "additive:5:0.5"});
    auto const rhh = runEnsemble(dir / "rhh", "--creator rhh:2:5");
    CHECK(creatorsOf(rhh) == std::vector<std::string>{"rhh:2:5", "rhh:2:5", "rhh:2:5"});
    // the member's creator is what decides its run: same seed and creator, same formula (members 0 and 2 here),
    // whatever the other members start from
    for (std::size_t k : {0U, 2U}) {
        INFO("member " << k);
        CHECK(automatic.at("members")[k].at("formula") == same.at("members")[k].at("formula"));
    }
    // member 0 is the plain run of the master seed
    auto const plain = runCommand(zcgpCli("evolve --task nb201/cifar10 --population 30 --generations 6 --seed 4 "
                                          "--quiet --force --json --out " + (dir / "plain").string()));
    REQUIRE(plain.exitCode == 0);
    CHECK(nlohmann::json::parse(plain.out).at("formula") == automatic.at("members")[0].at("formula"));
}

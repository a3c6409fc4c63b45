#include <algorithm>
#include <cmath>
#include <set>

#include <catch2/catch.hpp>

#include "zcgp/primitives/Dataset.hpp"
#include "zcgp/primitives/Kernels.hpp"
#include "zcgp/primitives/Primitive.hpp"

using namespace zcgp::primitives;

TEST_CASE("primitive table: unique names, symbols resolve by argument types", "[primitives]") {
    std::set<std::string_view> names;
    for (auto const& p : primitives()) {
        CHECK(names.insert(p.name).second);
        CHECK(primitive(p.opcode).name == p.name);
        CHECK(findByName(p.name) == p.opcode);
        if (p.arity == 0) continue;
        std::vector<ValueType> args(p.args.begin(), p.args.begin() + p.arity);
        auto r = resolve(p.symbol, args);
        REQUIRE(r);
        // the symbol+signature picks exactly this operator (no ambiguous overloads)
        CHECK(*r == p.opcode);
        CHECK(p.complexity >= 1);
    }
    // the required operators exist with the right types
    for (auto name : {"add", "sub", "mul", "div", "neg", "abs", "log", "sqrt", "square", "exp", "tanh", "sigmoid",
                      "inv", "min", "max", "vmul", "vsmul", "sum", "mean", "lmax", "lmin", "norm", "std", "normalize",
                      "minmax", "softmax", "logsoftmax", "l1norm", "dot"}) {
        INFO(name);
        CHECK(findByName(name));
    }
    CHECK(primitive(Opcode::RSum).result == ValueType::Scalar);
    CHECK(primitive(Opcode::RSum).args[0] == ValueType::LayerVector);
    CHECK(primitive(Opcode::VSMul).args[1] == ValueType::Scalar);
    // LPZero's matrix multiplication of two layer vectors is their inner product: LayerVector x LayerVector -> Scalar
    CHECK(primitive(Opcode::Dot).args[0] == ValueType::LayerVector);
    CHECK(primitive(Opcode::Dot).args[1] == ValueType::LayerVector);
    CHECK(primitive(Opcode::Dot).result == ValueType::Scalar);
    CHECK(primitive(Opcode::RL1Norm).result == ValueType::Scalar);
    CHECK_FALSE(PrimitiveSet::parse("scalar").enabled(Opcode::Dot));
}

TEST_CASE("primitive sets: scalar excludes LayerVector ops, unknown names are named", "[primitives]") {
    auto s = PrimitiveSet::parse("scalar");
    CHECK(s.enabled(Opcode::Add));
    CHECK_FALSE(s.enabled(Opcode::VMul));
    CHECK_FALSE(s.enabled(Opcode::RSum));
    auto all = PrimitiveSet::parse("all");
    CHECK(all.functions(ValueType::LayerVector, false).empty());  // no LayerVector data: no vector ops
    CHECK_FALSE(all.functions(ValueType::LayerVector, true).empty());
    auto some = PrimitiveSet::parse("+,log");
    CHECK(some.enabled(Opcode::Add));
    CHECK(some.enabled(Opcode::VAdd));
    CHECK(some.enabled(Opcode::VLog));
    CHECK_FALSE(some.enabled(Opcode::Mul));
    CHECK_THROWS_WITH(PrimitiveSet::parse("add,frobnicate"), Catch::Contains("frobnicate"));
}

TEST_CASE("protected kernels are finite on finite inputs and documented values", "[primitives]") {
    namespace k = kernels;
    CHECK(k::div(3.0, 0.0) == 1.0);
    CHECK(k::div(3.0, 2.0) == 1.5);
    CHECK(k::inv(0.0) == 1.0);
    CHECK(std::isfinite(k::log(0.0)));
    CHECK(k::log(-std::exp(1.0)) == Approx(1.0));
    CHECK(k::sqrt(-4.0) == 2.0);
    CHECK(std::isfinite(k::exp(1e6)));
    CHECK(k::aq(1.0, 0.0) == 1.0);
    CHECK(k::sigmoid(-1e6) == 0.0);
}

TEST_CASE("dataset: terminals, layer vectors, subsetting and monotone normalisation", "[primitives]") {
    Dataset d({"a", "b", "c", "d"});
    std::vector<double> x{1.0, 10.0, 100.0, 1000.0}, y{-5.0, 0.0, 2.0, 50.0};
    d.addScalar("x", x);
    d.addScalar("y", y);
    d.setTarget(std::vector<double>{1, 2, 3, 4});
    CHECK_THROWS_WITH(d.addScalar("x", x), Catch::Contains("duplicate"));
    CHECK_THROWS(d.addScalar("z", std::vector<double>{1.0}));
    std::vector<std::size_t> counts{1, 2, 3, 1};
    d.setLayerCounts(counts);
    std::vector<double> v{1, 2, 3, 4, 5, 6, 7};
    d.addLayerVector("v", v);
    CHECK(d.totalLayers() == 7);
    CHECK(d.layerOffsets() == std::vector<std::size_t>{0, 1, 3, 6, 7});
    CHECK_THROWS(d.addLayerVector("w", std::vector<double>{1.0}));

    std::vector<std::size_t> rows{2, 0};
    auto s = d.subset(rows);
    REQUIRE(s.rows() == 2);
    CHECK(s.archKeys() == std::vector<std::string>{"c", "a"});
    CHECK(s.scalar(0)[0] == 100.0);
    CHECK(s.target()[1] == 1.0);
    CHECK(s.layerOffsets() == std::vector<std::size_t>{0, 3, 4});
    CHECK(s.layerValues(0)[0] == 4.0);
    CHECK(s.layerValues(0)[3] == 1.0);

    d.normalize(Normalization::LogZScore);
    CHECK(d.transforms()[0].kind == ColumnTransform::Kind::Log);
    CHECK(d.transforms()[1].kind == ColumnTransform::Kind::Asinh);
    for (std::size_t c = 0; c < 2; ++c) {
        auto col = d.scalar(c);
        CHECK(std::is_sorted(col.begin(), col.end()));  // monotone: ranks preserved
        double mean = 0.0;
        for (double v2 : col) mean += v2;
        CHECK(mean / 4.0 == Approx(0.0).margin(1e-12));
        CHECK(d.transforms()[c].apply(c == 0 ? x[2] : y[2]) == Approx(col[2]));
    }
    CHECK_THROWS_WITH(parseNormalization("bogus"), Catch::Contains("bogus"));
}

TEST_CASE("robust normalisation: sign-aware log, median/MAD scale, compressed tails, and the second view NAME_r",
          "[primitives]") {
    // jacov-like: negative everywhere, a dense bulk near -32 and two degenerate architectures far below
    std::vector<double> neg{-32.31, -32.05, -32.02, -32.0, -32.01, -32.1, -6.9e7, -5.0e6, -32.2};
    std::vector<double> pos{1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0};
    std::vector<double> mixed{-3.0, -1.0, 0.0, 1.0, 2.0, 5.0, 9.0, -7.0, 4.0};
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < neg.size(); ++i) keys.push_back("arch" + std::to_string(i));
    auto make = [&] {
        Dataset d(keys);
        d.addScalar("jacov", neg);
        d.addScalar("synflow", pos);
        d.addScalar("grasp", mixed);
        return d;
    };
    auto robust = make();
    robust.normalize(Normalization::Robust);
    CHECK(robust.transforms()[0].kind == ColumnTransform::Kind::NegLog);
    CHECK(robust.transforms()[1].kind == ColumnTransform::Kind::Log);
    CHECK(robust.transforms()[2].kind == ColumnTransform::Kind::Asinh);
    for (std::size_t c = 0; c < 3; ++c) {
        auto const& raw = c == 0 ? neg : c == 1 ? pos : mixed;
        auto col = robust.scalar(c);
        for (std::size_t i = 0; i < raw.size(); ++i) {
            for (std::size_t j = 0; j < raw.size(); ++j) {
                if (raw[i] < raw[j]) CHECK(col[i] < col[j]);  // strictly monotone: no ties introduced
            }
        }
        std::vector<double> sorted(col.begin(), col.end());
        std::sort(sorted.begin(), sorted.end());
        CHECK(sorted[sorted.size() / 2] == Approx(0.0).margin(1e-12));  // centred on the median
        for (double v : col) CHECK(std::abs(v) <= 3.0 + std::log1p(1e9));
    }
    // the degenerate architectures stay lowest but no longer squash the bulk: under logz the bulk spans a tiny
    // range next to the outliers, under robust it spans about as much as its spread in MADs
    auto logz = make();
    logz.normalize(Normalization::LogZScore);
    auto spread = [](std::span<double const> col) {
        return std::max({col[0], col[1], col[2], col[3], col[4], col[5], col[8]}) -
               std::min({col[0], col[1], col[2], col[3], col[4], col[5], col[8]});
    };
    CHECK(spread(logz.scalar(0)) < 0.01);
    CHECK(spread(robust.scalar(0)) > 2.0);
    CHECK(robust.scalar(0)[6] < -3.0);
    CHECK(robust.scalar(0)[6] > -3.0 - std::log1p(1e9));  // compressed: beyond the knee only logarithmically
    CHECK(robust.transforms()[0].apply(neg[6]) == Approx(robust.scalar(0)[6]));

    // both views: the logz columns keep the proxy names, the robust ones are appended as NAME_r reading NAME
    auto both = make();
    both.normalize(Normalization::LogZRobust);
    REQUIRE(both.scalarCount() == 6);
    CHECK(both.scalarNames() == std::vector<std::string>{"jacov", "synflow", "grasp", "jacov_r", "synflow_r", "grasp_r"});
    for (std::size_t c = 0; c < 3; ++c) {
        CHECK(both.transforms()[c].source.empty());
        CHECK(both.transforms()[c + 3].source == both.scalarNames()[c]);
        for (std::size_t i = 0; i < keys.size(); ++i) {
            CHECK(both.scalar(c)[i] == logz.scalar(c)[i]);
            CHECK(both.scalar(c + 3)[i] == robust.scalar(c)[i]);
        }
    }
    CHECK(parseNormalization("logz+robust") == Normalization::LogZRobust);
    CHECK_THROWS_WITH(parseNormalization("robustt"), Catch::Contains("robustt") && Catch::Contains("logz+robust"));
}

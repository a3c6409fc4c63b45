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
                      "minmax", "softmax", "logsoftmax"}) {
        INFO(name);
        CHECK(findByName(name));
    }
    CHECK(primitive(Opcode::RSum).result == ValueType::Scalar);
    CHECK(primitive(Opcode::RSum).args[0] == ValueType::LayerVector);
    CHECK(primitive(Opcode::VSMul).args[1] == ValueType::Scalar);
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

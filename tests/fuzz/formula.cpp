// libFuzzer target: the infix formula parser (engine/Infix.hpp). Properties on every formula that parses:
// the tree validates; format -> parse keeps the structural hash (and the tree); simplify gives a valid tree that
// round-trips as well; both evaluate without a sanitizer report on architectures with and without layers.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/core.h>

#include "FuzzSupport.hpp"
#include "zcgp/engine/Infix.hpp"
#include "zcgp/engine/Interpreter.hpp"

namespace {

using namespace zcgp;

// Four architectures; layer counts 0, 1, 3, 0 (the ragged case and the empty one). Names as in the suite.
primitives::Dataset makeData(bool withLayers) {
    primitives::Dataset d({"a0", "a1", "a2", "a3"});
    d.addScalar("synflow", std::vector<double>{1.5, -2.0, 0.0, 1e300});
    d.addScalar("nwot", std::vector<double>{700.0, 710.5, 690.25, 705.0});
    d.addScalar("jacov", std::vector<double>{-33.5, -32.0, -6.9e7, -33.0});
    d.setTarget(std::vector<double>{0.9, 0.8, 0.1, 0.5});
    std::vector<std::size_t> counts = withLayers ? std::vector<std::size_t>{0, 1, 3, 0} : std::vector<std::size_t>(4, 0);
    d.setLayerCounts(counts);
    std::vector<double> a, b;
    for (std::size_t i = 0; i < d.totalLayers(); ++i) {
        a.push_back(0.5 * static_cast<double>(i) - 1.0);
        b.push_back(1e-3 * static_cast<double>(i + 1));
    }
    d.addLayerVector("weight_l2", a);
    d.addLayerVector("grad_abs_mean", b);
    return d;
}

struct Fixture {
    primitives::Dataset ragged = makeData(true);
    primitives::Dataset layerless = makeData(false);
    engine::Vocabulary vocabulary = engine::Vocabulary::of(ragged);
    engine::Interpreter onRagged{ragged};
    engine::Interpreter onLayerless{layerless};
};

void checkRoundTrip(engine::Tree const& tree, engine::Vocabulary const& vocabulary, char const* what) {
    if (auto why = tree.validate(); !why.empty()) fuzz::propertyFailed(fmt::format("{} tree invalid: {}", what, why));
    auto const text = engine::format(tree, vocabulary);
    engine::Tree back;
    try {
        back = engine::parse(text, vocabulary);
    } catch (std::invalid_argument const& e) {
        fuzz::propertyFailed(fmt::format("{} formula '{}' does not parse back: {}", what, text, e.what()));
    }
    if (engine::structuralHash(back) != engine::structuralHash(tree) || !(back == tree)) {
        fuzz::propertyFailed(fmt::format("{} formula '{}' reads back as '{}'", what, text, engine::format(back, vocabulary)));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static Fixture const f;
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    engine::Tree tree;
    try {
        tree = engine::parse(text, f.vocabulary);
    } catch (std::invalid_argument const&) {
        return 0;  // the parser's documented error
    }
    if (tree.size() > engine::MaxTreeSize) fuzz::propertyFailed("parse returned a tree over MaxTreeSize");
    checkRoundTrip(tree, f.vocabulary, "parsed");
    auto const simplified = engine::simplify(tree);
    checkRoundTrip(simplified, f.vocabulary, "simplified");
    for (auto const* interpreter : {&f.onRagged, &f.onLayerless}) {
        (void)interpreter->evaluate(tree);
        (void)interpreter->evaluate(simplified);
    }
    return 0;
}

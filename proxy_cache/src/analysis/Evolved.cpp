#include "zcgp/analysis/Evolved.hpp"

#include <stdexcept>

#include "zcgp/engine/Interpreter.hpp"

namespace zcgp::analysis {

EvolvedFormula evolveOnRows(primitives::Dataset const& terminals, std::vector<std::size_t> const& trainRows,
                            std::uint64_t seed, engine::EvolutionConfig config) {
    if (trainRows.size() < 4) throw std::invalid_argument("evolveOnRows: at least 4 train architectures");
    config.trainArchs = trainRows.size() - 1;
    config.seed = seed;
    config.splitSeed.reset();
    config.threads = config.threads == 0 ? 1 : config.threads;
    std::vector<engine::Task> tasks{{"train", terminals.subset(trainRows)}};
    engine::Evolution evolution(std::move(tasks), config);
    evolution.run();
    auto const& best = evolution.best();
    EvolvedFormula out;
    out.formula = evolution.format(best.tree);
    out.trainTau = best.trainTau;
    engine::Interpreter interpreter(terminals);
    out.values = interpreter.evaluate(best.tree);
    return out;
}

}  // namespace zcgp::analysis

#include "MpiWorld.hpp"

#include <cstdlib>
#include <stdexcept>

#include <fmt/core.h>

#ifdef ZCGP_WITH_MPI
#include <mpi.h>
#endif

#include "Command.hpp"

namespace zcgp::cli {

namespace {
int launchedRanks() {
    char const* size = std::getenv("OMPI_COMM_WORLD_SIZE");
    return size != nullptr && *size != '\0' ? std::atoi(size) : 1;
}
}  // namespace

MpiWorld& MpiWorld::instance() {
    static MpiWorld world;
    return world;
}

MpiWorld::MpiWorld() {
    int const launched = launchedRanks();
    if (launched <= 1) return;
#ifdef ZCGP_WITH_MPI
    if (MPI_Init(nullptr, nullptr) != MPI_SUCCESS) throw std::runtime_error("MPI_Init failed");
    initialised_ = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
#else
    throw UsageError(fmt::format("launched by mpirun with {} ranks, but this zcgp was built without MPI "
                                 "(install libopenmpi-dev and rebuild, or run one process per --shard)",
                                 launched));
#endif
}

MpiWorld::~MpiWorld() {
#ifdef ZCGP_WITH_MPI
    if (initialised_) MPI_Finalize();
#endif
}

std::vector<RankStatus> MpiWorld::gatherStatus(RankStatus const& mine) const {
    if (size_ == 1) return {mine};
#ifdef ZCGP_WITH_MPI
    int const mineLength = static_cast<int>(mine.message.size());
    std::vector<int> codes(rank_ == 0 ? static_cast<std::size_t>(size_) : 0U);
    std::vector<int> lengths(codes.size());
    MPI_Gather(&mine.exitCode, 1, MPI_INT, codes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Gather(&mineLength, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<int> offsets(codes.size());
    int total = 0;
    for (std::size_t r = 0; r < lengths.size(); ++r) {
        offsets[r] = total;
        total += lengths[r];
    }
    std::string text(static_cast<std::size_t>(total), '\0');
    MPI_Gatherv(mine.message.data(), mineLength, MPI_CHAR, text.data(), lengths.data(), offsets.data(), MPI_CHAR, 0,
                MPI_COMM_WORLD);
    if (rank_ != 0) return {mine};
    std::vector<RankStatus> all(codes.size());
    for (std::size_t r = 0; r < all.size(); ++r) {
        all[r].exitCode = codes[r];
        all[r].message = text.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r]));
    }
    return all;
#else
    return {mine};
#endif
}

}  // namespace zcgp::cli

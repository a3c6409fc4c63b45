#pragma once
// The ranks of an `mpirun -n K zcgp gather ...` launch (Open MPI). Outside mpirun the same binary is one process,
// rank 0 of 1, and MPI is never initialised; so is a build without MPI (ZCGP_WITH_MPI off), which refuses to run
// under mpirun with more than one rank rather than have every rank gather everything.
#include <string>
#include <vector>

namespace zcgp::cli {

struct RankStatus {
    int exitCode = 0;     // 0 ok, 1 failure, 2 usage error
    std::string message;  // empty when ok
};

class MpiWorld {
public:
    // Initialises MPI on first use when launched by mpirun (OMPI_COMM_WORLD_SIZE set); finalised at exit.
    static MpiWorld& instance();
    MpiWorld(MpiWorld const&) = delete;
    MpiWorld& operator=(MpiWorld const&) = delete;
    ~MpiWorld();

    [[nodiscard]] int rank() const { return rank_; }
    [[nodiscard]] int size() const { return size_; }
    // Collective: every rank's status, in rank order, on rank 0; the others get their own only.
    [[nodiscard]] std::vector<RankStatus> gatherStatus(RankStatus const& mine) const;

private:
    MpiWorld();
    int rank_ = 0;
    int size_ = 1;
    bool initialised_ = false;
};

}  // namespace zcgp::cli

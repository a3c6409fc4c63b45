#pragma once
// A small per-worker memo of values computed from one subtree of a tree (a "term"), keyed by the term's nodes
// exactly (issue 14): the GP's children share most of their terms with their parents and the population, so
// the ridge's term statistics (LinearScaling.hpp) and the finiteness of a term on every architecture
// (Evolution) are looked up instead of recomputed. Direct-mapped by a hash of the nodes and verified against a
// copy of them; a term over maxTermNodes nodes is never stored. Each stored term gets an id, never reused while
// the memo lives (the memo empties itself before 2^32 ids), so that values about pairs of terms can be keyed
// by two ids. Not thread-safe: one per worker.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "zcgp/engine/Tree.hpp"

namespace zcgp::engine {

// One step of the memos' hashing: mixes v into h (a boost::hash_combine-style step, then a multiply-xorshift).
[[nodiscard]] inline std::uint64_t hashMix(std::uint64_t h, std::uint64_t v) {
    h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    h *= 0xFF51AFD7ED558CCDULL;
    return h ^ (h >> 32);
}

// A hash of the nodes' bytes (16 per node, no padding).
[[nodiscard]] std::uint64_t termHash(std::span<Node const> nodes);

static_assert(sizeof(Node) == 16 && sizeof(Node) == sizeof(double) + sizeof(std::uint32_t) + sizeof(std::uint16_t) +
                                         sizeof(Opcode) + sizeof(ValueType),
              "TermMemo compares and hashes nodes as bytes: Node must be 16 bytes without padding");

template <typename Value>
class TermMemo {
public:
    TermMemo(std::size_t maxTermNodes, std::size_t slots)
        : maxTermNodes_(maxTermNodes), slots_(std::bit_ceil(std::max<std::size_t>(slots, 1))),
          nodes_(slots_.size() * maxTermNodes) {}

    struct Slot {
        std::uint64_t hash{0};
        std::uint32_t id{0};  // 0: empty
        std::uint32_t size{0};
        Value value{};
    };
    // The slot of the term rooted at `root` of `tree`: `hit` says whether it holds that term's value. On a miss
    // the slot has been given to the term (fresh id, its nodes stored) and the caller must set `value`.
    // nullptr: the term is too large to store.
    Slot* find(Tree const& tree, std::size_t root, bool& hit) {
        std::size_t const size = tree[root].length + 1u;
        hit = false;
        if (size > maxTermNodes_) return nullptr;
        std::span<Node const> const term(tree.nodes().data() + (root + 1 - size), size);
        std::uint64_t const hash = termHash(term);
        std::size_t const index = static_cast<std::size_t>(hash) & (slots_.size() - 1);
        Slot* slot = &slots_[index];
        Node* stored = nodes_.data() + index * maxTermNodes_;
        // byte-equal nodes are equal nodes (a stricter test than Node::operator==, which ignores the value of
        // non-constants: such nodes can only miss, never match wrongly), and memcmp is one vectorised pass
        if (slot->id != 0 && slot->hash == hash && slot->size == size &&
            std::memcmp(term.data(), stored, size * sizeof(Node)) == 0) {
            hit = true;
            return slot;
        }
        if (nextId_ == UINT32_MAX) {  // ids are never reused: start afresh
            clear();
            slot = &slots_[index];
        }
        slot->hash = hash;
        slot->size = static_cast<std::uint32_t>(size);
        slot->id = ++nextId_;
        std::copy(term.begin(), term.end(), stored);
        return slot;
    }
    void clear() {
        std::fill(slots_.begin(), slots_.end(), Slot{});
        nextId_ = 0;
        ++epoch_;
    }
    // how many times the memo was emptied: ids of different epochs may coincide
    [[nodiscard]] std::uint64_t epoch() const { return epoch_; }

private:
    std::size_t maxTermNodes_;
    std::vector<Slot> slots_;
    std::vector<Node> nodes_;  // maxTermNodes_ per slot
    std::uint32_t nextId_{0};
    std::uint64_t epoch_{0};
};

}  // namespace zcgp::engine

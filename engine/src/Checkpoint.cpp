#include "zcgp/engine/Checkpoint.hpp"

#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "zcgp/engine/Infix.hpp"

static_assert(std::endian::native == std::endian::little, "the checkpoint format is little-endian");

namespace zcgp::engine {

namespace {
constexpr std::string_view Magic = "ZCGPCKPT";
constexpr std::size_t ChecksumOffset = Magic.size() + 4 + 8;  // magic, version, total bytes
constexpr std::size_t BodyOffset = ChecksumOffset + 8;


class Encoder {
public:
    template <typename T> void put(T value) {
        static_assert(std::is_trivially_copyable_v<T>);
        out_.append(reinterpret_cast<char const*>(&value), sizeof(T));
    }
    void count(std::size_t n) { put(static_cast<std::uint32_t>(n)); }
    void text(std::string_view s) {
        count(s.size());
        out_.append(s);
    }
    void words(std::span<std::uint64_t const> values) {
        count(values.size());
        auto const at = out_.size();
        out_.resize(at + values.size_bytes());
        if (!values.empty()) std::memcpy(out_.data() + at, values.data(), values.size_bytes());
    }
    void individual(Individual const& ind) {
        count(ind.tree.size());
        // the nodes in one stretch: 13 bytes each (opcode, index, value), as put() would write them one by one
        constexpr std::size_t NodeBytes = 1 + sizeof(std::uint32_t) + sizeof(double);
        auto const at = out_.size();
        out_.resize(at + NodeBytes * ind.tree.size());
        char* p = out_.data() + at;
        for (auto const& n : ind.tree.nodes()) {
            auto const op = static_cast<std::uint8_t>(n.op);
            std::memcpy(p, &op, 1);
            std::memcpy(p + 1, &n.index, sizeof(n.index));
            std::memcpy(p + 1 + sizeof(n.index), &n.value, sizeof(n.value));
            p += NodeBytes;
        }
        put(ind.trainTau);
        put(ind.fitness);
        put(static_cast<std::uint8_t>(ind.valid ? 1 : 0));
        put(ind.ranks);
    }
    std::string& bytes() { return out_; }

private:
    std::string out_;
};

class Decoder {
public:
    Decoder(std::string_view bytes, std::filesystem::path const& file) : in_(bytes), file_(file) {}

    template <typename T> T get() {
        need(sizeof(T));
        T value;
        std::memcpy(&value, in_.data() + at_, sizeof(T));
        at_ += sizeof(T);
        return value;
    }
    // a count of items of at least `itemBytes` each, checked against what is left
    std::size_t count(std::size_t itemBytes) {
        auto const n = static_cast<std::size_t>(get<std::uint32_t>());
        need(n * itemBytes);
        return n;
    }
    std::string text() {
        auto const n = count(1);
        std::string s(in_.substr(at_, n));
        at_ += n;
        return s;
    }
    std::vector<std::uint64_t> words() {
        std::vector<std::uint64_t> values(count(8));
        if (!values.empty()) std::memcpy(values.data(), in_.data() + at_, values.size() * 8);
        at_ += values.size() * 8;
        return values;
    }
    Individual individual(std::vector<primitives::Opcode> const& opcodes) {
        Individual ind;
        std::vector<Node> nodes(count(13));
        int stack = 0;  // postfix: every function node needs its arguments below it
        for (auto& node : nodes) {
            auto const code = get<std::uint8_t>();
            if (code >= opcodes.size()) fail("a node has an unknown opcode");
            node = Node::function(opcodes[code]);
            node.index = get<std::uint32_t>();
            node.value = get<double>();
            stack -= node.arity();
            if (stack < 0) fail("a tree is not in postfix order");
            ++stack;
        }
        if (!nodes.empty() && stack != 1) fail("a tree is not in postfix order");
        ind.tree = Tree(std::move(nodes));
        ind.trainTau = get<double>();
        ind.fitness = get<double>();
        ind.valid = get<std::uint8_t>() != 0;
        ind.ranks = get<std::uint64_t>();
        ind.hash = structuralHash(ind.tree);
        return ind;
    }
    [[nodiscard]] bool atEnd() const { return at_ == in_.size(); }
    [[noreturn]] void fail(std::string_view what) const {
        throw std::runtime_error(fmt::format("checkpoint '{}' is malformed: {}", file_.string(), what));
    }

private:
    void need(std::size_t n) const {
        if (n > in_.size() - at_) fail("it ends early");
    }
    std::string_view in_;
    std::filesystem::path const& file_;
    std::size_t at_{0};
};

[[noreturn]] void refuseJson(std::string_view bytes, std::filesystem::path const& file) {
    int version = 0;
    try {
        version = nlohmann::json::parse(bytes).value("version", 0);
    } catch (nlohmann::json::exception const&) {
    }
    throw std::runtime_error(fmt::format("checkpoint '{}' is a JSON checkpoint (format version {}) of an older zcgp; "
                                         "this zcgp reads binary checkpoints of version {}: start the run again",
                                         file.string(), version, CheckpointVersion));
}
}  // namespace

std::uint64_t checkpointChecksum(std::string_view bytes) {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ bytes.size();
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, bytes.data() + i, 8);
        h = std::rotl((h ^ w) * 0xBF58476D1CE4E5B9ULL, 31);
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
    h = std::rotl((h ^ tail) * 0x94D049BB133111EBULL, 29);
    return h ^ (h >> 32);
}

std::string encodeCheckpoint(CheckpointView const& v) {
    std::string out;
    encodeCheckpoint(v, out);
    return out;
}

void encodeCheckpoint(CheckpointView const& v, std::string& bytes) {
    Encoder e;
    e.bytes().swap(bytes);
    e.bytes().clear();
    // about 400 bytes per individual: one allocation, not a doubling series (and none once the buffer is reused)
    e.bytes().reserve(4096 + 8 * (v.seenRanks.size() + v.seenTrees.size()) +
                      400 * (v.population.size() + v.hallOfFame.size() + v.costFront.size() + 1));
    e.bytes().append(Magic);
    e.put(CheckpointVersion);
    e.put(std::uint64_t{0});  // total bytes, filled in below
    e.put(std::uint64_t{0});  // checksum, filled in below
    e.count(primitives::OpcodeCount);
    for (auto const& p : primitives::primitives()) e.text(p.name);
    e.put(v.run.seed);
    e.put(v.run.splitSeed);
    e.put(v.run.populationSize);
    e.put(v.run.trainArchs);
    e.count(v.run.tasks.size());
    for (auto const& t : v.run.tasks) e.text(t);
    e.put(v.progress.generation);
    e.put(v.progress.evaluations);
    e.put(v.progress.nodeEvaluations);
    e.put(v.progress.seconds);
    e.count(v.progress.pruned.size());
    for (auto c : v.progress.pruned) e.put(c);
    e.count(v.rngs.size());
    for (auto const& r : v.rngs) {
        for (auto s : r.state()) e.put(s);
    }
    e.count(v.population.size());
    for (auto const& ind : v.population) e.individual(ind);
    e.individual(v.best);
    e.count(v.hallOfFame.size());
    for (auto const& [size, ind] : v.hallOfFame) e.individual(ind);
    e.count(v.costFront.size());
    for (auto const& [cost, ind] : v.costFront) e.individual(ind);
    e.words(v.seenRanks);
    e.words(v.seenTrees);
    auto& out = e.bytes();
    auto const total = static_cast<std::uint64_t>(out.size());
    std::memcpy(out.data() + Magic.size() + 4, &total, 8);
    auto const sum = checkpointChecksum(std::string_view(out).substr(BodyOffset));
    std::memcpy(out.data() + ChecksumOffset, &sum, 8);
    bytes.swap(out);
}

CheckpointState decodeCheckpoint(std::string_view bytes, std::filesystem::path const& file) {
    if (!bytes.empty() && bytes.front() == '{') refuseJson(bytes, file);
    Decoder d(bytes, file);
    if (bytes.substr(0, Magic.size()) != Magic) d.fail("not a zcgp checkpoint");
    for (std::size_t i = 0; i < Magic.size(); ++i) d.get<char>();
    auto const version = d.get<std::uint32_t>();
    if (version != CheckpointVersion) {
        throw std::runtime_error(fmt::format("checkpoint '{}' has format version {}; this zcgp reads version {}: "
                                             "start the run again", file.string(), version, CheckpointVersion));
    }
    if (d.get<std::uint64_t>() != bytes.size()) d.fail("its length is wrong (cut short while being copied?)");
    if (d.get<std::uint64_t>() != checkpointChecksum(bytes.substr(BodyOffset))) d.fail("its checksum does not match");

    std::vector<primitives::Opcode> opcodes(d.count(1));
    for (auto& op : opcodes) {
        auto const name = d.text();
        auto found = primitives::findByName(name);
        if (!found) d.fail(fmt::format("unknown primitive '{}'", name));
        op = *found;
    }
    CheckpointState s;
    s.run.seed = d.get<std::uint64_t>();
    s.run.splitSeed = d.get<std::uint64_t>();
    s.run.populationSize = d.get<std::uint64_t>();
    s.run.trainArchs = d.get<std::uint64_t>();
    s.run.tasks.resize(d.count(4));
    for (auto& t : s.run.tasks) t = d.text();
    s.progress.generation = d.get<std::uint64_t>();
    s.progress.evaluations = d.get<std::uint64_t>();
    s.progress.nodeEvaluations = d.get<std::uint64_t>();
    s.progress.seconds = d.get<double>();
    // the counters in PruneRule order; a checkpoint written before the last rules existed (early_stop, issue 16)
    // has fewer, and those rules had rejected nothing in its run
    auto const counters = d.count(8);
    if (counters == 0 || counters > s.progress.pruned.size()) d.fail("wrong number of pruning counters");
    for (std::size_t r = 0; r < counters; ++r) s.progress.pruned[r] = d.get<std::uint64_t>();
    s.rngs.resize(d.count(32));
    for (auto& r : s.rngs) {
        for (auto& x : r) x = d.get<std::uint64_t>();
    }
    auto const population = d.count(4);
    for (std::size_t i = 0; i < population; ++i) s.population.push_back(d.individual(opcodes));
    s.best = d.individual(opcodes);
    auto const famous = d.count(4);
    for (std::size_t i = 0; i < famous; ++i) s.hallOfFame.push_back(d.individual(opcodes));
    auto const cheap = d.count(4);
    for (std::size_t i = 0; i < cheap; ++i) s.costFront.push_back(d.individual(opcodes));
    s.seenRanks = d.words();
    s.seenTrees = d.words();
    if (!d.atEnd()) d.fail("bytes after the end");
    return s;
}

CheckpointState readCheckpoint(std::filesystem::path const& file) {
    std::ifstream is(file, std::ios::binary);
    if (!is) throw std::runtime_error(fmt::format("cannot read checkpoint '{}'", file.string()));
    std::string const bytes((std::istreambuf_iterator<char>(is)), std::istreambuf_iterator<char>());
    if (is.bad()) throw std::runtime_error(fmt::format("cannot read checkpoint '{}'", file.string()));
    return decodeCheckpoint(bytes, file);
}

void writeCheckpointFile(std::filesystem::path const& file, std::string_view bytes) {
    auto tmp = file;
    tmp += ".tmp";
    {
        std::ofstream os(tmp, std::ios::binary | std::ios::trunc);
        if (!os) throw std::runtime_error(fmt::format("cannot write checkpoint '{}': {}", tmp.string(), std::strerror(errno)));
        os.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!os.flush()) throw std::runtime_error(fmt::format("cannot write checkpoint '{}'", tmp.string()));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);  // over the old one: a reader sees the old checkpoint or the new one
    if (ec) throw std::runtime_error(fmt::format("cannot write checkpoint '{}': {}", file.string(), ec.message()));
}

std::optional<std::filesystem::path> findCheckpoint(std::filesystem::path const& file) {
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) return file;
    auto tmp = file;
    tmp += ".tmp";
    if (!std::filesystem::exists(tmp, ec)) return std::nullopt;
    try {
        (void)readCheckpoint(tmp);
    } catch (std::runtime_error const&) {
        return std::nullopt;  // the first checkpoint's write was cut short
    }
    return tmp;
}

CheckpointWriter::~CheckpointWriter() {
    {
        std::lock_guard const lock(mutex_);
        stop_ = true;
    }
    ready_.notify_all();
    if (thread_.joinable()) thread_.join();  // after the write in flight
}

void CheckpointWriter::wait() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !pending_; });
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

std::string CheckpointWriter::spare() {
    std::lock_guard const lock(mutex_);
    return pending_ ? std::string{} : std::exchange(bytes_, std::string{});
}

void CheckpointWriter::write(std::filesystem::path file, std::string bytes) {
    wait();
    {
        std::lock_guard const lock(mutex_);
        file_ = std::move(file);
        bytes_ = std::move(bytes);
        pending_ = true;
    }
    // one thread for the writer's life: a thread per checkpoint cost its creation, and its 8 MB stack's mapping
    // and unmapping, on the loop's thread
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    ready_.notify_all();
}

void CheckpointWriter::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        ready_.wait(lock, [&] { return pending_ || stop_; });
        if (!pending_) return;  // stopped, nothing in flight
        lock.unlock();
        std::exception_ptr error;
        try {
            writeCheckpointFile(file_, bytes_);  // file_ and bytes_ are only touched again once pending_ is false
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        error_ = error;
        pending_ = false;
        ready_.notify_all();
    }
}

}  // namespace zcgp::engine

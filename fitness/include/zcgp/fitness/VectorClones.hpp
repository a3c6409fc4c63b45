#pragma once
// ZCGP_VECTOR_CLONES: compile a function for AVX2 as well as the baseline x86-64, and pick the clone at load time
// from the CPU's features (GCC function multiversioning). No AVX-512 clone: where the CPU has AVX-512F, the
// hand-written kernels below run instead. For branch-free integer counting loops only:
// their results are exact, so every clone returns the same value and results stay machine-independent.
// Off under sanitizers and on other compilers/architectures (the baseline code is then used).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define ZCGP_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ZCGP_VECTOR_CLONES
#endif

// ZCGP_AVX512_KERNELS: hand-written AVX-512 versions of the same exact counting loops (masked tails, mask
// popcounts, no per-row horizontal sums), chosen at run time when the CPU has AVX-512F (zcgp::fitness::hasAvx512);
// they count exactly what the portable loops count, so results do not depend on which one runs.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define ZCGP_AVX512_KERNELS 1
#define ZCGP_TARGET_AVX512 __attribute__((target("avx512f,popcnt")))
namespace zcgp::fitness {
inline bool hasAvx512() {
    static bool const yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("popcnt");
    return yes;
}
}  // namespace zcgp::fitness
#endif

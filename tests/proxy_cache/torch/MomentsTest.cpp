// The activation statistics kernel (Moments.hpp) against a sequential long-double two-pass reference and against
// the documented summation order, on real CIFAR-10 pixels and on ReLU'd values with exact
// zeros, for lengths that are and are not multiples of the eight lanes.
#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <vector>

#include <catch2/catch.hpp>

#include "TestData.hpp"
#include "zcgp/proxy_cache/torch/Moments.hpp"

namespace pc = zcgp::proxy_cache;

namespace {

// The pixels of the first CIFAR-10 test images (3,073-byte records: label, then 3,072 bytes), scaled to [0, 1]
// and shifted by -0.45, so that about half are negative; every value is an exact float.
std::vector<float> cifarPixels() {
    std::ifstream in(zcgp::test::requireData("images/cifar10_test_first20.bin"), std::ios::binary);
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() == 20U * 3073U);
    std::vector<float> pixels;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i % 3073 == 0) continue;
        pixels.push_back(static_cast<float>(bytes[i]) / 255.0F - 0.45F);
    }
    return pixels;
}

// The summation order Moments.hpp documents, written out element by element.
double laneOrderSum(std::vector<float> const& v, std::int64_t n, double shift, int power) {
    std::array<double, 8> acc{};
    for (std::int64_t i = 0; i < n; ++i) {
        double const d = static_cast<double>(v[static_cast<std::size_t>(i)]) - shift;
        acc[static_cast<std::size_t>(i % 8)] += power == 1 ? d : d * d;
    }
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

void checkAgainstReference(std::vector<float> const& v, std::int64_t n) {
    auto const m = pc::moments(v.data(), n);
    long double sum = 0.0L;
    std::int64_t positive = 0, zero = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        float const x = v[static_cast<std::size_t>(i)];
        sum += x;
        positive += x > 0.0F ? 1 : 0;
        zero += x == 0.0F ? 1 : 0;
    }
    long double const meanRef = sum / static_cast<long double>(n);
    long double squares = 0.0L;
    for (std::int64_t i = 0; i < n; ++i) {
        long double const d = v[static_cast<std::size_t>(i)] - meanRef;
        squares += d * d;
    }
    auto const stdRef = static_cast<double>(std::sqrt(squares / static_cast<long double>(n - 1)));
    CHECK(m.mean == Approx(static_cast<double>(meanRef)).epsilon(1e-12).margin(1e-15));
    CHECK(m.std == Approx(stdRef).epsilon(1e-12));
    CHECK(m.positiveFraction == static_cast<double>(positive) / static_cast<double>(n));
    CHECK(m.zeroFraction == static_cast<double>(zero) / static_cast<double>(n));
    CHECK(pc::zeroFraction(v.data(), n) == m.zeroFraction);
    // the exact bits of the documented order, whatever instruction set the kernel was compiled for
    double const mean = laneOrderSum(v, n, 0.0, 1) / static_cast<double>(n);
    CHECK(m.mean == mean);
    CHECK(m.std == std::sqrt(laneOrderSum(v, n, mean, 2) / static_cast<double>(n - 1)));
}

}  // namespace

TEST_CASE("activation moments equal a long-double two-pass reference on real pixels, with and without ReLU zeros",
          "[torch][statistics]") {
    auto pixels = cifarPixels();
    for (std::int64_t n : {2, 7, 8, 9, 1023, 3072, 61440}) checkAgainstReference(pixels, n);

    auto relu = pixels;
    for (auto& x : relu) x = x > 0.0F ? x : 0.0F;
    auto const m = pc::moments(relu.data(), static_cast<std::int64_t>(relu.size()));
    CHECK(m.zeroFraction > 0.2);
    CHECK(m.zeroFraction + m.positiveFraction == Approx(1.0));
    for (std::int64_t n : {2, 15, 16, 17, 61440}) checkAgainstReference(relu, n);
}

TEST_CASE("activation moments of one value: the standard deviation is undefined", "[torch][statistics]") {
    std::vector<float> one{0.0F};
    auto const m = pc::moments(one.data(), 1);
    CHECK(m.mean == 0.0);
    CHECK(std::isnan(m.std));
    CHECK(m.zeroFraction == 1.0);
    CHECK(m.positiveFraction == 0.0);
}

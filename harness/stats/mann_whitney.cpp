// Our own implementation, because nothing we already depend on or can install from Debian fits:
// Boost.Math's statistics (t, z, runs, Anderson-Darling, Ljung-Box tests) has no rank-sum test,
// GSL has none, and ALGLIB's mannwhitneyutest (libalglib-dev) approximates the p-value (relative
// error up to ~2e-2 by its own table, floored at 1e-4) and answers p = 1 whenever a sample has
// fewer than 5 values, which is where a benchmark comparison with 3 to 5 repetitions lives. The
// exact conditional distribution is a short dynamic programme, so owning it costs little.
#include "harness/stats/mann_whitney.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace asyncbench {
namespace {

// C(n, k) by Pascal's rule, so that no intermediate exceeds the result (no overflow for n <= 60).
constexpr std::uint64_t binomial(int n, int k) {
    std::array<std::uint64_t, mann_whitney_exact_max_total + 1> row{};
    row[0] = 1;
    for (int i = 1; i <= n; ++i) {
        for (int j = std::min(i, k); j >= 1; --j) {
            row[j] += row[j - 1];
        }
    }
    return row[k];
}

// The exact path counts splits in uint64: every count it holds (subsets of the first i pooled
// values with a given size and rank sum) is at most C(i, k) <= C(60, 30) ~ 1.18e17 < 2^64, so the
// counts are exact integers and the only rounding is the final division. (Probabilities or logs
// would also work, but would round at every step.) Twice a tail must fit too, so the exact limit
// can go up to 66 (C(66, 33) ~ 7.2e18 < 2^63) and no further; the second assertion guards that.
static_assert(binomial(60, 30) == 118'264'581'564'861'424ULL);
static_assert(binomial(mann_whitney_exact_max_total, mann_whitney_exact_max_total / 2) <=
              std::numeric_limits<std::uint64_t>::max() / 2);

void require_finite(std::span<const double> values, const char* which) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
            throw std::invalid_argument(std::string("mann_whitney_u: sample ") + which + "[" +
                                        std::to_string(i) + "] is " +
                                        (std::isnan(values[i]) ? "NaN" : "infinite"));
        }
    }
}

struct pooled_ranks {
    // Twice the mid-rank of every pooled value, in the order a..., b...: integral, so rank sums
    // are compared exactly. A tie group at sorted positions [i, j) (0-based) shares the mid-rank
    // (i + 1 + j) / 2, so its doubled rank is i + 1 + j.
    std::vector<std::int64_t> doubled_rank;
    // Sum of t^3 - t over tie groups of size t, for the normal approximation's variance.
    double tie_term = 0;
};

pooled_ranks rank_pooled(std::span<const double> a, std::span<const double> b) {
    const std::size_t n = a.size() + b.size();
    std::vector<double> pooled;
    pooled.reserve(n);
    pooled.insert(pooled.end(), a.begin(), a.end());
    pooled.insert(pooled.end(), b.begin(), b.end());

    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t x, std::size_t y) { return pooled[x] < pooled[y]; });

    pooled_ranks out;
    out.doubled_rank.resize(n);
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i + 1;
        while (j < n && pooled[order[j]] == pooled[order[i]]) {
            ++j;
        }
        const auto doubled = static_cast<std::int64_t>(i + 1 + j);
        for (std::size_t k = i; k < j; ++k) {
            out.doubled_rank[order[k]] = doubled;
        }
        const auto t = static_cast<double>(j - i);
        out.tie_term += t * t * t - t;
        i = j;
    }
    return out;
}

// min(1, 2 * min(P(R <= observed), P(R >= observed))) where R is the doubled rank sum of `m`
// values drawn without replacement from `doubled_rank`, every one of the C(n, m) draws equally
// likely. 0/1-knapsack counting: count[k][s] = number of k-subsets of the values seen so far with
// doubled rank sum s. Cost: n * m * (max sum) <= 60 * 30 * 3600 ~ 6.5e6 additions.
double exact_two_sided_p(const std::vector<std::int64_t>& doubled_rank, std::size_t m,
                         std::int64_t observed) {
    const std::size_t n = doubled_rank.size();
    // Doubled ranks are at most 2n, so m of them sum to at most 2nm.
    const std::size_t max_sum = 2 * n * m;
    const std::size_t width = max_sum + 1;
    std::vector<std::uint64_t> count((m + 1) * width, 0);
    count[0] = 1;               // the empty subset, sum 0
    std::size_t reachable = 0;  // largest sum any subset seen so far can have
    for (std::size_t i = 0; i < n; ++i) {
        const auto r = static_cast<std::size_t>(doubled_rank[i]);
        reachable = std::min(reachable + r, max_sum);
        // Downwards in k and s, so each value joins a subset at most once.
        for (std::size_t k = std::min(i + 1, m); k >= 1; --k) {
            std::uint64_t* to = &count[k * width];
            const std::uint64_t* from = &count[(k - 1) * width];
            for (std::size_t s = reachable; s >= r; --s) {
                to[s] += from[s - r];
            }
        }
    }

    const std::uint64_t* dist = &count[m * width];
    std::uint64_t total = 0;
    std::uint64_t at_most = 0;
    std::uint64_t at_least = 0;
    for (std::size_t s = 0; s <= max_sum; ++s) {
        total += dist[s];
        if (static_cast<std::int64_t>(s) <= observed) {
            at_most += dist[s];
        }
        if (static_cast<std::int64_t>(s) >= observed) {
            at_least += dist[s];
        }
    }
    // total == C(n, m) < 2^63, so twice a tail fits. long double (64-bit mantissa on x86-64)
    // holds every count exactly; where it is plain double the division still rounds only once.
    const std::uint64_t twice_tail = 2 * std::min(at_most, at_least);
    if (twice_tail >= total) {
        return 1.0;
    }
    return static_cast<double>(static_cast<long double>(twice_tail) /
                               static_cast<long double>(total));
}

// Normal approximation to the distribution of U with the tie-corrected variance and a 0.5
// continuity correction toward the mean, matching scipy.stats.mannwhitneyu(method="asymptotic").
double normal_two_sided_p(double u, double n1, double n2, double tie_term) {
    const double n = n1 + n2;
    const double mean = n1 * n2 / 2;
    const double variance = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)));
    if (!(variance > 0)) {
        return 1.0;  // every value tied: U cannot differ from its mean
    }
    // Take the upper of U and n1 * n2 - U, so one tail (the smaller) times two is the answer.
    const double z = (std::max(u, n1 * n2 - u) - mean - 0.5) / std::sqrt(variance);
    // 2 * P(Z >= z) = erfc(z / sqrt 2), accurate far into the tail (no 1 - cdf cancellation).
    return std::min(1.0, std::erfc(z / std::numbers::sqrt2));
}

}  // namespace

u_test_result mann_whitney_u(std::span<const double> a, std::span<const double> b) {
    require_finite(a, "a");
    require_finite(b, "b");
    u_test_result result;
    if (a.empty() || b.empty()) {
        return result;
    }

    const pooled_ranks ranks = rank_pooled(a, b);
    const auto n1 = static_cast<std::int64_t>(a.size());
    const auto n2 = static_cast<std::int64_t>(b.size());
    std::int64_t doubled_sum_a = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        doubled_sum_a += ranks.doubled_rank[i];
    }
    // U1 = R1 - n1 (n1 + 1) / 2; with doubled ranks it is an exact half-integer.
    result.u = static_cast<double>(doubled_sum_a - n1 * (n1 + 1)) / 2;

    if (n1 + n2 <= mann_whitney_exact_max_total) {
        // The two-sided p is the same whichever sample's rank sum is counted (R_b = total - R_a
        // mirrors both tails), so count the smaller sample: fewer subset sizes to track.
        std::int64_t observed = doubled_sum_a;
        std::size_t m = a.size();
        if (b.size() < a.size()) {
            observed = (n1 + n2) * (n1 + n2 + 1) - doubled_sum_a;  // sum of all doubled ranks
            m = b.size();
        }
        result.p_two_sided = exact_two_sided_p(ranks.doubled_rank, m, observed);
        result.exact = true;
    } else {
        result.p_two_sided = normal_two_sided_p(result.u, static_cast<double>(n1),
                                                static_cast<double>(n2), ranks.tie_term);
    }
    return result;
}

double median(std::span<const double> values) {
    if (values.empty()) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); })) {
        throw std::invalid_argument("median: NaN value");
    }
    std::vector<double> sorted(values.begin(), values.end());
    const std::size_t mid = sorted.size() / 2;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(mid),
                     sorted.end());
    const double upper = sorted[mid];
    if (sorted.size() % 2 == 1) {
        return upper;
    }
    // After nth_element everything before `mid` is <= upper; the lower middle is their maximum.
    const double lower =
        *std::max_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(mid));
    return std::midpoint(lower, upper);  // no overflow near DBL_MAX, unlike (lower + upper) / 2
}

}  // namespace asyncbench

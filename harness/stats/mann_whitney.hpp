#pragma once
// Two-sample Mann-Whitney U test and median, for `asyncbench compare`: did a per-repetition metric
// (say the p99 latency of each of 5 to 20 repetitions) change between a baseline and a candidate?
// Rank-based, so one wild repetition moves the answer by one rank, not by its size, and it assumes
// nothing about the metric's distribution (latency percentiles are anything but normal).
//
// Pure functions: no state, no I/O, no allocation that outlives a call; safe to call from any
// number of threads at once. Values are in whatever unit the caller uses (the test only orders
// them), so no unit is implied.
#include <span>

namespace asyncbench {

struct u_test_result {
    // U of the first sample: the number of pairs (a_i, b_j) with a_i > b_j, plus half the number
    // of tied pairs. In [0, n1 * n2], a multiple of 0.5. U of the second sample is n1 * n2 - u.
    double u = 0;
    // Two-sided p-value, in [0, 1]: min(1, 2 * min(P(U <= u), P(U >= u))) under the null
    // distribution, the definition SciPy's mannwhitneyu and permutation_test use.
    double p_two_sided = 1;
    // True: the exact permutation distribution (ties included). False: the normal approximation,
    // or no test at all because a sample was empty.
    bool exact = false;
};

// Largest n1 + n2 for which mann_whitney_u computes the exact distribution.
inline constexpr int mann_whitney_exact_max_total = 60;

// Two-sided Mann-Whitney U test of `a` against `b` (the Wilcoxon rank-sum test). Tied values get
// mid-ranks.
// - n1 + n2 <= 60: exact. The null distribution is that of the rank sum of `a` over all
//   C(n1 + n2, n1) ways to split the observed mid-ranks into samples of n1 and n2 (conditional on
//   the ties), what scipy.stats.permutation_test(..., n_resamples=np.inf) enumerates; without ties
//   it is the classic exact Mann-Whitney distribution. Worst case n1 = n2 = 30: ~6.5 million
//   integer additions, ~1.5 ms optimised (-O1 or -O2) and ~5 ms unoptimised, ~1 MB scratch.
// - n1 + n2 > 60: normal approximation with the tie correction of the variance and a continuity
//   correction of 0.5, as scipy.stats.mannwhitneyu(method="asymptotic", use_continuity=True).
//   O((n1 + n2) log(n1 + n2)).
// Either sample empty: {u = 0, p_two_sided = 1, exact = false}.
// Throws std::invalid_argument if any value in either sample is NaN or infinite (checked first,
// also when the other sample is empty).
u_test_result mann_whitney_u(std::span<const double> a, std::span<const double> b);

// Median of `values`: the middle value, or the mean of the middle two for an even count. NaN for
// an empty span. Infinite values are ordered as usual. Throws std::invalid_argument on a NaN value
// (NaN has no place in an order, and sorting with it is undefined behaviour). O(n), copies the
// values once.
double median(std::span<const double> values);

}  // namespace asyncbench

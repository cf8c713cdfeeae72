// The comparison's significance test, checked against answers known in advance: closed forms
// (p = 2 / C(n1 + n2, n1) for fully separated samples) and SciPy.
//
// Reference values: SciPy 1.17.1, NumPy 2.4.6, Python 3 (venv from PyPI), from this script. Exact
// without ties: mannwhitneyu(method="exact"). Exact with ties: permutation_test over all
// C(n1 + n2, n1) splits (n_resamples=np.inf). Normal path: mannwhitneyu(method="asymptotic",
// use_continuity=True). For 30 vs 30 with ties (the exact path's largest case) permutation_test
// would have to enumerate C(60, 30) ~ 1.2e17 splits, so the script counts them exactly with Python
// integers per tie group (a different algorithm from ours, which goes value by value) and checks
// that by 10^6 random splits.
//
//   import numpy as np, scipy
//   from math import comb
//   from fractions import Fraction
//   from collections import Counter
//   from scipy import stats
//   print("scipy", scipy.__version__, "numpy", np.__version__)
//
//   def u_stat(x, y, axis=-1):  # U of the first sample (mid-ranks), vectorised
//       return stats.mannwhitneyu(x, y, axis=axis, method="asymptotic").statistic
//
//   def exact(a, b):  # no ties
//       return stats.mannwhitneyu(a, b, alternative="two-sided", method="exact")
//
//   def perm(a, b):  # ties: all C(n1+n2, n1) splits of the observed mid-ranks
//       return stats.permutation_test((a, b), u_stat, permutation_type="independent",
//                                     vectorized=True, n_resamples=np.inf, alternative="two-sided")
//
//   def asym(a, b):
//       return stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic",
//                                 use_continuity=True)
//
//   def exact_by_tie_groups(a, b):  # C(60, 30) splits are too many to enumerate: count them
//       n1 = len(a)                 # exactly with Python integers, per tie group (not per value)
//       r2 = [round(2 * r) for r in stats.rankdata(np.concatenate([a, b]))]
//       obs = sum(r2[:n1])
//       ways = {(0, 0): 1}          # (values taken, doubled rank sum) -> number of splits
//       for rank2, t in Counter(r2).items():
//           nxt = {}
//           for (k, s), w in ways.items():
//               for c in range(min(t, n1 - k) + 1):
//                   key = (k + c, s + c * rank2)
//                   nxt[key] = nxt.get(key, 0) + w * comb(t, c)
//           ways = nxt
//       dist = {s: w for (k, s), w in ways.items() if k == n1}
//       le = sum(w for s, w in dist.items() if s <= obs)
//       ge = sum(w for s, w in dist.items() if s >= obs)
//       return ((obs - n1 * (n1 + 1)) / 2,
//               min(Fraction(1), Fraction(2 * min(le, ge), comb(len(r2), n1))))
//
//   A = lambda *v: np.array(v, float)
//   cases = [
//       ("identical_5v5", perm, A(10, 11, 12, 13, 14), A(10, 11, 12, 13, 14)),
//       ("separated_5v5", exact, A(10.1, 10.4, 10.2, 10.3, 10.5), A(11.0, 11.2, 11.1, 11.4, 11.3)),
//       ("separated_3v3", exact, A(1, 2, 3), A(4, 5, 6)),
//       ("overlap_7v9", exact, A(12.1, 13.4, 11.8, 14.2, 12.9, 13.0, 15.1),
//                              A(13.7, 14.9, 15.3, 12.5, 16.0, 14.4, 15.8, 13.9, 16.4)),
//       ("ties_6v6", perm, A(12, 13, 13, 14, 15, 15), A(13, 14, 15, 16, 16, 17)),
//       ("ties_10v10", perm, A(41, 42, 42, 43, 44, 44, 45, 45, 46, 48),
//                            A(43, 44, 45, 45, 46, 47, 47, 48, 49, 50)),
//       ("all_equal_4v6", perm, A(*[7] * 4), A(*[7] * 6)),
//       ("separated_30v30", exact, np.arange(1.0, 31), np.arange(31.0, 61)),
//       ("noties_30v30", exact, np.array([(7 * i) % 61 + 0.25 for i in range(1, 31)]),
//                               np.array([(7 * i) % 61 + 5.75 for i in range(31, 61)])),
//       ("noties_30v31", asym, np.array([(7 * i) % 61 + 0.25 for i in range(1, 31)]),
//                              np.array([(7 * i) % 61 + 5.75 for i in range(31, 62)])),
//       ("ties_40v40", asym, np.array([100 + (i * 7) % 13 for i in range(40)], float),
//                            np.array([102 + (i * 5) % 13 for i in range(40)], float)),
//       ("ties_35v40", asym, np.array([100 + (i * 7) % 13 for i in range(35)], float),
//                            np.array([102 + (i * 5) % 13 for i in range(40)], float)),
//   ]
//   for name, f, a, b in cases:
//       r = f(a, b)
//       print(f"{name}: U = {float(r.statistic)!r}, p = {float(r.pvalue)!r}")
//
//   a = np.array([100 + (i * 7) % 13 for i in range(30)], float)
//   b = np.array([102 + (i * 5) % 13 for i in range(30)], float)
//   u, p = exact_by_tie_groups(a, b)
//   print(f"ties_30v30: U = {u!r}, p = {float(p)!r} = {p}")
//   for seed in (1, 2):  # sanity check of the above by 10^6 random splits (standard error ~3e-4)
//       mc = stats.permutation_test((a, b), u_stat, permutation_type="independent",
//                                   vectorized=True, n_resamples=10**6, alternative="two-sided",
//                                   rng=seed)
//       print(f"  monte carlo, seed {seed}: p = {mc.pvalue:.5f}")
//
// Output:
//   identical_5v5: U = 12.5, p = 1.0
//   separated_5v5: U = 0.0, p = 0.007936507936507936
//   separated_3v3: U = 0.0, p = 0.1
//   overlap_7v9: U = 11.0, p = 0.03111888111888112
//   ties_6v6: U = 7.5, p = 0.12554112554112554
//   ties_10v10: U = 21.5, p = 0.03001796964645262
//   all_equal_4v6: U = 12.0, p = 1.0
//   separated_30v30: U = 0.0, p = 1.691123389214474e-17
//   noties_30v30: U = 336.0, p = 0.0934970816706121
//   noties_30v31: U = 364.0, p = 0.14710380487164834
//   ties_40v40: U = 576.0, p = 0.03108020212804655
//   ties_35v40: U = 488.0, p = 0.024327891432767052
//   ties_30v30: U = 321.5, p = 0.056900770145673976 = 39124103325561/687584776539892
//     monte carlo, seed 1: p = 0.05707
//     monte carlo, seed 2: p = 0.05775
// The same check with 10^7 random splits (batch=500_000, rng=7) gave p = 0.05689.
#include "harness/stats/mann_whitney.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace asyncbench {
namespace {

// SciPy's exact p-values come from floating-point recurrences and ours from integer counts; they
// agree to ~1e-14 relative. 1e-9 leaves room without hiding a wrong count (one split in C(n, m)
// moves p by far more than that for every case here).
constexpr double p_tolerance = 1e-9;

// The generated samples the script above builds with the same integer formulas.
std::vector<double> distinct_a(int first, int last) {  // (7 i) mod 61 + 0.25, i in [first, last]
    std::vector<double> v;
    for (int i = first; i <= last; ++i) {
        v.push_back((7 * i) % 61 + 0.25);
    }
    return v;
}

std::vector<double> distinct_b(int first, int last) {  // (7 i) mod 61 + 5.75: never equals an a
    std::vector<double> v;
    for (int i = first; i <= last; ++i) {
        v.push_back((7 * i) % 61 + 5.75);
    }
    return v;
}

std::vector<double> whole_ms(int count, int base, int step) {  // base + (i * step) mod 13
    std::vector<double> v;
    for (int i = 0; i < count; ++i) {
        v.push_back(base + (i * step) % 13);
    }
    return v;
}

TEST(mann_whitney_u, identical_samples_give_p_one) {
    const std::vector<double> a{10, 11, 12, 13, 14};
    const auto r = mann_whitney_u(a, a);
    EXPECT_EQ(r.u, 12.5);
    EXPECT_EQ(r.p_two_sided, 1.0);
    EXPECT_TRUE(r.exact);
}

TEST(mann_whitney_u, fully_separated_5v5_gives_two_in_252) {
    const std::vector<double> a{10.1, 10.4, 10.2, 10.3, 10.5};
    const std::vector<double> b{11.0, 11.2, 11.1, 11.4, 11.3};
    const auto r = mann_whitney_u(a, b);
    EXPECT_EQ(r.u, 0.0);
    EXPECT_NEAR(r.p_two_sided, 2.0 / 252.0, p_tolerance * 2.0 / 252.0);
    EXPECT_NEAR(r.p_two_sided, 0.007936507936507936, p_tolerance * 0.007936507936507936);
    EXPECT_TRUE(r.exact);
}

TEST(mann_whitney_u, separated_3v3_reaches_only_p_one_tenth) {
    // 2 / C(6, 3): the smallest p three repetitions a side can ever give, so such a comparison
    // can never pass a 0.05 threshold.
    const std::vector<double> a{1, 2, 3};
    const std::vector<double> b{4, 5, 6};
    const auto r = mann_whitney_u(a, b);
    EXPECT_EQ(r.u, 0.0);
    EXPECT_NEAR(r.p_two_sided, 0.1, p_tolerance * 0.1);
}

TEST(mann_whitney_u, overlapping_7v9_without_ties_matches_scipy_exact) {
    const std::vector<double> a{12.1, 13.4, 11.8, 14.2, 12.9, 13.0, 15.1};
    const std::vector<double> b{13.7, 14.9, 15.3, 12.5, 16.0, 14.4, 15.8, 13.9, 16.4};
    const auto r = mann_whitney_u(a, b);
    EXPECT_EQ(r.u, 11.0);
    EXPECT_NEAR(r.p_two_sided, 0.03111888111888112, p_tolerance * 0.03111888111888112);
    EXPECT_TRUE(r.exact);
}

TEST(mann_whitney_u, whole_ms_ties_6v6_match_scipy_permutation_test) {
    const std::vector<double> a{12, 13, 13, 14, 15, 15};
    const std::vector<double> b{13, 14, 15, 16, 16, 17};
    const auto r = mann_whitney_u(a, b);
    EXPECT_EQ(r.u, 7.5);
    EXPECT_NEAR(r.p_two_sided, 0.12554112554112554, p_tolerance * 0.12554112554112554);
    EXPECT_TRUE(r.exact);
}

TEST(mann_whitney_u, whole_ms_ties_10v10_match_scipy_permutation_test) {
    const std::vector<double> a{41, 42, 42, 43, 44, 44, 45, 45, 46, 48};
    const std::vector<double> b{43, 44, 45, 45, 46, 47, 47, 48, 49, 50};
    const auto r = mann_whitney_u(a, b);
    EXPECT_EQ(r.u, 21.5);
    EXPECT_NEAR(r.p_two_sided, 0.03001796964645262, p_tolerance * 0.03001796964645262);
    EXPECT_TRUE(r.exact);
}

TEST(mann_whitney_u, all_values_equal_give_p_one) {
    const std::vector<double> a(4, 7.0);
    const std::vector<double> b(6, 7.0);
    const auto small = mann_whitney_u(a, b);
    EXPECT_EQ(small.u, 12.0);
    EXPECT_EQ(small.p_two_sided, 1.0);
    EXPECT_TRUE(small.exact);

    // The normal path: zero variance must not turn into 0 / 0.
    const std::vector<double> big(40, 7.0);
    const auto large = mann_whitney_u(big, big);
    EXPECT_EQ(large.u, 800.0);
    EXPECT_EQ(large.p_two_sided, 1.0);
    EXPECT_FALSE(large.exact);
}

TEST(mann_whitney_u, separated_30v30_resolves_the_far_tail) {
    // 2 / C(60, 30) ~ 1.7e-17: the largest count the exact path holds, and a p far below 1 - eps.
    std::vector<double> a;
    std::vector<double> b;
    for (int i = 1; i <= 30; ++i) {
        a.push_back(i);
        b.push_back(30 + i);
    }
    const auto r = mann_whitney_u(a, b);
    EXPECT_EQ(r.u, 0.0);
    EXPECT_NEAR(r.p_two_sided, 2.0 / 118'264'581'564'861'424.0,
                p_tolerance * 1.691123389214474e-17);
    EXPECT_NEAR(r.p_two_sided, 1.691123389214474e-17, p_tolerance * 1.691123389214474e-17);
    EXPECT_TRUE(r.exact);
}

TEST(mann_whitney_u, distinct_30v30_is_exact_and_matches_scipy) {
    const auto a = distinct_a(1, 30);
    const auto b = distinct_b(31, 60);
    const auto r = mann_whitney_u(a, b);
    EXPECT_EQ(r.u, 336.0);
    EXPECT_NEAR(r.p_two_sided, 0.0934970816706121, p_tolerance * 0.0934970816706121);
    EXPECT_TRUE(r.exact);
}

TEST(mann_whitney_u, whole_ms_ties_30v30_are_exact) {
    const auto a = whole_ms(30, 100, 7);
    const auto b = whole_ms(30, 102, 5);
    const auto r = mann_whitney_u(a, b);
    EXPECT_EQ(r.u, 321.5);
    // 39124103325561 / 687584776539892, counted in Python integers (see the top of the file).
    EXPECT_NEAR(r.p_two_sided, 0.056900770145673976, p_tolerance * 0.056900770145673976);
    EXPECT_TRUE(r.exact);
}

TEST(mann_whitney_u, distinct_30v31_takes_the_normal_path) {
    const auto a = distinct_a(1, 30);
    const auto b = distinct_b(31, 61);
    const auto r = mann_whitney_u(a, b);
    EXPECT_EQ(r.u, 364.0);
    EXPECT_NEAR(r.p_two_sided, 0.14710380487164834, p_tolerance * 0.14710380487164834);
    EXPECT_FALSE(r.exact);
}

TEST(mann_whitney_u, whole_ms_ties_40v40_match_scipy_asymptotic) {
    // 80 values: past the exact limit, so the tie-corrected normal approximation.
    const auto a = whole_ms(40, 100, 7);
    const auto b = whole_ms(40, 102, 5);
    const auto r = mann_whitney_u(a, b);
    EXPECT_EQ(r.u, 576.0);
    EXPECT_NEAR(r.p_two_sided, 0.03108020212804655, p_tolerance * 0.03108020212804655);
    EXPECT_FALSE(r.exact);
}

TEST(mann_whitney_u, whole_ms_ties_35v40_match_scipy_asymptotic) {
    const auto a = whole_ms(35, 100, 7);
    const auto b = whole_ms(40, 102, 5);
    const auto r = mann_whitney_u(a, b);
    EXPECT_EQ(r.u, 488.0);
    EXPECT_NEAR(r.p_two_sided, 0.024327891432767052, p_tolerance * 0.024327891432767052);
    EXPECT_FALSE(r.exact);
}

TEST(mann_whitney_u, swapping_samples_mirrors_u_and_keeps_p) {
    const std::vector<std::pair<std::vector<double>, std::vector<double>>> cases{
        {{12.1, 13.4, 11.8, 14.2, 12.9, 13.0, 15.1},
         {13.7, 14.9, 15.3, 12.5, 16.0, 14.4, 15.8, 13.9, 16.4}},
        {{12, 13, 13, 14, 15, 15}, {13, 14, 15, 16, 16, 17}},
        {{5}, {1, 2, 3, 4, 6, 7}},
        {whole_ms(30, 100, 7), whole_ms(30, 102, 5)},
        {whole_ms(7, 100, 7), whole_ms(45, 102, 5)},  // exact, very unequal sizes
        {whole_ms(35, 100, 7), whole_ms(40, 102, 5)},
    };
    for (const auto& [a, b] : cases) {
        const auto forward = mann_whitney_u(a, b);
        const auto backward = mann_whitney_u(b, a);
        const double pairs = static_cast<double>(a.size() * b.size());
        EXPECT_EQ(backward.u, pairs - forward.u) << a.size() << " vs " << b.size();
        EXPECT_DOUBLE_EQ(backward.p_two_sided, forward.p_two_sided)
            << a.size() << " vs " << b.size();
        EXPECT_EQ(backward.exact, forward.exact);
    }
}

TEST(mann_whitney_u, u_counts_pairs_and_half_ties) {
    // a = {1, 2, 2}, b = {2, 3}: a > b in no pair, a == b in the two (2, 2) pairs.
    const std::vector<double> a{1, 2, 2};
    const std::vector<double> b{2, 3};
    EXPECT_EQ(mann_whitney_u(a, b).u, 1.0);
    EXPECT_EQ(mann_whitney_u(b, a).u, 5.0);
}

TEST(mann_whitney_u, p_stays_in_unit_interval_near_the_centre) {
    // One value each: U is 0 or 1 with probability 1/2 each, so 2 * min(1/2, 1) = 1, not above.
    const std::vector<double> a{1};
    const std::vector<double> b{2};
    const auto r = mann_whitney_u(a, b);
    EXPECT_EQ(r.u, 0.0);
    EXPECT_EQ(r.p_two_sided, 1.0);
}

TEST(mann_whitney_u, empty_sample_gives_p_one_without_a_test) {
    const std::vector<double> some{1, 2, 3};
    const std::vector<double> none;
    for (const auto& r :
         {mann_whitney_u(none, some), mann_whitney_u(some, none), mann_whitney_u(none, none)}) {
        EXPECT_EQ(r.u, 0.0);
        EXPECT_EQ(r.p_two_sided, 1.0);
        EXPECT_FALSE(r.exact);
    }
}

TEST(mann_whitney_u, non_finite_values_throw) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<double> good{1, 2, 3};
    const std::vector<double> with_nan{1, nan, 3};
    const std::vector<double> with_inf{1, 2, inf};
    const std::vector<double> with_minus_inf{-inf};
    const std::vector<double> none;
    EXPECT_THROW(mann_whitney_u(with_nan, good), std::invalid_argument);
    EXPECT_THROW(mann_whitney_u(good, with_nan), std::invalid_argument);
    EXPECT_THROW(mann_whitney_u(with_inf, good), std::invalid_argument);
    EXPECT_THROW(mann_whitney_u(good, with_minus_inf), std::invalid_argument);
    // Checked before the empty-sample shortcut: bad input is never silently "not significant".
    EXPECT_THROW(mann_whitney_u(with_nan, none), std::invalid_argument);
}

TEST(median, odd_count_is_the_middle_value) {
    const std::vector<double> v{9, 1, 5, 3, 7};
    EXPECT_EQ(median(v), 5.0);
    const std::vector<double> one{42.5};
    EXPECT_EQ(median(one), 42.5);
}

TEST(median, even_count_is_the_mean_of_the_middle_two) {
    const std::vector<double> v{4, 1, 3, 2};
    EXPECT_EQ(median(v), 2.5);
    const std::vector<double> with_duplicates{7, 7, 1, 9, 7, 2};
    EXPECT_EQ(median(with_duplicates), 7.0);
    const std::vector<double> negative{-3, -1};
    EXPECT_EQ(median(negative), -2.0);
}

TEST(median, huge_values_do_not_overflow) {
    const double big = std::numeric_limits<double>::max();
    const std::vector<double> v{big, big};
    EXPECT_EQ(median(v), big);
}

TEST(median, infinities_are_ordered) {
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<double> v{inf, 1, -inf};
    EXPECT_EQ(median(v), 1.0);
}

TEST(median, empty_is_nan_and_nan_throws) {
    EXPECT_TRUE(std::isnan(median(std::vector<double>{})));
    const std::vector<double> with_nan{1, std::numeric_limits<double>::quiet_NaN(), 3};
    EXPECT_THROW(median(with_nan), std::invalid_argument);
}

TEST(median, leaves_the_input_alone) {
    const std::vector<double> v{3, 1, 2};
    (void)median(v);
    EXPECT_EQ(v, (std::vector<double>{3, 1, 2}));
}

}  // namespace
}  // namespace asyncbench

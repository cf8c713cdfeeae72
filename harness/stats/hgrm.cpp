#include "harness/stats/hgrm.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

namespace asyncbench {
namespace {

// The next reporting percentile after `level` (in percent), as HdrHistogram's percentile
// iterator steps: the closer to 100%, the finer, `ticks` steps per halving of the distance.
double next_level(double level, int ticks) {
    const double halvings = std::floor(std::log2(100.0 / (100.0 - level)));
    const double reporting_ticks = ticks * std::pow(2.0, halvings + 1);
    return level + 100.0 / reporting_ticks;
}

}  // namespace

std::string percentile_distribution(const histogram& h, double value_unit_ratio,
                                    int ticks_per_half_distance) {
    const int ticks = ticks_per_half_distance > 0 ? ticks_per_half_distance : 5;
    const double ratio = value_unit_ratio > 0 ? value_unit_ratio : 1.0;
    std::string text = fmt::format("{:>12} {:>14} {:>10} {:>14}\n\n", "Value", "Percentile",
                                   "TotalCount", "1/(1-Percentile)");
    const std::uint64_t total = h.count();
    const double mean_us = h.mean();
    double sum_of_squares = 0;  // around the mean, from the buckets, for the deviation
    if (total > 0) {
        // As HdrHistogram's percentile iterator: at each bucket, a line for every reporting
        // level its cumulative count reaches; at the last bucket one line, then the 100% line.
        double level = 0;  // the next percentile to report, in percent
        std::uint64_t seen = 0;
        auto line = [&](double value, double at) {
            text += fmt::format("{:12.3f} {:1.12f} {:10d} {:14.2f}\n", value, at / 100.0, seen,
                                1.0 / (1.0 - at / 100.0));
        };
        h.for_each_bucket([&](std::uint64_t value_us, std::uint64_t count) {
            seen += count;
            const double deviation = static_cast<double>(value_us) - mean_us;
            sum_of_squares += deviation * deviation * static_cast<double>(count);
            const double value = static_cast<double>(value_us) / ratio;
            if (seen == total) {
                line(value, level);
                text += fmt::format("{:12.3f} {:1.12f} {:10d}\n", value, 1.0, total);
                return;
            }
            const double reached = 100.0 * static_cast<double>(seen) / static_cast<double>(total);
            while (reached >= level) {
                line(value, level);
                level = next_level(level, ticks);
            }
        });
    }
    const double deviation =
        total > 0 ? std::sqrt(sum_of_squares / static_cast<double>(total)) : 0.0;
    text += fmt::format("#[Mean    = {:12.3f}, StdDeviation   = {:12.3f}]\n", mean_us / ratio,
                        deviation / ratio);
    text += fmt::format("#[Max     = {:12.3f}, Total count    = {:12d}]\n",
                        static_cast<double>(h.max()) / ratio, total);
    text +=
        fmt::format("#[Buckets = {:12d}, SubBuckets     = {:12d}]\n", h.buckets(), h.sub_buckets());
    return text;
}

}  // namespace asyncbench

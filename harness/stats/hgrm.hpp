#pragma once
// A histogram as HdrHistogram's percentile-distribution text (.hgrm), what
// Histogram.outputPercentileDistribution, wrk2 and `vegeta report -type=hdrplot` print and what
// HdrHistogram's plotter (hdrhistogram.github.io/HdrHistogram/plotFiles.html) and hdr-plot
// read: a header, one line per reporting percentile (value, percentile as a fraction, count at
// or below the value, 1/(1-percentile)), the last at 100% without the last column, and a
// footer with mean, standard deviation, max, total count and the bucket layout.
//
// Written here because no HdrHistogram library is packaged for Debian 12 (histogram.hpp):
// the text format is small and documented by its Java implementation. Pure; thread-safe.
#include <string>

#include "harness/stats/histogram.hpp"

namespace asyncbench {

// `value_unit_ratio` divides every value (1000: microseconds shown as milliseconds, as wrk2
// does); `ticks_per_half_distance` (HdrHistogram's default 5) sets how densely percentiles are
// reported: `ticks` lines between 0 and 50%, as many between 50 and 75%, and so on towards
// 100%. An empty histogram gives the header, no lines, and a footer of zeros.
std::string percentile_distribution(const histogram& h, double value_unit_ratio = 1000.0,
                                    int ticks_per_half_distance = 5);

}  // namespace asyncbench

#pragma once
// Achieved throughput: 2xx answers that COMPLETED per second while the measured load was being
// offered. Dividing all measured answers by a window that ends at the last answer instead would
// charge a system for its final request's latency (a 10 s run at p99 ~1 s would read as 9%
// short even when it kept pace), and dividing by the offered span would hide a system that
// falls behind, since its answers arrive after the window.
#include <vector>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// Sums `ok` over the whole seconds of `series` inside [start_s, start_s + span_s) and divides
// by their count. Falls back to `fallback` when that window holds fewer than two whole seconds.
double completed_per_second(const std::vector<second_sample>& series, double start_s, double span_s,
                            double fallback);

}  // namespace asyncbench

#pragma once
// The Cost section: what each part of each mode cost the machine (result.json `cost`, v5), and
// the verdict's line comparing the modes' CPU per 1,000 completed requests. Built once here so
// the Markdown and HTML reports and the verdict show the same figures. Pure functions of the
// result; thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "harness/result/run_result.hpp"
#include "reports/markdown_report.hpp"

namespace asyncbench {

// Mode | Part | CPU s | CPU s per 1,000 completed | Peak RSS | Peak threads | Peak connections |
// Peak descriptors:
// each mode's parts in the order measured, then "all counted" (the counted parts' CPU and the
// mode's cpu_s_per_1000_completed). A part left out of that figure says "not counted"; a
// figure a part cannot have (the memory of a group of threads) says "n/a". No rows when no
// mode measured its cost (a result.json older than version 5).
report_table cost_table(const run_result& result);

// "CPU per 1,000 completed requests: sync 0.412 s, async 0.188 s (the mocks and the load generator
// excluded)."; a mode that completed nothing says so. Empty when no mode measured its cost.
std::vector<std::string> cost_verdict_lines(const run_result& result);

// CPU seconds: 3 decimals below 1 s, 2 below 10, 1 below 100, none above ("0.042", "12.5").
std::string format_cpu_seconds(double s);

inline constexpr std::string_view cost_table_intro =
    "CPU seconds (user + system) from readiness to the end of the drain, warm-up included, and "
    "the peaks of resident memory, threads and established TCP connections sampled once a "
    "second, per process and, inside the harness process, per group of threads by name; rows "
    "marked \"not counted\" are left out of the per-1,000 figures: the mock external systems "
    "and the load generator (listed apart, part of neither design), the harness process's total "
    "(the rows after it "
    "break it down) and Kafka's idle threads in a mode without Kafka; the thread groups inside "
    "the harness process share its memory and sockets, so their RSS and connections are the "
    "whole process's, shown on its row.";

}  // namespace asyncbench

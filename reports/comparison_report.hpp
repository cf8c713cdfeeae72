#pragma once
// The outputs of `asyncbench compare` (harness/result/comparison.hpp): Markdown for people and CI
// job summaries ($GITHUB_STEP_SUMMARY), JUnit XML for CI test views, and Bencher Metric Format
// JSON for tracking the candidate's numbers over time. Each writer only reads the comparison and
// writes to the stream it is given; it sets no stream state and the caller checks the stream.
// Pure functions; thread-safe.
#include <ostream>
#include <string>
#include <string_view>

#include "harness/result/comparison.hpp"

namespace asyncbench {

// One Markdown line with the outcome and its exit code, e.g. "**Worse (exit 1)**: async
// completion_p99 +42.0% (p = 0.008)" or "**No regression (exit 0)**: 4 comparisons in 2 modes:
// 3 unchanged, 1 better; correctness held."
std::string comparison_verdict_line(const comparison_result& comparison);

// The whole comparison as GitHub-flavoured Markdown: the verdict line, the two files, the
// differences (refused, or compared anyway with --force), one table per compared mode (Metric |
// Baseline median (min - max, n) | Candidate median (min - max, n) | Change | p | Verdict), the
// correctness checks, warnings, notes, why a side is not trustworthy, and the parameters. A
// refused comparison has no tables.
void write_comparison_markdown(const comparison_result& comparison, std::ostream& out);

// JUnit XML: suite "thresholds" with one test case per threshold the candidate recorded (a
// missed one has a <failure>); suite "comparison" with one per compared metric and mode (worse:
// <failure>; not enough repetitions, not measured: <skipped>), one per correctness check
// (worse: <failure>) and one per side's validity (not valid: <error>). A refused comparison is
// one test case with an <error> listing the differences. Every text is XML-escaped.
void write_comparison_junit(const comparison_result& comparison, std::ostream& out);

// Bencher Metric Format: {"<scenario>/<mode>": {"<metric>": {"value": candidate median,
// "lower_value": min, "upper_value": max}}} for every compared gate the candidate measured, in
// the metric's result.json unit (microseconds for latencies). `{}` for a refused comparison.
void write_comparison_bmf(const comparison_result& comparison, std::ostream& out);

// Text safe in XML 1.0 content and attribute values: & < > " ' escaped, tab, newline and
// carriage return as character references, other control characters (not allowed in XML 1.0)
// replaced by '?'.
std::string xml_escape(std::string_view text);

}  // namespace asyncbench

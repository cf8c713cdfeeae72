#pragma once
// The Markdown report, and the report content it shares with the HTML report (tables and
// warnings are built here once, so both formats always show the same numbers).
// Pure functions of the result; thread-safe.
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// Stated in every report of a run against the embedded broker (environment.broker_kind ==
// "embedded-mock").
inline constexpr std::string_view embedded_mock_warning =
    "Kafka here is librdkafka's in-memory mock cluster: its latency is not representative of a "
    "real broker, and it keeps only about 5 MiB or 100,000 message sets per partition. Its "
    "broker holds each fetch for the whole fetch.wait.max.ms, so consumers use 10 ms here "
    "(a real broker answers as soon as data arrives); its CPU shows apart as the embedded Kafka "
    "cluster.";

// Stated in every report: where the parts ran. On one host over loopback (the default), a
// database or broker round trip costs microseconds, not a real network's milliseconds, which
// favours the design that makes more round trips per request.
std::string locality_note(const environment_info& environment);

// How many lost ids a report lists inline; result.json keeps up to 10,000.
inline constexpr std::size_t inline_lost_id_limit = 100;

// A table of already formatted cells; every row has header.size() cells.
struct report_table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

// A table cell or list item must stay on one line, and '|' would split the cell: '|' escaped,
// line breaks as spaces.
std::string md_escape(std::string_view text);

report_table environment_table(const run_result& result);  // Item | Value
report_table settings_table(const run_result& result);     // Setting | Value
// Metric | one column per mode in report_modes() order. Latencies in ms (both API views),
// rates per second, seconds for drain and full completion; "no answers" / "none completed"
// where a statistic has no samples.
report_table comparison_table(const run_result& result);
// Mode | Stage | Step | Count | Error (one example message): the most frequent step errors,
// introduced in both reports by step_errors_intro, or step_errors_none when there are none.
inline constexpr std::string_view step_errors_intro =
    "The most frequent reasons a workflow step failed (every attempt, warm-up and retries "
    "included).";
inline constexpr std::string_view step_errors_none = "No step failed.";
report_table step_error_table(const run_result& result);
// Whether the load's callers retried in any mode (load.retry): fault windows then hold final
// answers.
bool callers_retried(const run_result& result);
// One line for the top of a report: the outcome and its exit code, with the reasons
// (harness/result/exit_status.hpp), e.g. "Outcome: a finding (exit 1): async: 3 ... lost".
std::string outcome_line(const run_result& result);
// Mode | Call | Expected | Received | Ids with duplicates | Ids missing | Check
report_table call_check_table(const run_result& result);
// The locality note, the embedded-mock warning when it applies, then each mode's warnings as
// "mode: warning".
std::vector<std::string> report_warnings(const run_result& result);
// Each mode's invalid reasons as "mode: reason".
std::vector<std::string> report_invalid_reasons(const run_result& result);

// Writes the whole report as GitHub-flavoured Markdown: outcome, verdict, warnings, faults
// (only when a mode recorded one; see reports/fault_report.hpp), results, cost (when measured;
// see reports/cost_report.hpp), step errors, call checks, thresholds
// (reports/threshold_report.hpp), repetitions, invalid reasons, environment, settings. Sets no
// stream state; the caller checks the stream.
void write_markdown_report(const run_result& result, std::ostream& out);

}  // namespace asyncbench

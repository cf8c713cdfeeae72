#pragma once
// The content of the Faults section, built once here so the Markdown and HTML reports show
// the same lines and numbers. Pure functions of the result; thread-safe.
//
// Faults are matched across modes by position: each mode's `faults` parallel the scenario's
// faults, so faults[i] of sync and faults[i] of async are the same planned fault.
#include <cstddef>
#include <string>
#include <vector>

#include "harness/result/run_result.hpp"
#include "reports/markdown_report.hpp"

namespace asyncbench {

// True when any mode recorded a fault: the reports then carry a Faults section.
bool has_fault_records(const run_result& result);

// The number of faults on the timeline: the longest `faults` of any mode.
std::size_t fault_count(const run_result& result);

// The impact of mode.faults[index], or nullptr when that fault was not applied in this mode or
// has no impact. Impacts come one per applied record, in record order; a name mismatch (a
// result edited by hand) falls back to the first impact of the same name.
const fault_impact* impact_of(const mode_result& mode, std::size_t index);

// The first applied record of fault `index` in report_modes() order, else the first record of
// it at all; nullptr when index >= fault_count().
const fault_record* representative_record(const run_result& result, std::size_t index);

struct fault_section {
    // "LP outage (downstream_outage)".
    std::string title;
    // One line per mode that has the fault: what was done to what and when (series seconds),
    // the calls each target operation received meanwhile, or why it was not applied.
    std::vector<std::string> actions;
    // Metric | <mode> before | <mode> during | <mode> after, for each mode with an impact;
    // no rows when no mode has one.
    report_table windows;
    // One line per mode with an impact: when backlog and latency were back to normal.
    std::vector<std::string> recovery;
};

// One section per fault, in timeline order.
std::vector<fault_section> fault_sections(const run_result& result);

// Per mode, every checked call as received / expected calls over the whole run ("sync:
// lp.LPRUN 1.00x, lp.setQueue 1.37x"); retries, redeliveries and duplicate effects all raise it.
// Modes without call checks are left out.
std::vector<std::string> retry_amplification_lines(const run_result& result);

// Invariant | one column per mode: accepted, completed, dead-lettered, lost (with the first
// lost ids), duplicate effects, redeliveries absorbed, ids that reached a mock more than once
// (per call), 503 answers.
report_table invariants_table(const run_result& result);

}  // namespace asyncbench

#pragma once
// Writes a run's three artefacts: result.json (the source of truth), report.md and report.html
// (both regenerable from result.json).
#include <filesystem>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// Creates out_dir (and its parents) if needed and writes result.json, report.md and
// report.html into it, replacing files of those names. Each file is written to a temporary
// name and renamed, so a failed write never leaves a truncated result.json behind.
// Throws std::runtime_error naming the path on any I/O failure. Not safe to call concurrently
// for the same out_dir.
void write_reports(const run_result& result, const std::filesystem::path& out_dir);

}  // namespace asyncbench

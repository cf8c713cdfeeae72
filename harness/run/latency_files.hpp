#pragma once
// A mode's latency histograms as .hgrm files (harness/stats/hgrm.hpp), so the full
// distribution behind every percentile in the report can be plotted, and compared with what
// wrk2 or vegeta print, by the tools users already have. Not thread-safe: call from one thread.
#include <filesystem>
#include <string>
#include <vector>

#include "harness/run/repetitions.hpp"

namespace asyncbench {

// The file names, one per latency view: "<mode>-api-all.hgrm", "-api-2xx", "-completion",
// "-send-delay", "-schedule-lag"; values in milliseconds.
// Writes into `dir` (created when missing) the views that have samples and returns the paths
// written. Throws std::runtime_error naming a file that cannot be written.
std::vector<std::filesystem::path> write_latency_files(const std::filesystem::path& dir,
                                                       const std::string& mode,
                                                       const mode_histograms& histograms);

}  // namespace asyncbench

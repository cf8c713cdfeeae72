#pragma once
// `asyncbench compare BASELINE.json CANDIDATE.json`: reads two result.json files, compares the
// candidate with the baseline on the declared gates (harness/result/comparison.hpp) and writes
// the outcome: Markdown to stdout always, and to --markdown, JUnit XML to --junit and Bencher
// Metric Format JSON to --bmf when given. Errors go to stderr, prefixed "error: ".
#include <ostream>
#include <string>
#include <vector>

namespace asyncbench {

struct compare_options {
    std::string baseline_path;
    std::string candidate_path;
    std::vector<std::string> metrics;  // --metric [sync.|async.]METRIC[:lower|:higher], repeatable
    double alpha = 0.05;               // --alpha, in (0, 1)
    std::string min_effect = "5%";     // --min-effect, a percentage of the baseline's median
    bool force = false;                // --force: compare runs that differ, and say how
    std::string markdown_path;         // --markdown FILE; empty: stdout only
    std::string junit_path;            // --junit FILE; empty: none
    std::string bmf_path;              // --bmf FILE; empty: none
};

// Returns the exit code (harness/result/exit_status.hpp): 0 nothing worse and both runs valid;
// 1 a gate or a correctness check is worse; 2 usage error (a file unreadable, not JSON, of a
// newer schema version or not a result; a bad --metric, --alpha or --min-effect; runs that
// differ without --force; an output file that cannot be written); 3 nothing worse, but a run is
// not valid (its measurement cannot be trusted). A refused comparison still writes the Markdown
// and the JUnit file (saying what differed) but no BMF file: there is nothing to track.
int compare_command(const compare_options& options, std::ostream& out, std::ostream& err);
// The same on std::cout and std::cerr.
int compare_command(const compare_options& options);

}  // namespace asyncbench

#pragma once
// `asyncbench compare`: did the candidate run get worse than the baseline on the metrics declared
// as gates? Pure logic over two run_results already read from result.json (no I/O, no state);
// every function is safe to call from any number of threads at once.
//
// The rule, per gate and mode: the samples are the metric's value in each valid repetition of
// each side; a gate is `worse` only when the two-sided Mann-Whitney U test gives p < alpha AND
// the candidate's median moved beyond the minimum effect (a share of the baseline's median) in
// the bad direction. Both conditions, because on a shared CI runner a tiny but consistent shift
// is significant yet not worth failing a build, and a big shift in noisy samples is not a
// finding. Correctness (lost, duplicate_effects, broken_invariants) is worse by any amount,
// without statistics: one lost request is never noise.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/result/comparison_gates.hpp"
#include "harness/result/exit_status.hpp"
#include "harness/result/metric_catalog.hpp"
#include "harness/result/run_result.hpp"

namespace asyncbench {

// Fewer valid repetitions than this on either side: no verdict, whatever the numbers. With 4 a
// side only the one complete separation reaches p = 0.029; with 3 no ordering reaches 0.05.
inline constexpr std::size_t min_repetitions_for_verdict = 5;

struct compare_parameters {
    double alpha = 0.05;       // significance level of the U test, in (0, 1)
    double min_effect = 0.05;  // smallest change of the median that counts, a share of the
                               // baseline's median (0.05 = 5%); >= 0
    bool force = false;        // compare runs that differ (scenario, settings, broker, database)
};

enum class gate_verdict { worse, better, unchanged, not_enough_repetitions, not_measured };
// "worse", "better", "unchanged", "not enough repetitions", "not measured".
std::string_view verdict_text(gate_verdict verdict);

// One side's samples of one metric in one mode. median, min and max are NaN when empty.
struct sample_summary {
    std::vector<double> values;  // one per valid repetition that measured it, in the order run
    double median = 0, min = 0, max = 0;
};
sample_summary summarise(std::vector<double> values);

// One gate compared in one mode.
struct metric_comparison {
    gate subject;  // mode, metric, direction, who declared it
    sample_summary baseline;
    sample_summary candidate;
    // (candidate median - baseline median) / |baseline median|; nullopt when a side has no
    // value, or the baseline's median is 0 and the candidate's is not (no relative change;
    // reports say "from 0").
    std::optional<double> change;
    std::optional<double> p_value;  // two-sided U test; nullopt when a side has no value
    gate_verdict verdict = gate_verdict::not_measured;
};

// The verdict rule on made-up or real samples (non-finite values are dropped first).
metric_comparison compare_samples(const gate& subject, std::vector<double> baseline,
                                  std::vector<double> candidate,
                                  const compare_parameters& parameters);

// A correctness count in one mode, summed over every repetition (invalid ones included: a loss
// is a loss). Worse when the candidate has any, whatever the baseline had.
struct correctness_comparison {
    std::string mode;
    std::string metric;  // lost, duplicate_effects, broken_invariants
    double baseline_total = 0;
    double candidate_total = 0;
    bool worse() const { return candidate_total > 0; }
};

// A run as compare reads it.
struct compared_run {
    run_result result;
    // schema_version as written in the file: result_from_json reads older files into the
    // current layout (one synthesised repetition a mode) and says the current version.
    int written_schema_version = result_schema_version;
    std::string label;  // how reports name it, e.g. its path
};

struct comparison_result {
    std::string scenario;  // the candidate's
    std::string baseline_label;
    std::string candidate_label;
    compare_parameters parameters;
    std::vector<std::string> modes;                     // compared: run by both sides, report order
    std::vector<metric_comparison> metrics;             // by mode in report order, then gate order
    std::vector<correctness_comparison> correctness;    // per mode, in catalogue order
    std::vector<threshold_check> candidate_thresholds;  // as recorded, for JUnit
    // What makes the runs incomparable (run_differences). Non-empty without --force: refused,
    // nothing compared (metrics and correctness empty), status usage.
    std::vector<std::string> differences;
    bool refused = false;
    std::vector<std::string> warnings;  // environment_warnings: compare on one machine
    // Modes only one side ran, `during` thresholds left out, invalid repetitions excluded,
    // schema versions: what the reader should know to read the tables right.
    std::vector<std::string> notes;
    // Why a side cannot be trusted, "candidate: async: the drain timed out ..."; exit 3 when
    // nothing is worse.
    std::vector<std::string> untrustworthy;
    exit_status status = exit_status::held;
};

// Compares `candidate` with `baseline` on the gates of select_gates and the correctness checks,
// in every mode both ran. Exit status: usage when refused; else finding when anything is
// worse; else untrustworthy when a side's run is not valid; else held. Returns an error text
// (usage, exit 2) for a bad --metric, alpha outside (0, 1) or a negative or non-finite minimum
// effect.
std::variant<comparison_result, std::string> compare_runs(
    const compared_run& baseline, const compared_run& candidate,
    const std::vector<metric_request>& requests, const compare_parameters& parameters);

// "5%" -> 0.05. Only a percentage with its sign: a bare 0.05 could mean 5% or 0.05%. Returns an
// error text for anything else, a negative or a non-finite value.
std::variant<double, std::string> parse_min_effect(std::string_view text);

}  // namespace asyncbench

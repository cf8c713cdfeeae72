#include "harness/result/exit_status.hpp"

#include <fmt/format.h>

namespace asyncbench {

run_judgement judge_run(const run_result& result) {
    run_judgement judgement;
    std::vector<std::string> findings;
    bool untrustworthy = !result.valid || result.modes.empty();
    if (result.modes.empty()) judgement.reasons.emplace_back("no mode ran");
    for (const auto& [name, mode] : result.modes) {
        if (!mode.valid) untrustworthy = true;
        for (const auto& reason : mode.invalid_reasons) {
            judgement.reasons.push_back(fmt::format("{}: {}", name, reason));
        }
        const auto& rec = mode.reconciliation;
        if (rec.lost > 0) {
            findings.push_back(
                fmt::format("{}: {} acknowledged requests were lost", name, rec.lost));
        }
        if (rec.duplicate_effects > 0) {
            findings.push_back(fmt::format("{}: {} effects were applied more than once", name,
                                           rec.duplicate_effects));
        }
        // An invariant the scenario file says may break is a finding to show, not a failure.
        for (const auto& invariant : mode.invariants) {
            if (invariant.passed || !invariant.required) continue;
            findings.push_back(fmt::format("{}: invariant {} broken: {} (expected {})", name,
                                           invariant.name, invariant.observed, invariant.expected));
        }
    }
    if (untrustworthy && judgement.reasons.empty()) {
        judgement.reasons.emplace_back("the run is marked invalid");
    }
    // The implicit checks (nothing lost, no duplicate, invariants) are said above, in words.
    for (const auto& check : result.thresholds) {
        if (check.passed || check.implicit) continue;
        findings.push_back(fmt::format("{}: threshold {} missed: {}", check.mode, check.threshold,
                                       check.observed_text));
    }
    judgement.status = untrustworthy      ? exit_status::untrustworthy
                       : findings.empty() ? exit_status::held
                                          : exit_status::finding;
    judgement.reasons.insert(judgement.reasons.end(), findings.begin(), findings.end());
    return judgement;
}

}  // namespace asyncbench

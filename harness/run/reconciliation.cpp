#include "harness/run/reconciliation.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace asyncbench {
namespace {

// Enough to list every loss of a run that lost a few thousand requests (the checker's tests
// compare the whole set); a larger loss lists the first ones, and the count stays exact.
constexpr std::size_t max_listed_lost_ids = 10000;

enum class id_state { completed, rejected, dead_lettered, unfinished };

const stage_record* record_of(const std::vector<stage_record>* stages, const std::string& name) {
    if (!stages) return nullptr;
    for (const auto& stage : *stages) {
        if (stage.stage == name) return &stage;
    }
    return nullptr;
}

// Stages run when their trigger completed; one whose trigger was dead-lettered or rejected is
// never expected. An id is unfinished while an expected stage has no outcome (a stage
// dead-lettered while others still run leaves the id waiting), else dead-lettered or rejected
// when a stage ended so, else completed.
id_state classify(const std::vector<stage_record>* stages, const reconciliation_input& input) {
    const auto& names = input.stage_names;
    std::vector<const stage_record*> records;
    for (const auto& name : names) records.push_back(record_of(stages, name));
    if (names.empty())
        return stages && !stages->empty() ? id_state::completed : id_state::unfinished;
    bool dead_lettered = false;
    bool rejected = false;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const int trigger =
            i < input.stage_triggers.size() ? input.stage_triggers[i] : static_cast<int>(i) - 1;
        if (trigger >= 0) {
            const auto* before = records[static_cast<std::size_t>(trigger)];
            if (before == nullptr) return id_state::unfinished;
            if (before->outcome != stage_outcome::completed) continue;  // never triggered
        }
        if (records[i] == nullptr) return id_state::unfinished;
        dead_lettered = dead_lettered || records[i]->outcome == stage_outcome::dead_lettered;
        rejected = rejected || records[i]->outcome == stage_outcome::rejected;
    }
    if (dead_lettered) return id_state::dead_lettered;
    if (rejected) return id_state::rejected;
    return id_state::completed;
}

// The stages of `stage_names` with no outcome recorded in `stages`.
std::set<std::string> unfinished_stages(const std::vector<stage_record>* stages,
                                        const std::vector<std::string>& stage_names) {
    std::set<std::string> out(stage_names.begin(), stage_names.end());
    if (stages) {
        for (const auto& stage : *stages) out.erase(stage.stage);
    }
    return out;
}

}  // namespace

reconciliation_output reconcile(const reconciliation_input& input) {
    reconciliation_output output;
    auto& result = output.result;
    std::unordered_set<std::string> accepted_ids;
    std::unordered_set<std::string> completed_ids;
    for (const auto& request : input.accepted) {
        if (!accepted_ids.insert(request.business_id).second) continue;  // counted once
        ++result.accepted;
        auto found = input.database.stages_by_id.find(request.business_id);
        const auto* stages = found == input.database.stages_by_id.end() ? nullptr : &found->second;
        switch (classify(stages, input)) {
            case id_state::completed: {
                ++result.completed;
                completed_ids.insert(request.business_id);
                std::int64_t finished = 0;
                for (const auto& stage : *stages) {
                    finished = std::max(finished, stage.finished_epoch_us);
                }
                output.last_finished_epoch_us = std::max(output.last_finished_epoch_us, finished);
                if (request.measured && finished >= request.intended_epoch_us) {
                    output.completion_us.record(
                        static_cast<std::uint64_t>(finished - request.intended_epoch_us));
                }
                break;
            }
            case id_state::dead_lettered:
                ++result.dead_lettered;
                break;
            case id_state::rejected:
                ++result.rejected;
                break;
            case id_state::unfinished: {
                std::optional<loss_reason> reason;
                if (input.evidence) {
                    if (auto position = input.positions.find(request.business_id);
                        position != input.positions.end()) {
                        reason = classify_unfinished(position->second,
                                                     unfinished_stages(stages, input.stage_names),
                                                     *input.evidence);
                    }
                }
                if (!reason && input.pipeline_idle) reason = loss_reason::nothing_left;
                if (!reason) {
                    ++result.pending;
                    break;
                }
                ++result.lost;
                ++result.lost_by_reason[loss_reason_text(*reason)];
                if (result.lost_ids.size() < max_listed_lost_ids) {
                    result.lost_ids.push_back(request.business_id);
                }
                break;
            }
        }
    }
    for (const auto& name : input.stage_names) output.stages.push_back(stage_tally{name});
    for (const auto& [id, records] : input.database.stages_by_id) {
        for (const auto& record : records) {
            for (auto& tally : output.stages) {
                if (tally.stage != record.stage) continue;
                ++tally.finished;
                tally.attempts += static_cast<std::uint64_t>(std::max(record.attempts, 0));
                if (record.attempts > 1) ++tally.retried;
                if (record.outcome == stage_outcome::rejected) ++tally.rejected;
                if (record.outcome == stage_outcome::dead_lettered) ++tally.dead_lettered;
            }
        }
    }
    result.duplicate_effects = input.database.duplicate_effects;
    for (const auto& id : input.database.ids_with_effects) {
        if (accepted_ids.contains(id)) continue;
        // A business rejection (409) is a final answer: the effects before it (a request
        // logged, say) are what the client was told about, not work done behind its back.
        const auto found = input.database.stages_by_id.find(id);
        const bool rejected =
            found != input.database.stages_by_id.end() &&
            std::any_of(found->second.begin(), found->second.end(),
                        [](const stage_record& r) { return r.outcome == stage_outcome::rejected; });
        if (!rejected) ++result.unacknowledged_processed;
    }
    for (const auto& call : input.calls_per_id) {
        call_check check;
        check.system = call.system;
        check.operation = call.operation;
        check.expected_calls = completed_ids.size();
        const std::map<std::string, std::uint64_t>* per_id = nullptr;
        if (auto system = input.received.find(call.system); system != input.received.end()) {
            if (auto op = system->second.find(call.operation); op != system->second.end()) {
                per_id = &op->second;
            }
        }
        if (per_id) {
            for (const auto& [id, count] : *per_id) {
                check.received_calls += count;
                if (count > 1) ++check.ids_with_duplicates;
            }
        }
        for (const auto& id : completed_ids) {
            if (!per_id || !per_id->contains(id)) ++check.ids_missing;
        }
        result.calls.push_back(check);
    }
    return output;
}

}  // namespace asyncbench

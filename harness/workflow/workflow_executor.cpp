#include "harness/workflow/workflow_executor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "harness/core/clock.hpp"

namespace asyncbench {

std::chrono::milliseconds retry_backoff(int next_attempt, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max) {
    if (next_attempt <= 1) return std::chrono::milliseconds(0);
    auto delay = initial;
    for (int i = 2; i < next_attempt && delay < max; ++i) delay *= 2;
    return std::min(delay, max);
}

workflow_executor::workflow_executor(const scenario_config& scenario, store& db,
                                     const system_directory& systems, step_error_sink* errors)
    : scenario_(scenario), store_(db), systems_(systems), errors_(errors) {}

store_session& workflow_executor::session() {
    if (!session_) session_ = store_.open_session();
    return *session_;
}

stage_attempt workflow_executor::apply_step(const step_spec& step, const work_item& item) {
    stage_attempt result;
    try {
        if (step.type != step_spec::kind::call) {
            session().apply_db_step(item.business_id, step.name,
                                    step.type == step_spec::kind::db_insert, item.kind,
                                    item.payload);
            return result;
        }
        if (session().effect_done(item.business_id, step.name)) return result;
        auto endpoint = systems_.find(step.system);
        if (endpoint == systems_.end()) {  // the loader checks references; a bug if reached
            result.ok = false;
            result.error = fmt::format("system '{}' has no address", step.system);
            return result;
        }
        const header_list headers{{"X-Business-Id", item.business_id},
                                  {"Idempotency-Key", item.business_id + ":" + step.name}};
        auto answer = http_.request("POST", endpoint->second.host, endpoint->second.port,
                                    "/" + step.operation, headers, item.payload, step.timeout);
        const std::string where = step.system + "." + step.operation;
        if (answer.result != http_call_result::outcome::ok) {
            result.ok = false;
            result.error = fmt::format("{}: {}", where, answer.error);
        } else if (answer.status < 200 || answer.status > 299) {
            result.ok = false;
            result.error = fmt::format("{} answered {}", where, answer.status);
        } else {
            session().record_effect(item.business_id, step.name);
        }
    } catch (const store_error& e) {
        // A failed DB write is a failed attempt; the session may be broken, so reopen it.
        session_.reset();
        result.ok = false;
        result.error = fmt::format("database: {}", e.what());
    }
    return result;
}

stage_attempt workflow_executor::attempt_stage(const stage_spec& stage, const work_item& item) {
    for (const auto& step : stage.steps) {
        auto result = apply_step(step, item);
        if (!result.ok) {
            result.failed_step = step.name;
            if (errors_ != nullptr) errors_->on_step_failed(stage.name, step.name, result.error);
            return result;
        }
    }
    return {};
}

stage_run workflow_executor::run_stage(const stage_spec& stage, const work_item& item,
                                       int max_attempts, std::chrono::milliseconds backoff_initial,
                                       std::chrono::milliseconds backoff_max,
                                       const std::atomic<bool>& stop) {
    stage_run run;
    for (int attempt = 1; attempt <= max_attempts; ++attempt) {
        auto delay = retry_backoff(attempt, backoff_initial, backoff_max);
        const auto wake = std::chrono::steady_clock::now() + delay;
        while (std::chrono::steady_clock::now() < wake && !stop.load()) {
            std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(
                wake - std::chrono::steady_clock::now(), std::chrono::milliseconds(50)));
        }
        if (stop.load() && attempt > 1) break;
        run.attempts = attempt;
        auto result = attempt_stage(stage, item);
        run.ok = result.ok;
        run.error = result.error;
        if (result.ok) return run;
    }
    return run;
}

bool workflow_executor::record_outcome(const stage_spec& stage, const work_item& item,
                                       stage_outcome outcome, int attempts) {
    stage_record record;
    record.stage = stage.name;
    record.outcome = outcome;
    record.intended_epoch_us = item.intended_epoch_us;
    record.finished_epoch_us = epoch_us_now();
    record.attempts = attempts;
    try {
        session().record_stage(item.business_id, record);
        return true;
    } catch (const store_error&) {
        session_.reset();
        return false;
    }
}

std::vector<stage_record> workflow_executor::stages(const std::string& business_id) {
    try {
        return session().stages(business_id);
    } catch (const store_error&) {
        session_.reset();
        return {};
    }
}

}  // namespace asyncbench

#include "harness/workflow/workflow_executor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <thread>

#include "harness/core/clock.hpp"
#include "harness/workflow/row_json.hpp"

namespace asyncbench {

std::chrono::milliseconds retry_backoff(int next_attempt, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max) {
    if (next_attempt <= 1) return std::chrono::milliseconds(0);
    auto delay = initial;
    for (int i = 2; i < next_attempt && delay < max; ++i) delay *= 2;
    return std::min(delay, max);
}

workflow_executor::workflow_executor(const scenario_config& scenario, store& db,
                                     const system_directory& systems, step_error_sink* errors,
                                     redis_target redis)
    : scenario_(scenario),
      store_(db),
      systems_(systems),
      errors_(errors),
      redis_target_(std::move(redis)),
      context_{scenario,
               [this]() -> store_session& { return session(); },
               http_,
               [this]() -> redis_client& { return this->redis(); },
               [this](const std::string& name) -> const network_endpoint* {
                   auto found = systems_.find(name);
                   return found == systems_.end() ? nullptr : &found->second;
               },
               redis_target_.prefix} {}

store_session& workflow_executor::session() {
    if (!session_) session_ = store_.open_session();
    return *session_;
}

redis_client& workflow_executor::redis() {
    if (!redis_) {
        if (redis_target_.url.empty()) {  // the loader refuses redis steps without redis keys
            throw redis_error(redis_error::kind::connect, "no Redis was given to this run");
        }
        redis_ = redis_client::connect(redis_target_.url, std::chrono::seconds(5));
    }
    return *redis_;
}

step_result workflow_executor::apply_step(const step_spec& step, const work_item& item) {
    try {
        return std::visit(
            [&](const auto& action) { return run_step(context_, step, action, item); },
            step.action);
    } catch (const store_error& e) {
        // A failed DB write is a failed attempt; the session may be broken, so reopen it.
        session_.reset();
        return step_result::failed(fmt::format("database: {}", e.what()));
    } catch (const redis_error& e) {
        // The client reconnects by itself on the next command; the command is never resent.
        return step_result::failed(fmt::format("redis: {}", e.what()));
    }
}

stage_attempt workflow_executor::attempt_stage(const stage_spec& stage, const work_item& item) {
    stage_attempt done;  // every step done: their answer figures, in step order
    for (const auto& step : stage.steps) {
        auto result = apply_step(step, item);
        if (result.is_done()) {
            done.result.answer.insert(done.result.answer.end(), result.answer.begin(),
                                      result.answer.end());
            continue;
        }
        if (result.outcome == step_result::status::failed && errors_ != nullptr) {
            errors_->on_step_failed(stage.name, step.name, result.detail);
        }
        return {std::move(result), step.name};
    }
    return done;
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
        run.result = attempt_stage(stage, item).result;
        if (run.result.outcome != step_result::status::failed) return run;
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

std::vector<row_values> workflow_executor::rows_since(const table_spec& table,
                                                      const std::string& cursor, std::int64_t since,
                                                      int limit) {
    try {
        return session().rows_since(table, cursor, since, limit);
    } catch (const store_error&) {
        session_.reset();
        throw;
    }
}

std::optional<std::string> workflow_executor::look_up(const lookup_source& source,
                                                      const std::string& entity) {
    if (source.from == lookup_source::kind::table) {
        const table_spec& table = *scenario_.table(source.name);  // the loader checked it
        try {
            auto row = session().find_row(table, entity);
            if (!row) return std::nullopt;
            return boost::json::serialize(row_json(table, *row));
        } catch (const store_error&) {
            session_.reset();
            throw;
        }
    }
    try {
        auto reply = redis().command({"HGET", redis_target_.prefix + source.name, entity});
        if (reply.is_error()) throw redis_error(redis_error::kind::protocol, "redis: " + reply.str);
        if (reply.is_nil()) return std::nullopt;
        return std::move(reply.str);
    } catch (const redis_error&) {
        redis_.reset();
        throw;
    }
}

}  // namespace asyncbench

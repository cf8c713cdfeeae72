#include "harness/run/run_validity.hpp"

#include <fmt/format.h>

namespace asyncbench {

void judge_validity(mode_result& result, const validity_input& input) {
    auto invalid = [&](std::string reason) {
        result.valid = false;
        result.invalid_reasons.push_back(std::move(reason));
    };
    if (input.interrupted) invalid("the run was interrupted");
    if (result.requests == 0) invalid("no request was sent in the measured phase");
    if (!input.drained && !input.interrupted) {
        std::string reason =
            fmt::format("the drain timed out with {} accepted requests still pending",
                        result.reconciliation.pending);
        if (!input.step_errors.empty()) {
            const auto& top = input.step_errors.front();
            reason += fmt::format("; the most frequent step error was {}/{}: \"{}\" ({} times)",
                                  top.stage, top.step, top.example, top.count);
        } else {
            reason += "; raise drain_timeout if the pipeline was still making progress";
        }
        invalid(std::move(reason));
    }
    // The drain ended because only provably lost work was left, yet the final check could not
    // prove it (Kafka did not answer): those requests are neither done nor proven lost.
    if (input.drained && result.reconciliation.pending > 0) {
        invalid(
            fmt::format("{} accepted requests were neither finished nor proven lost when the "
                        "run ended (Kafka did not answer the final loss check)",
                        result.reconciliation.pending));
    }
    using micros = std::chrono::duration<double, std::micro>;
    const auto& lag = result.schedule_lag_us;
    if (lag.count > 0 && lag.p90_us > micros(max_schedule_lag).count()) {
        invalid(fmt::format(
            "the load generator could not keep its schedule (more than 10% of requests were "
            "handed on over {} ms late; p90 {:.1f} ms): the machine could not drive this rate, so "
            "the load was not the one asked for",
            max_schedule_lag.count(), lag.p90_us / 1000.0));
    } else if (lag.count > 0 && lag.p99_us > micros(schedule_lag_warning).count()) {
        result.warnings.push_back(fmt::format(
            "the load generator was held up at times (1% of requests were handed on over {} ms "
            "late; p99 {:.1f} ms, p90 {:.1f} ms): those requests left in bursts, and their "
            "latency still counts from their intended send time",
            schedule_lag_warning.count(), lag.p99_us / 1000.0, lag.p90_us / 1000.0));
    }
    for (const auto& failure : input.harness_failures) invalid(failure);
}

}  // namespace asyncbench

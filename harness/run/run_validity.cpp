#include "harness/run/run_validity.hpp"

#include <fmt/format.h>

namespace asyncbench {
namespace {

// An estimate, so whole seconds, minutes or hours ("40 s", "16 min", "2.5 h").
std::string rough_duration(double s) {
    if (s < 120) return fmt::format("{:.0f} s", s);
    if (s < 2 * 3600) return fmt::format("{:.0f} min", s / 60);
    return fmt::format("{:.1f} h", s / 3600);
}

}  // namespace

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
        } else if (input.drain_finished > 0 && input.drain_s > 0) {
            const double per_s = static_cast<double>(input.drain_finished) / input.drain_s;
            reason += fmt::format(
                "; the drain finished {} in {:.0f} s ({:.1f}/s): at that pace the rest needs about "
                "{}; raise drain_timeout to measure it",
                input.drain_finished, input.drain_s, per_s,
                rough_duration(static_cast<double>(result.reconciliation.pending) / per_s));
        } else {
            reason += "; nothing finished during the drain";
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

#include "harness/cli/capacity_command.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>

#include "harness/capacity/capacity_search.hpp"
#include "harness/capacity/step_judgement.hpp"
#include "harness/config/units.hpp"
#include "harness/result/exit_status.hpp"
#include "harness/result/metric_catalog.hpp"
#include "harness/result/threshold_checks.hpp"
#include "harness/run/run_session.hpp"
#include "reports/capacity_report.hpp"
#include "reports/report_writer.hpp"

namespace asyncbench {
namespace {

struct parsed_settings {
    std::optional<double> start;
    std::optional<double> max;
    double precision = 0.05;
    std::chrono::nanoseconds step{};
    std::chrono::nanoseconds warmup{};
};

std::variant<parsed_settings, std::vector<std::string>> parse_settings(
    const capacity_options& options) {
    parsed_settings parsed;
    std::vector<std::string> errors;
    const auto rate = [&](const std::string& text, const char* flag) -> std::optional<double> {
        if (text.empty()) return std::nullopt;
        const auto value = parse_rate(text);
        if (!value || !(*value > 0)) {
            errors.push_back(
                fmt::format("{}: '{}' is not a positive rate (200, 200/s, 1.5k/s)", flag, text));
            return std::nullopt;
        }
        return value;
    };
    parsed.start = rate(options.start_rate, "--start");
    parsed.max = rate(options.max_rate, "--max-rate");
    if (const auto precision = parse_percent(options.precision);
        precision && *precision > 0 && *precision < 1) {
        parsed.precision = *precision;
    } else {
        errors.push_back(fmt::format("--precision: '{}' is not a percentage below 100% (5%)",
                                     options.precision));
    }
    const auto duration = [&](const std::string& text, const char* flag,
                              std::chrono::nanoseconds min) {
        const auto value = parse_duration(text);
        if (!value || *value < min) {
            errors.push_back(fmt::format("{}: '{}' is not a duration of at least {} s", flag, text,
                                         std::chrono::duration<double>(min).count()));
            return std::chrono::nanoseconds{};
        }
        return *value;
    };
    parsed.step = duration(options.step, "--step", std::chrono::seconds(1));
    parsed.warmup = duration(options.warmup, "--step-warmup", std::chrono::seconds(0));
    if (options.max_steps < 2 || options.max_steps > 100) {
        errors.push_back(fmt::format("--max-steps: {} is not from 2 to 100", options.max_steps));
    }
    if (!errors.empty()) return errors;
    return parsed;
}

// The scenario as one step runs it: a fixed rate, the step's warm-up and length, no request
// cap, and a drain bounded so an overloaded step does not take minutes to tell it failed.
scenario_config step_scenario(const scenario_config& base, double rate,
                              const parsed_settings& settings) {
    scenario_config step = base;
    step.load.kind = load_spec::model::open;
    step.load.rate_per_s = rate;
    step.load.ramp.clear();
    step.load.requests.reset();
    step.load.warmup = std::chrono::duration_cast<decltype(step.load.warmup)>(settings.warmup);
    step.load.duration = std::chrono::duration_cast<decltype(step.load.duration)>(settings.step);
    step.drain_timeout = std::min<std::chrono::nanoseconds>(base.drain_timeout, settings.step * 3);
    step.faults.clear();  // a capacity step measures the steady state
    return step;
}

capacity_step step_record(mode which, int index, double rate, const mode_result& r,
                          const step_judgement& judgement, double backlog_growth) {
    capacity_step step;
    step.mode = mode_name(which);
    step.index = index;
    step.offered_per_s = rate;
    step.achieved_per_s = r.achieved_per_s;
    step.api_latency_all_us = r.api_latency_all_us;
    step.completion_latency_us = r.completion_latency_us;
    step.error_rate = metric_value(r, "error_rate").value_or(0);
    step.schedule_lag_p99_us = r.schedule_lag_us.p99_us;
    step.backlog_growth_per_s = backlog_growth;
    step.accepting = judgement.accepting;
    step.completing = judgement.completing;
    step.generator_limited = judgement.generator_limited;
    step.valid = r.valid;
    step.reasons = judgement.reasons;
    step.bottleneck = judgement.bottleneck;
    return step;
}

capacity_ceiling ceiling_of(const ceiling_bounds& bounds) {
    return capacity_ceiling{bounds.highest_good, bounds.lowest_bad};
}

}  // namespace

int capacity_command(const capacity_options& options) {
    auto settings_or = parse_settings(options);
    if (auto* errors = std::get_if<std::vector<std::string>>(&settings_or)) {
        for (const auto& error : *errors) std::cerr << "error: " << error << "\n";
        return 2;
    }
    const auto settings = std::get<parsed_settings>(settings_or);
    auto opened = run_session::open(options.run);
    if (auto* code = std::get_if<int>(&opened)) return *code;
    auto& session = *std::get<std::unique_ptr<run_session>>(opened);
    const auto& scenario = session.scenario();
    const double start =
        settings.start.value_or(scenario.load.ramp.empty() ? scenario.load.rate_per_s
                                                           : scenario.load.ramp.front().rate_per_s);
    const double max = settings.max.value_or(start * 8);
    if (start > max) {
        std::cerr << fmt::format("error: the start rate {}/s is above --max-rate {}/s\n", start,
                                 max);
        return 2;
    }
    try {
        session.start_infrastructure();
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    }

    run_result result = session.new_result();
    capacity_result capacity;
    capacity.precision = settings.precision;
    capacity.max_per_s = max;
    capacity.step_warmup_s = std::chrono::duration<double>(settings.warmup).count();
    capacity.step_duration_s = std::chrono::duration<double>(settings.step).count();
    bool generator_stopped = false;
    const auto& interrupted = session.interrupted();
    for (const mode which : session.modes()) {
        search_settings search_with;
        search_with.start_per_s = start;
        search_with.max_per_s = max;
        search_with.precision = settings.precision;
        search_with.max_steps = options.max_steps;
        capacity_search search(search_with, traits_of(which).uses_kafka);
        std::optional<measured_mode> best;  // the highest step sustainable for completing
        std::optional<measured_mode> first;
        int index = 0;
        while (const auto rate = search.next_rate()) {
            if (interrupted.load()) break;
            ++index;
            spdlog::info("[{}] capacity step {}: {:.4g}/s", mode_name(which), index, *rate);
            const auto step = step_scenario(scenario, *rate, settings);
            measured_mode measured;
            try {
                measured = session.run(
                    which, step,
                    session.out_dir() / fmt::format("{}-step-{}", mode_name(which), index),
                    fmt::format("c{}{}", mode_name(which).front(), index), result.settings);
            } catch (const std::exception& e) {
                std::cerr << "error: " << mode_name(which) << " step at " << *rate
                          << "/s could not run: " << e.what() << "\n";
                return exit_code(exit_status::untrustworthy);
            }
            const auto judgement =
                judge_step(which, *rate, measured.result, session.thresholds(), step_limits{},
                           capacity.step_warmup_s, capacity.step_duration_s);
            search.record(*rate, judgement);
            capacity.steps.push_back(
                step_record(which, index, *rate, measured.result, judgement,
                            backlog_growth_per_s(measured.result.series, capacity.step_warmup_s,
                                                 capacity.step_duration_s)));
            spdlog::info("[{}] {:.4g}/s: {}{}", mode_name(which), *rate,
                         judgement.completing  ? "sustained"
                         : judgement.accepting ? "accepted, not completed"
                                               : "not sustained",
                         judgement.reasons.empty() ? "" : " (" + judgement.reasons.front() + ")");
            const bool better =
                judgement.completing &&
                (!best || best->result.offered_per_s < measured.result.offered_per_s);
            if (!first) first = measured;
            if (better) best = std::move(measured);
        }
        generator_stopped = generator_stopped || search.stopped_by_generator();
        capacity.modes.push_back(capacity_mode{mode_name(which), ceiling_of(search.accepting()),
                                               ceiling_of(search.completing()),
                                               search.stop_reason()});
        if (best || first) {
            result.modes[mode_name(which)] = best ? best->result : first->result;
        }
    }
    session.finish(result);
    result.thresholds = evaluate_thresholds(session.thresholds(), result);
    result.capacity = std::move(capacity);
    result.valid = !interrupted.load() && !generator_stopped;
    try {
        write_reports(result, session.out_dir());
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return exit_code(exit_status::untrustworthy);
    }
    std::cout << "\n";
    for (const auto& line : capacity_summary_lines(*result.capacity)) std::cout << line << "\n";
    std::cout << "Reports: " << (session.out_dir() / "report.md").string() << ", "
              << (session.out_dir() / "report.html").string() << ", "
              << (session.out_dir() / "result.json").string() << "\n";
    return result.valid ? 0 : exit_code(exit_status::untrustworthy);
}

}  // namespace asyncbench

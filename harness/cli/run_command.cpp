#include "harness/cli/run_command.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <map>

#include "harness/result/exit_status.hpp"
#include "harness/result/threshold_checks.hpp"
#include "harness/run/latency_files.hpp"
#include "harness/run/run_session.hpp"
#include "reports/markdown_report.hpp"
#include "reports/report_writer.hpp"
#include "reports/verdict.hpp"

namespace asyncbench {
namespace {

// Enough for any CI gate (Google Benchmark advises 9 for its U test); more is a soak.
constexpr int max_repeat = 50;

std::string ms_or(const latency_summary& l, double latency_summary::*field, std::string_view none) {
    return l.count == 0 ? std::string(none) : fmt::format("{:.1f} ms", l.*field / 1000);
}

void print_summary(const run_result& result, const std::filesystem::path& out_dir) {
    std::cout << "\n"
              << result.scenario << ": " << (result.valid ? "valid run" : "INVALID run") << "\n";
    using ls = latency_summary;
    for (const auto& [mode, outcome] : result.modes) {
        std::cout << fmt::format(
            "  {:<5}  API p50/p99 all answers {} / {}, 2xx {} / {}\n"
            "         achieved {:.1f}/s of {:.1f}/s  availability {:.2f}%  completion p99 {}  "
            "lost {}  dead-lettered {}\n",
            mode, ms_or(outcome.api_latency_all_us, &ls::p50_us, "no answers"),
            ms_or(outcome.api_latency_all_us, &ls::p99_us, "no answers"),
            ms_or(outcome.api_latency_2xx_us, &ls::p50_us, "none"),
            ms_or(outcome.api_latency_2xx_us, &ls::p99_us, "none"), outcome.achieved_per_s,
            outcome.offered_per_s, outcome.availability * 100,
            ms_or(outcome.completion_latency_us, &ls::p99_us, "none completed"),
            outcome.reconciliation.lost, outcome.reconciliation.dead_lettered);
        for (const auto& reason : outcome.invalid_reasons) {
            std::cout << "         invalid: " << reason << "\n";
        }
        for (std::size_t i = 0; i < std::min<std::size_t>(outcome.step_errors.size(), 3); ++i) {
            const auto& e = outcome.step_errors[i];
            std::cout << fmt::format("         step error x{}: {}/{}: {}\n", e.count, e.stage,
                                     e.step, e.example);
        }
    }
    for (const auto& line : verdict_lines(result)) std::cout << "  - " << line << "\n";
    for (const auto& check : result.thresholds) {
        if (check.implicit) continue;  // said by the safety line above
        std::cout << fmt::format("  threshold {}: {} {}: {}\n", check.mode, check.threshold,
                                 check.passed ? "held" : "FAILED", check.observed_text);
    }
    std::cout << "\n" << outcome_line(result) << "\n";
    std::cout << "Reports: " << (out_dir / "report.md").string() << ", "
              << (out_dir / "report.html").string() << ", " << (out_dir / "result.json").string()
              << "\n";
}

}  // namespace

int run_command(const run_options& options) {
    if (options.repeat < 1 || options.repeat > max_repeat) {
        std::cerr << fmt::format("error: --repeat: {} is not from 1 to {}\n", options.repeat,
                                 max_repeat);
        return 2;
    }
    auto opened = run_session::open(options);
    if (auto* code = std::get_if<int>(&opened)) return *code;
    auto& session = *std::get<std::unique_ptr<run_session>>(opened);
    try {
        session.start_infrastructure();
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    }
    run_result result = session.new_result();  // after the start: it names the broker and Redis
    result.settings.repetitions = options.repeat;

    std::map<mode, std::vector<measured_mode>> measured;
    const auto& interrupted = session.interrupted();
    for (int repetition = 1; repetition <= options.repeat && !interrupted.load(); ++repetition) {
        if (options.repeat > 1) spdlog::info("repetition {} of {}", repetition, options.repeat);
        for (const mode which : repetition_order(session.modes(), repetition)) {
            if (interrupted.load()) break;
            // Each repetition has its own topics, groups, schemas, keys and files.
            const bool alone = options.repeat == 1;
            try {
                measured[which].push_back(session.run(
                    which, session.scenario(),
                    alone ? session.out_dir()
                          : session.out_dir() / fmt::format("repetition-{}", repetition),
                    alone ? "" : fmt::format("r{}", repetition), result.settings));
            } catch (const std::exception& e) {
                // The configuration was accepted; the harness failed while starting or running.
                std::cerr << "error: " << mode_name(which) << " mode could not run: " << e.what()
                          << "\n";
                return exit_code(exit_status::untrustworthy);
            }
        }
    }
    for (auto& [which, runs] : measured) {
        result.modes[mode_name(which)] = merge_repetitions(runs);
        try {
            write_latency_files(session.out_dir() / "latency", mode_name(which),
                                merge_histograms(runs));
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what() << "\n";
            return exit_code(exit_status::untrustworthy);
        }
        // An interrupted run of fewer repetitions than asked for is not what was asked.
        if (static_cast<int>(runs.size()) < options.repeat) {
            auto& merged = result.modes[mode_name(which)];
            merged.valid = false;
            merged.invalid_reasons.push_back(
                fmt::format("{} of {} repetitions ran", runs.size(), options.repeat));
        }
    }
    session.finish(result);
    result.thresholds = evaluate_thresholds(session.thresholds(), result);
    result.valid = !interrupted.load() && !result.modes.empty();
    for (const auto& [mode, outcome] : result.modes) result.valid = result.valid && outcome.valid;
    try {
        write_reports(result, session.out_dir());
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return exit_code(exit_status::untrustworthy);
    }
    print_summary(result, session.out_dir());
    return exit_code(judge_run(result).status);
}

}  // namespace asyncbench

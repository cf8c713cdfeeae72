#include "harness/cli/run_command.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>
#include <map>
#include <optional>
#include <random>

#include "harness/config/scenario_loader.hpp"
#include "harness/config/threshold_reader.hpp"
#include "harness/kafka/kafka_broker.hpp"
#include "harness/kafka/local_kafka.hpp"
#include "harness/redis/local_redis.hpp"
#include "harness/result/exit_status.hpp"
#include "harness/result/threshold_checks.hpp"
#include "harness/run/environment.hpp"
#include "harness/run/infrastructure_options.hpp"
#include "harness/run/mode_runner.hpp"
#include "harness/store/pg_connection_pool.hpp"
#include "harness/workflow/stage_graph.hpp"
#include "reports/markdown_report.hpp"
#include "reports/report_writer.hpp"
#include "reports/verdict.hpp"

namespace asyncbench {
namespace {

// Enough for any CI gate (Google Benchmark advises 9 for its U test); more is a soak.
constexpr int max_repeat = 50;

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) { interrupted = true; }

std::string default_out_dir(const std::string& scenario) {
    return fmt::format(
        "out/{}-{:%Y%m%d-%H%M%S}", scenario,
        fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

std::string random_run_id() {
    std::random_device device;
    return fmt::format("{:08x}", device());
}

int usage_error(const std::vector<std::string>& messages) {
    for (const auto& message : messages) std::cerr << "error: " << message << "\n";
    return 2;
}

// The modes --mode names ("both" or one mode's name), in report order; nullopt when unknown.
std::optional<std::vector<mode>> modes_of(const std::string& option) {
    if (option == "both") return std::vector<mode>(all_modes.begin(), all_modes.end());
    if (const auto one = mode_from_name(option)) return std::vector<mode>{*one};
    return std::nullopt;
}

bool any_uses_kafka(const std::vector<mode>& modes) {
    return std::any_of(modes.begin(), modes.end(), [](mode m) { return traits_of(m).uses_kafka; });
}

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
    const auto chosen = modes_of(options.mode);
    if (!chosen) {
        return usage_error(
            {fmt::format("--mode: '{}' is not one of sync, async, both", options.mode)});
    }
    const auto& modes = *chosen;
    auto loaded = load_scenario(options.scenario_path);
    if (auto* errors = std::get_if<std::vector<config_error>>(&loaded)) {
        for (const auto& error : *errors) std::cerr << format_config_error(error) << "\n";
        std::cerr << errors->size() << " error(s) in " << options.scenario_path
                  << "; nothing was started\n";
        return 2;
    }
    auto scenario = std::get<scenario_config>(std::move(loaded));
    auto errors = apply_overrides(scenario, options.overrides);
    for (auto& error : apply_client_settings(scenario.async, options.client_settings)) {
        errors.push_back(std::move(error));
    }
    for (auto& error : validate_client_settings(scenario.async)) {
        errors.push_back(std::move(error));
    }
    auto kafka = parse_kafka_option(options.kafka);
    if (auto* error = std::get_if<std::string>(&kafka)) errors.push_back(*error);
    if (auto* choice = std::get_if<kafka_choice>(&kafka);
        choice && !options.kafka_dir.empty() && choice->type != kafka_choice::kind::external) {
        errors.push_back(
            "--kafka-dir names the folder of a running cluster: give its "
            "bootstrap servers with --kafka HOST:PORT too");
    }
    if (auto* choice = std::get_if<kafka_choice>(&kafka);
        choice && choice->type == kafka_choice::kind::embedded && any_uses_kafka(modes)) {
        for (const auto& fault : scenario.faults) {
            if (fault.type != fault_spec::kind::records_deleted) continue;
            errors.push_back(fmt::format(
                "fault '{}': records_deleted needs a real Kafka cluster (librdkafka's embedded "
                "mock cluster cannot delete records): run with --kafka local, local-3 or "
                "HOST:PORT, or --mode sync",
                fault.name));
        }
    }
    auto database = parse_database_option(options.database);
    if (auto* error = std::get_if<std::string>(&database)) errors.push_back(*error);
    // What the report calls the database; never the password.
    std::string database_location;
    if (auto* choice = std::get_if<database_choice>(&database);
        choice && choice->type == database_choice::kind::postgres) {
        try {
            database_location = parse_pg_target(choice->url).url_without_password();
        } catch (const store_error& e) {
            errors.push_back(fmt::format("--db: {}", e.what()));
        }
    }
    // Checked even when the scenario uses no Redis: a wrong flag is a wrong flag.
    auto redis = parse_redis_option(options.redis);
    if (auto* error = std::get_if<std::string>(&redis)) errors.push_back(*error);
    const auto thresholds = run_thresholds(scenario, options.thresholds, errors);
    if (options.repeat < 1 || options.repeat > max_repeat) {
        errors.push_back(
            fmt::format("--repeat: {} is not from 1 to {}", options.repeat, max_repeat));
    }
    if (!errors.empty()) return usage_error(errors);
    const auto* plugin = find_plugin(scenario.plugin);  // the loader checked it exists
    const std::filesystem::path out_dir =
        options.out_dir.empty() ? default_out_dir(scenario.name) : options.out_dir;
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) {
        return usage_error(
            {fmt::format("--out: cannot create {}: {}", out_dir.string(), ec.message())});
    }

    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    run_result result;
    result.scenario = scenario.name;
    result.description = scenario.description;
    result.environment = describe_environment();
    result.environment.database = "sqlite";
    result.settings = describe_settings(scenario);
    result.settings.repetitions = options.repeat;

    std::vector<std::unique_ptr<mock_system>> mocks;
    system_directory systems;
    std::unique_ptr<kafka_broker> broker;
    std::unique_ptr<redis_service> redis_server;  // only when the scenario declares Redis keys
    try {
        for (const auto& system : scenario.systems) {
            mocks.push_back(std::make_unique<mock_system>(system));
            mocks.back()->start();
            systems[system.name] = network_endpoint{"127.0.0.1", mocks.back()->port()};
            spdlog::info("mock {} on 127.0.0.1:{}", system.name, mocks.back()->port());
        }
        if (any_uses_kafka(modes)) {
            const auto& choice = std::get<kafka_choice>(kafka);
            switch (choice.type) {
                case kafka_choice::kind::embedded:
                    broker = start_embedded_broker(choice.brokers);
                    break;
                case kafka_choice::kind::local:
                    broker = start_local_kafka(choice.brokers, out_dir / "kafka");
                    break;
                case kafka_choice::kind::external:
                    broker =
                        options.kafka_dir.empty()
                            ? connect_external_broker(choice.bootstrap_servers,
                                                      std::chrono::seconds(15))
                            : connect_scripted_kafka(choice.bootstrap_servers, options.kafka_dir);
                    break;
            }
            result.environment.broker_kind = broker->kind();
            result.environment.broker_description = broker->description();
            result.environment.bootstrap_servers = broker->bootstrap_servers();
            spdlog::info("Kafka: {}", broker->description());
        }
        if (scenario.uses_redis()) {
            const auto& choice = std::get<redis_choice>(redis);
            redis_server = choice.type == redis_choice::kind::embedded
                               ? start_embedded_redis(out_dir / "redis")
                               : connect_external_redis(choice.url, std::chrono::seconds(5));
            result.environment.redis = redis_server->description();
            spdlog::info("Redis: {}", redis_server->description());
        }
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    }

    const std::string run_id = random_run_id();
    std::map<mode, std::vector<measured_mode>> measured;
    for (int repetition = 1; repetition <= options.repeat && !interrupted.load(); ++repetition) {
        if (options.repeat > 1) spdlog::info("repetition {} of {}", repetition, options.repeat);
        for (const mode which : repetition_order(modes, repetition)) {
            if (interrupted.load()) break;
            const scenario_config mode_scenario = stages_in_mode(scenario, which);
            // Each repetition has its own topics, groups, schemas, keys and files.
            const bool alone = options.repeat == 1;
            mode_dependencies deps{
                mode_scenario,
                *plugin,
                mocks,
                systems,
                broker.get(),
                redis_server ? redis_server->url() : std::string(),
                std::get<database_choice>(database),
                alone ? out_dir : out_dir / fmt::format("repetition-{}", repetition),
                alone ? run_id : fmt::format("{}r{}", run_id, repetition),
                interrupted};
            try {
                std::filesystem::create_directories(deps.out_dir);
                measured[which].push_back(run_mode(which, deps, result.settings));
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
        // An interrupted run of fewer repetitions than asked for is not what was asked.
        if (static_cast<int>(runs.size()) < options.repeat) {
            auto& merged = result.modes[mode_name(which)];
            merged.valid = false;
            merged.invalid_reasons.push_back(
                fmt::format("{} of {} repetitions ran", runs.size(), options.repeat));
        }
    }
    for (auto& mock : mocks) mock->stop();
    redis_server.reset();  // an embedded server is stopped here; the modes no longer need it
    const auto& db = std::get<database_choice>(database);
    result.environment.database =
        db.type == database_choice::kind::sqlite
            ? fmt::format("SQLite {} (files in {})", result.environment.libraries["sqlite"],
                          out_dir.string())
            : fmt::format("PostgreSQL at {} (schema ab_{}_<mode> per mode)", database_location,
                          run_id);
    result.thresholds = evaluate_thresholds(thresholds, result);
    result.valid = !interrupted.load() && !result.modes.empty();
    for (const auto& [mode, outcome] : result.modes) result.valid = result.valid && outcome.valid;
    try {
        write_reports(result, out_dir);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return exit_code(exit_status::untrustworthy);
    }
    print_summary(result, out_dir);
    return exit_code(judge_run(result).status);
}

}  // namespace asyncbench

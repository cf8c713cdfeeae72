#include "harness/cli/worker_command.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <charconv>
#include <iostream>
#include <thread>

#include "harness/config/scenario_loader.hpp"
#include "harness/kafka/consumer_group.hpp"
#include "harness/result/exit_status.hpp"
#include "harness/run/infrastructure_options.hpp"
#include "harness/run/worker_protocol.hpp"
#include "harness/store/store_factory.hpp"
#include "harness/workflow/stage_graph.hpp"

namespace asyncbench {
namespace {

std::optional<std::pair<std::string, network_endpoint>> parse_system(const std::string& text) {
    const auto equals = text.find('=');
    const auto colon = text.rfind(':');
    if (equals == std::string::npos || colon == std::string::npos || colon < equals) {
        return std::nullopt;
    }
    int port = 0;
    const auto digits = std::string_view(text).substr(colon + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port < 1 || port > 65535) {
        return std::nullopt;
    }
    return std::make_pair(text.substr(0, equals),
                          network_endpoint{text.substr(equals + 1, colon - equals - 1),
                                           static_cast<std::uint16_t>(port)});
}

int fail(const std::string& message, int code) {
    std::cerr << "error: " << message << "\n";
    return code;
}

}  // namespace

int worker_command(const worker_options& options) {
    // stdout carries the event protocol; every log line goes to stderr (the worker's log file).
    auto level = spdlog::get_level();
    spdlog::set_default_logger(spdlog::stderr_color_mt("worker"));
    spdlog::set_level(level);
    spdlog::set_pattern("%H:%M:%S.%e %^%l%$ [worker %P] %v");
    // Blocked before any thread starts, so every thread inherits the mask and sigwait below is
    // the only place these signals arrive.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    auto loaded = load_scenario(options.scenario_path);
    if (auto* errors = std::get_if<std::vector<config_error>>(&loaded)) {
        for (const auto& error : *errors) std::cerr << format_config_error(error) << "\n";
        return 2;
    }
    // Workers run the async mode's consumers: the workflow as that mode has it.
    auto scenario = stages_in_mode(std::get<scenario_config>(std::move(loaded)), mode::async);
    if (!options.topic.empty()) scenario.async.topic = options.topic;
    std::vector<std::string> errors =
        apply_client_settings(scenario.async, options.client_settings);
    if (options.processes < 1 || options.process < 0 || options.process >= options.processes) {
        errors.push_back(
            fmt::format("--process {} is not in 0..{}", options.process, options.processes - 1));
    }
    if (options.sqlite.empty() == options.postgres.empty()) {
        errors.push_back("give the mode's database: --sqlite FILE or --postgres URL --schema S");
    }
    system_directory systems;
    for (const auto& text : options.systems) {
        if (auto system = parse_system(text)) {
            systems.insert(*system);
        } else {
            errors.push_back(fmt::format("--system '{}': expected NAME=HOST:PORT", text));
        }
    }
    for (const auto& system : scenario.systems) {
        if (!systems.contains(system.name)) {
            errors.push_back(fmt::format("no --system given for '{}'", system.name));
        }
    }
    if (scenario.uses_redis() && options.redis.empty()) {
        errors.push_back("the scenario declares Redis keys: give --redis URL --redis-prefix P");
    }
    if (!errors.empty()) {
        for (const auto& error : errors) std::cerr << "error: " << error << "\n";
        return 2;
    }

    std::vector<int> members;
    for (int m = options.process; m < scenario.async.consumers_per_group; m += options.processes) {
        members.push_back(m);
    }
    event_line_writer events(STDOUT_FILENO);
    try {
        store_address address;
        address.type = options.sqlite.empty() ? database_choice::kind::postgres
                                              : database_choice::kind::sqlite;
        address.location = options.sqlite.empty() ? options.postgres : options.sqlite;
        address.schema = options.schema;
        // One spare beyond the member threads: a session a failed write broke is reopened while
        // the broken one is still being closed.
        const int connections = stage_group_connections(scenario, mode::async, members.size()) + 1;
        auto db = open_store(address, connections, store_open::attach);
        kafka_producer stage_producer("stage producer", options.bootstrap_servers,
                                      scenario.async.producer);
        auto groups = make_stage_groups(
            group_environment{scenario, mode::async, *db, systems,
                              redis_target{options.redis, options.redis_prefix},
                              options.bootstrap_servers, stage_producer, events,
                              options.static_assignment, options.process, options.processes},
            options.run_id, members);
        for (auto& group : groups) group->start();
        spdlog::info("worker {} of {}: pid {}, members {} of each of {} group(s)", options.process,
                     options.processes, ::getpid(), members.size(), groups.size());
        // Ready once every member of every group has its assignment; the harness waits for it.
        const int expected =
            clients_per_group(scenario, members.size()) * static_cast<int>(groups.size());
        // Detached: it may never see every member assigned, and `events` outlives it (the
        // process ends with _Exit below).
        std::thread([&events, expected] {
            while (events.members() < expected) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            events.ready();
        }).detach();
        if (options.exit_with_stdin) {
            // The harness holds the other end of stdin; EOF means it is gone, however it went.
            std::thread([] {
                char byte;
                while (::read(STDIN_FILENO, &byte, 1) > 0) {
                }
                ::kill(::getpid(), SIGTERM);
            }).detach();
        }
        int signal = 0;
        sigwait(&stop_signals, &signal);
        spdlog::info("worker {}: signal {}, finishing the messages in hand", options.process,
                     signal);
        for (auto& group : groups) group->stop();
        const int undelivered = stage_producer.stop();
        if (undelivered > 0) {
            spdlog::warn("worker {}: {} dead letters or completion events undelivered at shutdown",
                         options.process, undelivered);
        }
        spdlog::info("worker {}: stopped", options.process);
        std::cout.flush();
        // Detached threads may still be running; leave without unwinding under them.
        std::_Exit(0);
    } catch (const std::exception& e) {
        // The configuration was accepted: a worker that fails now is a part of the harness
        // that died, which makes the measurement untrustworthy.
        return fail(fmt::format("worker {}: {}", options.process, e.what()),
                    exit_code(exit_status::untrustworthy));
    }
}

}  // namespace asyncbench

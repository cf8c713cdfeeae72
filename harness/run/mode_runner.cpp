#include "harness/run/mode_runner.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "harness/api/front_door.hpp"
#include "harness/kafka/consumer_group.hpp"
#include "harness/load/load_generator.hpp"
#include "harness/result/metric_catalog.hpp"
#include "harness/result/pipeline_metric_names.hpp"
#include "harness/run/cost_parts.hpp"
#include "harness/run/fault_impact.hpp"
#include "harness/run/fault_timeline.hpp"
#include "harness/run/mode_state.hpp"
#include "harness/run/progress_line.hpp"
#include "harness/run/reconciliation.hpp"
#include "harness/run/run_validity.hpp"
#include "harness/run/system_under_test.hpp"
#include "harness/stats/latency_summary.hpp"
#include "harness/stats/throughput.hpp"
#include "harness/store/store_factory.hpp"
#include "harness/watch/lookup_load.hpp"
#include "harness/watch/watch_results.hpp"
#include "harness/watch/watcher_group.hpp"
#include "harness/workflow/stage_graph.hpp"

namespace asyncbench {
namespace {

using steady = std::chrono::steady_clock;

double seconds_since(steady::time_point start) {
    return std::chrono::duration<double>(steady::now() - start).count();
}

std::vector<expected_call> expected_calls(const scenario_config& scenario) {
    std::vector<expected_call> calls;
    for (const auto& stage : scenario.workflow) {
        for (const auto& step : stage.steps) {
            if (const auto* call = step.as<call_step>()) {
                calls.push_back({call->system, call->operation});
            }
        }
    }
    return calls;
}

// The load generator's per-second series plus the backlog sampled meanwhile; drain seconds
// (after the load) are appended with their backlog only.
std::vector<second_sample> merge_series(std::vector<second_sample> series,
                                        const std::vector<std::int64_t>& backlog) {
    for (std::size_t i = 0; i < backlog.size(); ++i) {
        if (i < series.size()) {
            series[i].backlog = backlog[i];
        } else {
            second_sample drain;
            drain.t_s = static_cast<std::int64_t>(i);
            drain.backlog = backlog[i];
            series.push_back(drain);
        }
    }
    return series;
}

enum class drain_end { idle, only_lost_left, timed_out, cancelled };

// How often the drain asks Kafka whether the work left can still finish, and how long the
// answer "none of it can" must hold, with no progress, before the drain gives up waiting: a
// message a consumer fetched just before its records were deleted may still finish.
constexpr std::chrono::seconds loss_check_period{2};
constexpr std::chrono::seconds loss_check_hold{5};

// Waits until the system has nothing left to process, everything left is provably lost, or
// the drain deadline.
drain_end drain(const system_under_test& system, std::chrono::nanoseconds timeout,
                const std::atomic<bool>& cancel) {
    const auto deadline = steady::now() + timeout;
    auto next_check = steady::now() + loss_check_period;
    std::optional<std::pair<steady::time_point, std::int64_t>> lost_since;  // when, backlog
    while (system.backlog() > 0) {
        if (cancel.load()) return drain_end::cancelled;
        if (steady::now() > deadline) return drain_end::timed_out;
        if (steady::now() >= next_check) {
            next_check = steady::now() + loss_check_period;
            const std::int64_t backlog = system.backlog();
            if (!system.only_lost_work_left()) {
                lost_since.reset();
            } else if (!lost_since || lost_since->second != backlog) {
                lost_since.emplace(steady::now(), backlog);
            } else if (steady::now() - lost_since->first >= loss_check_hold) {
                spdlog::warn(
                    "drain: the {} requests left can no longer be processed (Kafka no "
                    "longer holds their messages, or their groups skipped them)",
                    backlog);
                return drain_end::only_lost_left;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return drain_end::idle;
}

// One connection per thread that can use the database at once: the front door's pool, plus
// every consumer of every Kafka stage (when consumers run in worker processes, each process
// opens its own; these stay unused), plus the plugin's seed and checks.
int database_connections(mode which, const scenario_config& scenario) {
    int connections = front_door::pool_threads(scenario, which) + 1;
    if (traits_of(which).uses_kafka) {
        connections += stage_group_connections(
            scenario, which, static_cast<std::size_t>(scenario.async.consumers_per_group));
    }
    return connections;
}

// The mode's processes besides the harness, asked each second: a worker-crash fault restarts a
// worker with a new pid, a broker fault a broker JVM. Brokers only where the mode uses Kafka.
cost_sampler::process_source mode_processes(const system_under_test& system,
                                            const kafka_broker* broker) {
    return [&system, broker] {
        auto processes = system.processes();
        if (broker != nullptr) {
            for (auto& process : broker->processes()) processes.push_back(std::move(process));
        }
        return processes;
    };
}

// The mode's watchers, connected (or polled once) before the load; nullptr without watchers.
std::unique_ptr<watcher_group> start_watchers(const scenario_config& scenario, mode which,
                                              std::uint16_t api_port, const redis_target& redis) {
    if (scenario.watchers.count == 0) return nullptr;
    auto watchers = std::make_unique<watcher_group>(
        watch_environment{scenario, which, network_endpoint{"127.0.0.1", api_port}, redis});
    const int ready = watchers->start(std::chrono::seconds(10));
    spdlog::info(
        "[{}] {} of {} watchers {}", mode_name(which), ready, scenario.watchers.count,
        scenario.watchers.plan(which).method == watch_method::poll ? "polling" : "subscribed");
    return watchers;
}

// Long enough for the last change to reach every watcher: a poller's longest wait between two
// polls (its period plus jitter) and a second for the poll; a subscriber's second.
void settle_watchers(const watch_plan& plan, const std::atomic<bool>& cancel) {
    auto settle = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds(1));
    if (plan.method == watch_method::poll) {
        settle += std::chrono::milliseconds(static_cast<std::int64_t>(
            static_cast<double>(plan.poll.every.count()) * (1.0 + plan.poll.jitter)));
    }
    spdlog::info("watchers: {:.1f}s for the last changes to reach them",
                 static_cast<double>(settle.count()) / 1000.0);
    const auto until = steady::now() + settle;
    while (steady::now() < until && !cancel.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

std::unique_ptr<system_under_test> start_system(mode which, const system_context& context,
                                                kafka_broker* broker) {
    switch (which) {
        case mode::sync:
            return start_sync_system(context);
        case mode::async:
            return start_async_system(context, *broker);
    }
    throw std::logic_error("unknown mode");
}

}  // namespace

measured_mode run_mode(mode which, const mode_dependencies& deps, run_settings& settings) {
    const auto& scenario = deps.scenario;
    const std::string mode = mode_name(which);  // for logs and the result
    const bool kafka = traits_of(which).uses_kafka;
    auto phase_start = steady::now();
    spdlog::info("[{}] setup: store, system under test, mocks reset", mode);
    for (const auto& mock : deps.mocks) mock->reset_calls();
    const int connections = database_connections(which, scenario);
    const auto db_address = store_address_for(deps.database, deps.out_dir, mode, deps.run_id);
    auto db = open_store(db_address, connections);
    db->create_tables(scenario.tables);
    // Each run's and each mode's own keys, so modes never share Redis state.
    const redis_target redis{
        deps.redis_url, deps.redis_url.empty() ? "" : fmt::format("ab:{}:{}:", deps.run_id, mode)};
    mode_state state(scenario, *db, redis);
    deps.plugin.seed(state);
    system_context context{scenario,    deps.plugin, *db,          deps.systems,
                           deps.run_id, db_address,  deps.out_dir, redis};
    auto system = start_system(which, context, deps.broker);
    spdlog::info("[{}] setup done in {:.1f}s; API on 127.0.0.1:{}", mode,
                 seconds_since(phase_start), system->port());

    phase_start = steady::now();
    system->wait_ready(std::chrono::seconds(60));
    spdlog::info("[{}] ready in {:.1f}s", mode, seconds_since(phase_start));
    // What the design costs, from here to the end of the drain (warm-up included, as are the
    // requests completed in it).
    cost_sampler cost(harness_parts(::getpid(), kafka),
                      mode_processes(*system, kafka ? deps.broker : nullptr));
    cost.start();

    load_progress progress;
    progress_line line(
        mode, progress, scenario.load.warmup + scenario.load.duration,
        [&system] { return system->backlog(); }, [&system] { return system->status(); });
    line.set_phase("load");
    load_target target;
    target.port = system->port();
    target.path = std::string(deps.plugin.api_path());
    auto watchers = start_watchers(scenario, which, system->port(), redis);
    phase_start = steady::now();
    fault_timeline faults(
        fault_context{scenario, which, deps.mocks, *system, kafka ? deps.broker : nullptr, *db,
                      deps.run_id, deps.redis_server, watchers.get(), deps.db_server},
        phase_start);
    std::optional<lookup_load> lookups;
    if (scenario.lookups.rate_per_s > 0) {
        lookups.emplace(scenario, deps.plugin, system->port(), progress, deps.cancel);
    }
    auto load = run_load(
        scenario.load, target, [&](std::uint64_t seq) { return deps.plugin.make_request(seq); },
        progress, deps.cancel, fault_windows(scenario.load, scenario.faults));
    std::optional<load_report> lookup_report;
    if (lookups) lookup_report = lookups->finish();
    const double load_s = seconds_since(phase_start);

    line.set_phase("drain");
    phase_start = steady::now();
    const std::int64_t backlog_before_drain = system->backlog();
    const drain_end drained = drain(*system, scenario.drain_timeout, deps.cancel);
    const bool idle = drained == drain_end::idle;
    const double drain_s = seconds_since(phase_start);
    const std::int64_t drain_finished =
        std::max<std::int64_t>(0, backlog_before_drain - system->backlog());
    auto cost_parts = cost.stop();
    line.stop();
    spdlog::info("[{}] load {:.1f}s, drain {:.1f}s{}", mode, load_s, drain_s,
                 drained == drain_end::timed_out        ? " (timed out)"
                 : drained == drain_end::only_lost_left ? " (only lost work left)"
                                                        : "");
    auto fault_records = faults.finish();
    // The watchers go on until the last change could reach them: a poller's next poll, a
    // subscriber's next message.
    if (watchers) {
        settle_watchers(scenario.watchers.plan(which), deps.cancel);
        watchers->stop();
    }

    phase_start = steady::now();
    system->stop();
    mode_result result;
    result.mode = mode;
    result.warnings = system->warnings();
    result.step_errors = system->step_errors(10);
    const auto harness_failures = system->harness_failures();
    if (kafka) {
        settings.producer_settings = system->producer_settings();
        settings.consumer_settings = system->consumer_settings();
    }
    spdlog::info("[{}] teardown in {:.1f}s", mode, seconds_since(phase_start));

    phase_start = steady::now();
    reconciliation_input input;
    // Kafka's word first, then the database: an outcome is recorded before its offset is
    // committed, so nothing recorded after the question can be missed.
    if (auto evidence = system->evidence()) {
        input.positions = std::move(evidence->positions);
        input.evidence = std::move(evidence->kafka);
    }
    for (const auto& stage : scenario.workflow) input.stage_names.push_back(stage.name);
    input.accepted = std::move(load.accepted);
    input.database = db->snapshot();
    input.stage_triggers = stage_triggers(scenario.workflow);
    input.calls_per_id = expected_calls(scenario);
    for (const auto& mock : deps.mocks) input.received[mock->name()] = mock->calls();
    input.pipeline_idle = idle;
    const auto redeliveries = input.database.redeliveries;
    auto reconciled = reconcile(input);
    auto checks = run_scenario_checks(deps.plugin, state);
    spdlog::info("[{}] reconciled in {:.1f}s", mode, seconds_since(phase_start));
    result.stages = std::move(reconciled.stages);
    result.metrics = std::move(checks.metrics);
    for (auto& metric : system->pipeline_metrics()) result.metrics.push_back(std::move(metric));
    result.invariants = std::move(checks.invariants);
    if (watchers) {
        const auto tally = tally_watchers(
            accepted_changes(scenario.watchers, deps.plugin, input.accepted), watchers->logs());
        for (auto& metric : watch_metrics(tally, watchers->counters())) {
            result.metrics.push_back(std::move(metric));
        }
        result.invariants.push_back(watch_invariant(
            tally, !scenario.invariants_may_break.contains(std::string(watcher_views_invariant))));
    }
    if (lookup_report) {
        for (auto& metric : lookup_metrics(*lookup_report))
            result.metrics.push_back(std::move(metric));
    }

    result.api_latency_all_us = summarize(load.latency_all_us);
    result.api_latency_2xx_us = summarize(load.latency_2xx_us);
    result.completion_latency_us = summarize(reconciled.completion_us);
    result.send_delay_us = summarize(load.send_delay_us);
    result.schedule_lag_us = summarize(load.schedule_lag_us);
    result.offered_per_s = load.offered_per_s;
    result.requests = load.measured_sent;
    result.requests_all_phases = load.sent_all_phases;
    result.retries = load.retries;
    const double fallback_rate = load.measured_seconds > 0
                                     ? static_cast<double>(load.measured_ok) / load.measured_seconds
                                     : 0;
    const double warmup_s = std::chrono::duration<double>(scenario.load.warmup).count();
    const double measured_span_s =
        load.offered_per_s > 0 ? static_cast<double>(load.measured_sent) / load.offered_per_s : 0;
    result.achieved_per_s =
        completed_per_second(load.series, warmup_s, measured_span_s, fallback_rate);
    result.rejected = load.measured_rejected;
    result.availability = load.measured_sent > 0
                              ? static_cast<double>(load.measured_ok + load.measured_rejected) /
                                    static_cast<double>(load.measured_sent)
                              : 0;
    result.errors = load.errors;
    result.reconciliation = std::move(reconciled.result);
    result.reconciliation.redeliveries_absorbed = redeliveries;
    result.drain_s = drain_s;
    if (reconciled.last_finished_epoch_us > load.first_send_epoch_us &&
        load.first_send_epoch_us > 0) {
        result.time_to_full_completion_s =
            static_cast<double>(reconciled.last_finished_epoch_us - load.first_send_epoch_us) / 1e6;
    }
    result.series = merge_series(std::move(load.series), line.backlog_samples());
    result.fault_impacts =
        compute_fault_impacts(fault_records, load.windows, result.series, scenario.slo);
    result.faults = std::move(fault_records);
    result.cost = std::move(cost_parts);
    result.cpu_s_per_1000_completed =
        cpu_s_per_1000(cost.counted_cpu_s(), result.reconciliation.completed);
    judge_validity(
        result, validity_input{drained == drain_end::idle || drained == drain_end::only_lost_left,
                               deps.cancel.load(), harness_failures, result.step_errors,
                               drain_finished, drain_s});
    repetition_result only{1, result.valid, mode_scalars(result)};
    result.repetitions.push_back(std::move(only));
    return measured_mode{
        std::move(result),
        mode_histograms{std::move(load.latency_all_us), std::move(load.latency_2xx_us),
                        std::move(reconciled.completion_us), std::move(load.send_delay_us),
                        std::move(load.schedule_lag_us)}};
}

}  // namespace asyncbench

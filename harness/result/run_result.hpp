#pragma once
// The one plain, versioned result of a run. The runner fills it; reporters only read it; it
// round-trips through result.json (harness/result/result_json.hpp), so a report can always be
// regenerated without re-running. Bump result_schema_version on any incompatible change and
// document it in docs/result-schema.md.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace asyncbench {

inline constexpr int result_schema_version = 2;

// Latency percentiles in microseconds.
struct latency_summary {
    std::uint64_t count = 0;
    double min_us = 0, p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0, mean_us = 0;
};

// Client-side outcomes that were not a success, by kind (as wrk counts them).
struct error_counts {
    std::uint64_t connect = 0;  // connection refused or failed
    std::uint64_t timeout = 0;  // no complete answer within the request timeout
    std::uint64_t io = 0;       // read/write failure on an established connection
    std::uint64_t status_4xx = 0;
    std::uint64_t status_5xx = 0;
    std::uint64_t status_503 = 0;  // of status_5xx: explicit backpressure / unavailable answers
    std::uint64_t total() const { return connect + timeout + io + status_4xx + status_5xx; }
};

// Calls one mock operation received, compared with what the workflow should have made.
struct call_check {
    std::string system;
    std::string operation;
    std::uint64_t expected_calls = 0;       // one per completed business id per call step
    std::uint64_t received_calls = 0;       // all calls, including retries and failures
    std::uint64_t ids_with_duplicates = 0;  // business ids that reached it more than once
    std::uint64_t ids_missing = 0;          // completed ids that never reached it
};

struct reconciliation_result {
    std::uint64_t accepted = 0;           // the API acknowledged them (2xx) to the client
    std::uint64_t completed = 0;          // accepted and every stage finished
    std::uint64_t lost = 0;               // accepted, not completed, and nothing left to process
    std::uint64_t pending = 0;            // accepted, still in progress when the drain ended
    std::uint64_t dead_lettered = 0;      // accepted, gave up after the last attempt
    std::uint64_t duplicate_effects = 0;  // (id, step) effects applied more than once
    std::uint64_t unacknowledged_processed = 0;  // processed though the client saw no 2xx
    // Stage runs that found their stage already finished (a redelivery after a crash, a
    // rebalance or a lost commit) and changed nothing: duplicates absorbed by idempotency.
    std::uint64_t redeliveries_absorbed = 0;
    std::vector<std::string> lost_ids;  // first 100, for the report
    std::vector<call_check> calls;
};

// One second of the run, from the start of warm-up (t_s = 0) through the drain; seconds after
// the load carry only the backlog.
struct second_sample {
    std::int64_t t_s = 0;
    std::uint64_t sent = 0;
    std::uint64_t ok = 0;
    std::uint64_t errors = 0;
    double p50_us = 0;
    double p99_us = 0;
    std::int64_t backlog = 0;  // accepted but not yet completed (async: consumer lag)
};

// A fault as it was carried out in one mode. Times are on the series axis (seconds since the
// start of warm-up), as observed by the fault timeline, not as planned.
struct fault_record {
    std::string name;     // from the scenario, e.g. "LP outage"
    std::string kind;     // fault_kind_name(), e.g. "downstream_outage"
    std::string target;   // e.g. "lp.LPRUN", "worker 0 (pid 4242)", "broker 2"
    double start_s = 0;   // applied
    double end_s = 0;     // reverted (or the end of the run if it never was)
    std::string action;   // what was done, e.g. "kill -9 pid 4242; restarted as pid 4250"
    bool applied = true;  // false: not applicable to this mode, or it failed (see action)
    // Calls each targeted mock operation received while the fault was active ("lp.LPRUN").
    std::map<std::string, std::uint64_t> calls_during;
};

// The answered requests of one window of the measured phase. Answers are attributed to the
// window in which they arrived, as the per-second series does.
struct window_stats {
    double start_s = 0;
    double end_s = 0;
    std::uint64_t answered = 0;
    std::uint64_t ok = 0;            // 2xx
    std::uint64_t rejected_503 = 0;  // explicit backpressure / unavailable
    double availability = 0;         // ok / answered; 0 when nothing was answered
    latency_summary latency_us;      // 2xx only
    std::int64_t peak_backlog = 0;   // largest per-second backlog sample in the window
};

// How one fault showed in one mode: before (measure start to fault start), during, after
// (fault end to measure end), plus how long the system took to recover.
struct fault_impact {
    std::string fault;  // fault_record::name
    window_stats before;
    window_stats during;
    window_stats after;
    // Seconds from the fault's end until the backlog was back at or below the before window's
    // median per-second backlog (0 without a before window); nullopt when it never got there
    // within the run (drain included).
    std::optional<double> backlog_recovered_s;
    // Seconds from the fault's end until a second's API p99 was within the reference (the
    // scenario's api_p99 SLO, else 1.5 x the p99 before the fault) and its availability at
    // least the before level (or min_availability if lower); nullopt when never in the run.
    std::optional<double> latency_recovered_s;
    std::string latency_reference;  // e.g. "api_p99 SLO 1s" or "1.5 x pre-fault p99 (312 ms)"
};

struct mode_result {
    std::string mode;                       // "sync" or "async"
    latency_summary api_latency_us;         // intended send -> response, measured phase, 2xx
    latency_summary completion_latency_us;  // intended send -> workflow done, measured phase
    latency_summary send_delay_us;          // intended -> actual send (generator health)
    double offered_per_s = 0;
    double achieved_per_s = 0;   // 2xx answers per second of measured phase
    double availability = 0;     // share of measured requests answered 2xx
    std::uint64_t requests = 0;  // measured requests sent
    error_counts errors;
    reconciliation_result reconciliation;
    double drain_s = 0;                    // from end of load to everything processed
    double time_to_full_completion_s = 0;  // first send to last completion (all phases)
    std::vector<second_sample> series;
    std::vector<fault_record> faults;         // the timeline as carried out in this mode
    std::vector<fault_impact> fault_impacts;  // one per applied fault
    std::vector<std::string> warnings;        // e.g. embedded broker retention reached
    bool valid = true;
    std::vector<std::string> invalid_reasons;
};

struct slo_check {
    std::string mode;
    std::string name;    // e.g. "api_p99"
    std::string target;  // human readable, e.g. "<= 500ms"
    std::string observed;
    bool passed = true;
};

struct environment_info {
    std::string asyncbench_version;
    std::string git_commit;
    std::string host;
    std::string cpu;
    int cores = 0;
    std::string os;
    std::map<std::string, std::string> libraries;  // name -> version
    std::string broker_kind;                       // "embedded-mock" or "external"
    std::string broker_description;  // e.g. "librdkafka mock cluster, 3 brokers (in memory)"
    std::string bootstrap_servers;
    std::string database;    // e.g. "sqlite"
    std::string started_at;  // ISO 8601 UTC
};

struct run_settings {
    std::string load_model;  // "open" or "closed"
    double rate_per_s = 0;
    int users = 0;
    double warmup_s = 0;
    double duration_s = 0;
    std::optional<std::uint64_t> requests;
    int sync_worker_threads = 0;
    int async_partitions = 0;
    int async_consumers_per_group = 0;
    std::vector<std::string> stages;
    int async_worker_processes = 0;  // 0: consumers ran inside the harness process
    std::map<std::string, std::string> producer_settings;  // effective, as sent to librdkafka
    std::map<std::string, std::string> consumer_settings;
};

struct run_result {
    int schema_version = result_schema_version;
    std::string scenario;
    std::string description;
    environment_info environment;
    run_settings settings;
    std::map<std::string, mode_result> modes;  // "sync", "async"
    std::vector<slo_check> slo;
    bool valid = true;  // every mode valid
};

}  // namespace asyncbench

#pragma once
// The one plain, versioned result of a run. The runner fills it; reporters only read it; it
// round-trips through result.json (harness/result/result_json.hpp), so a report can always be
// regenerated without re-running. The versioning rule (docs/result-schema.md): any change to the
// shape of result.json bumps result_schema_version by one in the change that makes it; readers
// keep reading every older version they can; a newer version than a reader knows is refused
// with a message (exit 2).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace asyncbench {

inline constexpr int result_schema_version = 8;

// Latency percentiles in microseconds. count == 0 means no sample: every figure is then 0 and
// reports say "none" (no answers, none completed) instead of showing zeros.
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
    std::uint64_t accepted = 0;       // the API acknowledged them (2xx) to the client
    std::uint64_t completed = 0;      // accepted and every stage finished
    std::uint64_t lost = 0;           // accepted, not completed, and nothing left to process
    std::uint64_t pending = 0;        // accepted, still in progress when the drain ended
    std::uint64_t dead_lettered = 0;  // accepted, gave up after the last attempt
    std::uint64_t rejected = 0;  // accepted, then refused by a Kafka stage (business answer, v4)
    std::uint64_t duplicate_effects = 0;         // (id, step) effects applied more than once
    std::uint64_t unacknowledged_processed = 0;  // processed though the client saw no 2xx
    // Stage runs that found their stage already finished (a redelivery after a crash, a
    // rebalance or a lost commit) and changed nothing: duplicates absorbed by idempotency.
    std::uint64_t redeliveries_absorbed = 0;
    std::vector<std::string> lost_ids;  // the first 10,000, in acknowledgement order
    // Why they were lost, e.g. "deleted before it was consumed (...)" -> count; the counts add
    // up to `lost`.
    std::map<std::string, std::uint64_t> lost_by_reason;
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
    // A fault that destroys data on purpose (records_deleted) records what it destroyed: the
    // ground truth the loss checker must match. The acknowledged, unfinished ids whose
    // messages it deleted (the pipeline's own view at that moment), and how many unread
    // messages it deleted by Kafka's offsets alone (per partition, the end offset minus the
    // slowest stage group's committed offset). Empty / nullopt for every other fault.
    std::vector<std::string> deleted_unread_ids;
    std::optional<std::uint64_t> deleted_unread_messages;
};

// The requests of one window of the measured phase: those whose *intended send time* falls in
// [start_s, end_s), whenever their answer arrived (the per-second series, by contrast, counts
// answers in the second they arrived).
struct window_stats {
    double start_s = 0;
    double end_s = 0;
    std::uint64_t requests = 0;      // intended in the window and sent
    std::uint64_t ok = 0;            // of those, answered 2xx
    std::uint64_t rejected_503 = 0;  // of those, answered 503 (backpressure / unavailable)
    double availability = 0;         // ok / requests; 0 when there were none
    latency_summary latency_all_us;  // every answer, errors and timeouts included
    latency_summary latency_2xx_us;  // 2xx answers only
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

// The errors that failed a workflow step most often in one mode (every attempt of every phase),
// grouped by stage, step and the message with long numbers masked (so "lp.LPRUN answered 503"
// stays one group while ids and offsets do not split it).
struct step_error_count {
    std::string stage;
    std::string step;
    std::string error;    // the grouping key: the message, digit runs of 4+ shown as "N"
    std::string example;  // one message as it was, e.g. with the business id
    std::uint64_t count = 0;
};

// What the load's callers did about failures (load.retry), over the measured requests.
struct retry_stats {
    int max_attempts = 1;                   // the policy's; 1: the callers never retried
    std::uint64_t attempts = 0;             // every attempt sent, first ones included
    std::uint64_t retries = 0;              // attempts after the first
    std::uint64_t requests_retried = 0;     // requests that needed more than one attempt
    std::uint64_t exhausted = 0;            // still failed after retrying: attempts used up
    std::uint64_t refused_by_rate_cap = 0;  // retryable failures the retry-rate cap refused
    int most_attempts = 0;                  // the most attempts one request took
    double amplification = 0;  // attempts / requests: the load retries added at the front door
    double retries_per_s = 0;  // over the measured phase
    // From the last scheduled first attempt to the last final answer: how long the run
    // followed retries and late answers after the schedule ended.
    double answers_after_schedule_s = 0;
};

// A number the scenario reports per mode; the unit is in the name ("ranking_overcount_units").
struct scenario_metric {
    std::string name;
    double value = 0;
};

// A property the scenario must keep, checked after the drain. `required` comes from the
// scenario file (a variant may declare an invariant `may_break`: a finding to show, exit 0).
struct invariant_result {
    std::string name;      // e.g. "ranking_matches_orders"
    std::string expected;  // in words and figures, e.g. "ZSCORE = ordered quantity, 40 products"
    std::string observed;  // e.g. "37 products match; 3 over by 12 units in all"
    bool passed = false;
    bool required = true;
};

// How one stage fared over the accepted requests: attempts its runs took (retries included; a
// redelivery's run is counted in redeliveries_absorbed instead).
struct stage_tally {
    std::string stage;
    std::uint64_t finished = 0;  // ids with an outcome recorded for the stage
    std::uint64_t attempts = 0;  // attempts those outcomes took, in all
    std::uint64_t retried = 0;   // ids that needed more than one attempt
    std::uint64_t rejected = 0;  // ids it rejected (a business answer)
    std::uint64_t dead_lettered = 0;
};

// What one part of the system cost the machine in one mode, from readiness to the end of the
// drain (harness/stats/process_sampler.hpp), e.g. "front door", "worker 0", "broker 1" (v5).
// A process's resources at one moment, for watching them over a long run (soak): what grows
// after the warm-up is a leak or a ledger, what stays flat is steady.
struct resource_sample {
    double t_s = 0;                          // seconds since the mode was ready (its load began)
    std::optional<std::uint64_t> rss_bytes;  // VmRSS; nullopt when unreadable
    std::uint64_t threads = 0;
    std::optional<std::uint64_t> fds;  // open file descriptors; nullopt when unreadable
};

struct part_cost {
    std::string part;
    double cpu_s = 0;  // user + system CPU seconds
    // VmRSS, sampled once a second. nullopt for a group of threads inside a process: memory
    // belongs to the whole process (the harness process has its own part).
    std::optional<std::uint64_t> peak_rss_bytes;
    std::uint64_t peak_threads = 0;
    // Established TCP sockets the process held, sampled once a second; nullopt for a group of
    // threads inside a process, whose sockets are the whole process's.
    std::optional<std::uint64_t> peak_connections;
    // In the mode's cpu_s_per_1000_completed: false for the mock external systems (not the
    // design under test), for a total that other parts break down (the harness process), and
    // for Kafka's threads in a mode that does not use Kafka (an idle embedded broker).
    bool counted = true;
    // Open file descriptors of the process (sockets, pipes, files), sampled once a second;
    // nullopt for a group of threads. Schema v8.
    std::optional<std::uint64_t> peak_fds;
    // A process part's resources every 5 s (the first sample, then every fifth, then the last),
    // from readiness to the end of the drain: bounded, 720 per hour. Empty for thread groups.
    std::vector<resource_sample> samples;
};

// One repetition of a mode (--repeat N runs each mode N times): every metric of the catalogue
// (harness/result/metric_catalog.hpp) it measured, by name, so `compare` has a sample per
// repetition (v6).
struct repetition_result {
    int index = 1;  // 1-based, in the order run
    bool valid = true;
    std::map<std::string, double> metrics;
};

struct mode_result {
    std::string mode;  // "sync" or "async"
    // The two API latency views (docs/result-schema.md), intended send -> answer, measured
    // phase: `all` over every answer, errors and timeouts included (as wrk2 and vegeta count);
    // `2xx` over successful answers only.
    latency_summary api_latency_all_us;
    latency_summary api_latency_2xx_us;
    latency_summary completion_latency_us;  // intended send -> workflow done, measured phase
    latency_summary send_delay_us;          // intended -> actual send, connection wait included
    latency_summary schedule_lag_us;        // the generator's own lateness (its health), open loop
    double offered_per_s = 0;
    double achieved_per_s = 0;  // 2xx answers per second of measured phase
    // Share of measured requests answered as designed: 2xx, or 409 business rejections.
    double availability = 0;
    std::uint64_t requests = 0;             // measured requests sent
    std::uint64_t requests_all_phases = 0;  // requests sent, warm-up included (first attempts)
    // Measured requests answered 409: the workflow refused them as a business answer (out of
    // stock). Correct answers: they count towards availability, not as errors (v4).
    std::uint64_t rejected = 0;
    retry_stats retries;
    error_counts errors;
    reconciliation_result reconciliation;
    double drain_s = 0;  // from end of load to everything processed
    // First send to the last completion (all phases); nullopt when nothing completed.
    std::optional<double> time_to_full_completion_s;
    std::vector<second_sample> series;
    std::vector<fault_record> faults;           // the timeline as carried out in this mode
    std::vector<fault_impact> fault_impacts;    // one per applied fault
    std::vector<step_error_count> step_errors;  // most frequent first, at most 10
    std::vector<std::string> warnings;          // e.g. embedded broker retention reached
    std::vector<stage_tally> stages;            // workflow order (v4)
    std::vector<scenario_metric> metrics;       // the scenario plugin's, after the drain (v4)
    std::vector<invariant_result> invariants;   // the scenario plugin's, after the drain (v4)
    std::vector<part_cost> cost;                // per part, from readiness to the drain's end (v5)
    // CPU seconds of the counted parts per 1,000 completed requests (all phases); nullopt when
    // none completed (v5).
    std::optional<double> cpu_s_per_1000_completed;
    // Whether the measurement can be trusted (exit code 3 when not): false when the drain
    // timed out, the run was interrupted, the generator fell behind its schedule or a part of
    // the harness died. Findings about the system under test (losses, failed SLOs) do not make
    // a run invalid: they are what a valid run found.
    bool valid = true;
    std::vector<std::string> invalid_reasons;
    // Every repetition's metrics, in the order run (v6); one entry for a run without --repeat.
    // With repetitions, the latency summaries above come from the repetitions' histograms
    // merged exactly, the counts are sums, and the rates and shares are over all the
    // repetitions' requests; the series, faults and costs are the first repetition's.
    std::vector<repetition_result> repetitions;
};

// One threshold (harness/config/threshold.hpp) tested on one mode (v6; v1-v5 files' `slo`
// checks are read into this).
struct threshold_check {
    std::string
        threshold;  // as written, normalised: "during 'LP outage': async.availability >= 0.999"
    std::string mode;
    std::string metric;              // the catalogue's name
    std::string during;              // a fault's name; empty: the measured phase
    std::string op;                  // "<", "<=", ">", ">="
    double bound = 0;                // in the metric's unit
    std::optional<double> observed;  // nullopt: not measured (no samples): the check fails
    std::string bound_text;          // as a report shows it, e.g. "10.0 s"
    std::string observed_text;       // e.g. "12.3 s", "no answers"
    bool passed = true;
    // Always checked, whatever the scenario declares: nothing lost, no effect applied twice,
    // every required invariant held.
    bool implicit = false;
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
    std::string redis;       // where Redis ran, e.g. "redis-server 7.0.15 started for the run at
                             // 127.0.0.1:40123"; empty when the scenario uses none (v4)
    std::string database;    // e.g. "sqlite"
    std::string started_at;  // ISO 8601 UTC
};

// Requests a stage refused as a business answer (out of stock), warm-up included: before the
// answer (409) or after acceptance. Both are finished work, not failures.
inline std::uint64_t business_rejections(const mode_result& m) {
    std::uint64_t n = 0;
    for (const auto& stage : m.stages) n += stage.rejected;
    return n;
}

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
    int repetitions = 1;  // --repeat: runs of each mode, alternating modes (v6)
};

// One fixed-rate step of `asyncbench capacity` (v7): its figures and its judgement
// (harness/capacity/step_judgement.hpp).
struct capacity_step {
    std::string mode;
    int index = 0;  // 1-based per mode, in the order run
    double offered_per_s = 0;
    double achieved_per_s = 0;
    latency_summary api_latency_all_us;
    latency_summary completion_latency_us;
    double error_rate = 0;            // failed answers / requests, all answers
    double schedule_lag_p99_us = 0;   // the generator's own lateness
    double backlog_growth_per_s = 0;  // least-squares slope of the backlog over the measured phase
    bool accepting = false;           // the API kept up (and its thresholds held)
    bool completing = false;          // the work kept up too (async: the backlog did not grow)
    bool generator_limited = false;   // the generator fell behind: says nothing of the system
    bool valid = true;  // the step's own measurement (a drain time-out makes it false)
    std::vector<std::string> reasons;  // why not sustainable, with figures
    std::string bottleneck;            // what a failed step points at
};

// Between the highest sustainable offered rate and the lowest unsustainable one.
struct capacity_ceiling {
    std::optional<double> sustained_per_s;
    std::optional<double> failed_per_s;
};

struct capacity_mode {
    std::string mode;
    capacity_ceiling accepting;   // the API accepted on time
    capacity_ceiling completing;  // the work completed as fast as it came (sync: = accepting)
    std::string stop_reason;      // why the search stopped
};

// What `asyncbench capacity` found (v7).
struct capacity_result {
    double precision = 0.05;  // a ceiling is known to within this share
    double max_per_s = 0;
    double step_warmup_s = 0;
    double step_duration_s = 0;
    std::vector<capacity_mode> modes;
    std::vector<capacity_step> steps;  // every step of every mode, in the order run
};

struct run_result {
    int schema_version = result_schema_version;
    std::string scenario;
    std::string description;
    environment_info environment;
    run_settings settings;
    std::map<std::string, mode_result> modes;  // "sync", "async"
    std::vector<threshold_check> thresholds;   // v6 (`slo` before)
    // Only from `asyncbench capacity` (v7); `modes` then holds each mode's highest step that
    // was sustainable for completing (else its first step).
    std::optional<capacity_result> capacity;
    bool valid = true;  // every mode valid
};

}  // namespace asyncbench

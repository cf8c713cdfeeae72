#pragma once
// The validated, typed form of a scenario file. Produced only by load_scenario()
// (harness/config/scenario_loader.hpp); every field here has passed validation, so the engine
// never re-checks ranges. Units live in the types (std::chrono); the YAML keys carry them as
// strings such as "250ms" and are parsed once, in the loader. Documented in scenarios/SCHEMA.md.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "harness/config/threshold.hpp"
#include "harness/core/mode.hpp"

namespace asyncbench {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// How long a mock operation takes to answer, before any queueing for its concurrency limit.
struct latency_spec {
    enum class distribution { fixed, uniform, lognormal };
    distribution kind = distribution::fixed;
    microseconds fixed{0};  // kind == fixed
    microseconds min{0};    // kind == uniform: inclusive bounds
    microseconds max{0};
    microseconds p50{0};  // kind == lognormal: median and 99th percentile, p99 >= p50
    microseconds p99{0};
};

// Behaviour of one operation of a mock external system. Can be replaced during a run.
struct operation_spec {
    latency_spec latency;
    double error_rate = 0.0;  // share of calls answered with error_status, in [0, 1]
    int error_status = 500;
    int concurrency = 0;    // calls served at once; excess calls queue. 0 = unlimited
    double slowdown = 1.0;  // latency multiplier, >= 1 slows the system down
    // refuse = connection refused, unavailable = 503 at once, hang = accepted and never
    // answered (the caller's timeout decides; held calls get a 503 when the outage ends).
    enum class outage_kind { none, refuse, unavailable, hang };
    outage_kind outage = outage_kind::none;
};

// A mock external system: an HTTP server answering POST /<operation>.
struct system_spec {
    std::string name;
    operation_spec default_operation;  // for operations not listed
    std::map<std::string, operation_spec> operations;
};

// A table the scenario declares (top-level `tables:`). Rows are keyed by one text column; the
// store creates the table in each mode's database (SQLite or PostgreSQL) before the load.
// Names are [a-z][a-z0-9_]* (checked by the loader, so they are safe to quote into SQL) and
// never one of the store's own tables (records, effects, stage_outcomes).
struct column_spec {
    // written_at: an integer the workflow sets to the write's time (microseconds since the
    // epoch) when a db step inserts or upserts the row, as a column DEFAULT now() would: what
    // a poller's cursor reads.
    enum class type { text, integer, written_at };
    std::string name;
    type kind = type::text;
};

struct table_spec {
    std::string name;
    std::string key;                   // the key column, text; not listed in `columns`
    std::vector<column_spec> columns;  // every other column
    const column_spec* column(const std::string& column_name) const {
        for (const auto& c : columns) {
            if (c.name == column_name) return &c;
        }
        return nullptr;
    }
};

// A Redis key the scenario declares (top-level `redis:`); a run with any starts Redis.
// A queue is a first-come queue: a sorted set of members by arrival position (1, 2, ...), with
// each member's request kept beside it (hashes "<key>:requests" and "<key>:payloads").
// A state is the current state of many entities: a hash of entity -> its last change's request
// (JSON), with "<key>:versions" (entity -> version) beside it. A channel is a Pub/Sub channel.
struct redis_key_spec {
    enum class type { sorted_set, queue, state, channel };
    std::string name;  // prefixed per run and mode at run time, so modes never share state
    type kind = type::sorted_set;
};

// Where a step's values come from: the request's JSON fields of the same name. `each` names an
// array field of objects; the step then applies once per element (all in one transaction for
// the database), reading the element's fields.

// `call: <system>.<operation>`: POST to a mock external system; done on 2xx.
struct call_step {
    std::string system;           // a system_spec name
    std::string operation;        // the operation (URL path) to call
    milliseconds timeout{10000};  // per attempt
};

// `db: ...`: one write to the database, applied once per (business id, step).
struct db_step {
    enum class operation {
        record_insert,  // `db: insert`: the generic records table (business id, kind, payload)
        record_update,  // `db: update`: that record's state
        insert,         // `db: {insert: T}`: a row of T keyed by the business id, columns from
                        //   the request's fields of the same name
        upsert,         // `db: {upsert: T, key: F, newer: C}`: the same, replacing a row that
                        //   exists; with `key` the row is the one field F names (not the
                        //   business id); with `newer` (an integer column) only by a greater
                        //   value of C (a stale change leaves a later row alone)
        update,         // `db: {update: T, set: {col: value}}`: T's row keyed by the business id
        decrement,      // `db: {decrement: T, column: C, by: F, each: A, reject: R}`: for every
                        //   element of A, C -= element.F where the key = element.<key> and
                        //   C >= element.F; all or none; none = rejected{R}
        add,            // `db: {add: T, key: K, column: C, by: F}`: C += F (1 without `by`) in
                        //   T's row keyed by the request's field K, created when missing: an
                        //   aggregate (events per kind)
        claim,          // `db: {claim: T, column: C, key: K, record: R, per: P, reject: S,
                        //   taken: A, guard: locked|none}`: first come, first served: one unit
                        //   of C in T's row keyed by field K for the claimant in field P, at
                        //   most one per claimant, recorded as a row of R (columns K and P);
                        //   none left = rejected{S}, claimant holds one = rejected{A}
    };
    operation op = operation::record_insert;
    std::string table;                       // insert, upsert, update, decrement
    std::map<std::string, std::string> set;  // update: column -> literal value
    std::string column;                      // decrement, add
    std::string by;                          // decrement, add: the amount's field
    std::string key;                         // add, claim, upsert: the field naming the row
    std::string newer;   // upsert: the integer column a replacing row must exceed
    std::string record;  // claim: the table of claims
    std::string per;     // claim: the field naming the claimant
    std::string taken_reason = "already_claimed";  // claim: the answer to a second claim
    bool unguarded = false;  // claim, `guard: none`: check then act without a lock (the bug)
    std::string each;        // decrement: the array field
    std::string reject_reason = "rejected";  // decrement, claim: the business answer when short
};

// `redis: {zincrby: KEY, member: F, by: F, each: A, idempotent: bool}`.
// `redis: {keep: STATE, key: F, version: F, publish: CHANNEL}`: keeps the request as the current
// state of the entity field F names, unless the state holds a later version already (a stale
// change is done, unwritten); and publishes it on CHANNEL when kept (a redelivered change is
// published again: subscribers may see one twice, never a stale one). One Lua script, atomic.
// `redis: {enqueue: QUEUE, member: F, limit: N, full: R, taken: A}`: joins the request's member
// to a declared queue once (at most `limit` members, 0 = no limit); done with the member's
// position, answered to the client as `queue_position`; rejected{R} when the queue holds
// `limit`, rejected{A} when the member is queued by another request.
struct redis_step {
    enum class operation { zincrby, enqueue, keep };
    operation op = operation::zincrby;
    std::string
        key;  // a declared redis key (zincrby: a sorted_set, enqueue: a queue, keep: a state)
    std::string member;  // field naming the member (keep: the entity) (of each element with `each`)
    std::string version;                     // keep: the integer field ordering an entity's changes
    std::string channel;                     // keep: a declared channel to publish on; empty = none
    std::int64_t limit = 0;                  // enqueue: members at most; 0 = no limit
    std::string full_reason = "queue_full";  // enqueue: the answer when it holds `limit`
    std::string taken_reason = "already_queued";  // enqueue: the member queued by another id
    std::string by;                               // field holding the increment; empty = 1
    std::string each;                             // array field; empty = the request itself
    // true (the default): the increments and a processed-id mark in one Lua script, so a
    // redelivered message changes nothing. false: plain ZINCRBY, as the seed's consumer does.
    bool idempotent = true;
};

// One step of the workflow. Steps run in order within their stage. The kinds and their YAML
// keys and readers are one table (harness/config/step_kinds.hpp); each has a run_step
// executor in harness/workflow/steps/.
struct step_spec {
    std::string name;  // unique within the workflow, used as the idempotency key part
    std::variant<call_step, db_step, redis_step> action;
    template <typename T>
    const T* as() const {
        return std::get_if<T>(&action);
    }
};

// Where a stage runs in a mode: inside the request (on the API's worker pool), in its own
// Kafka consumer group, by pollers that find its work in a source (poll_spec), or not at all
// (`none`: a step of one design the other does not have, such as the to-be's Redis queue). A
// mode runs the workflow without its `none` stages (stage_graph.hpp, stages_in_mode).
enum class placement { inline_stage, kafka, poll, none };

// How a poll stage finds its work (`poll:` of a stage placed `poll` in some mode): `instances`
// pollers each ask the source every `every` (+- jitter) for the rows whose cursor column is at
// or past their cursor, page by page, and run the stage for each row not seen before. With
// `reread` each round starts that far behind the cursor, as real pollers re-read a window so
// rows committed late (with an older time) are not missed; the rows read again are counted.
// A round reads until a short page, or at most `pages` pages (a scheduler that hands on a
// batch per period, as the seed's one user per second); the rest waits for the next round.
struct poll_spec {
    enum class source_kind {
        api,    // `from: {api: T}`: the front door's read API, GET /feeds/T?since=..&limit=..
        table,  // `from: {table: T}`: a query on the scenario's database
        redis,  // `from: {redis: Q}`: a declared Redis queue, by position (no `cursor`)
    };
    source_kind source = source_kind::api;
    std::string table;   // a declared table, or the queue's key (redis)
    std::string cursor;  // a written_at column of it (not for redis: the position)
    milliseconds every{5000};
    double jitter = 0.1;  // each wait drawn uniformly in every * [1 - jitter, 1 + jitter]
    int instances = 1;    // pollers; instance i runs the rows whose key hashes to i
    int limit = 500;      // rows per page
    int pages = 0;        // pages per round at most; 0: until a short page
    milliseconds reread{0};
};

// What a Kafka stage consumes. follows: the event produced when the previous stage finished a
// request (so stages run in order, as in one request). fan_out: the same event as the
// previous stage (independent consumers of one event, as hr-fanout's three systems).
enum class stage_order { follows, fan_out };

// A stage is a sequence of steps run together, placed per mode (defaults: sync inline, async
// kafka). An inline stage never follows a kafka stage in the same mode (the loader checks).
struct stage_spec {
    std::string name;
    std::vector<step_spec> steps;
    stage_order order = stage_order::follows;
    std::array<placement, all_modes.size()> placements{placement::inline_stage, placement::kafka};
    std::optional<poll_spec> poll;  // set when some mode places the stage `poll`
    placement where(mode m) const { return placements[static_cast<std::size_t>(m)]; }
};

// How a scenario's watchers learn of changes (`watchers:`): observers beside the workflow, the
// dashboards of an incident system. They change nothing; each keeps its own view of every
// entity (the highest version it saw) and is judged against the accepted requests
// (harness/watch/). Per mode, one method:
//  - poll: GET /feeds/<table>?since=..&limit=.. through the front door every `every` (+-
//    jitter), as a poll stage reads it (poll_spec), the table holding each entity's current
//    row; each round starts `reread` behind the newest row seen and reads every page;
//  - subscribe: Redis Pub/Sub on a declared channel, each message a change's request; with
//    `reread` (a declared state) a watcher that (re)connects reads every entity's state anew.
enum class watch_method { poll, subscribe };
struct watch_plan {
    watch_method method = watch_method::poll;
    poll_spec poll;       // poll: its source is the front door's read API (`from: {api: T}`)
    std::string channel;  // subscribe
    std::string state;    // subscribe: re-read on (re)connect; empty = never
};
struct watcher_spec {
    int count = 0;        // 0: the scenario has no watchers
    std::string entity;   // the request field naming what changes (an incident id)
    std::string version;  // its integer field ordering an entity's changes
    std::string state;    // its field a watcher shows
    std::array<watch_plan, all_modes.size()> plans;
    const watch_plan& plan(mode m) const { return plans[static_cast<std::size_t>(m)]; }
};

// A read load beside the writes (`lookups:`): GET <api path>/<entity> at its own open-loop
// rate, each for an entity already written to, served per mode from a declared table (by key)
// or a declared Redis state.
struct lookup_source {
    enum class kind { table, redis };
    kind from = kind::table;
    std::string name;
};
struct lookup_spec {
    double rate_per_s = 0;  // 0: no lookups
    std::string entity;     // the request field whose value is looked up
    std::array<lookup_source, all_modes.size()> sources;
    const lookup_source& source(mode m) const { return sources[static_cast<std::size_t>(m)]; }
};

struct ramp_step {
    double rate_per_s = 0;
    std::chrono::nanoseconds duration{0};
};

// How the load's callers retry a failed request (load.retry), as the seeds' real callers do:
// the same business id and body are sent again after a backoff. Off (max_attempts 1) unless
// the scenario says so.
struct retry_spec {
    int max_attempts = 1;  // attempts per request, the first included; 1 = never retry
    // Which outcomes are retried: 503, other 5xx, timeouts, connection failures. 4xx and I/O
    // errors on an open connection are never retried (the request itself is at fault, or the
    // server may have acted on it without answering).
    bool on_503 = true;
    bool on_5xx = true;
    bool on_timeout = true;
    bool on_connect = true;
    milliseconds initial{200};  // delay before the second attempt
    double multiplier = 2.0;    // each further delay is this many times the previous
    milliseconds max{10000};    // cap on one delay
    double jitter = 0.2;  // each delay drawn uniformly in [d * (1 - jitter), d * (1 + jitter)]
    bool honour_retry_after = true;  // wait at least what a Retry-After header asks
    double max_rate_per_s = 0;       // retries across all callers per second; 0 = no cap
    bool enabled() const { return max_attempts > 1; }
};

struct load_spec {
    enum class model { open, closed };
    model kind = model::open;
    double rate_per_s = 100;      // open: constant arrival rate
    std::vector<ramp_step> ramp;  // open: if not empty, replaces rate_per_s
    int users = 0;                // closed: concurrent virtual users
    milliseconds think_time{0};   // closed: pause between a user's requests
    std::chrono::nanoseconds warmup{std::chrono::seconds(5)};     // discarded from statistics
    std::chrono::nanoseconds duration{std::chrono::seconds(30)};  // measured phase
    std::optional<std::uint64_t> requests;  // stop after this many measured requests
    milliseconds request_timeout{30000};
    int max_connections = 2000;  // open: connections the generator may open
    retry_spec retry;            // open: how callers retry failed requests
};

struct sync_spec {
    int worker_threads = 200;  // fixed pool, like a servlet container's
    int accept_queue = 100;    // requests waiting for a worker; beyond it: 503
};

// How a stage's consumers share its work (async.consumer_model).
enum class consumer_model {
    // One Kafka client per group and process feeds a pool of consumers_per_group workers;
    // messages of one key (business id) run one at a time, in order, different keys in
    // parallel; offsets commit up to the lowest unfinished message. Concurrency no longer
    // costs a Kafka client each (Confluent's Parallel Consumer).
    key_ordered,
    // Every worker is its own Kafka client with its partitions, in offset order (Spring's
    // `concurrency: N`): the model before key_ordered, kept to compare against.
    per_partition,
};

struct async_spec {
    std::string topic;  // default: "asyncbench.<scenario>"
    int partitions = 12;
    int consumers_per_group = 4;  // workers per stage: its concurrency
    consumer_model model = consumer_model::key_ordered;
    // 0: consumer workers run as threads of the harness process. N > 0: they run in N
    // `asyncbench worker` processes (member i of every group in process i % N), which worker
    // faults can kill or pause, and which is how consumers scale past one process.
    int worker_processes = 0;
    // What the API answers once the request is in Kafka: 202 (accepted), or 201 when the
    // inline stages are the business answer (an order created and paid): `answer: created`.
    int answer_status = 202;
    int max_attempts = 5;  // attempts per message before dead-lettering
    milliseconds backoff_initial{100};
    milliseconds backoff_max{5000};
    std::map<std::string, std::string> producer;  // librdkafka properties, passed through
    std::map<std::string, std::string> consumer;
};

struct slo_spec {
    std::optional<milliseconds> api_p99;     // per mode, measured phase
    std::optional<double> min_availability;  // share of requests answered 2xx, [0, 1]
};

// One fault on the run's timeline: applied `at` after the measure phase starts, reverted
// `duration` later. Each kind uses only its own fields (the loader rejects the others).
struct fault_spec {
    enum class kind {
        downstream_outage,    // system[.operation] refuses connections or answers 503
        downstream_slowdown,  // its latency multiplied by `slowdown`
        downstream_errors,    // a share `error_rate` of its calls answered `error_status`
        downstream_timeout,   // accepts calls and never answers them
        worker_crash,         // kill -9 of worker process `worker`, restarted after `duration`
        worker_pause,         // SIGSTOP of worker process `worker`, SIGCONT after `duration`
        broker_down,          // broker `broker` stopped (killed on a real cluster), then started
        leader_loss,          // the broker leading partition 0 of the topic goes down
        // The database stalls every write (`how: lock`) or the server the run started is
        // stopped or killed (`how: stop|kill`, --db local) and started again after `duration`.
        database_down,
        // Every consumer (worker process) stopped for `duration`; then every record of the
        // topic is deleted up to its end offsets, unread ones included, and they restart.
        records_deleted,
        // The system that runs stage `stage` off the request (its pollers or its consumers in
        // the harness process) stops taking work for `duration`, then resumes where it left
        // off: a statistics system down, say. Not for inline stages (the API itself).
        stage_down,
        // The Redis server the run started is stopped (`how: stop`, SHUTDOWN NOSAVE) or killed
        // (`how: kill`) and started again after `duration`, empty: it keeps no persistence.
        redis_down,
        // A `share` of the watchers drop their connection (or stop polling) for `duration`,
        // then reconnect.
        watcher_disconnect,
    };
    kind type = kind::downstream_outage;
    std::string name;                // for reports; default "<kind> <target>"
    std::chrono::nanoseconds at{0};  // from the start of the measure phase
    std::chrono::nanoseconds duration{0};
    std::string system;     // downstream_*: a system_spec name
    std::string operation;  // downstream_*: empty = every operation
    operation_spec::outage_kind outage = operation_spec::outage_kind::refuse;
    double slowdown = 10.0;
    double error_rate = 0.5;
    int error_status = 500;
    int worker = 0;     // worker_*: process index, 0-based
    int broker = 1;     // broker_down: broker id, 1-based
    std::string stage;  // stage_down: a workflow stage
    // redis_down and database_down: how the server is taken away.
    enum class takedown {
        lock,  // database_down only: writes wait on locks; the server keeps running
        stop,  // a clean shutdown
        kill,  // kill -9: a crash
    };
    takedown how = takedown::kill;  // the loader makes database_down's default lock
    double share = 0.5;  // watcher_disconnect: of the watchers, the first ceil(share * count)
    bool async_only() const {
        return type == kind::worker_crash || type == kind::worker_pause ||
               type == kind::broker_down || type == kind::leader_loss ||
               type == kind::records_deleted;
    }
};

// The YAML name of a fault kind ("downstream_outage", ...).
std::string fault_kind_name(fault_spec::kind kind);

struct scenario_config {
    const table_spec* table(const std::string& table_name) const {
        for (const auto& t : tables) {
            if (t.name == table_name) return &t;
        }
        return nullptr;
    }
    bool uses_redis() const { return !redis.empty(); }
    std::string name;
    std::string description;
    std::string plugin;       // key in scenarios/registry.cpp
    std::string source_path;  // the YAML file it came from
    load_spec load;
    sync_spec sync;
    async_spec async;
    std::vector<system_spec> systems;
    std::vector<table_spec> tables;     // declared tables, created in each mode's database
    std::vector<redis_key_spec> redis;  // declared Redis keys; any = the run needs Redis
    std::vector<stage_spec> workflow;
    watcher_spec watchers;                     // count 0: none
    lookup_spec lookups;                       // rate 0: none
    std::size_t body_limit_bytes = 64 * 1024;  // both APIs reject larger bodies with 413
    // Connections each API holds open at once; a newer one is closed unserved and counted
    // (harness/http/http_server.hpp), so idle clients cannot use up the descriptors.
    int api_connections = 10'000;
    std::chrono::nanoseconds drain_timeout{std::chrono::seconds(120)};
    slo_spec slo;  // the first two thresholds, kept as the `slo:` key (threshold_reader.hpp)
    std::vector<threshold_spec> thresholds;  // `thresholds:`, as written
    std::vector<fault_spec> faults;          // in order of `at`
    // Invariants of the plugin this file expects a fault to break (`invariants: {name:
    // may_break}`): shown as findings, exit 0. Every other invariant is required.
    std::set<std::string> invariants_may_break;
};

}  // namespace asyncbench

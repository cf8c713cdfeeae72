#pragma once
// The watchers of one mode (watcher_spec): `count` dashboards, each a thread of its own with its
// own connection and its own view of every entity (the highest version it saw), learning of
// changes as the mode's plan says:
//  - poll: every `every` (+- jitter; the first poll at a random point of the first period, so
//    dashboards opened at different times do not poll in step) it reads the front door's feed
//    from `reread` behind the newest row it saw, every page of it; each row newer than its view
//    is a snapshot sighting;
//  - subscribe: a Redis Pub/Sub subscription; each message newer than its view is a
//    notification sighting. A broken connection (Redis restarting) is retried every 200 ms; on
//    each (re)connection, when the plan names a state, it reads every entity's state once the
//    subscription stands (snapshot sightings), so nothing published meanwhile falls between.
// What each watcher saw is kept whole (watcher_log) for harness/watch/watch_tally.hpp.
//
// Thread-safety: start/stop/disconnect/reconnect from one thread (the run's, or a fault's: the
// fault timeline serialises them); counters() and connected() from any; logs() after stop().
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/core/mode.hpp"
#include "harness/watch/watch_tally.hpp"
#include "harness/workflow/workflow_executor.hpp"

namespace asyncbench {

// Where the watchers reach the system. The scenario must outlive the group.
struct watch_environment {
    const scenario_config& scenario;
    mode which = mode::sync;
    network_endpoint api;  // the front door (poll)
    redis_target redis;    // Redis and the mode's key prefix (subscribe)
};

// Totals over the group's watchers.
struct watch_counters {
    std::uint64_t polls = 0;             // pages asked of the API (each a query on the database)
    std::uint64_t polls_failed = 0;      // pages the API did not give
    std::uint64_t rows = 0;              // rows those pages held, re-read ones included
    std::uint64_t notifications = 0;     // Pub/Sub messages received
    std::uint64_t rereads = 0;           // state re-reads on (re)connection
    std::uint64_t reconnects = 0;        // connections made after a watcher's first
    std::uint64_t connect_failures = 0;  // attempts that found no server
    std::uint64_t malformed = 0;         // rows or messages without the entity or version
    double seconds = 0;                  // from start() to stop() (or now, while watching)
};

class watcher_group {
  public:
    // The scenario's watchers must be declared (count > 0). Starts nothing yet.
    explicit watcher_group(watch_environment environment);
    ~watcher_group();  // stop()
    watcher_group(const watcher_group&) = delete;
    watcher_group& operator=(const watcher_group&) = delete;

    // Starts every watcher and waits, at most `timeout`, until each has subscribed or polled
    // once. Returns how many had.
    int start(std::chrono::milliseconds timeout);
    // Watchers [0, ceil(share * count)) drop their connections and stop polling until
    // reconnect(): returns how many. Watchers already dropped stay dropped.
    int disconnect(double share);
    void reconnect();
    // Ends every watcher; idempotent.
    void stop();

    // Watchers connected (subscribed) or polling now.
    int connected() const;
    watch_counters counters() const;
    // What each watcher saw, in watcher order. Call after stop().
    std::vector<watcher_log> logs() const;

  private:
    struct watcher;
    void run_poll(watcher& self);
    void run_subscribe(watcher& self);
    // Records a sighting when `version` is newer than the watcher's view of `entity`.
    void learn(watcher& self, const std::string& entity, std::int64_t version,
               const std::string& state, sighting_kind how);
    void learn_from_json(watcher& self, const std::string& json, sighting_kind how);
    // Sleeps until `until`, a stop, or a change of the watcher's dropped flag; false when
    // stopping.
    bool wait_until(watcher& self, std::chrono::steady_clock::time_point until);
    // Waits while the watcher is dropped; false when stopping.
    bool wait_while_dropped(watcher& self);

    watch_environment environment_;
    const watcher_spec& spec_;
    const watch_plan& plan_;
    std::vector<std::unique_ptr<watcher>> watchers_;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;  // wakes the sleepers; guards nothing else
    std::condition_variable wake_;
    std::atomic<int> connected_{0};
    std::atomic<int> ready_{0};  // watchers that subscribed or polled once
    std::chrono::steady_clock::time_point started_{};
    std::atomic<std::int64_t> watched_ns_{-1};  // set by stop(); -1 while watching
    struct atomic_counters {
        std::atomic<std::uint64_t> polls{0}, polls_failed{0}, rows{0}, notifications{0}, rereads{0},
            reconnects{0}, connect_failures{0}, malformed{0};
    };
    atomic_counters counters_;
};

}  // namespace asyncbench

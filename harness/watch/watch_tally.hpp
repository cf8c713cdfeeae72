#pragma once
// How well W watchers (dashboards) learned of the changes the system accepted: polling (each
// poll reads a snapshot of the current state) against Pub/Sub (each change pushed once,
// fire-and-forget, plus a snapshot re-read on reconnecting). Pure: the run records the changes
// and what each watcher saw; this only counts. Thread-safe (no state); the inputs are only read
// during the call and nothing refers to them afterwards. Times are system-clock microseconds.
//
// Rules, per watcher and change (entity E, version v):
// - The deciding sighting is the watcher's first sighting of E (in log order) at a version
//   >= v: the moment it learned that E had reached v. None: missed.
// - told: the watcher saw version v itself, at any time. A notification for v arriving after
//   one for a later version (two publishers raced) was delivered, late: told, not missed.
// - merged: not told, and the deciding sighting is a snapshot: v was superseded before the
//   watcher looked (between two polls, or while it was disconnected and then re-read).
// - missed: not told, and no deciding sighting or it is a notification: the notification for
//   v was lost, and nothing read the state again since.
// - Latency (told and merged) is the deciding sighting's learned time minus v's intended send
//   time, clamped at 0 (the watcher's clock may run behind the load generator's).
// A watcher's final view of E is its highest version seen, with the state of the first
// sighting at that version (a repeat of a version does not change what it shows). The view is
// wrong when it is missing, behind E's last change (the highest version among `changes`), or at
// that version with another state. A view ahead of it is right: the changes are the accepted
// ones, and a change applied although its caller got no 2xx (a timeout) can only be newer.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/stats/histogram.hpp"

namespace asyncbench {

// A change the system accepted: the truth watchers are judged against.
struct watched_change {
    std::string entity;              // e.g. the incident id
    std::int64_t version = 0;        // increasing per entity
    std::string state;               // what a watcher shows for it, e.g. "mitigated"
    std::int64_t sent_epoch_us = 0;  // the request's intended send time
};

// How a watcher learned of a version: one change pushed to it, or the current state read.
enum class sighting_kind { notification, snapshot };

// A watcher learned that `entity` is at `version` (showing `state`) at `learned_epoch_us`.
struct sighting {
    std::string entity;
    std::int64_t version = 0;
    std::string state;
    std::int64_t learned_epoch_us = 0;
    sighting_kind how = sighting_kind::notification;
};

// Everything one watcher saw, in the order it saw it (learned_epoch_us non-decreasing). The
// order of the log, not the times, decides which sighting came first.
struct watcher_log {
    std::vector<sighting> sightings;
};

struct watch_tally {
    std::uint64_t watchers = 0;
    std::uint64_t changes = 0;  // distinct (entity, version)
    std::uint64_t pairs = 0;    // watchers x changes = told + merged + missed
    std::uint64_t told = 0;     // the watcher saw this very version
    std::uint64_t merged = 0;   // superseded before the watcher looked (see the rules above)
    std::uint64_t missed = 0;   // its notification lost, and no snapshot read since
    histogram latency_us;       // told and merged pairs
    // Per change every watcher learned (told or merged): the last watcher's learning time minus
    // the send time, clamped at 0. With no watcher, no change counts as learned by all.
    histogram all_learned_us;
    std::uint64_t changes_learned_by_all = 0;
    std::uint64_t watchers_missing_any = 0;  // watchers with at least one missed pair
    std::uint64_t most_missed_by_one = 0;    // the highest missed count of one watcher
    std::uint64_t views_wrong = 0;           // watcher x entity pairs with a wrong final view
    std::uint64_t watchers_wrong = 0;        // watchers with at least one wrong view
    // The wrong view of the lowest watcher index (0-based, as in `watchers`) at its first
    // entity in string order, e.g. "watcher 3 shows inc-0042 at version 2 (acknowledged); the last
    // change is version 4 (resolved)" or "watcher 0 shows nothing for inc-7; ..."; empty when none.
    std::string first_wrong;
};

// `changes` in any order; a duplicate (entity, version) counts once, the first one given kept.
// Sightings of an entity with no change are ignored: nothing tells what the watcher should
// show for it (e.g. an incident changed only during warm-up). Sightings of a known entity at a
// version with no change still count as that entity's later (or final) versions.
// Cost: the changes sorted once, then per watcher one pass over its sightings and a binary
// search per change: 50 watchers x 20,000 changes x 3 sightings each take about 0.25 s.
watch_tally tally_watchers(const std::vector<watched_change>& changes,
                           const std::vector<watcher_log>& watchers);

}  // namespace asyncbench

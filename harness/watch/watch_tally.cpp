#include "harness/watch/watch_tally.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace asyncbench {

namespace {

// One entity's distinct changes, [first, last) in the changes sorted by (entity, version).
struct entity_span {
    std::string_view name;
    std::size_t first = 0;
    std::size_t last = 0;
};

// What the rules need of one sighting, copied in log order so that the pass entity by entity
// reads a compact array instead of jumping around the log (the cost that dominates at W x S).
struct seen_version {
    std::int64_t version = 0;
    std::int64_t learned_us = 0;
    sighting_kind how = sighting_kind::notification;
    const sighting* source = nullptr;  // for the state a final view shows
};

// What one watcher saw of one entity, reduced to what the rules ask.
struct entity_sightings {
    // The sightings that raised the highest version seen so far, in log order: versions
    // strictly increasing. The first of them at a version >= v is the first sighting of all at
    // a version >= v (any earlier one was below v), so it decides change v.
    std::vector<const seen_version*> advances;
    std::vector<std::int64_t> versions_seen;  // sorted, distinct
};

// Sorted by (entity, version), the first one given of each pair kept.
std::vector<const watched_change*> distinct_changes(const std::vector<watched_change>& changes) {
    std::vector<const watched_change*> sorted;
    sorted.reserve(changes.size());
    for (const auto& change : changes) sorted.push_back(&change);
    const auto key = [](const watched_change* c) { return std::tie(c->entity, c->version); };
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](const auto* a, const auto* b) { return key(a) < key(b); });
    sorted.erase(std::unique(sorted.begin(), sorted.end(),
                             [&](const auto* a, const auto* b) { return key(a) == key(b); }),
                 sorted.end());
    return sorted;
}

std::vector<entity_span> entity_spans(const std::vector<const watched_change*>& sorted) {
    std::vector<entity_span> spans;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (spans.empty() || spans.back().name != sorted[i]->entity) {
            spans.push_back({sorted[i]->entity, i, i});
        }
        spans.back().last = i + 1;
    }
    return spans;
}

// `log_order` holds the sightings of one entity in log order.
void summarise(std::span<const seen_version> log_order, entity_sightings& out) {
    out.advances.clear();
    out.versions_seen.clear();
    for (const seen_version& s : log_order) {
        if (out.advances.empty() || s.version > out.advances.back()->version) {
            out.advances.push_back(&s);
        }
        out.versions_seen.push_back(s.version);
    }
    std::sort(out.versions_seen.begin(), out.versions_seen.end());
    out.versions_seen.erase(std::unique(out.versions_seen.begin(), out.versions_seen.end()),
                            out.versions_seen.end());
}

enum class pair_outcome { told, merged, missed };

struct pair_judgement {
    pair_outcome outcome = pair_outcome::missed;
    const seen_version* deciding = nullptr;  // set unless missed
};

pair_judgement judge_pair(std::int64_t version, const entity_sightings& seen) {
    const auto deciding =
        std::lower_bound(seen.advances.begin(), seen.advances.end(), version,
                         [](const seen_version* s, std::int64_t v) { return s->version < v; });
    if (deciding == seen.advances.end()) return {};
    if (std::binary_search(seen.versions_seen.begin(), seen.versions_seen.end(), version)) {
        return {pair_outcome::told, *deciding};
    }
    if ((*deciding)->how == sighting_kind::snapshot) return {pair_outcome::merged, *deciding};
    return {};
}

// Clamped at 0; computed in unsigned arithmetic so that no pair of times can overflow.
std::uint64_t elapsed_us(std::int64_t from, std::int64_t to) {
    if (to <= from) return 0;
    return static_cast<std::uint64_t>(to) - static_cast<std::uint64_t>(from);
}

// `view` is the watcher's first sighting at its highest version of the entity, or null.
// A view ahead of the last accepted change is right: only a change the system applied
// although its caller got no 2xx (a timeout, a 503 after the broker had it) can put it there.
bool shows(const sighting* view, const watched_change& last) {
    if (view == nullptr) return false;
    if (view->version > last.version) return true;
    return view->version == last.version && view->state == last.state;
}

std::string wrong_view_text(std::size_t watcher, const sighting* view, const watched_change& last) {
    const std::string shown =
        view == nullptr
            ? fmt::format("shows nothing for {}", last.entity)
            : fmt::format("shows {} at version {} ({})", last.entity, view->version, view->state);
    return fmt::format("watcher {} {}; the last change is version {} ({})", watcher, shown,
                       last.version, last.state);
}

// Adds one watcher at a time to the tally; keeps the per-change state that spans watchers and
// reuses its buffers from one watcher to the next.
class tally_builder {
  public:
    explicit tally_builder(const std::vector<watched_change>& changes)
        : sorted_(distinct_changes(changes)),
          spans_(entity_spans(sorted_)),
          learned_by_(sorted_.size(), 0),
          last_learned_(sorted_.size(), 0),
          group_start_(spans_.size() + 1, 0) {
        span_of_.reserve(spans_.size());
        for (std::size_t i = 0; i < spans_.size(); ++i) span_of_.emplace(spans_[i].name, i);
        tally_.changes = sorted_.size();
    }

    void add_watcher(const watcher_log& log) {
        const std::size_t watcher = tally_.watchers++;
        group_by_entity(log.sightings);
        std::uint64_t missed = 0;
        bool wrong = false;
        for (std::size_t e = 0; e < spans_.size(); ++e) {
            summarise(
                std::span(grouped_).subspan(group_start_[e], group_start_[e + 1] - group_start_[e]),
                seen_);
            for (std::size_t c = spans_[e].first; c < spans_[e].last; ++c) {
                if (!add_pair(c, judge_pair(sorted_[c]->version, seen_))) ++missed;
            }
            const sighting* view = seen_.advances.empty() ? nullptr : seen_.advances.back()->source;
            const watched_change& last = *sorted_[spans_[e].last - 1];
            if (!shows(view, last)) {
                ++tally_.views_wrong;
                if (tally_.first_wrong.empty()) {
                    tally_.first_wrong = wrong_view_text(watcher, view, last);
                }
                wrong = true;
            }
        }
        tally_.missed += missed;
        if (missed > 0) ++tally_.watchers_missing_any;
        tally_.most_missed_by_one = std::max(tally_.most_missed_by_one, missed);
        if (wrong) ++tally_.watchers_wrong;
    }

    watch_tally finish() {
        tally_.pairs = tally_.watchers * tally_.changes;
        // With no watcher nothing was learned: "every watcher learned it" would be vacuous.
        for (std::size_t c = 0; c < sorted_.size() && tally_.watchers > 0; ++c) {
            if (learned_by_[c] != tally_.watchers) continue;
            ++tally_.changes_learned_by_all;
            tally_.all_learned_us.record(elapsed_us(sorted_[c]->sent_epoch_us, last_learned_[c]));
        }
        return std::move(tally_);
    }

  private:
    // Fills grouped_ with the sightings of known entities, entity e's in [group_start_[e],
    // group_start_[e + 1]): a counting sort, stable, so each entity's stay in log order.
    void group_by_entity(const std::vector<sighting>& log) {
        constexpr std::size_t unknown = SIZE_MAX;
        entity_of_.assign(log.size(), unknown);
        std::fill(group_start_.begin(), group_start_.end(), 0);
        for (std::size_t i = 0; i < log.size(); ++i) {
            if (auto span = span_of_.find(log[i].entity); span != span_of_.end()) {
                entity_of_[i] = span->second;
                ++group_start_[span->second + 1];
            }
        }
        for (std::size_t e = 0; e < spans_.size(); ++e) group_start_[e + 1] += group_start_[e];
        grouped_.resize(group_start_.back());
        next_slot_.assign(group_start_.begin(), group_start_.end() - 1);
        for (std::size_t i = 0; i < log.size(); ++i) {
            if (entity_of_[i] == unknown) continue;
            const sighting& s = log[i];
            grouped_[next_slot_[entity_of_[i]]++] = {s.version, s.learned_epoch_us, s.how, &s};
        }
    }

    // Counts change c for the current watcher; false when missed.
    bool add_pair(std::size_t c, const pair_judgement& judgement) {
        switch (judgement.outcome) {
            case pair_outcome::told:
                ++tally_.told;
                break;
            case pair_outcome::merged:
                ++tally_.merged;
                break;
            case pair_outcome::missed:
                return false;
        }
        const std::int64_t learned = judgement.deciding->learned_us;
        tally_.latency_us.record(elapsed_us(sorted_[c]->sent_epoch_us, learned));
        last_learned_[c] = learned_by_[c] == 0 ? learned : std::max(last_learned_[c], learned);
        ++learned_by_[c];
        return true;
    }

    std::vector<const watched_change*> sorted_;  // distinct, by (entity, version)
    std::vector<entity_span> spans_;
    // Views into the caller's changes, which outlive the builder.
    std::unordered_map<std::string_view, std::size_t> span_of_;
    // Per change in sorted_: how many watchers learned it, and when the last one did.
    std::vector<std::uint64_t> learned_by_;
    std::vector<std::int64_t> last_learned_;
    watch_tally tally_;

    // Buffers for one watcher at a time.
    std::vector<std::size_t> entity_of_;  // per sighting: its entity's span, or SIZE_MAX
    std::vector<std::size_t> group_start_;
    std::vector<std::size_t> next_slot_;
    std::vector<seen_version> grouped_;
    entity_sightings seen_;
};

}  // namespace

watch_tally tally_watchers(const std::vector<watched_change>& changes,
                           const std::vector<watcher_log>& watchers) {
    tally_builder builder(changes);
    for (const auto& log : watchers) builder.add_watcher(log);
    return builder.finish();
}

}  // namespace asyncbench

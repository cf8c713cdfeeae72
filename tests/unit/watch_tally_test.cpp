// The watcher accounting with made-up logs whose answers are known in advance: a poller that
// sees only the latest of several changes, a subscriber that loses a notification, one that
// re-reads after reconnecting, and a random mix checked against the rules applied literally.
#include "harness/watch/watch_tally.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace asyncbench {
namespace {

watched_change change(std::string entity, std::int64_t version, std::string state,
                      std::int64_t sent_us) {
    return {std::move(entity), version, std::move(state), sent_us};
}

sighting notified(std::string entity, std::int64_t version, std::string state,
                  std::int64_t learned_us) {
    return {std::move(entity), version, std::move(state), learned_us, sighting_kind::notification};
}

sighting polled(std::string entity, std::int64_t version, std::string state,
                std::int64_t learned_us) {
    return {std::move(entity), version, std::move(state), learned_us, sighting_kind::snapshot};
}

// One incident, acknowledged and then resolved, one millisecond apart.
std::vector<watched_change> three_changes() {
    return {change("inc-1", 1, "opened", 1'000), change("inc-1", 2, "acknowledged", 2'000),
            change("inc-1", 3, "resolved", 3'000)};
}

TEST(tally_watchers, a_poller_that_sees_only_the_latest_counts_the_rest_merged) {
    const auto tally =
        tally_watchers(three_changes(), {watcher_log{{polled("inc-1", 3, "resolved", 10'000)}}});
    EXPECT_EQ(tally.watchers, 1u);
    EXPECT_EQ(tally.changes, 3u);
    EXPECT_EQ(tally.pairs, 3u);
    EXPECT_EQ(tally.told, 1u);
    EXPECT_EQ(tally.merged, 2u);
    EXPECT_EQ(tally.missed, 0u);
    // Each change learned at the poll, counted from its own send time: 9, 8 and 7 ms.
    EXPECT_EQ(tally.latency_us.count(), 3u);
    EXPECT_EQ(tally.latency_us.min(), 7'000u);
    EXPECT_EQ(tally.latency_us.max(), 9'000u);
    EXPECT_DOUBLE_EQ(tally.latency_us.mean(), 8'000.0);
    EXPECT_EQ(tally.changes_learned_by_all, 3u);
    EXPECT_EQ(tally.all_learned_us.max(), 9'000u);
    EXPECT_EQ(tally.views_wrong, 0u);
    EXPECT_EQ(tally.first_wrong, "");
}

TEST(tally_watchers, a_poll_between_changes_tells_the_version_it_read) {
    const auto tally =
        tally_watchers(three_changes(), {watcher_log{{polled("inc-1", 1, "opened", 1'500),
                                                      polled("inc-1", 3, "resolved", 10'000)}}});
    EXPECT_EQ(tally.told, 2u);
    EXPECT_EQ(tally.merged, 1u);  // version 2, superseded before the second poll
    EXPECT_EQ(tally.latency_us.min(), 500u);
    EXPECT_EQ(tally.latency_us.max(), 8'000u);
}

TEST(tally_watchers, a_subscriber_that_loses_a_notification_misses_that_change) {
    const auto tally =
        tally_watchers(three_changes(), {watcher_log{{notified("inc-1", 1, "opened", 1'100),
                                                      notified("inc-1", 3, "resolved", 3'100)}}});
    EXPECT_EQ(tally.told, 2u);
    EXPECT_EQ(tally.merged, 0u);
    EXPECT_EQ(tally.missed, 1u);              // version 3's notification says nothing of version 2
    EXPECT_EQ(tally.latency_us.count(), 2u);  // missed pairs have no latency
    EXPECT_EQ(tally.latency_us.max(), 100u);
    EXPECT_EQ(tally.watchers_missing_any, 1u);
    EXPECT_EQ(tally.most_missed_by_one, 1u);
    EXPECT_EQ(tally.changes_learned_by_all, 2u);
    EXPECT_EQ(tally.views_wrong, 0u);  // the final view is right all the same
}

TEST(tally_watchers, a_subscriber_that_rereads_after_reconnecting_merges_what_it_lost) {
    // Disconnected after version 1: the notifications for 2 and 3 are lost; on reconnecting it
    // reads the current state, version 3.
    const auto tally =
        tally_watchers(three_changes(), {watcher_log{{notified("inc-1", 1, "opened", 1'100),
                                                      polled("inc-1", 3, "resolved", 5'000)}}});
    EXPECT_EQ(tally.told, 2u);    // 1 by notification, 3 by the re-read
    EXPECT_EQ(tally.merged, 1u);  // 2
    EXPECT_EQ(tally.missed, 0u);
    EXPECT_EQ(tally.latency_us.min(), 100u);
    EXPECT_EQ(tally.latency_us.max(), 3'000u);  // version 2, sent at 2 ms
    EXPECT_DOUBLE_EQ(tally.latency_us.mean(), (100.0 + 3'000.0 + 2'000.0) / 3);
    EXPECT_EQ(tally.watchers_missing_any, 0u);
}

TEST(tally_watchers, a_late_notification_is_told_not_missed) {
    // Two API instances published versions 2 and 3 in a race: 3 arrived first. The watcher
    // keeps showing 3, yet the notification for 2 was delivered.
    const auto tally = tally_watchers(three_changes(),
                                      {watcher_log{{notified("inc-1", 1, "opened", 1'100),
                                                    notified("inc-1", 3, "resolved", 3'100),
                                                    notified("inc-1", 2, "acknowledged", 3'200)}}});
    EXPECT_EQ(tally.told, 3u);
    EXPECT_EQ(tally.missed, 0u);
    // Version 2 counts from when the watcher first knew the incident was past it: 3.1 ms.
    EXPECT_EQ(tally.latency_us.max(), 1'100u);
    EXPECT_EQ(tally.views_wrong, 0u);
}

TEST(tally_watchers, a_change_never_seen_is_missed_and_leaves_the_view_wrong) {
    const std::vector<watched_change> changes = {change("inc-0042", 1, "opened", 1'000),
                                                 change("inc-0042", 2, "acknowledged", 2'000),
                                                 change("inc-0042", 4, "resolved", 4'000)};
    const watcher_log all_seen{{notified("inc-0042", 1, "opened", 1'100),
                                notified("inc-0042", 2, "acknowledged", 2'100),
                                notified("inc-0042", 4, "resolved", 4'100)}};
    const watcher_log last_lost{
        {notified("inc-0042", 1, "opened", 1'200), notified("inc-0042", 2, "acknowledged", 2'200)}};
    const watcher_log nothing_seen{};
    const auto tally = tally_watchers(changes, {all_seen, last_lost, nothing_seen});
    EXPECT_EQ(tally.pairs, 9u);
    EXPECT_EQ(tally.told, 5u);
    EXPECT_EQ(tally.missed, 4u);  // version 4 by watcher 1, everything by watcher 2
    EXPECT_EQ(tally.watchers_missing_any, 2u);
    EXPECT_EQ(tally.most_missed_by_one, 3u);
    EXPECT_EQ(tally.changes_learned_by_all, 0u);
    EXPECT_EQ(tally.all_learned_us.count(), 0u);
    EXPECT_EQ(tally.views_wrong, 2u);
    EXPECT_EQ(tally.watchers_wrong, 2u);
    EXPECT_EQ(tally.first_wrong,
              "watcher 1 shows inc-0042 at version 2 (acknowledged); the last change is version "
              "4 (resolved)");

    EXPECT_EQ(tally_watchers(changes, {nothing_seen}).first_wrong,
              "watcher 0 shows nothing for inc-0042; the last change is version 4 (resolved)");
}

TEST(tally_watchers, a_view_is_wrong_in_state_not_when_ahead_of_the_last_change) {
    const std::vector<watched_change> changes = {change("inc-1", 1, "opened", 1'000),
                                                 change("inc-1", 2, "resolved", 2'000)};
    // The right version with another state (a publisher that sent stale data) is told, but
    // wrong on screen.
    const auto stale_state =
        tally_watchers(changes, {watcher_log{{notified("inc-1", 1, "opened", 1'100),
                                              notified("inc-1", 2, "acknowledged", 2'100)}}});
    EXPECT_EQ(stale_state.told, 2u);
    EXPECT_EQ(stale_state.views_wrong, 1u);
    EXPECT_EQ(stale_state.first_wrong,
              "watcher 0 shows inc-1 at version 2 (acknowledged); the last change is version 2 "
              "(resolved)");
    // A version no accepted change produced (applied though its caller timed out): both
    // changes are superseded, and the view is not behind.
    const auto ahead =
        tally_watchers(changes, {watcher_log{{polled("inc-1", 3, "closed", 5'000)}}});
    EXPECT_EQ(ahead.merged, 2u);
    EXPECT_EQ(ahead.views_wrong, 0u);
    // Behind it is wrong.
    const auto behind =
        tally_watchers(changes, {watcher_log{{polled("inc-1", 1, "opened", 5'000)}}});
    EXPECT_EQ(behind.views_wrong, 1u);
}

TEST(tally_watchers, learned_by_all_counts_only_changes_every_watcher_learned) {
    const std::vector<watched_change> changes = {change("inc-1", 1, "opened", 1'000),
                                                 change("inc-1", 2, "resolved", 2'000)};
    const watcher_log fast{
        {notified("inc-1", 1, "opened", 1'200), notified("inc-1", 2, "resolved", 2'300)}};
    const watcher_log slow{{notified("inc-1", 1, "opened", 1'500)}};  // lost version 2
    const auto tally = tally_watchers(changes, {fast, slow});
    EXPECT_EQ(tally.latency_us.count(), 3u);
    EXPECT_EQ(tally.changes_learned_by_all, 1u);
    EXPECT_EQ(tally.all_learned_us.count(), 1u);
    EXPECT_EQ(tally.all_learned_us.max(), 500u);  // when the slower watcher learned version 1
    EXPECT_EQ(tally.watchers_wrong, 1u);

    // Once the slow watcher re-reads, version 2 is learned by all, at the re-read.
    const watcher_log reread{
        {notified("inc-1", 1, "opened", 1'500), polled("inc-1", 2, "resolved", 9'000)}};
    const auto both = tally_watchers(changes, {fast, reread});
    EXPECT_EQ(both.changes_learned_by_all, 2u);
    EXPECT_EQ(both.all_learned_us.max(), 7'000u);
}

TEST(tally_watchers, duplicates_count_once) {
    // The same notification delivered twice, then a poll reading the same version again.
    const std::vector<watched_change> changes = {change("inc-1", 1, "opened", 1'000),
                                                 change("inc-1", 1, "opened", 1'050)};
    const auto tally = tally_watchers(
        changes,
        {watcher_log{{notified("inc-1", 1, "opened", 1'100), notified("inc-1", 1, "opened", 1'400),
                      polled("inc-1", 1, "opened", 1'900)}}});
    EXPECT_EQ(tally.changes, 1u);
    EXPECT_EQ(tally.pairs, 1u);
    EXPECT_EQ(tally.told, 1u);
    EXPECT_EQ(tally.latency_us.count(), 1u);
    EXPECT_EQ(tally.latency_us.max(), 100u);  // the first change given, the first sighting

    // A repeat of a version does not change what the watcher shows.
    const auto repeat =
        tally_watchers(changes, {watcher_log{{notified("inc-1", 1, "opened", 1'100),
                                              polled("inc-1", 1, "closed", 1'900)}}});
    EXPECT_EQ(repeat.views_wrong, 0u);
}

TEST(tally_watchers, empty_inputs_count_nothing) {
    const auto none = tally_watchers({}, {});
    EXPECT_EQ(none.watchers, 0u);
    EXPECT_EQ(none.changes, 0u);
    EXPECT_EQ(none.pairs, 0u);
    EXPECT_EQ(none.latency_us.count(), 0u);
    EXPECT_EQ(none.views_wrong, 0u);
    EXPECT_EQ(none.first_wrong, "");

    // No watcher: nothing was learned, not even "by all".
    const auto unwatched = tally_watchers(three_changes(), {});
    EXPECT_EQ(unwatched.changes, 3u);
    EXPECT_EQ(unwatched.pairs, 0u);
    EXPECT_EQ(unwatched.changes_learned_by_all, 0u);
    EXPECT_EQ(unwatched.views_wrong, 0u);

    // No change: sightings of unknown entities are not judged.
    const auto idle =
        tally_watchers({}, {watcher_log{{notified("inc-9", 1, "opened", 1'000)}}, watcher_log{}});
    EXPECT_EQ(idle.watchers, 2u);
    EXPECT_EQ(idle.pairs, 0u);
    EXPECT_EQ(idle.told + idle.merged + idle.missed, 0u);
    EXPECT_EQ(idle.views_wrong, 0u);
}

TEST(tally_watchers, sightings_of_entities_without_a_change_are_ignored) {
    const auto tally = tally_watchers(
        three_changes(),
        {watcher_log{{polled("inc-9", 7, "closed", 500), notified("inc-1", 1, "opened", 1'100),
                      notified("inc-1", 2, "acknowledged", 2'100),
                      notified("inc-1", 3, "resolved", 3'100),
                      polled("inc-9", 8, "reopened", 9'000)}}});
    EXPECT_EQ(tally.pairs, 3u);
    EXPECT_EQ(tally.told, 3u);
    EXPECT_EQ(tally.views_wrong, 0u);
}

TEST(tally_watchers, learning_before_the_send_time_clamps_the_latency_at_zero) {
    // The watcher's clock runs behind the load generator's.
    const auto tally = tally_watchers({change("inc-1", 1, "opened", 1'000)},
                                      {watcher_log{{notified("inc-1", 1, "opened", 900)}}});
    EXPECT_EQ(tally.told, 1u);
    EXPECT_EQ(tally.latency_us.count(), 1u);
    EXPECT_EQ(tally.latency_us.max(), 0u);
    EXPECT_EQ(tally.all_learned_us.count(), 1u);
    EXPECT_EQ(tally.all_learned_us.max(), 0u);
}

// The rules applied literally to every pair: the first sighting (in log order) of the entity
// at a version >= the change's decides; told if the version itself was seen at all.
struct literal_counts {
    std::uint64_t told = 0, merged = 0, missed = 0, views_wrong = 0;
    long double latency_sum = 0;
};

literal_counts apply_literally(const std::vector<watched_change>& changes,
                               const std::vector<watcher_log>& watchers) {
    literal_counts counts;
    for (const auto& log : watchers) {
        for (const auto& c : changes) {
            const auto& s = log.sightings;
            const bool told = std::any_of(s.begin(), s.end(), [&](const sighting& x) {
                return x.entity == c.entity && x.version == c.version;
            });
            const auto deciding = std::find_if(s.begin(), s.end(), [&](const sighting& x) {
                return x.entity == c.entity && x.version >= c.version;
            });
            if (told || (deciding != s.end() && deciding->how == sighting_kind::snapshot)) {
                told ? ++counts.told : ++counts.merged;
                counts.latency_sum +=
                    std::max<std::int64_t>(0, deciding->learned_epoch_us - c.sent_epoch_us);
            } else {
                ++counts.missed;
            }
        }
        std::map<std::string, const watched_change*> last;
        for (const auto& c : changes) {
            auto& l = last[c.entity];
            if (l == nullptr || c.version > l->version) l = &c;
        }
        for (const auto& [entity, l] : last) {
            const sighting* view = nullptr;
            for (const auto& x : log.sightings) {
                if (x.entity == entity && (view == nullptr || x.version > view->version)) view = &x;
            }
            if (view == nullptr || view->version < l->version ||
                (view->version == l->version && view->state != l->state)) {
                ++counts.views_wrong;
            }
        }
    }
    return counts;
}

TEST(tally_watchers, a_random_mix_follows_the_rules_and_every_pair_is_counted_once) {
    std::mt19937 random(20261201);
    // 30 incidents with 1 to 5 changes each, sent over a second; versions sometimes skip.
    std::vector<watched_change> changes;
    const std::vector<std::string> states = {"opened", "acknowledged", "mitigated", "resolved"};
    for (int i = 0; i < 30; ++i) {
        std::int64_t version = 0;
        const int count = std::uniform_int_distribution(1, 5)(random);
        for (int k = 0; k < count; ++k) {
            version += std::uniform_int_distribution(1, 2)(random);
            changes.push_back(change("inc-" + std::to_string(i), version,
                                     states[random() % states.size()],
                                     std::uniform_int_distribution(0, 1'000'000)(random)));
        }
    }
    // Each watcher gets most notifications, some late and out of order, and reads a few
    // incidents' current state at random times (its log sorted by the time it learned).
    std::vector<watcher_log> watchers(6);
    for (auto& log : watchers) {
        for (const auto& c : changes) {
            if (random() % 10 < 7) {
                log.sightings.push_back(notified(
                    c.entity, c.version, c.state,
                    c.sent_epoch_us + std::uniform_int_distribution(-100, 300'000)(random)));
            }
            if (random() % 10 == 0) {
                log.sightings.push_back(polled(c.entity,
                                               c.version + static_cast<std::int64_t>(random() % 2),
                                               c.state, c.sent_epoch_us + 200'000));
            }
        }
        std::stable_sort(log.sightings.begin(), log.sightings.end(),
                         [](const sighting& a, const sighting& b) {
                             return a.learned_epoch_us < b.learned_epoch_us;
                         });
    }

    const auto tally = tally_watchers(changes, watchers);
    const auto expected = apply_literally(changes, watchers);
    EXPECT_EQ(tally.pairs, watchers.size() * changes.size());
    EXPECT_EQ(tally.told + tally.merged + tally.missed, tally.pairs);
    EXPECT_EQ(tally.told, expected.told);
    EXPECT_EQ(tally.merged, expected.merged);
    EXPECT_EQ(tally.missed, expected.missed);
    EXPECT_GT(tally.told, 0u);  // the mix exercises every outcome
    EXPECT_GT(tally.merged, 0u);
    EXPECT_GT(tally.missed, 0u);
    EXPECT_EQ(tally.latency_us.count(), tally.told + tally.merged);
    EXPECT_NEAR(tally.latency_us.mean(),
                static_cast<double>(expected.latency_sum) /
                    static_cast<double>(expected.told + expected.merged),
                1e-6);
    EXPECT_EQ(tally.views_wrong, expected.views_wrong);

    // The order of the changes does not matter.
    auto shuffled = changes;
    std::shuffle(shuffled.begin(), shuffled.end(), random);
    const auto again = tally_watchers(shuffled, watchers);
    EXPECT_EQ(again.told, tally.told);
    EXPECT_EQ(again.merged, tally.merged);
    EXPECT_EQ(again.missed, tally.missed);
    EXPECT_EQ(again.changes_learned_by_all, tally.changes_learned_by_all);
    EXPECT_EQ(again.all_learned_us.max(), tally.all_learned_us.max());
    EXPECT_EQ(again.views_wrong, tally.views_wrong);
    EXPECT_EQ(again.first_wrong, tally.first_wrong);
}

}  // namespace
}  // namespace asyncbench

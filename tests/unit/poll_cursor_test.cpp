// What a poller remembers between polls (harness/poll/poll_cursor.hpp), page by page with
// answers known in advance: where a round starts, where the next page starts, which rows are
// fresh and which were read again, and the wait between polls.
#include "harness/poll/poll_cursor.hpp"

#include <gtest/gtest.h>

#include <set>

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

// A row of a table keyed by `id` whose written_at column is `at` (microseconds).
row_values row(const std::string& id, std::int64_t at) {
    return {{"id", id}, {"at", std::to_string(at)}, {"kind", "order"}};
}

std::vector<std::string> ids(const poll_cursor::page& page) {
    std::vector<std::string> result;
    for (const row_values* fresh : page.fresh) result.push_back(fresh->at("id"));
    return result;
}

TEST(poll_cursor, the_first_round_starts_at_zero_whatever_the_window) {
    const poll_cursor cursor("at", "id", 10s);
    EXPECT_EQ(cursor.round_start(), 0);
    EXPECT_EQ(cursor.highest(), 0);
}

TEST(poll_cursor, a_full_page_continues_from_its_last_cursor_value) {
    poll_cursor cursor("at", "id", 0us);
    const std::vector<row_values> rows{row("a", 10), row("b", 20), row("c", 30)};
    const auto page = cursor.take(rows, 0, 3);
    EXPECT_EQ(ids(page), (std::vector<std::string>{"a", "b", "c"}));
    ASSERT_EQ(page.fresh.size(), 3u);
    EXPECT_EQ(page.fresh[0], &rows[0]);  // points into the caller's rows, in page order
    EXPECT_EQ(page.fresh[2], &rows[2]);
    EXPECT_EQ(page.refetched, 0u);
    EXPECT_EQ(page.malformed, 0u);
    // `>=` from 30: the rows sharing 30 that did not fit are on the next page.
    EXPECT_EQ(page.next_since, 30);
    EXPECT_EQ(cursor.highest(), 30);
}

TEST(poll_cursor, a_short_page_ends_the_round) {
    poll_cursor cursor("at", "id", 0us);
    const std::vector<row_values> rows{row("a", 10), row("b", 20)};
    const auto page = cursor.take(rows, 0, 3);
    EXPECT_EQ(page.fresh.size(), 2u);
    EXPECT_FALSE(page.next_since.has_value());
    EXPECT_EQ(cursor.highest(), 20);
    EXPECT_EQ(cursor.round_start(), 20);  // no window: the next round starts at the highest

    const auto empty = cursor.take({}, 20, 3);
    EXPECT_TRUE(empty.fresh.empty());
    EXPECT_FALSE(empty.next_since.has_value());
    EXPECT_EQ(cursor.highest(), 20);
}

TEST(poll_cursor, rows_read_again_are_counted_as_refetched_not_fresh) {
    poll_cursor cursor("at", "id", 0us);
    cursor.take({row("a", 10), row("b", 20)}, 0, 5);
    // The next round re-reads b (>= 20) and finds c: only c is fresh.
    const std::vector<row_values> again{row("b", 20), row("c", 25)};
    const auto page = cursor.take(again, cursor.round_start(), 5);
    EXPECT_EQ(ids(page), (std::vector<std::string>{"c"}));
    EXPECT_EQ(page.refetched, 1u);
    // The same page once more: nothing fresh, both counted again.
    const auto third = cursor.take(again, 20, 5);
    EXPECT_TRUE(third.fresh.empty());
    EXPECT_EQ(third.refetched, 2u);
}

TEST(poll_cursor, a_round_starts_the_window_behind_the_highest_value_never_below_zero) {
    poll_cursor cursor("at", "id", 15us);
    cursor.take({row("a", 10)}, 0, 5);
    EXPECT_EQ(cursor.round_start(), 0);  // 10 - 15 is clamped
    cursor.take({row("b", 40)}, 0, 5);
    EXPECT_EQ(cursor.highest(), 40);
    EXPECT_EQ(cursor.round_start(), 25);
    // A page that reaches back does not lower the highest value.
    cursor.take({row("a", 10)}, 0, 5);
    EXPECT_EQ(cursor.highest(), 40);
    EXPECT_EQ(cursor.round_start(), 25);
}

TEST(poll_cursor, a_full_page_all_at_its_since_value_steps_past_it) {
    poll_cursor cursor("at", "id", 0us);
    // Without the step, `at >= 100 LIMIT 3` would return these three rows forever.
    const std::vector<row_values> rows{row("a", 100), row("b", 100), row("c", 100)};
    const auto page = cursor.take(rows, 100, 3);
    EXPECT_EQ(page.fresh.size(), 3u);
    EXPECT_EQ(page.next_since, 101);
    // Sharing the value is not enough: one row past it and the page continues from there.
    const auto past = cursor.take({row("d", 100), row("e", 100), row("f", 102)}, 100, 3);
    EXPECT_EQ(past.next_since, 102);
}

// A round bounded to one page (`pages: 1`) of rows at one value: the next round starts past
// it, or it would read that page forever.
TEST(poll_cursor, a_round_resumes_past_a_full_page_all_at_one_value) {
    poll_cursor cursor("at", "id", 0us);
    const auto first = cursor.take({row("a", 100), row("b", 100)}, 100, 2);
    EXPECT_EQ(first.next_since, 101);
    EXPECT_EQ(cursor.round_start(), 101);
    cursor.forget(row("b", 100));  // b not finished: the next round reaches it again
    EXPECT_EQ(cursor.round_start(), 100);
    // A window re-reads behind the highest value whatever the step.
    poll_cursor windowed("at", "id", 5us);
    windowed.take({row("a", 10)}, 10, 1);
    EXPECT_EQ(windowed.round_start(), 5);
}

// A queue's positions are unique: pages and rounds start just past the last one taken, so a
// scheduler taking one member a round (the seed's) takes the next one each round, and nothing
// is read twice.
TEST(poll_cursor, unique_values_resume_just_past_the_last_one_taken) {
    poll_cursor cursor("position", "id", 0us, cursor_values::unique);
    const std::vector<row_values> first{{{"id", "a"}, {"position", "1"}}};
    const auto page = cursor.take(first, cursor.round_start(), 1);
    EXPECT_EQ(ids(page), (std::vector<std::string>{"a"}));
    EXPECT_EQ(page.next_since, 2);
    EXPECT_EQ(cursor.round_start(), 2);
    const std::vector<row_values> second{{{"id", "b"}, {"position", "2"}},
                                         {{"id", "c"}, {"position", "3"}}};
    const auto next = cursor.take(second, cursor.round_start(), 5);
    EXPECT_EQ(ids(next), (std::vector<std::string>{"b", "c"}));
    EXPECT_EQ(next.refetched, 0u);
    EXPECT_FALSE(next.next_since.has_value());  // short page
    EXPECT_EQ(cursor.round_start(), 4);
    cursor.forget(second[1]);  // c not finished
    EXPECT_EQ(cursor.round_start(), 3);
}

TEST(poll_cursor, rows_without_a_key_or_an_integer_cursor_are_counted_as_malformed) {
    poll_cursor cursor("at", "id", 0us);
    const std::vector<row_values> rows{
        row("a", 10),
        {{"at", "11"}},                // no key
        {{"id", "b"}},                 // no cursor
        {{"id", "c"}, {"at", "12x"}},  // not all digits
        {{"id", "d"}, {"at", ""}},     // empty
        {{"id", "e"}, {"at", "1.5"}},  // a fraction
        row("f", 20),
    };
    const auto page = cursor.take(rows, 0, 100);
    EXPECT_EQ(ids(page), (std::vector<std::string>{"a", "f"}));
    EXPECT_EQ(page.malformed, 5u);
    EXPECT_EQ(page.refetched, 0u);
    EXPECT_EQ(cursor.highest(), 20);  // a malformed row's value counts for nothing
    // Nor is its key remembered: the same key with a good cursor later is fresh.
    const auto later = cursor.take({row("c", 30)}, 20, 100);
    EXPECT_EQ(ids(later), (std::vector<std::string>{"c"}));
}

TEST(poll_cursor, a_forgotten_row_is_fresh_again_and_the_next_round_reaches_it) {
    poll_cursor cursor("at", "id", 0us);
    const std::vector<row_values> rows{row("a", 10), row("b", 20), row("c", 30)};
    cursor.take(rows, 0, 5);
    EXPECT_EQ(cursor.round_start(), 30);
    // b was not finished: the poller forgets it, and c after it, and ends the round.
    cursor.forget(rows[1]);
    cursor.forget(rows[2]);
    EXPECT_EQ(cursor.round_start(), 20);
    const auto next = cursor.take({row("b", 20), row("c", 30)}, cursor.round_start(), 5);
    EXPECT_EQ(ids(next), (std::vector<std::string>{"b", "c"}));
    EXPECT_EQ(next.refetched, 0u);
    EXPECT_EQ(cursor.highest(), 30);
}

// The contract's other half: take() marks every fresh row of the page seen, so a row the
// poller neither finished nor forgot is refetched, not fresh, when the next round reaches it.
TEST(poll_cursor, a_fresh_row_left_unfinished_and_not_forgotten_is_never_fresh_again) {
    poll_cursor cursor("at", "id", 0us);
    const std::vector<row_values> rows{row("a", 10), row("b", 20), row("c", 30)};
    cursor.take(rows, 0, 5);
    cursor.forget(rows[1]);  // b only; c was not reached either
    const auto next = cursor.take({row("b", 20), row("c", 30)}, cursor.round_start(), 5);
    EXPECT_EQ(ids(next), (std::vector<std::string>{"b"}));
    EXPECT_EQ(next.refetched, 1u);
}

TEST(poll_cursor, forgetting_pulls_the_round_start_back_past_the_window) {
    poll_cursor cursor("at", "id", 5us);
    cursor.take({row("a", 10), row("b", 50)}, 0, 5);
    EXPECT_EQ(cursor.round_start(), 45);
    cursor.forget(row("a", 10));
    EXPECT_EQ(cursor.highest(), 10);
    EXPECT_EQ(cursor.round_start(), 5);  // the window still applies behind it
    // Forgetting a row further on never moves the start forward.
    cursor.forget(row("b", 50));
    EXPECT_EQ(cursor.highest(), 10);
}

TEST(next_poll_delay, draws_stay_within_the_jitter_and_differ) {
    std::mt19937_64 rng(20240601);
    const auto every = std::chrono::microseconds(1'000'000);
    std::set<std::int64_t> seen;
    std::int64_t low = every.count();
    std::int64_t high = every.count();
    for (int i = 0; i < 10'000; ++i) {
        const auto delay = next_poll_delay(every, 0.25, rng).count();
        ASSERT_GE(delay, 750'000) << "draw " << i;
        ASSERT_LE(delay, 1'250'000) << "draw " << i;
        seen.insert(delay);
        low = std::min(low, delay);
        high = std::max(high, delay);
    }
    EXPECT_GT(seen.size(), 1000u);
    // Both sides of `every` are reached, so pollers started together drift apart both ways.
    EXPECT_LT(low, 800'000);
    EXPECT_GT(high, 1'200'000);
}

TEST(next_poll_delay, no_jitter_waits_exactly_every) {
    std::mt19937_64 rng(7);
    for (const auto every :
         {std::chrono::microseconds(10'000), std::chrono::microseconds(5'000'000)}) {
        for (int i = 0; i < 100; ++i) EXPECT_EQ(next_poll_delay(every, 0.0, rng), every);
    }
}

}  // namespace
}  // namespace asyncbench

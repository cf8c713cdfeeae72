#include "harness/watch/watcher_group.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <random>
#include <stdexcept>
#include <unordered_map>

#include "harness/core/clock.hpp"
#include "harness/core/thread_name.hpp"
#include "harness/poll/poll_cursor.hpp"
#include "harness/poll/poll_source.hpp"
#include "harness/redis/redis_client.hpp"
#include "harness/redis/redis_subscriber.hpp"
#include "harness/workflow/request_fields.hpp"

namespace asyncbench {
namespace {

using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto reconnect_pause = 200ms;           // between attempts to reach Redis again
constexpr auto connect_timeout = 1000ms;          // one attempt
constexpr auto message_wait = 100ms;              // how often a subscriber looks up from its socket
constexpr std::uint32_t watcher_seed = 0x77a7c4;  // the poll schedules repeat run to run

std::optional<std::int64_t> to_integer(const std::string& text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [at, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || at != end) return std::nullopt;
    return value;
}

}  // namespace

struct watcher_group::watcher {
    int index = 0;
    std::thread thread;
    std::atomic<bool> dropped{false};
    // Owned by the watcher's thread until it ends.
    watcher_log log;
    std::unordered_map<std::string, std::int64_t> view;  // entity -> highest version seen
};

watcher_group::watcher_group(watch_environment environment)
    : environment_(std::move(environment)),
      spec_(environment_.scenario.watchers),
      plan_(spec_.plan(environment_.which)) {
    if (spec_.count <= 0) throw std::logic_error("watcher_group: the scenario has no watchers");
    for (int i = 0; i < spec_.count; ++i) {
        auto w = std::make_unique<watcher>();
        w->index = i;
        watchers_.push_back(std::move(w));
    }
}

watcher_group::~watcher_group() { stop(); }

int watcher_group::start(std::chrono::milliseconds timeout) {
    started_ = steady::now();
    for (auto& w : watchers_) {
        watcher& self = *w;
        self.thread = std::thread([this, &self] {
            name_this_thread(fmt::format("{}-{}", watcher_thread_prefix, self.index));
            if (plan_.method == watch_method::poll) {
                run_poll(self);
            } else {
                run_subscribe(self);
            }
        });
    }
    const auto deadline = steady::now() + timeout;
    while (ready_.load() < spec_.count && steady::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    return ready_.load();
}

int watcher_group::disconnect(double share) {
    const int n = std::clamp(static_cast<int>(std::ceil(share * spec_.count)), 0, spec_.count);
    {
        const std::lock_guard lock(mutex_);
        for (int i = 0; i < n; ++i) watchers_[i]->dropped = true;
    }
    wake_.notify_all();
    return n;
}

void watcher_group::reconnect() {
    {
        const std::lock_guard lock(mutex_);
        for (auto& w : watchers_) w->dropped = false;
    }
    wake_.notify_all();
}

void watcher_group::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : watchers_) {
        if (w->thread.joinable()) w->thread.join();
    }
    if (watched_ns_.load() < 0 && started_ != steady::time_point{}) {
        watched_ns_ =
            std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - started_).count();
    }
}

int watcher_group::connected() const { return connected_.load(); }

watch_counters watcher_group::counters() const {
    watch_counters c;
    c.polls = counters_.polls.load();
    c.polls_failed = counters_.polls_failed.load();
    c.rows = counters_.rows.load();
    c.notifications = counters_.notifications.load();
    c.rereads = counters_.rereads.load();
    c.reconnects = counters_.reconnects.load();
    c.connect_failures = counters_.connect_failures.load();
    c.malformed = counters_.malformed.load();
    const auto ns = watched_ns_.load();
    c.seconds = ns >= 0 ? static_cast<double>(ns) / 1e9
                        : std::chrono::duration<double>(steady::now() - started_).count();
    return c;
}

std::vector<watcher_log> watcher_group::logs() const {
    std::vector<watcher_log> logs;
    logs.reserve(watchers_.size());
    for (const auto& w : watchers_) logs.push_back(w->log);
    return logs;
}

void watcher_group::learn(watcher& self, const std::string& entity, std::int64_t version,
                          const std::string& state, sighting_kind how) {
    auto [seen, fresh] = self.view.try_emplace(entity, version);
    if (!fresh) {
        if (seen->second >= version) return;
        seen->second = version;
    }
    self.log.sightings.push_back(sighting{entity, version, state, epoch_us_now(), how});
}

void watcher_group::learn_from_json(watcher& self, const std::string& json, sighting_kind how) {
    std::string error;
    const auto fields = request_fields::parse(json, error);
    auto entity = fields ? fields->text(spec_.entity) : std::nullopt;
    auto version = fields ? fields->integer(spec_.version) : std::nullopt;
    if (!entity || !version) {
        ++counters_.malformed;
        return;
    }
    learn(self, *entity, *version, fields->text(spec_.state).value_or(""), how);
}

bool watcher_group::wait_until(watcher& self, steady::time_point until) {
    std::unique_lock lock(mutex_);
    const bool was_dropped = self.dropped.load();
    wake_.wait_until(lock, until,
                     [&] { return stopping_.load() || self.dropped.load() != was_dropped; });
    return !stopping_.load();
}

bool watcher_group::wait_while_dropped(watcher& self) {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [&] { return stopping_.load() || !self.dropped.load(); });
    return !stopping_.load();
}

// Rows are the table's current rows: the entity is the key column, version and state the
// columns named as the request's fields (a db step fills columns from those fields).
void watcher_group::run_poll(watcher& self) {
    const table_spec& table = *environment_.scenario.table(plan_.poll.table);
    auto source = make_api_source(table, plan_.poll.cursor, environment_.api);
    std::mt19937_64 rng(watcher_seed + static_cast<std::uint32_t>(self.index));
    const auto every = std::chrono::duration_cast<std::chrono::microseconds>(plan_.poll.every);
    const std::int64_t reread_us =
        std::chrono::duration_cast<std::chrono::microseconds>(plan_.poll.reread).count();
    std::int64_t highest = 0;  // the newest cursor value seen
    bool first = true;
    ++connected_;
    // The first poll at once (a dashboard opened shows what is there), the next one a random
    // part of a period later, so the watchers do not poll in step.
    auto next = steady::now();
    while (!stopping_.load()) {
        if (self.dropped.load()) {
            --connected_;
            if (!wait_while_dropped(self)) return;
            ++connected_;
            ++counters_.reconnects;
            next = steady::now();  // a dashboard back online looks at once
        }
        if (!wait_until(self, next)) return;
        if (self.dropped.load()) continue;
        std::int64_t since = std::max<std::int64_t>(0, highest - reread_us);
        while (!stopping_.load()) {
            fetched_page page;
            try {
                page = source->fetch(since, plan_.poll.limit);
                ++counters_.polls;
            } catch (const poll_error& e) {
                ++counters_.polls;
                ++counters_.polls_failed;
                spdlog::debug("watcher {}: {}", self.index, e.what());
                break;
            }
            counters_.rows += page.rows.size();
            std::int64_t page_highest = since;
            for (const auto& row : page.rows) {
                const auto key = row.find(table.key);
                const auto version = row.find(spec_.version);
                const auto cursor = row.find(plan_.poll.cursor);
                std::optional<std::int64_t> number =
                    version == row.end() ? std::nullopt : to_integer(version->second);
                std::optional<std::int64_t> at =
                    cursor == row.end() ? std::nullopt : to_integer(cursor->second);
                if (key == row.end() || !number || !at) {
                    ++counters_.malformed;
                    continue;
                }
                page_highest = std::max(page_highest, *at);
                const auto state = row.find(spec_.state);
                learn(self, key->second, *number, state == row.end() ? "" : state->second,
                      sighting_kind::snapshot);
            }
            highest = std::max(highest, page_highest);
            if (static_cast<int>(page.rows.size()) < plan_.poll.limit) break;
            // A full page: the next starts at its last value (>=, so rows sharing it are not
            // skipped), or past it when the whole page held one value.
            since = page_highest > since ? page_highest : since + 1;
        }
        if (first) {
            first = false;
            ++ready_;
            next = steady::now() + std::chrono::duration_cast<steady::duration>(
                                       every * std::uniform_real_distribution<>(0.0, 1.0)(rng));
        } else {
            next = steady::now() + next_poll_delay(every, plan_.poll.jitter, rng);
        }
    }
}

void watcher_group::run_subscribe(watcher& self) {
    const std::string channel = environment_.redis.prefix + plan_.channel;
    const std::string state_key = environment_.redis.prefix + plan_.state;
    std::optional<redis_subscriber> subscription;
    bool ever_connected = false;
    auto drop = [&] {
        if (subscription) {
            subscription.reset();
            --connected_;
        }
    };
    while (!stopping_.load()) {
        if (self.dropped.load()) {
            drop();
            if (!wait_while_dropped(self)) return;
            continue;
        }
        if (!subscription) {
            try {
                subscription =
                    redis_subscriber::subscribe(environment_.redis.url, channel, connect_timeout);
            } catch (const redis_error& e) {
                ++counters_.connect_failures;
                spdlog::debug("watcher {}: {}", self.index, e.what());
                wait_until(self, steady::now() + reconnect_pause);
                continue;
            }
            ++connected_;
            if (ever_connected) ++counters_.reconnects;
            if (!ever_connected) ++ready_;
            ever_connected = true;
            if (!plan_.state.empty()) {
                // Subscribed first, so a change published during the read is not lost.
                try {
                    auto client = redis_client::connect(environment_.redis.url, connect_timeout);
                    const auto reply = client.command({"HGETALL", state_key});
                    ++counters_.rereads;
                    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
                        learn_from_json(self, reply.elements[i + 1].str, sighting_kind::snapshot);
                    }
                } catch (const redis_error& e) {
                    spdlog::debug("watcher {}: re-read failed: {}", self.index, e.what());
                }
            }
        }
        try {
            if (auto message = subscription->next(message_wait)) {
                ++counters_.notifications;
                learn_from_json(self, *message, sighting_kind::notification);
            }
        } catch (const redis_error& e) {
            spdlog::debug("watcher {}: subscription lost: {}", self.index, e.what());
            drop();
        }
    }
    drop();
}

}  // namespace asyncbench

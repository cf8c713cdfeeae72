#include "harness/poll/poll_group.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <random>
#include <stdexcept>

#include "harness/core/clock.hpp"
#include "harness/core/thread_name.hpp"
#include "harness/kafka/consumer_group.hpp"
#include "harness/poll/poll_cursor.hpp"
#include "harness/poll/poll_source.hpp"
#include "harness/result/pipeline_metric_names.hpp"
#include "harness/workflow/stage_graph.hpp"

namespace asyncbench {
namespace {

using steady = std::chrono::steady_clock;

std::int64_t steady_second() {
    return std::chrono::duration_cast<std::chrono::seconds>(steady::now().time_since_epoch())
        .count();
}

stage_outcome outcome_of(const stage_run& run) {
    if (run.ok()) return stage_outcome::completed;
    return run.rejected() ? stage_outcome::rejected : stage_outcome::dead_lettered;
}

// When the client meant to send the request that wrote the row: every stage record of the id
// carries it (the inline stages' are there before the row can be read), and freshness is
// measured from there, as the completion latency is. Bookkeeping of the harness, not load on
// the source: it reads the store's own outcome table. Now when nothing is recorded (a row the
// workflow did not write).
std::int64_t intended_time(workflow_executor& executor, const std::string& business_id) {
    for (const auto& record : executor.stages(business_id)) return record.intended_epoch_us;
    return epoch_us_now();
}

}  // namespace

poll_group::poll_group(const poll_environment& environment, const stage_spec& stage,
                       std::string completion_topic)
    : environment_(environment),
      stage_(stage),
      completion_topic_(std::move(completion_topic)),
      every_(std::chrono::duration_cast<std::chrono::microseconds>(stage.poll->every)) {}

poll_group::~poll_group() { stop(); }

void poll_group::start() {
    for (int i = 0; i < stage_.poll->instances; ++i) threads_.emplace_back([this, i] { run(i); });
}

void poll_group::stop() {
    {
        std::lock_guard lock(mutex_);  // so a sleeper cannot miss it
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
}

void poll_group::set_paused(bool paused) {
    {
        std::lock_guard lock(mutex_);  // so a sleeper cannot miss the change
        paused_ = paused;
    }
    wake_.notify_all();
}

poll_counters poll_group::counters() const {
    std::lock_guard lock(mutex_);
    poll_counters result = counters_;
    for (const auto& [second, requests] : per_second_) {
        result.peak_requests_per_s = std::max(result.peak_requests_per_s, requests);
    }
    return result;
}

bool poll_group::wait_until(steady::time_point until) {
    std::unique_lock lock(mutex_);
    // Asleep while paused whatever the time; awake at once on a stop or a resume.
    const bool was_paused = paused_.load();
    wake_.wait_until(lock, until, [&] { return stopping_.load() || paused_.load() != was_paused; });
    wake_.wait(lock, [&] { return stopping_.load() || !paused_.load(); });
    return !stopping_.load();
}

void poll_group::count_request(bool failed, std::size_t rows, std::size_t bytes) {
    std::lock_guard lock(mutex_);
    ++counters_.requests;
    if (failed) ++counters_.failed_requests;
    counters_.rows += rows;
    counters_.bytes += bytes;
    ++per_second_[steady_second()];
}

bool poll_group::finish_row(workflow_executor& executor, const poll_source& source,
                            const row_values& row, const std::string& key) {
    const auto& scenario = environment_.scenario;
    work_item item{key, source.kind(), {}, intended_time(executor, key)};
    try {
        item.payload = source.payload(row);
    } catch (const std::invalid_argument& e) {
        // The source broke its contract: no attempt can succeed, so the row is dead-lettered.
        if (environment_.errors != nullptr) {
            environment_.errors->on_step_failed(stage_.name, "(poll)", e.what());
        }
        return executor.record_outcome(stage_, item, stage_outcome::dead_lettered, 0);
    }
    const auto run =
        executor.run_stage(stage_, item, scenario.async.max_attempts,
                           scenario.async.backoff_initial, scenario.async.backoff_max, stopping_);
    const bool interrupted = !run.ok() && !run.rejected() && stopping_.load();
    if (interrupted) return false;
    if (run.ok() && !completion_topic_.empty()) {
        // Handed on before it counts as finished: a failed publish reads the row again, and
        // its steps, already applied, are skipped (at least once for the next stage).
        auto report =
            publish_completion(*environment_.producer, completion_topic_, stage_.name, item);
        if (!report) return false;
        environment_.tracker->on_acked(key, {report->partition, report->offset}, report->bytes);
    }
    return executor.record_outcome(stage_, item, outcome_of(run), run.attempts);
}

void poll_group::run(int instance) {
    name_this_thread(fmt::format("{}-{}", poller_thread_prefix, stage_.name));
    const poll_spec& poll = *stage_.poll;
    const auto& scenario = environment_.scenario;
    workflow_executor executor(scenario, environment_.db, environment_.systems, environment_.errors,
                               environment_.redis);
    auto source = make_poll_source(scenario, poll, environment_.api, executor, environment_.redis);
    poll_cursor cursor(source->cursor_column(), source->key_column(),
                       std::chrono::duration_cast<std::chrono::microseconds>(poll.reread),
                       source->cursor_kind());
    std::mt19937_64 rng(std::random_device{}() + static_cast<unsigned>(instance));
    const auto mine = [&](const std::string& key) {
        return poll.instances == 1 ||
               std::hash<std::string>{}(key) % static_cast<std::size_t>(poll.instances) ==
                   static_cast<std::size_t>(instance);
    };
    // The first poll waits a random share of a period, so instances started together spread.
    auto next =
        steady::now() + std::chrono::microseconds(
                            std::uniform_int_distribution<std::int64_t>(0, every_.count())(rng));
    while (wait_until(next)) {
        next = steady::now() + next_poll_delay(every_, poll.jitter, rng);
        bool found = false;
        std::optional<std::int64_t> since = cursor.round_start();
        for (int pages = 0; since && !stopping_.load(); ++pages) {
            if (poll.pages > 0 && pages == poll.pages) break;  // the round's batch is taken
            fetched_page fetched;
            try {
                fetched = source->fetch(*since, poll.limit);
            } catch (const poll_error& e) {
                count_request(true, 0, 0);
                spdlog::debug("[poll {}] {}", stage_.name, e.what());
                break;  // the source is down: try again next period
            }
            count_request(false, fetched.rows.size(), fetched.bytes);
            auto page = cursor.take(fetched.rows, *since, poll.limit);
            {
                std::lock_guard lock(mutex_);
                counters_.refetched += page.refetched;
            }
            since = page.next_since;
            for (std::size_t i = 0; i < page.fresh.size(); ++i) {
                const row_values& row = *page.fresh[i];
                const auto& key = row.at(source->key_column());
                if (!mine(key)) continue;
                if (paused_.load() || !finish_row(executor, *source, row, key)) {
                    // Paused (down from now on), stopped, or the outcome not recorded: this row
                    // and the rest of the page are read again next round, from this row on.
                    for (std::size_t j = i; j < page.fresh.size(); ++j)
                        cursor.forget(*page.fresh[j]);
                    since.reset();
                    break;
                }
                found = true;
                ++finished_;
            }
        }
        std::lock_guard lock(mutex_);
        ++counters_.rounds;
        if (!found) ++counters_.empty_rounds;
    }
}

std::vector<std::unique_ptr<poll_group>> make_poll_groups(const poll_environment& environment,
                                                          mode which) {
    std::vector<std::unique_ptr<poll_group>> groups;
    for (auto i : stages_placed(environment.scenario, which, placement::poll)) {
        std::string topic;
        if (publishes_completion(environment.scenario, which, i)) {
            if (environment.producer == nullptr || environment.tracker == nullptr) {
                throw std::logic_error(
                    "a Kafka stage follows a poll stage in a mode without Kafka");
            }
            topic = completion_topic(environment.scenario, i);
        }
        groups.push_back(std::make_unique<poll_group>(environment, environment.scenario.workflow[i],
                                                      std::move(topic)));
    }
    return groups;
}

std::int64_t poll_backlog(const std::vector<std::unique_ptr<poll_group>>& groups,
                          std::uint64_t handed_on) {
    std::int64_t backlog = 0;
    for (const auto& group : groups) {
        const auto done = group->finished();
        if (handed_on > done)
            backlog = std::max(backlog, static_cast<std::int64_t>(handed_on - done));
    }
    return backlog;
}

bool set_poll_stage_paused(const std::vector<std::unique_ptr<poll_group>>& groups,
                           const std::string& stage, bool paused) {
    for (const auto& group : groups) {
        if (group->stage_name() != stage) continue;
        group->set_paused(paused);
        return true;
    }
    return false;
}

std::vector<scenario_metric> poll_metrics(const std::vector<std::unique_ptr<poll_group>>& groups) {
    if (groups.empty()) return {};
    poll_counters total;
    for (const auto& group : groups) {
        const auto c = group->counters();
        total.rounds += c.rounds;
        total.empty_rounds += c.empty_rounds;
        total.requests += c.requests;
        total.failed_requests += c.failed_requests;
        total.rows += c.rows;
        total.bytes += c.bytes;
        total.refetched += c.refetched;
        total.peak_requests_per_s += c.peak_requests_per_s;
    }
    const std::array<std::uint64_t, poll_metric_names.size()> values{
        total.rounds, total.empty_rounds, total.requests,  total.failed_requests,
        total.rows,   total.bytes,        total.refetched, total.peak_requests_per_s};
    std::vector<scenario_metric> metrics;
    for (std::size_t i = 0; i < values.size(); ++i) {
        metrics.push_back({std::string(poll_metric_names[i]), static_cast<double>(values[i])});
    }
    return metrics;
}

}  // namespace asyncbench

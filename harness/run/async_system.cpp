#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <thread>

#include "harness/api/front_door.hpp"
#include "harness/kafka/consumer_group.hpp"
#include "harness/poll/poll_group.hpp"
#include "harness/result/pipeline_metric_names.hpp"
#include "harness/run/kafka_evidence.hpp"
#include "harness/run/system_under_test.hpp"
#include "harness/workflow/stage_graph.hpp"

namespace asyncbench {
namespace {

// The stages the live view follows: those in Kafka (inline ones finish before the answer).
std::vector<std::string> kafka_stage_names(const scenario_config& scenario) {
    std::vector<std::string> names;
    for (auto i : stages_placed(scenario, mode::async, placement::kafka)) {
        names.push_back(scenario.workflow[i].name);
    }
    return names;
}

class async_system final : public system_under_test {
  public:
    async_system(const system_context& context, kafka_broker& broker)
        : scenario_(context.scenario),
          broker_(broker),
          run_id_(context.run_id),
          tracker_(kafka_stage_names(context.scenario)),
          stage_producer_("stage producer", broker.bootstrap_servers(),
                          context.scenario.async.producer) {
        for (const auto& topic : pipeline_topics(scenario_, mode::async)) {
            broker.create_topic(topic, scenario_.async.partitions);
        }
        broker.create_topic(scenario_.async.topic + ".dlt", 1);
        std::vector<int> all_members(static_cast<std::size_t>(scenario_.async.consumers_per_group));
        std::iota(all_members.begin(), all_members.end(), 0);
        const bool static_assignment = !broker.supports_consumer_groups();
        groups_ =
            make_stage_groups(group_environment{scenario_, mode::async, context.db, context.systems,
                                                context.redis, broker.bootstrap_servers(),
                                                stage_producer_, tracker_, static_assignment},
                              context.run_id, all_members);
        if (!static_assignment) {
            for (auto& group : groups_) group->start_at_end_of_topic();
        }
        if (scenario_.async.worker_processes == 0) {
            for (auto& group : groups_) group->start();
        } else {
            start_worker_processes(context, static_assignment);
        }
        api_ =
            std::make_unique<front_door>(scenario_, context.plugin, context.db, context.systems,
                                         front_door_options{mode::async, broker.bootstrap_servers(),
                                                            &tracker_, context.redis, 0});
        api_->start();
        pollers_ =
            make_poll_groups(poll_environment{scenario_, context.db, context.systems, context.redis,
                                              network_endpoint{"127.0.0.1", api_->port()},
                                              &tracker_, &stage_producer_, &tracker_},
                             mode::async);
        for (auto& group : pollers_) group->start();
    }
    ~async_system() override { stop(); }

    worker_process* worker(int index) override {
        if (index < 0 || index >= static_cast<int>(workers_.size())) return nullptr;
        return workers_[static_cast<std::size_t>(index)].get();
    }

    std::uint16_t port() const override { return api_->port(); }

    // Every consumer joins its group and the assignment settles before load starts, so the
    // measured seconds are not spent in a rebalance.
    void wait_ready(std::chrono::seconds timeout) override {
        const int groups = static_cast<int>(groups_.size());
        const int partitions = scenario_.async.partitions * groups;
        // Kafka clients of every group: one per worker (per_partition), or one per process.
        const int processes = std::max(scenario_.async.worker_processes, 1);
        const int members =
            scenario_.async.model == consumer_model::key_ordered
                ? processes * groups
                : clients_per_group(scenario_,
                                    static_cast<std::size_t>(scenario_.async.consumers_per_group)) *
                      groups;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (auto& worker : workers_) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            std::string why;
            if (!worker->wait_ready(std::max(left, std::chrono::milliseconds(0)), why)) {
                throw std::runtime_error(why);
            }
        }
        while (tracker_.assigned_partitions() < partitions ||
               tracker_.assigned_members() < members) {
            if (std::chrono::steady_clock::now() > deadline) {
                throw std::runtime_error(fmt::format(
                    "consumer groups did not settle within {} s ({} of {} partitions and {} of "
                    "{} consumers assigned) on Kafka at {}",
                    timeout.count(), tracker_.assigned_partitions(), partitions,
                    tracker_.assigned_members(), members, broker_.bootstrap_servers()));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    // Consumer lag, plus requests still running their inline stages in the API, plus rows
    // the pollers (of stages placed poll) have still to finish.
    std::int64_t backlog() const override {
        return tracker_.backlog() +
               (api_->runs_inline() ? api_->busy_threads() + api_->queued() : 0) +
               poll_backlog(pollers_, api_->handed_on());
    }
    std::string status() const override {
        auto text = fmt::format("lag {}, partitions assigned {}/{}", tracker_.backlog(),
                                tracker_.assigned_partitions(),
                                scenario_.async.partitions * static_cast<int>(groups_.size()));
        if (api_->runs_inline()) {
            text += fmt::format(", API threads {}/{} busy, queue {}", api_->busy_threads(),
                                api_->threads(), api_->queued());
        }
        return text;
    }

    void stop() override {
        if (stopped_) return;
        stopped_ = true;
        for (auto& group : pollers_) group->stop();  // first: they may read through the API
        undelivered_ = api_->stop();
        for (auto& group : groups_) group->stop();
        for (auto& worker : workers_) worker->request_stop();  // all at once, then wait
        for (auto& worker : workers_) worker->stop();
        stage_producer_.stop();
    }

    std::vector<std::string> warnings() const override {
        std::vector<std::string> notes = front_door_notes(*api_);
        if (broker_.kind() == "embedded-mock") {
            for (auto& note : tracker_.retention_warnings(embedded_retention_bytes,
                                                          embedded_retention_message_sets)) {
                notes.push_back(std::move(note));
            }
        }
        if (broker_.kind() == "local") {
            notes.push_back(fmt::format(
                "the Kafka brokers ran on this machine, sharing its {} cores with the harness, "
                "its mock systems, consumers and database: compare the modes within this run; "
                "for absolute latencies run the brokers on their own hosts (--kafka HOST:PORT)",
                std::thread::hardware_concurrency()));
        }
        if (!workers_.empty()) {
            notes.push_back(fmt::format(
                "consumers ran in {} `asyncbench worker` processes (member m of each group in "
                "process m mod {}); their logs are worker-<n>.log in the output folder",
                workers_.size(), workers_.size()));
        }
        if (!broker_.supports_consumer_groups()) {
            notes.push_back(
                "consumers were given their partitions statically (partition mod consumer "
                "count) and committed offsets without joining a group, because the embedded "
                "mock cluster's group coordinator is unreliable: no rebalancing was exercised");
        }
        if (scenario_.async.model == consumer_model::key_ordered) {
            notes.push_back(fmt::format(
                "consumers: key_ordered, {} workers per stage fed by one Kafka client per group "
                "and process; one business id at a time, different ids in parallel",
                scenario_.async.consumers_per_group));
        } else {
            notes.push_back(fmt::format(
                "consumers: per_partition, {} Kafka clients per stage, each with its partitions "
                "in offset order",
                scenario_.async.consumers_per_group));
        }
        if (tracker_.order_violations() > 0) {
            notes.push_back(
                fmt::format("{} messages finished after a later message with the "
                            "same business id (per-key order broken)",
                            tracker_.order_violations()));
        }
        if (scenario_.async.model == consumer_model::per_partition &&
            scenario_.async.consumers_per_group > scenario_.async.partitions) {
            notes.push_back(fmt::format(
                "{} consumers per group but only {} partitions: {} consumers per group had "
                "nothing to do",
                scenario_.async.consumers_per_group, scenario_.async.partitions,
                scenario_.async.consumers_per_group - scenario_.async.partitions));
        }
        if (tracker_.backpressure() > 0) {
            notes.push_back(
                fmt::format("{} requests answered 503 by the async API because the "
                            "producer could not deliver them (backpressure)",
                            tracker_.backpressure()));
        }
        if (tracker_.unknown_deliveries() > 0) {
            notes.push_back(
                fmt::format("{} deliveries ended as 'possibly persisted': answered "
                            "503, left to reconciliation",
                            tracker_.unknown_deliveries()));
        }
        if (undelivered_ > 0) {
            notes.push_back(
                fmt::format("{} messages were still undelivered at shutdown", undelivered_));
        }
        return notes;
    }

    // A worker that died on its own (not by a fault, which restarts it) is only seen here: its
    // status when stop() reaped it is not the clean exit SIGTERM leads to.
    std::vector<std::string> harness_failures() const override {
        std::vector<std::string> failures;
        for (const auto& worker : workers_) {
            if (worker->last_exit() != "exit 0") {
                failures.push_back(fmt::format(
                    "worker process {} ended with '{}' instead of stopping cleanly; its "
                    "partitions went unconsumed from then on (see worker-{}.log)",
                    worker->index(), worker->last_exit(), worker->index()));
            }
        }
        return failures;
    }

    std::vector<step_error_count> step_errors(std::size_t limit) const override {
        return tracker_.step_errors().most_frequent(limit);
    }

    std::optional<delivery_evidence> evidence() const override {
        auto kafka = query_kafka();
        if (!kafka) return std::nullopt;
        return delivery_evidence{tracker_.positions(), std::move(*kafka)};
    }

    std::vector<pipeline_tracker::unfinished_message> unfinished() const override {
        return tracker_.unfinished();
    }

    bool only_lost_work_left() const override {
        auto kafka = query_kafka();  // before the live view: an outcome recorded meanwhile shows
        if (!kafka) return false;
        // Work may still be in the topic for requests the client saw no 2xx for (a delivery
        // that was possibly persisted): wait until every group has read to the end.
        if (!topic_consumed(*kafka)) return false;
        const auto unfinished = tracker_.unfinished();
        if (unfinished.empty()) return false;
        return std::all_of(unfinished.begin(), unfinished.end(), [&](const auto& message) {
            return classify_unfinished(message.position, message.stages, *kafka).has_value();
        });
    }

    std::vector<scenario_metric> pipeline_metrics() const override {
        auto metrics = poll_metrics(pollers_);
        metrics.insert(metrics.begin(), {std::string(key_order_violations_metric),
                                         static_cast<double>(tracker_.order_violations())});
        return metrics;
    }

    bool set_stage_paused(const std::string& stage, bool paused) override {
        if (set_poll_stage_paused(pollers_, stage, paused)) return true;
        if (scenario_.async.worker_processes > 0) return false;  // worker_pause does that
        for (auto& group : groups_) {
            if (group->stage_name() != stage) continue;
            group->set_paused(paused);
            return true;
        }
        return false;
    }

    std::map<std::string, std::string> producer_settings() const override {
        return api_->producer_settings();
    }
    std::map<std::string, std::string> consumer_settings() const override {
        return groups_.empty() ? std::map<std::string, std::string>{} : groups_[0]->settings();
    }

    // workers_ does not change after construction; each pid() is read under its own lock.
    std::vector<std::pair<std::string, int>> processes() const override {
        std::vector<std::pair<std::string, int>> out;
        for (const auto& worker : workers_) {
            out.emplace_back(fmt::format("worker {}", worker->index()), worker->pid());
        }
        return out;
    }

  private:
    // The topic's log start offsets, and each stage group's committed offsets.
    std::optional<kafka_evidence> query_kafka() const {
        try {
            return query_kafka_evidence(scenario_, broker_.bootstrap_servers(), run_id_,
                                        std::chrono::seconds(10));
        } catch (const std::exception& e) {
            if (!kafka_silent_.exchange(true)) {
                spdlog::warn(
                    "loss check: Kafka did not answer ({}); unfinished requests count "
                    "as pending",
                    e.what());
            }
            return std::nullopt;
        }
    }

    // Workers get the scenario file with the effective client settings (command-line -X
    // included) and attach to this mode's store; group offsets were anchored above.
    void start_worker_processes(const system_context& context, bool static_assignment) {
        const int processes = scenario_.async.worker_processes;
        for (int i = 0; i < processes; ++i) {
            std::vector<std::string> args = {"worker",
                                             scenario_.source_path,
                                             "--bootstrap-servers",
                                             broker_.bootstrap_servers(),
                                             "--run-id",
                                             context.run_id,
                                             "--topic",
                                             scenario_.async.topic,
                                             "--process",
                                             std::to_string(i),
                                             "--processes",
                                             std::to_string(processes)};
            if (context.db_address.type == database_choice::kind::sqlite) {
                args.insert(args.end(), {"--sqlite", context.db_address.location});
            } else {
                args.insert(args.end(), {"--postgres", context.db_address.location, "--schema",
                                         context.db_address.schema});
            }
            for (const auto& [name, endpoint] : context.systems) {
                args.insert(args.end(), {"--system", fmt::format("{}={}:{}", name, endpoint.host,
                                                                 endpoint.port)});
            }
            if (!context.redis.url.empty()) {
                args.insert(args.end(),
                            {"--redis", context.redis.url, "--redis-prefix", context.redis.prefix});
            }
            for (const auto& [key, value] : scenario_.async.consumer) {
                args.insert(args.end(), {"-X", fmt::format("consumer:{}={}", key, value)});
            }
            for (const auto& [key, value] : scenario_.async.producer) {
                args.insert(args.end(), {"-X", fmt::format("producer:{}={}", key, value)});
            }
            if (static_assignment) args.push_back("--static-assignment");
            args.push_back("--exit-with-stdin");
            if (spdlog::get_level() <= spdlog::level::debug) args.insert(args.begin(), "-v");
            workers_.push_back(std::make_unique<worker_process>(
                i, std::move(args), context.out_dir / fmt::format("worker-{}.log", i), tracker_));
            workers_.back()->start();
        }
    }

    const scenario_config& scenario_;
    kafka_broker& broker_;
    std::string run_id_;
    mutable std::atomic<bool> kafka_silent_{false};  // warned once that Kafka did not answer
    pipeline_tracker tracker_;
    kafka_producer stage_producer_;  // dead letters and completion events
    std::vector<std::unique_ptr<consumer_group>> groups_;
    std::vector<std::unique_ptr<worker_process>> workers_;
    std::unique_ptr<front_door> api_;
    std::vector<std::unique_ptr<poll_group>> pollers_;  // stages placed poll in async mode
    bool stopped_ = false;
    int undelivered_ = 0;
};

}  // namespace

std::unique_ptr<system_under_test> start_async_system(const system_context& context,
                                                      kafka_broker& broker) {
    return std::make_unique<async_system>(context, broker);
}

}  // namespace asyncbench

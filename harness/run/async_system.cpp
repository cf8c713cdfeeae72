#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <stdexcept>
#include <thread>

#include "harness/kafka/async_api.hpp"
#include "harness/kafka/consumer_group.hpp"
#include "harness/run/system_under_test.hpp"

namespace asyncbench {
namespace {

std::vector<std::string> stage_names(const scenario_config& scenario) {
    std::vector<std::string> names;
    for (const auto& stage : scenario.workflow) names.push_back(stage.name);
    return names;
}

class async_system final : public system_under_test {
public:
    async_system(const system_context& context, kafka_broker& broker)
        : scenario_(context.scenario),
          broker_(broker),
          tracker_(stage_names(context.scenario)),
          dead_letters_("dead-letter producer", broker.bootstrap_servers(),
                        context.scenario.async.producer) {
        broker.create_topic(scenario_.async.topic, scenario_.async.partitions);
        broker.create_topic(scenario_.async.topic + ".dlt", 1);
        for (const auto& stage : scenario_.workflow) {
            auto group_id = fmt::format("asyncbench.{}.{}.{}", scenario_.name, stage.name,
                                        context.run_id);
            groups_.push_back(std::make_unique<consumer_group>(
                scenario_, stage, group_id, context.db, context.systems,
                broker.bootstrap_servers(), dead_letters_, tracker_,
                !broker.supports_consumer_groups()));
        }
        for (auto& group : groups_) group->start();
        api_ = std::make_unique<async_api>(scenario_, context.plugin, context.db,
                                           broker.bootstrap_servers(), tracker_);
        api_->start();
    }
    ~async_system() override { stop(); }

    std::uint16_t port() const override { return api_->port(); }

    // Every consumer joins its group and the assignment settles before load starts, so the
    // measured seconds are not spent in a rebalance.
    void wait_ready(std::chrono::seconds timeout) override {
        const int groups = static_cast<int>(groups_.size());
        const int partitions = scenario_.async.partitions * groups;
        const int members = scenario_.async.consumers_per_group * groups;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
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

    std::int64_t backlog() const override { return tracker_.backlog(); }
    std::string status() const override {
        return fmt::format("lag {}, partitions assigned {}/{}", tracker_.backlog(),
                           tracker_.assigned_partitions(),
                           scenario_.async.partitions * static_cast<int>(groups_.size()));
    }

    void stop() override {
        if (stopped_) return;
        stopped_ = true;
        undelivered_ = api_->stop();
        for (auto& group : groups_) group->stop();
        dead_letters_.stop();
    }

    std::vector<std::string> warnings() const override {
        std::vector<std::string> notes;
        if (broker_.kind() == "embedded-mock") {
            notes = tracker_.retention_warnings(embedded_retention_bytes,
                                                embedded_retention_message_sets);
        }
        if (broker_.kind() == "local") {
            notes.push_back(fmt::format(
                "the Kafka brokers ran on this machine, sharing its {} cores with the harness, "
                "its mock systems, consumers and database: compare the modes within this run; "
                "for absolute latencies run the brokers on their own hosts (--kafka HOST:PORT)",
                std::thread::hardware_concurrency()));
        }
        if (!broker_.supports_consumer_groups()) {
            notes.push_back(
                "consumers were given their partitions statically (partition mod consumer "
                "count) and committed offsets without joining a group, because the embedded "
                "mock cluster's group coordinator is unreliable: no rebalancing was exercised");
        }
        if (scenario_.async.consumers_per_group > scenario_.async.partitions) {
            notes.push_back(fmt::format(
                "{} consumers per group but only {} partitions: {} consumers per group had "
                "nothing to do",
                scenario_.async.consumers_per_group, scenario_.async.partitions,
                scenario_.async.consumers_per_group - scenario_.async.partitions));
        }
        if (tracker_.backpressure() > 0) {
            notes.push_back(fmt::format("{} requests answered 503 by the async API because the "
                                        "producer could not deliver them (backpressure)",
                                        tracker_.backpressure()));
        }
        if (tracker_.unknown_deliveries() > 0) {
            notes.push_back(fmt::format("{} deliveries ended as 'possibly persisted': answered "
                                        "503, left to reconciliation",
                                        tracker_.unknown_deliveries()));
        }
        if (undelivered_ > 0) {
            notes.push_back(fmt::format("{} messages were still undelivered at shutdown",
                                        undelivered_));
        }
        return notes;
    }

    std::map<std::string, std::string> producer_settings() const override {
        return api_->producer_settings();
    }
    std::map<std::string, std::string> consumer_settings() const override {
        return groups_.empty() ? std::map<std::string, std::string>{} : groups_[0]->settings();
    }

private:
    const scenario_config& scenario_;
    kafka_broker& broker_;
    pipeline_tracker tracker_;
    kafka_producer dead_letters_;
    std::vector<std::unique_ptr<consumer_group>> groups_;
    std::unique_ptr<async_api> api_;
    bool stopped_ = false;
    int undelivered_ = 0;
};

}  // namespace

std::unique_ptr<system_under_test> start_async_system(const system_context& context,
                                                      kafka_broker& broker) {
    return std::make_unique<async_system>(context, broker);
}

}  // namespace asyncbench

#pragma once
// The per_partition consumer model (async.consumer_model: per_partition), as Spring's
// `concurrency: N`: every worker is its own Kafka client in the group, with its own threads,
// and runs the messages of the partitions it is assigned one at a time, in offset order. Its
// concurrency is bounded by the partitions and costs one client per worker; the key_ordered
// model (key_ordered_group.hpp) is the default. Thread-safety: start/stop from one thread.
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "harness/kafka/consumer_group.hpp"

namespace asyncbench {

class partition_group final : public consumer_group {
  public:
    // With static assignment, member i reads partitions p with p % consumers_per_group == i
    // and commits its offsets to the group without joining it (no rebalancing); otherwise
    // members subscribe and the group coordinator assigns partitions.
    using consumer_group::consumer_group;
    ~partition_group() override { stop(); }

    void start() override;
    void stop() override;

  private:
    void work(int index);
    bool join(rd_kafka_t* consumer, int index);

    // Workers commit, then wait for each other before leaving the group: a member leaving
    // starts a rebalance, during which the others' final commits would fail.
    std::unique_ptr<std::latch> committed_;
    std::vector<std::thread> workers_;
};

}  // namespace asyncbench

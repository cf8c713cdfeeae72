#pragma once
// An idempotent producer (acks=all) with its own poll thread, so delivery reports arrive
// promptly whatever its callers do. Used by the async API and for dead-lettering.
#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "harness/kafka/kafka_client.hpp"

namespace asyncbench {

struct delivery_report {
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
    // NOT_PERSISTED, POSSIBLY_PERSISTED or PERSISTED: a failed delivery that was possibly
    // persisted is an unknown outcome, not a loss; reconciliation settles it.
    rd_kafka_msg_status_t status = RD_KAFKA_MSG_STATUS_NOT_PERSISTED;
    std::int32_t partition = -1;
    std::int64_t offset = -1;  // where the broker stored it; -1 unless delivered
    std::size_t bytes = 0;
};

class kafka_producer {
  public:
    using delivery_fn = std::function<void(const delivery_report&)>;

    // Settings = our defaults (bootstrap, enable.idempotence=true, acks=all) overlaid with
    // `overrides`. Throws std::runtime_error listing every setting librdkafka rejected.
    kafka_producer(const std::string& role, const std::string& bootstrap_servers,
                   const std::map<std::string, std::string>& overrides);
    ~kafka_producer();  // stop()

    // RD_KAFKA_RESP_ERR_NO_ERROR: `on_delivery` will run exactly once on the poll thread.
    // RD_KAFKA_RESP_ERR__QUEUE_FULL: the local queue is full (backpressure); nothing queued.
    // Thread-safe.
    rd_kafka_resp_err_t produce(const std::string& topic, const std::string& key,
                                const std::string& value,
                                const std::vector<std::pair<std::string, std::string>>& headers,
                                delivery_fn on_delivery);

    // Waits for outstanding deliveries up to `timeout_ms`, stops the poll thread, and returns
    // how many messages stayed undelivered. Idempotent.
    int stop(int timeout_ms = 10000);

    const std::map<std::string, std::string>& settings() const { return settings_; }

  private:
    std::map<std::string, std::string> settings_;
    kafka_handle handle_;
    std::atomic<bool> stopping_{false};
    std::thread poller_;
};

// The producer defaults every report lists next to the overrides.
std::map<std::string, std::string> producer_defaults(const std::string& bootstrap_servers);

}  // namespace asyncbench

#pragma once
// What Kafka itself says about a topic's partitions, asked with short-lived clients: the
// watermarks (log start and end offsets), a consumer group's committed offsets, and deleting
// records below given offsets (what retention or kafka-delete-records does). The loss checker
// compares where each acknowledged message was stored with these. Every function blocks for at
// most its timeout and throws std::runtime_error with Kafka's reason; thread-safe (no state).
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace asyncbench {

// partition -> offset
using partition_offsets = std::map<std::int32_t, std::int64_t>;

// Where the broker stored an acknowledged message (from its delivery report); -1 when unknown.
struct message_position {
    std::int32_t partition = -1;
    std::int64_t offset = -1;
};

struct partition_watermarks {
    partition_offsets log_start;  // the first offset still stored (low watermark)
    partition_offsets end;        // the next offset to be written (high watermark)
};

// `connection` holds the settings needed to reach a secured cluster (connection_settings() of
// the consumers' settings); empty for a plain one.
using client_settings = std::map<std::string, std::string>;

partition_watermarks query_watermarks(const std::string& bootstrap_servers,
                                      const std::string& topic, int partitions,
                                      std::chrono::milliseconds timeout,
                                      const client_settings& connection = {});

// The group's committed offset of each partition; a partition without one is absent.
partition_offsets query_committed(const std::string& bootstrap_servers, const std::string& group_id,
                                  const std::string& topic, int partitions,
                                  std::chrono::milliseconds timeout,
                                  const client_settings& connection = {});

// Deletes every record of `topic` below `before` (per partition) through the admin API, and
// returns each partition's log start offset afterwards as the brokers report it.
partition_offsets delete_records_before(const std::string& bootstrap_servers,
                                        const std::string& topic, const partition_offsets& before,
                                        std::chrono::milliseconds timeout,
                                        const client_settings& connection = {});

}  // namespace asyncbench

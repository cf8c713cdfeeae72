#include "harness/kafka/topic_offsets.hpp"

#include <fmt/format.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "harness/kafka/kafka_client.hpp"

namespace asyncbench {
namespace {

struct partition_list_deleter {
    void operator()(rd_kafka_topic_partition_list_t* list) const {
        rd_kafka_topic_partition_list_destroy(list);
    }
};
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;

kafka_handle client(rd_kafka_type_t type, const std::map<std::string, std::string>& settings,
                    const client_settings& connection) {
    std::vector<std::string> errors;
    auto conf = make_kafka_conf("offsets", settings, connection, errors);
    if (!errors.empty()) throw std::runtime_error(errors.front());
    return make_kafka_client(type, std::move(conf));
}

int timeout_ms(std::chrono::milliseconds timeout) { return static_cast<int>(timeout.count()); }

}  // namespace

partition_watermarks query_watermarks(const std::string& bootstrap_servers,
                                      const std::string& topic, int partitions,
                                      std::chrono::milliseconds timeout,
                                      const client_settings& connection) {
    auto consumer =
        client(RD_KAFKA_CONSUMER,
               {{"bootstrap.servers", bootstrap_servers}, {"group.id", "asyncbench.watermarks"}},
               connection);
    partition_watermarks marks;
    for (int p = 0; p < partitions; ++p) {
        std::int64_t low = 0;
        std::int64_t high = 0;
        if (auto err = rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), p, &low,
                                                        &high, timeout_ms(timeout))) {
            throw std::runtime_error(fmt::format("cannot read the offsets of {}[{}]: {}", topic, p,
                                                 rd_kafka_err2str(err)));
        }
        marks.log_start[p] = low;
        marks.end[p] = high;
    }
    return marks;
}

partition_offsets query_committed(const std::string& bootstrap_servers, const std::string& group_id,
                                  const std::string& topic, int partitions,
                                  std::chrono::milliseconds timeout,
                                  const client_settings& connection) {
    // A consumer of the group that never subscribes: it asks the coordinator, joins nothing.
    auto consumer =
        client(RD_KAFKA_CONSUMER,
               {{"bootstrap.servers", bootstrap_servers}, {"group.id", group_id}}, connection);
    partition_list list(rd_kafka_topic_partition_list_new(partitions));
    for (int p = 0; p < partitions; ++p) {
        rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
    }
    if (auto err = rd_kafka_committed(consumer.get(), list.get(), timeout_ms(timeout))) {
        throw std::runtime_error(fmt::format("cannot read the committed offsets of group {}: {}",
                                             group_id, rd_kafka_err2str(err)));
    }
    partition_offsets committed;
    for (int i = 0; i < list->cnt; ++i) {
        const auto& element = list->elems[i];
        if (element.err) {
            throw std::runtime_error(fmt::format("cannot read group {}'s offset of {}[{}]: {}",
                                                 group_id, topic, element.partition,
                                                 rd_kafka_err2str(element.err)));
        }
        if (element.offset >= 0) committed[element.partition] = element.offset;
    }
    rd_kafka_consumer_close(consumer.get());
    return committed;
}

partition_offsets delete_records_before(const std::string& bootstrap_servers,
                                        const std::string& topic, const partition_offsets& before,
                                        std::chrono::milliseconds timeout,
                                        const client_settings& connection) {
    auto admin = client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap_servers}}, connection);
    partition_list offsets(rd_kafka_topic_partition_list_new(static_cast<int>(before.size())));
    for (const auto& [partition, offset] : before) {
        rd_kafka_topic_partition_list_add(offsets.get(), topic.c_str(), partition)->offset = offset;
    }
    rd_kafka_DeleteRecords_t* request = rd_kafka_DeleteRecords_new(offsets.get());
    rd_kafka_AdminOptions_t* options =
        rd_kafka_AdminOptions_new(admin.get(), RD_KAFKA_ADMIN_OP_DELETERECORDS);
    char reason[256];
    rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms(timeout), reason,
                                                sizeof reason);
    rd_kafka_queue_t* queue = rd_kafka_queue_new(admin.get());
    rd_kafka_DeleteRecords(admin.get(), &request, 1, options, queue);
    rd_kafka_event_t* event = rd_kafka_queue_poll(queue, timeout_ms(timeout) + 5000);
    std::string failure;
    partition_offsets log_start;
    if (!event) {
        failure = fmt::format("no answer within {} ms", timeout.count());
    } else if (rd_kafka_event_error(event)) {
        failure = rd_kafka_event_error_string(event);
    } else {
        const auto* result = rd_kafka_event_DeleteRecords_result(event);
        const auto* deleted = rd_kafka_DeleteRecords_result_offsets(result);
        for (int i = 0; deleted && i < deleted->cnt; ++i) {
            const auto& element = deleted->elems[i];
            if (element.err) {
                failure = fmt::format("{}[{}]: {}", topic, element.partition,
                                      rd_kafka_err2str(element.err));
                break;
            }
            log_start[element.partition] = element.offset;
        }
    }
    if (event) rd_kafka_event_destroy(event);
    rd_kafka_queue_destroy(queue);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_DeleteRecords_destroy(request);
    if (!failure.empty()) {
        throw std::runtime_error(fmt::format("cannot delete records of {}: {}", topic, failure));
    }
    return log_start;
}

}  // namespace asyncbench

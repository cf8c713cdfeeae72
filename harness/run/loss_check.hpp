#pragma once
// Whether an acknowledged request that never finished can still finish, judged from where its
// message was stored and what Kafka says now. Pure: the evidence is gathered elsewhere (Kafka
// first, then the outcomes, so an outcome recorded meanwhile is never missed), and every rule
// is tested with made-up offsets. Thread-safe (no state).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "harness/kafka/topic_offsets.hpp"

namespace asyncbench {

// What Kafka said of the pipeline's topic when asked.
struct kafka_evidence {
    partition_offsets log_start;                         // partition -> first offset still stored
    partition_offsets end;                               // partition -> next offset to be written
    std::map<std::string, partition_offsets> committed;  // stage -> its group's committed offsets
};

// Everything the checker needs from the async pipeline after (or during) the drain.
struct delivery_evidence {
    std::unordered_map<std::string, message_position> positions;  // business id -> message
    kafka_evidence kafka;
};

enum class loss_reason {
    // The message's offset is below its partition's log start: retention, delete-records or the
    // embedded cluster's size limit removed it before the stage's group read it.
    deleted_unread,
    // The stage's group committed an offset past the message with no outcome recorded for it
    // (an outcome is always recorded before its offset is stored): it was skipped, e.g. by
    // auto.offset.reset=latest or a seek.
    skipped_by_group,
    // Its offset is at or past the partition's end offset: the log was truncated after the
    // broker acknowledged it (acks=1 and a leader change, an unclean election).
    truncated,
    // Nothing was left to process it when the pipeline went idle (the rule without evidence).
    nothing_left,
};

// Per partition, the offset the slowest stage group reads next: its committed offset, or the
// log start when it has none or it fell below it (records deleted under it). Every record
// below it has been read by every stage. A partition's end offset when there is no stage.
partition_offsets slowest_read(const kafka_evidence& evidence);

// Whether every stage's group has consumed the topic to its end: no message is left anywhere
// for a consumer to process (a partition no group committed counts as consumed only when it
// holds no records).
bool topic_consumed(const kafka_evidence& evidence);

// One line for reports, e.g. "deleted before it was consumed (below the log start offset)".
std::string loss_reason_text(loss_reason reason);

// An acknowledged request with stages still unfinished: lost with its reason when the evidence
// proves no consumer can finish it any more, else nullopt (still pending). `unfinished_stages`
// are the stages with no outcome recorded for it; only those in `evidence.committed` (the
// groups that read this topic) count. A message without a known position (never seen in a
// delivery report), or with no unfinished stage reading this topic, proves nothing.
std::optional<loss_reason> classify_unfinished(const message_position& position,
                                               const std::set<std::string>& unfinished_stages,
                                               const kafka_evidence& evidence);

}  // namespace asyncbench

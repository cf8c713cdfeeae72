#include "harness/run/loss_check.hpp"

#include <algorithm>

namespace asyncbench {

std::string loss_reason_text(loss_reason reason) {
    switch (reason) {
        case loss_reason::deleted_unread:
            return "deleted before it was consumed (its offset is below the partition's log "
                   "start offset)";
        case loss_reason::skipped_by_group:
            return "skipped: the stage's consumer group committed past it with no outcome "
                   "recorded";
        case loss_reason::truncated:
            return "truncated: its offset is at or past the partition's end offset, so the log "
                   "lost it after the broker acknowledged it";
        case loss_reason::nothing_left:
            return "not finished, and nothing was left to process it";
    }
    return "unknown";
}

partition_offsets slowest_read(const kafka_evidence& evidence) {
    partition_offsets slowest = evidence.end;  // with no stage, nothing is left to read
    for (const auto& [stage, committed] : evidence.committed) {
        for (auto& [partition, offset] : slowest) {
            std::int64_t start = 0;
            if (auto low = evidence.log_start.find(partition); low != evidence.log_start.end()) {
                start = low->second;
            }
            // A group whose committed offset fell below the log start (records deleted under
            // it) resumes at the log start, and commits nothing until it reads a new record.
            const auto found = committed.find(partition);
            const std::int64_t read =
                std::max(start, found == committed.end() ? start : found->second);
            offset = std::min(offset, read);
        }
    }
    return slowest;
}

bool topic_consumed(const kafka_evidence& evidence) {
    const auto slowest = slowest_read(evidence);
    return std::all_of(evidence.end.begin(), evidence.end.end(), [&](const auto& partition_end) {
        return slowest.at(partition_end.first) >= partition_end.second;
    });
}

std::optional<loss_reason> classify_unfinished(const message_position& position,
                                               const std::set<std::string>& unfinished_stages,
                                               const kafka_evidence& evidence) {
    // Only the stages whose groups read this topic (those the evidence has offsets for) can
    // be judged by where the message lies in it: a stage that follows another reads that
    // stage's events, elsewhere.
    const bool any_reads_topic =
        std::any_of(unfinished_stages.begin(), unfinished_stages.end(),
                    [&](const std::string& stage) { return evidence.committed.contains(stage); });
    if (position.partition < 0 || position.offset < 0 || !any_reads_topic) {
        return std::nullopt;
    }
    if (auto start = evidence.log_start.find(position.partition);
        start != evidence.log_start.end() && position.offset < start->second) {
        return loss_reason::deleted_unread;
    }
    // An acknowledged message always lies below the end offset (the high watermark) of its
    // partition, unless the log was cut back after the acknowledgement.
    if (auto end = evidence.end.find(position.partition);
        end != evidence.end.end() && position.offset >= end->second) {
        return loss_reason::truncated;
    }
    for (const auto& stage : unfinished_stages) {
        const auto group = evidence.committed.find(stage);
        if (group == evidence.committed.end()) continue;
        const auto committed = group->second.find(position.partition);
        // The committed offset is the next one to read: past this message means > its offset.
        if (committed != group->second.end() && committed->second > position.offset) {
            return loss_reason::skipped_by_group;
        }
    }
    return std::nullopt;
}

}  // namespace asyncbench

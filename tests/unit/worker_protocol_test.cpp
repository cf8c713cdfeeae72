// The line protocol between worker processes and the harness: every event survives the trip,
// ids with tabs or newlines included, and anything else on the line is ignored, not misread.
#include "harness/run/worker_protocol.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "harness/kafka/pipeline_tracker.hpp"

namespace asyncbench {
namespace {

std::string read_all(int fd) {
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, n);
    return text;
}

TEST(worker_protocol, fields_round_trip_through_escaping) {
    for (const std::string id : {"plain-1", "tab\there", "new\nline", "back\\slash\\t", ""}) {
        const auto encoded = encode_event_field(id);
        EXPECT_EQ(encoded.find('\t'), std::string::npos);
        EXPECT_EQ(encoded.find('\n'), std::string::npos);
        EXPECT_EQ(decode_event_field(encoded), id);
    }
}

TEST(worker_protocol, writer_output_replays_into_a_tracker) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    {
        event_line_writer writer(fds[1]);
        writer.on_partitions_assigned(3);
        writer.on_member_assigned(1);
        writer.on_stage_finished("report", "id\t1");
        writer.on_stage_finished("report", "id\t1");  // a redelivery: counted once
        writer.on_stage_finished("report", "id-2");
        writer.on_offset_reset();
        writer.on_step_failed("report", "save", "database: UNIQUE constraint failed\tid 12345");
        writer.on_step_failed("report", "save", "database: UNIQUE constraint failed\tid 12346");
        writer.ready();
        EXPECT_EQ(writer.members(), 1);
    }
    ::close(fds[1]);
    const auto text = read_all(fds[0]);
    ::close(fds[0]);

    pipeline_tracker tracker({"report"});
    tracker.on_acked("id\t1", {0, 0}, 10);
    tracker.on_acked("id-2", {0, 1}, 10);
    tracker.on_acked("id-3", {0, 2}, 10);
    bool ready = false;
    std::size_t start = 0;
    int applied = 0;
    for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
        applied +=
            apply_event_line(std::string_view(text).substr(start, end - start), tracker, ready);
        start = end + 1;
    }
    EXPECT_EQ(applied, 9);
    EXPECT_TRUE(ready);
    EXPECT_EQ(tracker.assigned_partitions(), 3);
    EXPECT_EQ(tracker.assigned_members(), 1);
    EXPECT_EQ(tracker.offset_resets(), 1u);
    EXPECT_EQ(tracker.backlog(), 1);  // id-3 is still to do
    // Both failures arrive whole (tab included) and fall in one group: the ids differ only in
    // a long number.
    const auto errors = tracker.step_errors().most_frequent();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].stage, "report");
    EXPECT_EQ(errors[0].step, "save");
    EXPECT_EQ(errors[0].count, 2u);
    EXPECT_EQ(errors[0].example, "database: UNIQUE constraint failed\tid 12345");
}

TEST(worker_protocol, ignores_lines_that_are_not_events) {
    pipeline_tracker tracker({"report"});
    bool ready = false;
    for (const char* line :
         {"", "hello", "finished\tonly-stage", "members\tmany", "ready\tnow", "partitions\t3x",
          "step_failed\tstage\tstep", "08:00:01 info worker started"}) {
        EXPECT_FALSE(apply_event_line(line, tracker, ready)) << line;
    }
    EXPECT_FALSE(ready);
    EXPECT_EQ(tracker.assigned_members(), 0);
}

}  // namespace
}  // namespace asyncbench

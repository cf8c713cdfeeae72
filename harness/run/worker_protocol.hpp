#pragma once
// The line protocol a worker process speaks to the harness on its stdout: one event per line,
// fields separated by tabs, with '\\', '\t' and '\n' escaped in ids, names and messages.
//   ready                       every consumer of the process has its assignment
//   finished <stage> <id>       consumer_events::on_stage_finished
//   partitions <delta>          consumer_events::on_partitions_assigned
//   members <delta>             consumer_events::on_member_assigned
//   offset_reset                consumer_events::on_offset_reset
//   order_violation <stage>     consumer_events::on_order_violation
//   step_failed <stage> <step> <error>   step_error_sink::on_step_failed
// Lines are written whole under a mutex, so lines from several threads never interleave; a
// kill -9 can cut the line being written, which the harness then ignores (and the unfinished
// work is redelivered anyway, because its offset was not committed).
#include <mutex>
#include <string>
#include <string_view>

#include "harness/kafka/consumer_events.hpp"

namespace asyncbench {

std::string encode_event_field(std::string_view text);
std::string decode_event_field(std::string_view text);

// Applies one line to `sink`. Returns false for a line that is not an event (ignored by the
// caller, e.g. stray output); "ready" returns true and sets `ready`.
bool apply_event_line(std::string_view line, consumer_events& sink, bool& ready);

// consumer_events that writes the protocol to a file descriptor (the worker's stdout), and
// counts its members so the worker knows when to say "ready". Thread-safe.
class event_line_writer final : public consumer_events {
  public:
    explicit event_line_writer(int fd) : fd_(fd) {}

    void on_stage_finished(const std::string& stage, const std::string& business_id) override;
    void on_partitions_assigned(int delta) override;
    void on_member_assigned(int delta) override;
    void on_offset_reset() override;
    void on_order_violation(const std::string& stage) override;
    void on_step_failed(const std::string& stage, const std::string& step,
                        const std::string& error) override;
    void ready();
    int members() const;

  private:
    void write_line(const std::string& line);

    int fd_;
    mutable std::mutex mutex_;
    int members_ = 0;
};

}  // namespace asyncbench

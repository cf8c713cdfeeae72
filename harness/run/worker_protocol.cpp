#include "harness/run/worker_protocol.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <vector>

namespace asyncbench {
namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (true) {
        const auto tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
        if (tab == std::string_view::npos) return fields;
        start = tab + 1;
    }
}

bool parse_int(std::string_view text, int& out) {
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

}  // namespace

std::string encode_event_field(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string decode_event_field(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            out += text[i];
            continue;
        }
        const char next = text[++i];
        out += next == 't' ? '\t' : next == 'n' ? '\n' : next;
    }
    return out;
}

bool apply_event_line(std::string_view line, consumer_events& sink, bool& ready) {
    const auto fields = split_tabs(line);
    const auto& kind = fields[0];
    int delta = 0;
    if (kind == "ready" && fields.size() == 1) {
        ready = true;
    } else if (kind == "finished" && fields.size() == 3) {
        sink.on_stage_finished(decode_event_field(fields[1]), decode_event_field(fields[2]));
    } else if (kind == "partitions" && fields.size() == 2 && parse_int(fields[1], delta)) {
        sink.on_partitions_assigned(delta);
    } else if (kind == "members" && fields.size() == 2 && parse_int(fields[1], delta)) {
        sink.on_member_assigned(delta);
    } else if (kind == "offset_reset" && fields.size() == 1) {
        sink.on_offset_reset();
    } else if (kind == "order_violation" && fields.size() == 2) {
        sink.on_order_violation(decode_event_field(fields[1]));
    } else if (kind == "step_failed" && fields.size() == 4) {
        sink.on_step_failed(decode_event_field(fields[1]), decode_event_field(fields[2]),
                            decode_event_field(fields[3]));
    } else {
        return false;
    }
    return true;
}

void event_line_writer::on_stage_finished(const std::string& stage,
                                          const std::string& business_id) {
    write_line("finished\t" + encode_event_field(stage) + "\t" + encode_event_field(business_id));
}

void event_line_writer::on_partitions_assigned(int delta) {
    write_line("partitions\t" + std::to_string(delta));
}

// The line goes out before the count changes, so "ready" (sent once the count is complete)
// can never overtake the last "members" line.
void event_line_writer::on_member_assigned(int delta) {
    write_line("members\t" + std::to_string(delta));
    std::lock_guard lock(mutex_);
    members_ += delta;
}

void event_line_writer::on_offset_reset() { write_line("offset_reset"); }

void event_line_writer::on_order_violation(const std::string& stage) {
    write_line("order_violation\t" + encode_event_field(stage));
}

void event_line_writer::on_step_failed(const std::string& stage, const std::string& step,
                                       const std::string& error) {
    write_line("step_failed\t" + encode_event_field(stage) + "\t" + encode_event_field(step) +
               "\t" + encode_event_field(error));
}

void event_line_writer::ready() { write_line("ready"); }

int event_line_writer::members() const {
    std::lock_guard lock(mutex_);
    return members_;
}

// One write per line under the mutex: lines never interleave. A full pipe blocks the worker
// thread, which is the backpressure we want (the harness reads continuously).
void event_line_writer::write_line(const std::string& line) {
    const std::string text = line + "\n";
    std::lock_guard lock(mutex_);
    std::size_t written = 0;
    while (written < text.size()) {
        const auto n = ::write(fd_, text.data() + written, text.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // the harness is gone; the worker will be stopped or killed
        }
        written += static_cast<std::size_t>(n);
    }
}

}  // namespace asyncbench

#include "reports/markdown_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/result/exit_status.hpp"
#include "reports/capacity_report.hpp"
#include "reports/cost_report.hpp"
#include "reports/fault_report.hpp"
#include "reports/scenario_report.hpp"
#include "reports/threshold_report.hpp"
#include "reports/verdict.hpp"

namespace asyncbench {

namespace {

std::string join_map(const std::map<std::string, std::string>& values, std::string_view sep,
                     std::string_view none) {
    if (values.empty()) return std::string(none);
    std::string out;
    for (const auto& [k, v] : values) {
        if (!out.empty()) out += ", ";
        out += k;
        out += sep;
        out += v;
    }
    return out;
}

std::string join_list(const std::vector<std::string>& values, std::string_view none) {
    if (values.empty()) return std::string(none);
    std::string out;
    for (const auto& v : values) {
        if (!out.empty()) out += ", ";
        out += v;
    }
    return out;
}

std::string or_unknown(const std::string& s) { return s.empty() ? "unknown" : s; }

void write_table(std::ostream& out, const report_table& table, std::size_t left_columns) {
    out << '|';
    for (const auto& h : table.header) out << ' ' << md_escape(h) << " |";
    out << "\n|";
    for (std::size_t i = 0; i < table.header.size(); ++i) {
        out << (i < left_columns ? "---|" : "---:|");
    }
    out << '\n';
    for (const auto& row : table.rows) {
        out << '|';
        for (const auto& cell : row) out << ' ' << md_escape(cell) << " |";
        out << '\n';
    }
}

void write_list(std::ostream& out, const std::vector<std::string>& items,
                std::string_view when_empty) {
    if (items.empty()) {
        out << when_empty << '\n';
        return;
    }
    for (const auto& item : items) out << "- " << md_escape(item) << '\n';
}

// One comparison row: the label and one cell per mode.
template <class Cell>
std::vector<std::string> row(const run_result& r, const std::vector<std::string>& modes,
                             std::string label, Cell cell) {
    std::vector<std::string> out{std::move(label)};
    for (const auto& name : modes) out.push_back(cell(r.modes.at(name)));
    return out;
}

bool is_loopback_host(std::string_view host) {
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]";
}

// "HOST:PORT" -> "HOST"; an IPv6 literal keeps its brackets ("[::1]:9092" -> "[::1]").
std::string_view host_of(std::string_view host_port) {
    if (host_port.rfind('[', 0) == 0) return host_port.substr(0, host_port.find(']') + 1);
    return host_port.substr(0, host_port.rfind(':'));
}

// Whether every host of "HOST:PORT,HOST:PORT" is a loopback address.
bool all_loopback(std::string_view servers) {
    for (;;) {
        const auto comma = servers.find(',');
        if (!is_loopback_host(host_of(servers.substr(0, comma)))) return false;
        if (comma == std::string_view::npos) return true;
        servers.remove_prefix(comma + 1);
    }
}

// The host of "PostgreSQL at postgres://USER@HOST:PORT/DB ..."; empty for SQLite.
std::string_view database_host(std::string_view database) {
    const auto scheme = database.find("://");
    if (scheme == std::string_view::npos) return {};
    std::string_view rest = database.substr(scheme + 3);
    rest = rest.substr(0, rest.find_first_of("/ "));
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
    return host_of(rest);
}

}  // namespace

std::string locality_note(const environment_info& e) {
    std::vector<std::string> remote;
    if (!e.bootstrap_servers.empty() && !all_loopback(e.bootstrap_servers)) {
        remote.push_back("Kafka (" + e.bootstrap_servers + ")");
    }
    const auto db_host = database_host(e.database);
    if (!db_host.empty() && !is_loopback_host(db_host)) {
        remote.push_back("the database (" + std::string(db_host) + ")");
    }
    if (remote.empty()) {
        return "Every part ran on one host over loopback (load generator, APIs, mock systems, "
               "consumers, database and broker): a database or broker round trip cost "
               "microseconds here, not the milliseconds of a real network, which favours the "
               "design that makes more round trips per request.";
    }
    return "The load generator, APIs, mock systems and consumers ran on one host over loopback; " +
           join_list(remote, "") +
           " ran elsewhere: their round trips include a real network, the mock systems' do not.";
}

bool callers_retried(const run_result& r) {
    for (const auto& [name, m] : r.modes) {
        if (m.retries.max_attempts > 1) return true;
    }
    return false;
}

std::string outcome_line(const run_result& r) {
    const auto judgement = judge_run(r);
    const int code = exit_code(judgement.status);
    std::string line;
    switch (judgement.status) {
        case exit_status::held: {
            std::vector<std::string> expected;
            for (const auto& [name, m] : r.modes) {
                for (const auto& i : m.invariants) {
                    if (!i.required && !i.passed) expected.push_back(name + " " + i.name);
                }
            }
            if (expected.empty()) {
                return fmt::format(
                    "Outcome: valid run; every threshold and invariant held (exit {}).", code);
            }
            return fmt::format(
                "Outcome: valid run; every threshold and required invariant held; broken as the "
                "scenario expects: {} (exit {}).",
                fmt::format("{}", fmt::join(expected, ", ")), code);
        }
        case exit_status::finding:
            line = fmt::format("Outcome: valid run with a finding (exit {})", code);
            break;
        case exit_status::untrustworthy:
            line = fmt::format("Outcome: the measurement is NOT trustworthy (exit {})", code);
            break;
        case exit_status::usage:
            line = fmt::format("Outcome: usage error (exit {})", code);
            break;
    }
    return line + ": " + fmt::format("{}", fmt::join(judgement.reasons, "; ")) + ".";
}

report_table environment_table(const run_result& r) {
    const auto& e = r.environment;
    std::string broker = or_unknown(e.broker_kind);
    if (!e.broker_description.empty()) broker += " (" + e.broker_description + ")";
    return {{"Item", "Value"},
            {{"AsyncBench version", or_unknown(e.asyncbench_version)},
             {"Git commit", or_unknown(e.git_commit)},
             {"Started at (UTC)", or_unknown(e.started_at)},
             {"Host", or_unknown(e.host)},
             {"CPU", or_unknown(e.cpu)},
             {"Cores", e.cores > 0 ? std::to_string(e.cores) : "unknown"},
             {"OS", or_unknown(e.os)},
             {"Libraries", join_map(e.libraries, " ", "unknown")},
             {"Broker", broker},
             {"Bootstrap servers", or_unknown(e.bootstrap_servers)},
             {"Redis", e.redis.empty() ? std::string("not used") : e.redis},
             {"Database", or_unknown(e.database)}}};
}

report_table settings_table(const run_result& r) {
    const auto& s = r.settings;
    return {{"Setting", "Value"},
            {{"Load model", or_unknown(s.load_model)},
             {"Rate (/s)", format_rate(s.rate_per_s)},
             {"Users", std::to_string(s.users)},
             {"Warm-up (s)", format_seconds(s.warmup_s)},
             {"Duration (s)", format_seconds(s.duration_s)},
             {"Requests", s.requests ? format_count(*s.requests) : "not set (duration bound)"},
             {"Sync worker threads", std::to_string(s.sync_worker_threads)},
             {"Async partitions", std::to_string(s.async_partitions)},
             {"Async consumers per group", std::to_string(s.async_consumers_per_group)},
             {"Stages (consumer groups)", join_list(s.stages, "none")},
             {"Producer settings", join_map(s.producer_settings, "=", "defaults")},
             {"Consumer settings", join_map(s.consumer_settings, "=", "defaults")}}};
}

report_table comparison_table(const run_result& r) {
    const auto modes = report_modes(r);
    report_table t;
    t.header.push_back("Metric");
    for (const auto& m : modes) t.header.push_back(m);
    auto add = [&](std::string label, auto cell) {
        t.rows.push_back(row(r, modes, std::move(label), cell));
    };
    using ls = latency_summary;
    const std::pair<const char*, double ls::*> percentiles[] = {{"p50", &ls::p50_us},
                                                                {"p90", &ls::p90_us},
                                                                {"p99", &ls::p99_us},
                                                                {"p99.9", &ls::p999_us},
                                                                {"max", &ls::max_us}};
    // The two views side by side: all answers (errors and timeouts included, as wrk2 and
    // vegeta count) and 2xx only. A hang that ends in failures shows only in the first.
    const std::pair<const char*, latency_summary mode_result::*> views[] = {
        {"all answers", &mode_result::api_latency_all_us},
        {"2xx", &mode_result::api_latency_2xx_us}};
    for (const auto& [view, member] : views) {
        for (const auto& [name, field] : percentiles) {
            add(fmt::format("API latency {}, {} (ms)", name, view),
                [m_ = member, f = field](const mode_result& m) {
                    return format_latency_ms(m.*m_, f, "no answers");
                });
        }
    }
    add("Completion latency p50 (ms)", [](const mode_result& m) {
        return format_latency_ms(m.completion_latency_us, &ls::p50_us, "none completed");
    });
    add("Completion latency p99 (ms)", [](const mode_result& m) {
        return format_latency_ms(m.completion_latency_us, &ls::p99_us, "none completed");
    });
    add("Send delay p99 (ms)", [](const mode_result& m) {
        return format_latency_ms(m.send_delay_us, &ls::p99_us, "none sent");
    });
    add("Generator schedule lag p99 (ms)", [](const mode_result& m) {
        return format_latency_ms(m.schedule_lag_us, &ls::p99_us, "not scheduled");
    });
    add("Offered rate (/s)", [](const mode_result& m) { return format_rate(m.offered_per_s); });
    add("Achieved rate (/s)", [](const mode_result& m) { return format_rate(m.achieved_per_s); });
    add("Availability (2xx or 409 business answers)",
        [](const mode_result& m) { return format_percent(m.availability); });
    add("Rejected: 409 business answers (measured)",
        [](const mode_result& m) { return format_count(m.rejected); });
    add("Requests (measured)", [](const mode_result& m) { return format_count(m.requests); });
    add("Requests (all phases)",
        [](const mode_result& m) { return format_count(m.requests_all_phases); });
    add("Retries by the callers (measured)", [](const mode_result& m) {
        return m.retries.max_attempts <= 1 ? std::string("off") : format_count(m.retries.retries);
    });
    add("Attempts per request (front-door amplification)", [](const mode_result& m) {
        return m.retries.max_attempts <= 1 ? std::string("1 (no retries)")
                                           : format_ratio(m.retries.amplification);
    });
    const std::pair<const char*, std::uint64_t error_counts::*> error_rows[] = {
        {"Errors: connect", &error_counts::connect},
        {"Errors: timeout", &error_counts::timeout},
        {"Errors: I/O", &error_counts::io},
        {"Errors: 4xx", &error_counts::status_4xx},
        {"Errors: 5xx", &error_counts::status_5xx},
        {"Errors: 5xx of which 503", &error_counts::status_503}};
    for (const auto& [label, field] : error_rows) {
        add(label, [f = field](const mode_result& m) { return format_count(m.errors.*f); });
    }
    add("Errors: total", [](const mode_result& m) { return format_count(m.errors.total()); });
    using rr = reconciliation_result;
    const std::pair<const char*, std::uint64_t rr::*> rec_rows[] = {
        {"Accepted", &rr::accepted},
        {"Completed", &rr::completed},
        {"Lost", &rr::lost},
        {"Pending after drain", &rr::pending},
        {"Dead-lettered", &rr::dead_lettered},
        {"Rejected after acceptance", &rr::rejected},
        {"Duplicate effects", &rr::duplicate_effects},
        {"Processed without 2xx", &rr::unacknowledged_processed},
        {"Redeliveries absorbed", &rr::redeliveries_absorbed}};
    for (const auto& [label, field] : rec_rows) {
        add(label, [f = field](const mode_result& m) { return format_count(m.reconciliation.*f); });
    }
    add("Drain time (s)", [](const mode_result& m) { return format_seconds(m.drain_s); });
    add("Time to full completion (s)", [](const mode_result& m) {
        return m.time_to_full_completion_s ? format_seconds(*m.time_to_full_completion_s)
                                           : "none completed";
    });
    return t;
}

report_table step_error_table(const run_result& r) {
    report_table t{{"Mode", "Stage", "Step", "Count", "Error (one example)"}, {}};
    for (const auto& name : report_modes(r)) {
        for (const auto& e : r.modes.at(name).step_errors) {
            t.rows.push_back({name, e.stage, e.step, format_count(e.count), e.example});
        }
    }
    return t;
}

report_table call_check_table(const run_result& r) {
    report_table t{
        {"Mode", "Call", "Expected", "Received", "Ids with duplicates", "Ids missing", "Check"},
        {}};
    for (const auto& name : report_modes(r)) {
        for (const auto& c : r.modes.at(name).reconciliation.calls) {
            std::string check = "ok";
            if (c.ids_missing > 0 && c.ids_with_duplicates > 0) {
                check = "MISSING and DUPLICATES";
            } else if (c.ids_missing > 0) {
                check = "MISSING";
            } else if (c.ids_with_duplicates > 0) {
                check = "DUPLICATES";
            }
            t.rows.push_back({name, c.system + "." + c.operation, format_count(c.expected_calls),
                              format_count(c.received_calls), format_count(c.ids_with_duplicates),
                              format_count(c.ids_missing), check});
        }
    }
    return t;
}

std::vector<std::string> report_warnings(const run_result& r) {
    std::vector<std::string> out{locality_note(r.environment)};
    if (r.environment.broker_kind == "embedded-mock") out.emplace_back(embedded_mock_warning);
    for (const auto& name : report_modes(r)) {
        for (const auto& w : r.modes.at(name).warnings) out.push_back(name + ": " + w);
    }
    return out;
}

std::vector<std::string> report_invalid_reasons(const run_result& r) {
    std::vector<std::string> out;
    for (const auto& name : report_modes(r)) {
        for (const auto& reason : r.modes.at(name).invalid_reasons) {
            out.push_back(name + ": " + reason);
        }
    }
    return out;
}

namespace {

// What each fault did in each mode, read right after the verdict: a fault run is about this.
void write_faults(std::ostream& out, const run_result& r) {
    out << "\n## Faults\n\nTimes are seconds since the start of warm-up. Each window counts the "
           "requests whose intended send time fell in it, however late they were answered";
    if (callers_retried(r)) {
        out << ", by their final answer (the callers retried: a request refused during the fault "
               "and taken later counts as answered 2xx)";
    }
    out << ".\n";
    const auto sections = fault_sections(r);
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const auto& section = sections[i];
        out << "\n### Fault " << i + 1 << ": " << md_escape(section.title) << "\n\n";
        write_list(out, section.actions, "");
        if (!section.windows.rows.empty()) {
            out << '\n';
            write_table(out, section.windows, 1);
        }
        if (!section.recovery.empty()) {
            out << '\n';
            write_list(out, section.recovery, "");
        }
    }
    out << "\n### Retry amplification and invariants (whole run)\n\n"
           "Calls received / expected per downstream operation:\n\n";
    write_list(out, retry_amplification_lines(r), "No downstream calls were checked.");
    out << '\n';
    write_table(out, invariants_table(r), 1);
}

}  // namespace

void write_markdown_report(const run_result& r, std::ostream& out) {
    out << "# AsyncBench report: " << md_escape(r.scenario) << "\n\n";
    if (!r.description.empty()) out << md_escape(r.description) << "\n\n";
    const std::string outcome = md_escape(outcome_line(r));
    out << (judge_run(r).status == exit_status::held ? outcome : "**" + outcome + "**") << "\n\n";

    // What an architect reads first: the verdict and what qualifies it; how the numbers were
    // obtained (environment, settings) closes the report.
    out << "## Verdict\n\n";
    write_list(out, verdict_lines(r), "");

    if (r.capacity) {
        out << "\n## Capacity\n\n";
        write_list(out, capacity_summary_lines(*r.capacity), "");
        out << '\n';
        write_table(out, capacity_ceiling_table(*r.capacity), 1);
        out << fmt::format(
            "\nEach step: {:.0f} s warm-up, then {:.0f} s measured at a fixed rate. "
            "The results below are each mode's highest step that completed what "
            "it accepted.\n\n",
            r.capacity->step_warmup_s, r.capacity->step_duration_s);
        write_table(out, capacity_step_table(*r.capacity), 1);
    }

    out << "\n## Warnings\n\n";
    write_list(out, report_warnings(r), "None.");

    if (has_fault_records(r)) write_faults(out, r);

    const auto modes = report_modes(r);
    std::string title;
    for (const auto& name : modes) title += (title.empty() ? "" : " vs ") + name;
    out << "\n## Results: " << (modes.empty() ? "none" : md_escape(title)) << "\n\n";
    if (modes.empty()) {
        out << "No mode ran.\n";
    } else {
        write_table(out, comparison_table(r), 1);
    }

    const auto cost = cost_table(r);
    if (!cost.rows.empty()) {
        out << "\n## Cost\n\n" << cost_table_intro << "\n\n";
        write_table(out, cost, 2);
    }

    out << "\n## Step errors\n\n" << step_errors_intro << "\n\n";
    const auto step_errors = step_error_table(r);
    if (step_errors.rows.empty()) {
        out << step_errors_none << '\n';
    } else {
        write_table(out, step_errors, 3);
    }

    const auto stages = stage_table(r);
    if (!stages.rows.empty()) {
        out << "\n## Stages\n\n" << stage_table_intro << "\n\n";
        write_table(out, stages, 2);
    }
    const auto invariants = scenario_invariant_table(r);
    const auto metrics = scenario_metric_table(r);
    if (!invariants.rows.empty() || !metrics.rows.empty()) {
        out << "\n## Scenario checks\n\n";
        if (!invariants.rows.empty()) write_table(out, invariants, 4);
        if (!metrics.rows.empty()) {
            out << '\n';
            write_table(out, metrics, 2);
        }
    }

    out << "\n## Downstream call checks\n\n";
    const auto calls = call_check_table(r);
    if (calls.rows.empty()) {
        out << "No downstream calls were checked.\n";
    } else {
        write_table(out, calls, 2);
    }
    for (const auto& name : modes) {
        const auto& rec = r.modes.at(name).reconciliation;
        if (rec.lost_ids.empty()) continue;
        const std::size_t shown = std::min<std::size_t>(rec.lost_ids.size(), inline_lost_id_limit);
        out << "\nLost ids (" << name << ", " << shown << " of " << format_count(rec.lost)
            << "; result.json lists up to 10,000): "
            << md_escape(join_list({rec.lost_ids.begin(), rec.lost_ids.begin() + shown}, ""))
            << '\n';
        for (const auto& [reason, n] : rec.lost_by_reason) {
            out << "\n- " << name << ": " << format_count(n) << " " << md_escape(reason) << '\n';
        }
    }

    out << "\n## Thresholds\n\n";
    write_table(out, threshold_table(r), 4);
    if (const auto repetitions = repetition_table(r); !repetitions.rows.empty()) {
        out << "\n## Repetitions\n\n"
            << r.settings.repetitions
            << " repetitions per mode, modes alternating; every repetition's metrics are in "
               "result.json for `asyncbench compare`.\n\n";
        write_table(out, repetitions, 1);
    }

    out << "\n## Invalid reasons\n\n";
    write_list(out, report_invalid_reasons(r), "None.");

    out << "\n## Environment\n\n";
    write_table(out, environment_table(r), 2);
    out << "\n## Settings\n\n";
    write_table(out, settings_table(r), 2);
}

std::string md_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == '|') {
            out += "\\|";
        } else if (c == '\n' || c == '\r') {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace asyncbench

#include "harness/cli/load_command.hpp"

#include <fmt/format.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "harness/config/units.hpp"
#include "harness/core/interrupts.hpp"
#include "harness/load/url_target.hpp"
#include "harness/result/result_json.hpp"
#include "harness/run/latency_files.hpp"
#include "harness/stats/latency_summary.hpp"
#include "reports/number_format.hpp"

namespace asyncbench {
namespace {

// p50 / p90 / p99 / p99.9 / max of one view, in milliseconds.
std::string view_line(const char* name, const latency_summary& l) {
    if (l.count == 0) return fmt::format("  {:<30} no answers\n", name);
    return fmt::format("  {:<30} p50 {} ms  p90 {} ms  p99 {} ms  p99.9 {} ms  max {} ms\n", name,
                       format_ms(l.p50_us), format_ms(l.p90_us), format_ms(l.p99_us),
                       format_ms(l.p999_us), format_ms(l.max_us));
}

// Every option checked; problems appended to `errors`.
load_spec spec_of(const load_options& options, std::vector<std::string>& errors) {
    load_spec spec;
    auto duration_of = [&](const std::string& text, const char* option, bool zero_ok) {
        const auto value = parse_duration(text);
        if (!value || value->count() < 0 || (!zero_ok && value->count() == 0)) {
            errors.push_back(fmt::format("{}: '{}' is not a{} duration (e.g. 30s, 500ms, 2m)",
                                         option, text, zero_ok ? "" : " positive"));
            return std::chrono::nanoseconds(0);
        }
        return *value;
    };
    spec.duration = duration_of(options.duration, "--duration", false);
    spec.warmup = duration_of(options.warmup, "--warmup", true);
    spec.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        duration_of(options.timeout, "--timeout", false));
    if (!options.rate.empty() && options.users > 0) {
        errors.push_back("--rate and --users exclude each other: open or closed loop");
    } else if (options.users > 0) {
        spec.kind = load_spec::model::closed;
        spec.users = options.users;
        spec.think_time = std::chrono::duration_cast<std::chrono::milliseconds>(
            duration_of(options.think, "--think", true));
    } else if (options.rate.empty()) {
        errors.push_back("say how much load: --rate R (open loop, e.g. 200/s) or --users N");
    } else if (const auto rate = parse_rate(options.rate); !rate || *rate <= 0) {
        errors.push_back(
            fmt::format("--rate: '{}' is not a rate (e.g. 200/s, 1500)", options.rate));
    } else {
        spec.kind = load_spec::model::open;
        spec.rate_per_s = *rate;
    }
    if (options.connections < 1) errors.push_back("--connections must be at least 1");
    spec.max_connections = options.connections;
    return spec;
}

// The request body, from --body FILE or --body-template; empty without either.
std::optional<std::string> body_of(const load_options& options, std::vector<std::string>& errors) {
    if (!options.body_file.empty() && !options.body_template.empty()) {
        errors.push_back("--body and --body-template exclude each other");
        return std::nullopt;
    }
    if (options.body_file.empty()) return options.body_template;
    std::ifstream in(options.body_file, std::ios::binary);
    if (!in) {
        errors.push_back("--body: cannot read " + options.body_file);
        return std::nullopt;
    }
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string with_seq(const std::string& body, std::uint64_t seq) {
    constexpr std::string_view mark = "{seq}";
    std::string out;
    std::size_t from = 0;
    for (auto at = body.find(mark); at != std::string::npos; at = body.find(mark, from)) {
        out.append(body, from, at - from).append(std::to_string(seq));
        from = at + mark.size();
    }
    return out.append(body, from);
}

void write_json(const std::filesystem::path& path, const std::string& url, const load_spec& spec,
                const load_report& report) {
    boost::json::object o;
    o["url"] = url;
    o["model"] = spec.kind == load_spec::model::open ? "open" : "closed";
    o["rate_per_s"] = spec.rate_per_s;
    o["users"] = spec.users;
    o["warmup_s"] = std::chrono::duration<double>(spec.warmup).count();
    o["duration_s"] = std::chrono::duration<double>(spec.duration).count();
    o["requests"] = report.measured_sent;
    o["ok"] = report.measured_ok;
    o["offered_per_s"] = report.offered_per_s;
    o["measured_seconds"] = report.measured_seconds;
    o["api_latency_all_us"] = latency_to_json(summarize(report.latency_all_us));
    o["api_latency_2xx_us"] = latency_to_json(summarize(report.latency_2xx_us));
    o["send_delay_us"] = latency_to_json(summarize(report.send_delay_us));
    o["schedule_lag_us"] = latency_to_json(summarize(report.schedule_lag_us));
    o["errors"] = errors_to_json(report.errors);
    std::ofstream out(path, std::ios::trunc);
    out << boost::json::serialize(o) << "\n";
    if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

std::string load_summary(const load_target& target, const load_spec& spec,
                         const load_report& report) {
    std::string text =
        fmt::format("{} http://{}:{}{}\n", target.method, target.host, target.port, target.path);
    if (spec.kind == load_spec::model::open) {
        text += fmt::format(
            "  open loop at {}/s for {} after a {} warm-up (not counted), up to {} "
            "connections; latency from each request's intended send time\n",
            format_rate(spec.rate_per_s), format_duration(spec.duration),
            format_duration(spec.warmup), spec.max_connections);
    } else {
        text +=
            fmt::format("  closed loop, {} users, for {} after a {} warm-up (not counted)\n",
                        spec.users, format_duration(spec.duration), format_duration(spec.warmup));
    }
    text += view_line("latency, all answers", summarize(report.latency_all_us));
    text += view_line("latency, 2xx only", summarize(report.latency_2xx_us));
    text += view_line("send delay (for a connection)", summarize(report.send_delay_us));
    text += view_line("schedule lag (the generator)", summarize(report.schedule_lag_us));
    const auto& e = report.errors;
    text += fmt::format(
        "  {} requests in {} s, {} answered 2xx; errors: connect {}, timeout {}, io {}, 4xx {}, "
        "5xx {} (503: {})\n",
        format_count(report.measured_sent), format_seconds(report.measured_seconds),
        format_count(report.measured_ok), e.connect, e.timeout, e.io, e.status_4xx, e.status_5xx,
        e.status_503);
    const double done_per_s =
        report.measured_seconds > 0
            ? static_cast<double>(report.measured_ok) / report.measured_seconds
            : 0;
    text += fmt::format("  Requests/sec: {} answered 2xx (offered {})\n", format_rate(done_per_s),
                        format_rate(report.offered_per_s));
    return text;
}

int load_command(const load_options& options) {
    std::vector<std::string> errors;
    auto parsed = parse_url_target(options.url);
    if (auto* error = std::get_if<std::string>(&parsed)) errors.push_back(*error);
    auto spec = spec_of(options, errors);
    const auto body = body_of(options, errors);
    load_target target;
    if (auto* t = std::get_if<load_target>(&parsed)) target = *t;
    target.method = options.method;
    for (const auto& header : options.headers) {
        const auto colon = header.find(':');
        if (colon == std::string::npos || colon == 0) {
            errors.push_back("--header: '" + header + "' is not 'Name: value'");
            continue;
        }
        const auto value_at = header.find_first_not_of(' ', colon + 1);
        target.headers.emplace_back(header.substr(0, colon),
                                    value_at == std::string::npos ? "" : header.substr(value_at));
    }
    if (!errors.empty()) {
        for (const auto& error : errors) std::cerr << "error: " << error << "\n";
        return 2;
    }
    const std::atomic<bool>& interrupted = catch_interrupts();
    load_progress progress;
    const std::string payload = body.value_or("");
    auto report = run_load(
        spec, target,
        [&](std::uint64_t seq) {
            generated_request request;
            request.business_id = fmt::format("load-{}", seq);
            request.body = with_seq(payload, seq);
            return request;
        },
        progress, interrupted);
    std::cout << load_summary(target, spec, report);
    try {
        const std::filesystem::path out(options.out);
        std::filesystem::create_directories(out);
        write_json(out / "load.json", options.url, spec, report);
        mode_histograms views;
        views.api_all_us = report.latency_all_us;
        views.api_2xx_us = report.latency_2xx_us;
        views.send_delay_us = report.send_delay_us;
        views.schedule_lag_us = report.schedule_lag_us;
        const auto files = write_latency_files(out / "latency", "load", views);
        std::cout << "  written: " << (out / "load.json").string();
        for (const auto& file : files) std::cout << ", " << file.string();
        std::cout << "\n";
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 3;
    }
    if (report.measured_sent == 0) {
        std::cerr << "error: nothing was measured (interrupted during the warm-up?)\n";
        return 3;
    }
    if (report.errors.connect == report.measured_sent) {
        std::cerr << "error: " << options.url << " never answered: every request failed to "
                  << "connect\n";
        return 3;
    }
    return interrupted.load() ? 3 : 0;
}

}  // namespace asyncbench

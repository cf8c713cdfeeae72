#include "reports/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>
#include <vector>

#include "harness/core/mode.hpp"
#include "harness/result/exit_status.hpp"
#include "reports/capacity_report.hpp"
#include "reports/cost_report.hpp"
#include "reports/fault_report.hpp"
#include "reports/markdown_report.hpp"
#include "reports/scenario_report.hpp"
#include "reports/threshold_report.hpp"
#include "reports/verdict.hpp"

namespace asyncbench {

namespace {

constexpr std::string_view style = R"(
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1000px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em;
     border-bottom: 1px solid #ddd; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .5em 0; font-size: .92em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; }
th { background: #f3f3f3; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.bad, span.bad { color: #b00020; font-weight: bold; }
p.invalid { color: #b00020; font-weight: bold; }
ul.verdict li { margin: .25em 0; }
svg { display: block; margin: .5em 0 1.2em; }
svg text { font-size: 11px; fill: #333; }
svg text.chart-title { font-size: 13px; font-weight: bold; }
svg line.grid { stroke: #e6e6e6; } svg line.axis { stroke: #555; }
svg text.fault-label { font-size: 10px; fill: #555; }
)";

// Checks that failed, as the shared tables spell them.
bool is_failure_cell(const std::string& cell) {
    return cell == "MISSED" || cell == "MISSING" || cell == "DUPLICATES" ||
           cell == "MISSING and DUPLICATES";
}

void write_table(std::ostream& out, const report_table& table, std::size_t left_columns) {
    out << "<table>\n<tr>";
    for (const auto& h : table.header) out << "<th>" << html_escape(h) << "</th>";
    out << "</tr>\n";
    for (const auto& row : table.rows) {
        out << "<tr>";
        for (std::size_t i = 0; i < row.size(); ++i) {
            std::string cls = i < left_columns ? "" : "num";
            if (is_failure_cell(row[i])) cls = "bad";
            out << (cls.empty() ? "<td>" : "<td class=\"" + cls + "\">") << html_escape(row[i])
                << "</td>";
        }
        out << "</tr>\n";
    }
    out << "</table>\n";
}

void write_list(std::ostream& out, const std::vector<std::string>& items,
                std::string_view when_empty) {
    if (items.empty()) {
        out << "<p>" << html_escape(when_empty) << "</p>\n";
        return;
    }
    out << "<ul>\n";
    for (const auto& item : items) out << "<li>" << html_escape(item) << "</li>\n";
    out << "</ul>\n";
}

// Verdict lines use Markdown's **bold**; escape first, then turn pairs of ** into <strong>.
std::string verdict_html(const std::string& line) {
    const std::string escaped = html_escape(line);
    std::string out;
    bool open = false;
    std::size_t pos = 0;
    while (true) {
        const auto star = escaped.find("**", pos);
        if (star == std::string::npos) break;
        out.append(escaped, pos, star - pos);
        out += open ? "</strong>" : "<strong>";
        open = !open;
        pos = star + 2;
    }
    out.append(escaped, pos, std::string::npos);
    if (open) out += "</strong>";
    return out;
}

// ---------------------------------------------------------------------------------------------
// Inline SVG line charts.

struct chart_line {
    std::string label;
    std::string color;
    bool dashed = false;
    std::vector<std::pair<double, double>> points;  // (t_s, value); non-finite values skipped
};

// A fault's active interval [start_s, end_s), shaded behind the lines of every chart.
struct chart_band {
    double start_s = 0;
    double end_s = 0;
    std::string color;
    std::string label;    // drawn at the top of the band; empty: tooltip only
    std::string tooltip;  // <title>, shown on hover
};

// A 1, 2 or 5 times a power of ten step giving about `ticks` intervals over `range`.
double nice_step(double range, int ticks) {
    const double raw = range / ticks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / magnitude;
    const double step = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
    return step * magnitude;
}

std::string tick_label(double value, double step) {
    const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step)));
    if (std::fabs(value) < step / 2) value = 0;  // no "-0"
    return fmt::format("{:.{}f}", value, decimals);
}

std::string mode_color(const std::string& name, std::size_t index) {
    if (const auto known = mode_from_name(name)) return std::string(traits_of(*known).chart_color);
    static const char* const others[] = {"#7570b3", "#e7298a", "#66a61e", "#e6ab02"};
    return others[index % 4];
}

void write_chart(std::ostream& out, std::string_view title, std::string_view y_label,
                 const std::vector<chart_line>& lines, const std::vector<chart_band>& bands,
                 std::string_view x_label = "time since the start of warm-up (s)") {
    bool any = false;
    double x_min = 0, x_max = 0, y_min = 0, y_max = 0;
    for (const auto& line : lines) {
        for (const auto& [x, y] : line.points) {
            if (!std::isfinite(x) || !std::isfinite(y)) continue;
            if (!any) x_min = x_max = x;
            any = true;
            x_min = std::min(x_min, x), x_max = std::max(x_max, x);
            y_min = std::min(y_min, y), y_max = std::max(y_max, y);
        }
    }
    if (!any) {
        out << "<p>" << html_escape(title) << ": no per-second samples.</p>\n";
        return;
    }
    if (x_max <= x_min) x_max = x_min + 1;
    if (y_max <= y_min) y_max = y_min + 1;
    const double y_step = nice_step(y_max - y_min, 5);
    const double y_lo = std::floor(y_min / y_step) * y_step;
    const double y_hi = std::ceil(y_max / y_step) * y_step;
    const double x_step = nice_step(x_max - x_min, 8);

    constexpr double width = 760, height = 284, left = 70, right = 20, top = 48, bottom = 52;
    constexpr double plot_w = width - left - right, plot_h = height - top - bottom;
    auto sx = [&](double x) { return left + (x - x_min) / (x_max - x_min) * plot_w; };
    auto sy = [&](double y) { return top + plot_h - (y - y_lo) / (y_hi - y_lo) * plot_h; };

    out << fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
        "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"{2}\">\n<title>{2}</title>\n"
        "<text class=\"chart-title\" x=\"{3}\" y=\"18\">{2}</text>\n",
        width, height, html_escape(title), left);
    // Fault bands first, so grid and lines stay visible on top; clipped to the plotted seconds.
    for (const auto& band : bands) {
        const double from = std::max(band.start_s, x_min);
        const double to = std::min(band.end_s, x_max);
        if (!(from < to)) continue;
        out << fmt::format(
            "<g class=\"fault\"><title>{0}</title><rect x=\"{1:.1f}\" y=\"{2}\" "
            "width=\"{3:.1f}\" height=\"{4}\" fill=\"{5}\" fill-opacity=\"0.12\"/>",
            html_escape(band.tooltip), sx(from), top, sx(to) - sx(from), plot_h, band.color);
        if (!band.label.empty()) {
            out << fmt::format("<text class=\"fault-label\" x=\"{:.1f}\" y=\"{}\">{}</text>",
                               sx(from) + 3, top + 11, html_escape(band.label));
        }
        out << "</g>\n";
    }
    // Horizontal grid with y tick labels.
    for (double v = y_lo; v <= y_hi + y_step / 2; v += y_step) {
        out << fmt::format(
            "<line class=\"grid\" x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\"/>"
            "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
            left, sy(v), left + plot_w, left - 6, sy(v) + 4, tick_label(v, y_step));
    }
    // X ticks on multiples of the step.
    for (double v = std::ceil(x_min / x_step) * x_step; v <= x_max + x_step / 1e6; v += x_step) {
        out << fmt::format(
            "<line class=\"axis\" x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\"/>"
            "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
            sx(v), top + plot_h, top + plot_h + 4, top + plot_h + 17, tick_label(v, x_step));
    }
    // Axes and their labels.
    out << fmt::format(
        "<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>"
        "<line class=\"axis\" x1=\"{0}\" y1=\"{2}\" x2=\"{3}\" y2=\"{2}\"/>\n"
        "<text x=\"{4}\" y=\"{5}\" text-anchor=\"middle\">{8}</text>\n"
        "<text x=\"14\" y=\"{6}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {6})\">{7}"
        "</text>\n",
        left, top, top + plot_h, left + plot_w, left + plot_w / 2, height - 10, top + plot_h / 2,
        html_escape(y_label), html_escape(x_label));
    // The lines, then the legend right-aligned between the title and the plot.
    double legend_x = width - right;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        const auto& line = *it;
        const std::string dash = line.dashed ? " stroke-dasharray=\"5 3\"" : "";
        std::string points;
        for (const auto& [x, y] : line.points) {
            if (!std::isfinite(x) || !std::isfinite(y)) continue;
            points += fmt::format("{:.1f},{:.1f} ", sx(x), sy(y));
        }
        out << fmt::format(
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"{} points=\"{}\"/>\n",
            line.color, dash, points);
        legend_x -= 7.0 * static_cast<double>(line.label.size()) + 34;
        out << fmt::format(
            "<line x1=\"{0:.1f}\" y1=\"31\" x2=\"{1:.1f}\" y2=\"31\" stroke=\"{2}\" "
            "stroke-width=\"2\"{3}/><text x=\"{4:.1f}\" y=\"35\">{5}</text>\n",
            legend_x, legend_x + 20, line.color, dash, legend_x + 24, html_escape(line.label));
    }
    out << "</svg>\n";
}

// Every applied fault of every mode, in the mode's colour. The label is drawn once per fault
// (the modes' bands nearly coincide); each band's tooltip names its mode and times.
std::vector<chart_band> fault_bands(const run_result& r, const std::vector<std::string>& modes) {
    std::vector<chart_band> out;
    std::vector<bool> labelled(fault_count(r), false);
    for (std::size_t i = 0; i < modes.size(); ++i) {
        const auto& faults = r.modes.at(modes[i]).faults;
        for (std::size_t k = 0; k < faults.size(); ++k) {
            const auto& f = faults[k];
            if (!f.applied) continue;
            chart_band band;
            band.start_s = f.start_s;
            band.end_s = f.end_s;
            band.color = mode_color(modes[i], i);
            if (!labelled[k]) band.label = f.name;
            labelled[k] = true;
            band.tooltip = fmt::format("{} ({}): {} s to {} s{}{}", f.name, modes[i],
                                       format_run_time(f.start_s), format_run_time(f.end_s),
                                       f.action.empty() ? "" : ", ", f.action);
            out.push_back(std::move(band));
        }
    }
    return out;
}

void write_charts(std::ostream& out, const run_result& r, const std::vector<std::string>& modes) {
    const auto bands = fault_bands(r, modes);
    std::vector<chart_line> p99, rate, backlog;
    for (std::size_t i = 0; i < modes.size(); ++i) {
        const auto& name = modes[i];
        const auto& series = r.modes.at(name).series;
        const std::string color = mode_color(name, i);
        chart_line lat{name + " p99", color, false, {}};
        chart_line ok{name + " ok/s", color, false, {}};
        chart_line errors{name + " errors/s", color, true, {}};
        chart_line queue{name + " backlog", color, false, {}};
        for (const auto& s : series) {
            const auto t = static_cast<double>(s.t_s);
            lat.points.emplace_back(t, s.p99_us / 1000.0);
            ok.points.emplace_back(t, static_cast<double>(s.ok));
            errors.points.emplace_back(t, static_cast<double>(s.errors));
            queue.points.emplace_back(t, static_cast<double>(s.backlog));
        }
        p99.push_back(std::move(lat));
        rate.push_back(std::move(ok));
        rate.push_back(std::move(errors));
        backlog.push_back(std::move(queue));
    }
    write_chart(out, "API latency p99 of the 2xx answers arriving in each second",
                "p99 latency (ms)", p99, bands);
    write_chart(out, "Successful answers and errors, by the second they arrived",
                "answers per second", rate, bands);
    write_chart(out, "Backlog: accepted, not yet completed", "requests", backlog, bands);
}

// The capacity search: ceilings, a chart of p99 against offered rate per mode (API and
// completion), and every step.
void write_capacity(std::ostream& out, const capacity_result& capacity) {
    out << "<h2>Capacity</h2>\n";
    write_list(out, capacity_summary_lines(capacity), "");
    write_table(out, capacity_ceiling_table(capacity), 1);
    std::vector<chart_line> lines;
    for (std::size_t i = 0; i < capacity.modes.size(); ++i) {
        const auto& name = capacity.modes[i].mode;
        const std::string color = mode_color(name, i);
        lines.push_back(
            {name + " API p99", color, false, capacity_p99_points(capacity, name, false)});
        lines.push_back(
            {name + " completion p99", color, true, capacity_p99_points(capacity, name, true)});
    }
    write_chart(out, "p99 latency against offered rate, one point per step", "p99 latency (ms)",
                lines, {}, "offered rate (requests per second)");
    out << fmt::format(
        "<p>Each step: {:.0f} s warm-up, then {:.0f} s measured at a fixed rate.</p>\n",
        capacity.step_warmup_s, capacity.step_duration_s);
    write_table(out, capacity_step_table(capacity), 1);
}

void write_faults(std::ostream& out, const run_result& r) {
    out << "<h2>Faults</h2>\n<p>Times are seconds since the start of warm-up; the charts below "
           "shade each fault. Each window counts the requests whose intended send time fell in "
           "it, however late they were answered"
        << (callers_retried(r) ? ", by their final answer (the callers retried: a request "
                                 "refused during the fault and taken later counts as answered 2xx)"
                               : "")
        << ".</p>\n";
    const auto sections = fault_sections(r);
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const auto& section = sections[i];
        out << "<h3>Fault " << i + 1 << ": " << html_escape(section.title) << "</h3>\n";
        write_list(out, section.actions, "");
        if (!section.windows.rows.empty()) write_table(out, section.windows, 1);
        if (!section.recovery.empty()) write_list(out, section.recovery, "");
    }
    out << "<h3>Retry amplification and invariants (whole run)</h3>\n"
           "<p>Calls received / expected per downstream operation:</p>\n";
    write_list(out, retry_amplification_lines(r), "No downstream calls were checked.");
    write_table(out, invariants_table(r), 1);
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

void write_html_report(const run_result& r, std::ostream& out) {
    const std::string title = "AsyncBench report: " + r.scenario;
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        << html_escape(title) << "</title>\n<style>" << style << "</style>\n</head>\n<body>\n";
    out << "<h1>" << html_escape(title) << "</h1>\n";
    if (!r.description.empty()) out << "<p>" << html_escape(r.description) << "</p>\n";
    out << (judge_run(r).status == exit_status::held ? "<p>" : "<p class=\"invalid\">")
        << html_escape(outcome_line(r)) << "</p>\n";

    out << "<h2>Verdict</h2>\n<ul class=\"verdict\">\n";
    for (const auto& line : verdict_lines(r)) out << "<li>" << verdict_html(line) << "</li>\n";
    out << "</ul>\n";
    if (r.capacity) write_capacity(out, *r.capacity);
    out << "<h2>Warnings</h2>\n";
    write_list(out, report_warnings(r), "None.");
    if (has_fault_records(r)) write_faults(out, r);

    const auto modes = report_modes(r);
    std::string results_title;
    for (const auto& name : modes) results_title += (results_title.empty() ? "" : " vs ") + name;
    out << "<h2>Results: " << html_escape(modes.empty() ? "none" : results_title) << "</h2>\n";
    if (modes.empty()) {
        out << "<p>No mode ran.</p>\n";
    } else {
        write_table(out, comparison_table(r), 1);
        out << "<h2>Per-second series</h2>\n";
        write_charts(out, r, modes);
    }
    const auto cost = cost_table(r);
    if (!cost.rows.empty()) {
        out << "<h2>Cost</h2>\n<p>" << html_escape(cost_table_intro) << "</p>\n";
        write_table(out, cost, 2);
    }

    out << "<h2>Step errors</h2>\n<p>" << step_errors_intro << "</p>\n";
    const auto step_errors = step_error_table(r);
    if (step_errors.rows.empty()) {
        out << "<p>" << step_errors_none << "</p>\n";
    } else {
        write_table(out, step_errors, 3);
    }

    out << "<h2>Downstream call checks</h2>\n";
    const auto stages = stage_table(r);
    if (!stages.rows.empty()) {
        out << "<h2>Stages</h2>\n<p>" << stage_table_intro << "</p>\n";
        write_table(out, stages, 2);
    }
    const auto invariants = scenario_invariant_table(r);
    const auto metrics = scenario_metric_table(r);
    if (!invariants.rows.empty() || !metrics.rows.empty()) {
        out << "<h2>Scenario checks</h2>\n";
        if (!invariants.rows.empty()) write_table(out, invariants, 4);
        if (!metrics.rows.empty()) write_table(out, metrics, 2);
    }
    const auto calls = call_check_table(r);
    if (calls.rows.empty()) {
        out << "<p>No downstream calls were checked.</p>\n";
    } else {
        write_table(out, calls, 2);
    }
    for (const auto& name : modes) {
        const auto& ids = r.modes.at(name).reconciliation.lost_ids;
        if (ids.empty()) continue;
        const std::size_t shown = std::min<std::size_t>(ids.size(), inline_lost_id_limit);
        std::string joined;
        for (std::size_t i = 0; i < shown; ++i) joined += (joined.empty() ? "" : ", ") + ids[i];
        out << "<p><span class=\"bad\">Lost ids (" << html_escape(name) << ", " << shown << " of "
            << format_count(r.modes.at(name).reconciliation.lost)
            << "; result.json lists up to 10,000):</span> " << html_escape(joined) << "</p>\n";
        for (const auto& [reason, n] : r.modes.at(name).reconciliation.lost_by_reason) {
            out << "<p>" << html_escape(name) << ": " << format_count(n) << " "
                << html_escape(reason) << "</p>\n";
        }
    }

    out << "<h2>Thresholds</h2>\n";
    write_table(out, threshold_table(r), 4);
    if (const auto repetitions = repetition_table(r); !repetitions.rows.empty()) {
        out << "<h2>Repetitions</h2>\n<p>" << r.settings.repetitions
            << " repetitions per mode, modes alternating; every repetition's metrics are in "
               "result.json for <code>asyncbench compare</code>.</p>\n";
        write_table(out, repetitions, 1);
    }
    out << "<h2>Invalid reasons</h2>\n";
    write_list(out, report_invalid_reasons(r), "None.");
    out << "<h2>Environment</h2>\n";
    write_table(out, environment_table(r), 2);
    out << "<h2>Settings</h2>\n";
    write_table(out, settings_table(r), 2);
    out << "</body>\n</html>\n";
}

}  // namespace asyncbench

// The CI formats of `asyncbench compare`: JUnit XML and Bencher Metric Format (see
// comparison_report.hpp); the Markdown is in comparison_report.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

#include "harness/result/json_text.hpp"
#include "reports/comparison_report.hpp"
#include "reports/comparison_text.hpp"

namespace asyncbench {
namespace {

// One <testcase>, with an optional child: kind "failure", "error" or "skipped".
struct test_case {
    std::string classname;
    std::string name;
    std::string kind;  // empty: passed
    std::string message;
    std::string detail;  // the child's text; empty: a self-closing child
};

struct test_suite {
    std::string name;
    std::vector<test_case> cases;
    std::size_t count(std::string_view kind) const {
        return static_cast<std::size_t>(std::count_if(
            cases.begin(), cases.end(), [&](const test_case& t) { return t.kind == kind; }));
    }
};

void write_case(std::ostream& out, const test_case& t) {
    out << "    <testcase classname=\"" << xml_escape(t.classname) << "\" name=\""
        << xml_escape(t.name) << '"';
    if (t.kind.empty()) {
        out << "/>\n";
        return;
    }
    out << ">\n      <" << t.kind << " message=\"" << xml_escape(t.message) << '"';
    if (t.detail.empty()) {
        out << "/>\n";
    } else {
        out << '>' << xml_escape(t.detail) << "</" << t.kind << ">\n";
    }
    out << "    </testcase>\n";
}

void write_suites(std::ostream& out, const std::vector<test_suite>& suites) {
    std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
    for (const auto& s : suites) {
        tests += s.cases.size();
        failures += s.count("failure");
        errors += s.count("error");
        skipped += s.count("skipped");
    }
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << fmt::format(
               "<testsuites name=\"asyncbench compare\" tests=\"{}\" failures=\"{}\" "
               "errors=\"{}\" skipped=\"{}\">\n",
               tests, failures, errors, skipped);
    for (const auto& s : suites) {
        out << fmt::format(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
            "skipped=\"{}\">\n",
            xml_escape(s.name), s.cases.size(), s.count("failure"), s.count("error"),
            s.count("skipped"));
        for (const auto& t : s.cases) write_case(out, t);
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
    return out;
}

test_suite threshold_suite(const comparison_result& c, const std::string& prefix) {
    test_suite suite{prefix + ".thresholds", {}};
    for (const auto& t : c.candidate_thresholds) {
        test_case tc{suite.name,
                     fmt::format("{}: {}{}", t.mode, t.threshold, t.implicit ? " (always)" : ""),
                     "", "", ""};
        if (!t.passed) {
            tc.kind = "failure";
            tc.message = fmt::format("missed: observed {}", t.observed_text);
        }
        suite.cases.push_back(std::move(tc));
    }
    return suite;
}

test_suite comparison_suite(const comparison_result& c, const std::string& prefix) {
    test_suite suite{prefix + ".comparison", {}};
    for (const auto& m : c.metrics) {
        test_case tc{prefix + "." + m.subject.mode, m.subject.metric, "", "", ""};
        if (m.verdict == gate_verdict::worse) {
            tc.kind = "failure";
        } else if (m.verdict == gate_verdict::not_enough_repetitions ||
                   m.verdict == gate_verdict::not_measured) {
            tc.kind = "skipped";
        }
        if (!tc.kind.empty()) {
            tc.message = fmt::format("{}: {}", verdict_text(m.verdict), verdict_reason(m));
        }
        if (m.verdict == gate_verdict::worse) {
            tc.detail = fmt::format("{} ({}); baseline {}; candidate {}", m.subject.declared_by,
                                    direction_text(m.subject.direction),
                                    spread_text(m.subject.metric, m.baseline),
                                    spread_text(m.subject.metric, m.candidate));
        }
        suite.cases.push_back(std::move(tc));
    }
    for (const auto& check : c.correctness) {
        test_case tc{prefix + "." + check.mode, "correctness: " + check.metric, "", "", ""};
        if (check.worse()) {
            tc.kind = "failure";
            tc.message = fmt::format("worse: {} in the candidate (baseline {})",
                                     format_metric_value(check.metric, check.candidate_total),
                                     format_metric_value(check.metric, check.baseline_total));
        }
        suite.cases.push_back(std::move(tc));
    }
    for (const auto* side : {"baseline", "candidate"}) {
        test_case tc{prefix + ".validity", fmt::format("{} run is valid", side), "", "", ""};
        std::vector<std::string> reasons;
        for (const auto& reason : c.untrustworthy) {
            if (reason.starts_with(std::string(side) + ":")) reasons.push_back(reason);
        }
        if (!reasons.empty()) {
            tc.kind = "error";
            tc.message = "not trustworthy: " + reasons.front();
            tc.detail = join_lines(reasons);
        }
        suite.cases.push_back(std::move(tc));
    }
    return suite;
}

}  // namespace

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (ch) {
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
                out += "&apos;";
                break;
            // As references, so attribute values keep them (a parser turns a literal newline
            // in an attribute into a space).
            case '\t':
                out += "&#9;";
                break;
            case '\n':
                out += "&#10;";
                break;
            case '\r':
                out += "&#13;";
                break;
            default:
                out += (c < 0x20 || c == 0x7f) ? '?' : ch;
        }
    }
    return out;
}

void write_comparison_junit(const comparison_result& c, std::ostream& out) {
    const std::string prefix = "asyncbench." + c.scenario;
    if (c.refused) {
        test_suite suite{prefix + ".comparison", {}};
        suite.cases.push_back({prefix + ".comparison", "the runs can be compared", "error",
                               "refused: the runs differ; --force compares them anyway",
                               join_lines(c.differences)});
        write_suites(out, {suite});
        return;
    }
    write_suites(out, {threshold_suite(c, prefix), comparison_suite(c, prefix)});
}

void write_comparison_bmf(const comparison_result& c, std::ostream& out) {
    boost::json::object root;
    if (!c.refused) {
        for (const auto& m : c.metrics) {
            const auto& s = m.candidate;
            if (s.values.empty()) continue;
            auto& benchmark = root[c.scenario + "/" + m.subject.mode];
            if (!benchmark.is_object()) benchmark = boost::json::object();
            benchmark.as_object()[m.subject.metric] = {
                {"value", s.median}, {"lower_value", s.min}, {"upper_value", s.max}};
        }
    }
    out << to_pretty_json(root) << '\n';
}

}  // namespace asyncbench

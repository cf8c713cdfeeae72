// Pins the three outputs of `asyncbench compare`: the Markdown a CI job summary shows, JUnit XML
// (well-formed, escaped) and Bencher Metric Format JSON (parsed back, values checked).
#include "reports/comparison_report.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "comparison_test_support.hpp"

namespace asyncbench {
namespace {

using namespace comparison_fixtures;

// async completion_p99 worse (5 v 5, +19.6%), sync availability unchanged, async
// coupons_issued with 4 a side, a loss in the candidate's async mode, a missed threshold.
comparison_result sample_comparison() {
    run_result baseline = make_run();
    run_result candidate = make_run();
    set_metric(baseline, "async", "completion_p99", {100e3, 101e3, 102e3, 103e3, 104e3});
    set_metric(candidate, "async", "completion_p99", {120e3, 121e3, 122e3, 123e3, 124e3});
    set_metric(baseline, "sync", "availability", {0.999, 0.998, 1, 0.999, 0.9995});
    set_metric(candidate, "sync", "availability", {0.999, 1, 0.998, 0.9985, 0.999});
    set_metric(baseline, "async", "coupons_issued", {40, 41, 42, 43});
    set_metric(candidate, "async", "coupons_issued", {60, 61, 62, 63});
    set_metric(candidate, "async", "lost", {0, 2, 0, 0, 0});
    candidate.thresholds = {
        threshold("async", "completion_p99", "<", 110e3, "async.completion_p99 < 110ms"),
        threshold("async", "lost", "<=", 0, "lost <= 0"),
    };
    candidate.thresholds[0].passed = false;
    candidate.thresholds[0].observed_text = "122.0 ms";
    candidate.thresholds[1].implicit = true;
    candidate.thresholds[1].passed = false;
    candidate.thresholds[1].observed_text = "2";
    return compare_ok(baseline, candidate,
                      {request("sync.availability"), request("async.coupons_issued:higher")});
}

std::string markdown_of(const comparison_result& c) {
    std::ostringstream out;
    write_comparison_markdown(c, out);
    return out.str();
}

std::string junit_of(const comparison_result& c) {
    std::ostringstream out;
    write_comparison_junit(c, out);
    return out.str();
}

std::string bmf_of(const comparison_result& c) {
    std::ostringstream out;
    write_comparison_bmf(c, out);
    return out.str();
}

// The whole Markdown, as a CI job summary shows it.
TEST(comparison_markdown, pins_the_summary) {
    EXPECT_EQ(markdown_of(sample_comparison()), R"md(# AsyncBench comparison: lp-report

**Worse (exit 1)**: async completion_p99 +19.6% (p = 0.008); async lost: 2 in the candidate (baseline 0).

Baseline: base.json. Candidate: cand.json.

## sync

| Metric | Baseline median (min - max, n) | Candidate median (min - max, n) | Change | p | Verdict |
|---|---:|---:|---:|---:|---|
| availability (higher is better) | 99.90% (99.80% - 100.00%, n=5) | 99.90% (99.80% - 100.00%, n=5) | 0.0% | 0.714 | unchanged |

## async

| Metric | Baseline median (min - max, n) | Candidate median (min - max, n) | Change | p | Verdict |
|---|---:|---:|---:|---:|---|
| completion_p99 (lower is better) | 102.0 ms (100.0 ms - 104.0 ms, n=5) | 122.0 ms (120.0 ms - 124.0 ms, n=5) | +19.6% | 0.008 | **worse** |
| coupons_issued (higher is better) | 41.500 (40 - 43, n=4) | 61.500 (60 - 63, n=4) | +48.2% | 0.029 | not enough repetitions |

## Correctness (worse by any amount, without statistics)

| Mode | Check | Baseline | Candidate | Verdict |
|---|---|---:|---:|---|
| sync | lost | 0 | 0 | held |
| sync | duplicate_effects | 0 | 0 | held |
| sync | broken_invariants | 0 | 0 | held |
| async | lost | 0 | 2 | **worse** |
| async | duplicate_effects | 0 | 0 | held |
| async | broken_invariants | 0 | 0 | held |

Sums over every repetition of each side.

## Parameters

alpha 0.05; minimum effect 5% of the baseline's median; at least 5 valid repetitions a side for a verdict. A gate is worse only when the two-sided Mann-Whitney U test gives p < alpha and the median moved beyond the minimum effect in the bad direction; better symmetrically. Correctness checks are worse by any amount.
)md");
}

TEST(comparison_markdown, a_refusal_lists_the_differences_and_no_tables) {
    run_result candidate = make_run();
    candidate.settings.rate_per_s = 400;
    candidate.environment.broker_kind = "external";
    const auto md = markdown_of(compare_ok(make_run(), candidate));
    EXPECT_TRUE(contains(md,
                         "**Refused (exit 2)**: the runs differ (2 differences listed below); "
                         "--force compares them anyway.\n"))
        << md;
    EXPECT_TRUE(contains(md,
                         "## Differences (refused)\n\n"
                         "- rate_per_s: baseline 200, candidate 400\n"
                         "- broker kind: baseline embedded-mock, candidate external\n"))
        << md;
    EXPECT_FALSE(contains(md, "## async")) << md;
    EXPECT_FALSE(contains(md, "## Correctness")) << md;
}

TEST(comparison_markdown, forced_differences_warnings_and_notes_are_listed) {
    run_result baseline = make_run();
    run_result candidate = make_run();
    candidate.settings.duration_s = 30;
    candidate.environment.host = "laptop|2";
    baseline.modes.erase("sync");
    compare_parameters forced;
    forced.force = true;
    const auto md = markdown_of(compare_ok(baseline, candidate, {}, forced));
    EXPECT_TRUE(contains(md,
                         "## Differences (compared anyway: --force)\n\n"
                         "- duration_s: baseline 10, candidate 30\n"))
        << md;
    // '|' would split a table cell or a list item's text in some renderers.
    EXPECT_TRUE(contains(md, "## Warnings\n\n- host: baseline ci-runner-1, candidate laptop\\|2"))
        << md;
    EXPECT_TRUE(contains(md, "## Notes\n\n- sync: only the candidate ran it: not compared.\n"))
        << md;
    EXPECT_TRUE(contains(md, "Compared with --force.")) << md;
}

TEST(comparison_verdict_line, says_the_outcome_and_its_exit_code) {
    EXPECT_EQ(comparison_verdict_line(compare_ok(make_run(), make_run())),
              "**No regression (exit 0)**: no statistical gate declared (add thresholds to the "
              "scenario or pass --metric); correctness held.");
    run_result baseline = make_run();
    run_result candidate = make_run();
    set_metric(baseline, "async", "api_all_p99", five_around_100);
    set_metric(candidate, "async", "api_all_p99", {99, 100, 101, 102, 103});
    EXPECT_EQ(comparison_verdict_line(compare_ok(baseline, candidate, {request("api_all_p99")})),
              "**No regression (exit 0)**: 2 comparisons in 2 modes: 1 unchanged, 1 not measured; "
              "correctness held.");
    candidate.valid = false;
    candidate.modes.at("sync").valid = false;
    candidate.modes.at("sync").invalid_reasons = {"interrupted (SIGINT)"};
    EXPECT_EQ(comparison_verdict_line(compare_ok(baseline, candidate)),
              "**Not trustworthy (exit 3)**: nothing is worse, but candidate: sync: interrupted "
              "(SIGINT).");
}

// A minimal XML 1.0 well-formedness check of what the writer emits: the declaration, elements
// nested and closed in order under one root, attribute values quoted, and no raw '<' or stray
// '&' in text or attribute values. Returns what is wrong, or "" when nothing is.
std::string xml_problem(std::string_view xml) {
    const auto bad_text = [](std::string_view text) {
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '<') return true;
            if (text[i] != '&') continue;
            const auto end = text.find(';', i);
            if (end == std::string_view::npos) return true;
            const auto entity = text.substr(i + 1, end - i - 1);
            const bool known = entity == "amp" || entity == "lt" || entity == "gt" ||
                               entity == "quot" || entity == "apos" ||
                               (entity.size() > 1 && entity[0] == '#');
            if (!known) return true;
        }
        return false;
    };
    const std::string_view declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    if (!xml.starts_with(declaration)) return "no XML declaration";
    std::vector<std::string> open;
    int roots = 0;
    std::size_t i = declaration.size();
    while (i < xml.size()) {
        const auto lt = xml.find('<', i);
        const auto text = xml.substr(i, (lt == std::string_view::npos ? xml.size() : lt) - i);
        if (bad_text(text)) return "bad text: " + std::string(text);
        if (lt == std::string_view::npos) break;
        if (xml.substr(lt, 2) == "</") {
            const auto gt = xml.find('>', lt);
            const std::string name(xml.substr(lt + 2, gt - lt - 2));
            if (open.empty() || open.back() != name) return "unbalanced </" + name + ">";
            open.pop_back();
            i = gt + 1;
            continue;
        }
        std::size_t j = lt + 1;
        while (j < xml.size() && xml[j] != ' ' && xml[j] != '>' && xml[j] != '/') ++j;
        const std::string name(xml.substr(lt + 1, j - lt - 1));
        if (open.empty() && ++roots > 1) return "more than one root";
        for (;;) {
            while (j < xml.size() && xml[j] == ' ') ++j;
            if (xml.substr(j, 2) == "/>") {
                i = j + 2;
                break;
            }
            if (j < xml.size() && xml[j] == '>') {
                open.push_back(name);
                i = j + 1;
                break;
            }
            const auto eq = xml.find('=', j);
            if (eq == std::string_view::npos || xml[eq + 1] != '"') return "unquoted attribute";
            const auto close = xml.find('"', eq + 2);
            if (close == std::string_view::npos) return "unterminated attribute";
            if (bad_text(xml.substr(eq + 2, close - eq - 2))) return "bad attribute in " + name;
            j = close + 1;
        }
    }
    return open.empty() && roots == 1 ? "" : "unclosed elements";
}

TEST(comparison_junit, one_case_per_threshold_metric_correctness_check_and_side) {
    const auto xml = junit_of(sample_comparison());
    EXPECT_EQ(xml_problem(xml), "");
    EXPECT_TRUE(contains(xml,
                         "<testsuites name=\"asyncbench compare\" tests=\"13\" "
                         "failures=\"4\" errors=\"0\" skipped=\"1\">"))
        << xml;
    EXPECT_TRUE(contains(xml, R"(<testcase classname="asyncbench.lp-report.thresholds" )"
                              R"x(name="async: lost &lt;= 0 (always)">)x"
                              "\n      <failure message=\"missed: observed 2\"/>"))
        << xml;
    EXPECT_TRUE(contains(xml, R"(<testcase classname="asyncbench.lp-report.async" )"
                              R"(name="completion_p99">)"
                              "\n      <failure message=\"worse: median 102.0 ms -&gt; 122.0 ms "
                              "(+19.6%), p = 0.008\">threshold async.completion_p99 &lt; 110ms"))
        << xml;
    EXPECT_TRUE(contains(xml,
                         "name=\"coupons_issued\">\n      <skipped message=\"not enough "
                         "repetitions: "))
        << xml;
    EXPECT_TRUE(contains(xml, R"(<testcase classname="asyncbench.lp-report.sync" )"
                              R"(name="availability"/>)"))
        << xml;
}

TEST(comparison_junit, escapes_every_text_and_stays_well_formed) {
    run_result baseline = make_run();
    run_result candidate = make_run();
    baseline.scenario = candidate.scenario = "a<b>&\"c'";
    candidate.thresholds = {threshold("sync", "availability", ">=", 0.99,
                                      "sync.availability >= 99% <&> \"quoted\" 'x'\x01\n")};
    candidate.thresholds[0].passed = false;
    candidate.thresholds[0].observed_text = "98% & falling";
    candidate.valid = false;
    candidate.modes.at("async").valid = false;
    candidate.modes.at("async").invalid_reasons = {"drain <timed out>\nafter 30 s"};
    const auto xml = junit_of(compare_ok(baseline, candidate));
    EXPECT_EQ(xml_problem(xml), "") << xml;
    EXPECT_TRUE(contains(xml, "classname=\"asyncbench.a&lt;b&gt;&amp;&quot;c&apos;.thresholds\""))
        << xml;
    EXPECT_TRUE(contains(xml,
                         "name=\"sync: sync.availability &gt;= 99% &lt;&amp;&gt; "
                         "&quot;quoted&quot; &apos;x&apos;?&#10;\""))
        << xml;
    EXPECT_TRUE(contains(xml, "message=\"missed: observed 98% &amp; falling\"")) << xml;
    EXPECT_TRUE(contains(xml,
                         "<error message=\"not trustworthy: candidate: async: drain "
                         "&lt;timed out&gt;&#10;after 30 s\">"))
        << xml;
}

TEST(comparison_junit, a_refusal_is_one_error_listing_the_differences) {
    run_result candidate = make_run();
    candidate.scenario = "hr-fanout";
    const auto xml = junit_of(compare_ok(make_run(), candidate));
    EXPECT_EQ(xml_problem(xml), "") << xml;
    EXPECT_TRUE(contains(xml, "tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\"")) << xml;
    EXPECT_TRUE(contains(xml,
                         "<error message=\"refused: the runs differ; --force compares them "
                         "anyway\">scenario: baseline lp-report, candidate hr-fanout</error>"))
        << xml;
}

TEST(xml_escape, escapes_markup_and_control_characters) {
    EXPECT_EQ(xml_escape("a<b>&\"c'\td\re\nf\x01g\x7f"),
              "a&lt;b&gt;&amp;&quot;c&apos;&#9;d&#13;e&#10;f?g?");
    EXPECT_EQ(xml_escape("99.9% \xc2\xb5s"), "99.9% \xc2\xb5s");  // UTF-8 passes through
}

TEST(comparison_bmf, holds_the_candidate_median_and_range_per_gate) {
    const auto parsed = boost::json::parse(bmf_of(sample_comparison()));
    const auto& root = parsed.as_object();
    EXPECT_EQ(root.size(), 2u);
    const auto& p99 = root.at("lp-report/async").at("completion_p99");
    EXPECT_EQ(p99.at("value").as_double(), 122e3);  // microseconds, as in result.json
    EXPECT_EQ(p99.at("lower_value").as_double(), 120e3);
    EXPECT_EQ(p99.at("upper_value").as_double(), 124e3);
    EXPECT_EQ(root.at("lp-report/async").at("coupons_issued").at("value").as_double(), 61.5);
    const auto& availability = root.at("lp-report/sync").at("availability");
    EXPECT_EQ(availability.at("value").as_double(), 0.999);
    EXPECT_EQ(availability.at("lower_value").as_double(), 0.998);
    EXPECT_EQ(availability.at("upper_value").as_double(), 1.0);
    // Correctness counts are not benchmarks to track: no "lost" key.
    EXPECT_FALSE(root.at("lp-report/async").as_object().contains("lost"));
}

TEST(comparison_bmf, leaves_out_what_the_candidate_did_not_measure_and_refusals) {
    run_result baseline = make_run();
    set_metric(baseline, "sync", "api_all_p99", five_around_100);
    const auto measured_by_baseline_only =
        boost::json::parse(bmf_of(compare_ok(baseline, make_run(), {request("api_all_p99")})));
    EXPECT_TRUE(measured_by_baseline_only.as_object().empty());
    run_result other = make_run();
    other.scenario = "hr-fanout";
    EXPECT_EQ(bmf_of(compare_ok(baseline, other)), "{}\n");
}

}  // namespace
}  // namespace asyncbench

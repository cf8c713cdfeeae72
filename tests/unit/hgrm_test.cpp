#include "harness/stats/hgrm.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness/run/latency_files.hpp"

// The .hgrm text as HdrHistogram's plotters read it: the table's columns, the reporting
// percentiles' spacing, the last line at 100%, the footer; and the files a run writes.
namespace asyncbench {
namespace {

struct hgrm_line {
    double value = 0;
    double percentile = 0;
    std::uint64_t total = 0;
    double inverse = 0;  // 1/(1-percentile); 0 on the last line, which has none
};

std::vector<hgrm_line> table_of(const std::string& text) {
    std::vector<hgrm_line> lines;
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        hgrm_line l;
        fields >> l.value >> l.percentile >> l.total;
        if (!(fields >> l.inverse)) l.inverse = 0;
        lines.push_back(l);
    }
    return lines;
}

TEST(percentile_distribution, reports_the_uniform_distribution_at_hdrhistograms_percentiles) {
    histogram h;
    for (std::uint64_t us = 1; us <= 10000; ++us) h.record(us);
    const auto text = percentile_distribution(h);
    EXPECT_EQ(text.rfind("       Value     Percentile TotalCount 1/(1-Percentile)\n\n", 0), 0u)
        << text;
    const auto lines = table_of(text);
    ASSERT_GT(lines.size(), 20u);
    // 0%, 10%, ..., 50% (5 ticks per half distance: 10 steps to 100%), then steps of 5% to 75%.
    const double first[] = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.775};
    for (std::size_t i = 0; i < std::size(first); ++i) {
        EXPECT_NEAR(lines[i].percentile, first[i], 1e-9) << i;
    }
    EXPECT_NEAR(lines[5].value, 5.0, 5.0 * 0.008);  // the median in ms, within the precision
    EXPECT_NEAR(lines[5].total, 5000, 50);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        EXPECT_GE(lines[i].value, lines[i - 1].value);
        EXPECT_GT(lines[i].percentile, lines[i - 1].percentile);
        EXPECT_GE(lines[i].total, lines[i - 1].total);
        if (i + 1 < lines.size()) {
            EXPECT_NEAR(lines[i].inverse, 1.0 / (1.0 - lines[i].percentile), 0.01);
            EXPECT_GE(lines[i].total, lines[i].percentile * 10000 - 1);
        }
    }
    EXPECT_DOUBLE_EQ(lines.back().percentile, 1.0);
    EXPECT_EQ(lines.back().total, 10000u);
    EXPECT_DOUBLE_EQ(lines.back().value, 10.0);  // the max, exact
    EXPECT_EQ(lines.back().inverse, 0);          // the last line has no 1/(1-p)
    EXPECT_NE(text.find("#[Max     =       10.000, Total count    =        10000]"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("#[Mean    =        5.000"), std::string::npos) << text;
}

TEST(percentile_distribution, one_value_gives_its_line_and_the_last) {
    histogram h;
    h.record(2500, 3);
    const auto lines = table_of(percentile_distribution(h));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_DOUBLE_EQ(lines[0].percentile, 0.0);
    EXPECT_EQ(lines[0].total, 3u);
    EXPECT_DOUBLE_EQ(lines[1].percentile, 1.0);
    EXPECT_NEAR(lines[1].value, 2.5, 2.5 * 0.008);
}

TEST(percentile_distribution, an_empty_histogram_has_no_lines_and_a_footer_of_zeros) {
    const auto text = percentile_distribution(histogram{});
    EXPECT_TRUE(table_of(text).empty());
    EXPECT_NE(text.find("Total count    =            0]"), std::string::npos) << text;
}

TEST(percentile_distribution, the_unit_ratio_scales_every_value) {
    histogram h;
    h.record(1000);
    const auto in_us = table_of(percentile_distribution(h, 1.0));
    const auto in_ms = table_of(percentile_distribution(h, 1000.0));
    EXPECT_NEAR(in_us.back().value, 1000.0, 8);
    EXPECT_NEAR(in_ms.back().value, 1.0, 0.008);
}

TEST(write_latency_files, writes_the_views_that_have_samples) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("hgrm-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    mode_histograms h;
    h.api_all_us.record(1200);
    h.completion_us.record(3400);
    const auto written = write_latency_files(dir / "latency", "async", h);
    ASSERT_EQ(written.size(), 2u);
    EXPECT_EQ(written[0].filename(), "async-api-all.hgrm");
    EXPECT_EQ(written[1].filename(), "async-completion.hgrm");
    EXPECT_FALSE(std::filesystem::exists(dir / "latency" / "async-api-2xx.hgrm"));
    std::ifstream in(written[1]);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), percentile_distribution(h.completion_us));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace asyncbench

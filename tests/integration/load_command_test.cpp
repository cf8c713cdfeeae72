// `asyncbench load URL` against a mock operation started here: the real binary, its files and
// exit codes. A fixed-latency operation must read as its latency; an operation held for a
// second mid-run must show the stall in every request it held (the open loop keeps sending on
// schedule and counts from the intended send time: no coordinated omission).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "mocks/mock_system.hpp"
#include "tests/integration/cli_support.hpp"

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

using test::run_cli;

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::filesystem::path fresh(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("asyncbench-load-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    return dir;
}

system_spec fixed_latency(std::chrono::milliseconds latency) {
    system_spec spec;
    spec.name = "target";
    spec.default_operation.latency.kind = latency_spec::distribution::fixed;
    spec.default_operation.latency.fixed = latency;
    return spec;
}

// Answers counted at or below `ms` in an .hgrm file: its last line at or below it.
std::uint64_t count_at_or_below(const std::string& hgrm, double ms) {
    std::istringstream in(hgrm);
    std::string line;
    std::uint64_t count = 0;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        double value = 0;
        double percentile = 0;
        std::uint64_t total = 0;
        if (!(fields >> value >> percentile >> total)) continue;  // header, footer
        if (value <= ms) count = total;
    }
    return count;
}

TEST(load_command, a_fixed_latency_reads_as_that_latency) {
    mock_system target(fixed_latency(20ms));
    target.start();
    const auto out = fresh("fixed");
    const auto result = run_cli(fmt::format(
        "load http://127.0.0.1:{}/op --method POST --rate 100/s --duration 3s --warmup 1s "
        "--body-template '{{\"id\": \"r-{{seq}}\"}}' --header 'X-Test: yes' --out {}",
        target.port(), out.string()));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("latency, all answers"), std::string::npos) << result.output;
    const auto json = boost::json::parse(read_file(out / "load.json")).as_object();
    const auto& all = json.at("api_latency_all_us").as_object();
    EXPECT_NEAR(all.at("p50").to_number<double>(), 20'000, 20'000 * 0.05) << result.output;
    EXPECT_EQ(json.at("requests").to_number<std::uint64_t>(), 300u);
    EXPECT_EQ(json.at("ok").to_number<std::uint64_t>(), 300u);
    EXPECT_TRUE(std::filesystem::exists(out / "latency" / "load-api-all.hgrm"));
    EXPECT_GE(target.total_calls(), 400u);  // warm-up included
    std::filesystem::remove_all(out);
}

TEST(load_command, a_held_operation_shows_in_every_request_it_held) {
    mock_system target(fixed_latency(5ms));
    target.start();
    const auto out = fresh("held");
    // Held from about 1.5 s into the 3 s measured phase (1 s of warm-up first) for 1 s: the
    // requests sent in that second wait until it ends (then get 503).
    std::thread hold([&] {
        std::this_thread::sleep_for(2500ms);
        auto held = target.operation("op");
        held.outage = operation_spec::outage_kind::hang;
        target.set_operation("op", held);
        std::this_thread::sleep_for(1000ms);
        held.outage = operation_spec::outage_kind::none;
        target.set_operation("op", held);
    });
    const auto result = run_cli(fmt::format(
        "load http://127.0.0.1:{}/op --method POST --rate 200/s --duration 4s --warmup 1s "
        "--out {}",
        target.port(), out.string()));
    hold.join();
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const auto hgrm = read_file(out / "latency" / "load-api-all.hgrm");
    const auto json = boost::json::parse(read_file(out / "load.json")).as_object();
    const auto total = json.at("requests").to_number<std::uint64_t>();
    // About 200 requests were sent into the held second; each waited from its send until the
    // hold ended: half of them at least 500 ms, all of them more than the operation's 5 ms.
    const auto quick = count_at_or_below(hgrm, 50.0);
    const auto slow = total - count_at_or_below(hgrm, 500.0);
    EXPECT_GE(total - quick, 180u) << hgrm;
    EXPECT_GE(slow, 80u) << hgrm;
    EXPECT_LE(total - quick, 220u) << hgrm;
    EXPECT_GE(json.at("errors").as_object().at("status_5xx").to_number<std::uint64_t>(), 150u);
    std::filesystem::remove_all(out);
}

TEST(load_command, bad_options_are_named_and_exit_2) {
    const auto result = run_cli("load https://example.com --rate fast --users 3");
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find("https is not supported"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("--rate and --users exclude each other"), std::string::npos)
        << result.output;
}

TEST(load_command, a_target_that_never_answers_exits_3) {
    mock_system probe(fixed_latency(0ms));  // takes a free port, then frees it
    const auto port = probe.port();
    probe.stop();
    const auto out = fresh("refused");
    const auto result = run_cli(
        fmt::format("load http://127.0.0.1:{}/ --rate 20/s --duration 1s --warmup 0s --out {}",
                    port, out.string()));
    EXPECT_EQ(result.exit_code, 3) << result.output;
    EXPECT_NE(result.output.find("never answered"), std::string::npos) << result.output;
    std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace asyncbench

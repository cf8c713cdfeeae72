// The command line as a user meets it: the real binary, its output and its exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/cli_support.hpp"

namespace asyncbench {
namespace {

using test::run_cli;

TEST(cli, version_names_the_build_and_its_libraries) {
    const auto result = run_cli("--version");
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.output.rfind("asyncbench ", 0), 0u) << result.output;
    EXPECT_NE(result.output.find("(git "), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("librdkafka 2."), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("boost 1."), std::string::npos) << result.output;
}

TEST(cli, help_teaches_the_exit_codes) {
    const auto result = run_cli("--help");
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.output.find("Exit codes: 0 valid run"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("3 the measurement is not trustworthy"), std::string::npos);
}

TEST(cli, usage_errors_exit_2) {
    EXPECT_EQ(run_cli("run").exit_code, 2);         // no scenario
    EXPECT_EQ(run_cli("frobnicate").exit_code, 2);  // no such command
    EXPECT_EQ(run_cli("run --mode sync /nonexistent.yaml").exit_code, 2);
}

// The versioning rule: a result.json from a newer AsyncBench is refused with a message saying
// so, and exit 2; nothing is written.
TEST(cli, report_refuses_a_newer_result_json) {
    const auto dir = std::filesystem::temp_directory_path() / "asyncbench-cli-newer";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "result.json") << R"({"schema_version": 99, "scenario": "x"})";
    const auto result = run_cli("report " + (dir / "result.json").string());
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find("newer version 99"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("written by a newer AsyncBench"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "report.md"));
}

}  // namespace
}  // namespace asyncbench

// Both APIs, over real sockets, fed bad input: each gets a 4xx with a JSON error body and the
// server keeps serving; then a valid request goes through and its state can be asked for.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <thread>

#include "harness/config/scenario_loader.hpp"
#include "harness/http/blocking_http_client.hpp"
#include "harness/kafka/kafka_broker.hpp"
#include "harness/run/system_under_test.hpp"
#include "mocks/mock_system.hpp"

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

class api_bad_input : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        auto loaded = load_scenario(std::string(ASYNCBENCH_SOURCE_DIR) +
                                    "/scenarios/lp-report/lp-report.yaml");
        ASSERT_TRUE(std::holds_alternative<scenario_config>(loaded));
        scenario_ = std::get<scenario_config>(loaded);
        scenario_.body_limit_bytes = 1024;
        scenario_.sync.worker_threads = 4;
        scenario_.async.partitions = 2;
        scenario_.async.consumers_per_group = 1;
        for (auto& system : scenario_.systems) {
            for (auto& [name, op] : system.operations) {
                op.latency = latency_spec{};  // fixed 0: fast test
            }
            mocks_.push_back(std::make_unique<mock_system>(system));
            mocks_.back()->start();
            systems_[system.name] = network_endpoint{"127.0.0.1", mocks_.back()->port()};
        }
        auto dir = std::filesystem::temp_directory_path() / ("asyncbench-api-" + GetParam());
        std::filesystem::create_directories(dir);
        db_ = open_sqlite_store((dir / "api.sqlite").string());
        system_context context{scenario_, *find_plugin("lp-report"), *db_, systems_, "test"};
        if (GetParam() == "sync") {
            system_ = start_sync_system(context);
        } else {
            broker_ = start_embedded_broker(1);
            system_ = start_async_system(context, *broker_);
        }
        system_->wait_ready(60s);
    }

    void TearDown() override {
        if (system_) system_->stop();
        for (auto& mock : mocks_) mock->stop();
    }

    http_call_result send(std::string_view method, std::string_view target, std::string_view body) {
        return client_.request(method, "127.0.0.1", system_->port(), target, {}, body, 10s);
    }

    static void expect_json_error(const http_call_result& result, int status) {
        ASSERT_EQ(result.result, http_call_result::outcome::ok) << result.error;
        EXPECT_EQ(result.status, status) << result.body;
        boost::system::error_code ec;
        auto body = boost::json::parse(result.body, ec);
        ASSERT_FALSE(ec) << result.body;
        ASSERT_TRUE(body.is_object());
        EXPECT_TRUE(body.as_object().contains("error")) << result.body;
    }

    scenario_config scenario_;
    std::vector<std::unique_ptr<mock_system>> mocks_;
    system_directory systems_;
    std::unique_ptr<store> db_;
    std::unique_ptr<kafka_broker> broker_;
    std::unique_ptr<system_under_test> system_;
    blocking_http_client client_;
};

TEST_P(api_bad_input, rejects_bad_requests_and_keeps_serving) {
    expect_json_error(send("POST", "/SAVE", "{not json"), 400);
    expect_json_error(send("POST", "/SAVE", "[1, 2]"), 400);
    expect_json_error(send("POST", "/SAVE", R"({"report_id": "r1"})"), 400);
    expect_json_error(send("POST", "/SAVE", R"({"report_id": 7, "lp_code": "A", "period": "x"})"),
                      400);
    expect_json_error(send("POST", "/SAVE", "\xff\xfe\xfd"), 400);
    expect_json_error(send("POST", "/SAVE", std::string(4096, 'x')), 413);
    expect_json_error(send("GET", "/SAVE", ""), 405);
    expect_json_error(send("POST", "/nowhere", "{}"), 404);
    expect_json_error(send("GET", "/requests/never-sent", ""), 404);

    auto accepted = send("POST", "/SAVE",
                         R"({"report_id": "rpt-api-1", "lp_code": "LP001", "period": "2026-01"})");
    ASSERT_EQ(accepted.result, http_call_result::outcome::ok) << accepted.error;
    EXPECT_EQ(accepted.status, GetParam() == "sync" ? 200 : 202) << accepted.body;
    EXPECT_NE(accepted.body.find("rpt-api-1"), std::string::npos);

    // The async pipeline completes in the background: ask until it says so (bounded).
    std::string state;
    for (int i = 0; i < 200 && state != "completed"; ++i) {
        auto answer = send("GET", "/requests/rpt-api-1", "");
        ASSERT_EQ(answer.result, http_call_result::outcome::ok);
        auto body = boost::json::parse(answer.body);
        state = std::string(body.as_object().at("state").as_string());
        if (state != "completed") std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(state, "completed");
}

INSTANTIATE_TEST_SUITE_P(both_modes, api_bad_input, ::testing::Values("sync", "async"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace asyncbench

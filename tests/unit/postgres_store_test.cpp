#include "harness/store/postgres_store.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <latch>
#include <thread>
#include <vector>

#include "tests/unit/pg_test_support.hpp"

// These tests need a PostgreSQL server; without ASYNCBENCH_TEST_POSTGRES they are skipped.
namespace asyncbench {
namespace {

using namespace testing_support;

std::string with_parameter(const std::string& url, const std::string& parameter) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + parameter;
}

// A port on 127.0.0.1 nothing listens on: bound by the kernel's choice, then released.
int closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

class postgres_store_test : public ::testing::Test {
  protected:
    void SetUp() override {
        url_ = test_postgres_url();
        if (url_.empty()) GTEST_SKIP() << postgres_enable_hint;
        // One schema per test and process: ctest runs tests in parallel on one database.
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        schema_ = "t_" + std::string(test->name()).substr(0, 48) + "_" + std::to_string(::getpid());
    }
    void TearDown() override {
        if (url_.empty()) return;
        db_.reset();
        run_sql(url_, "DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
    }
    store& open(int pool_size, const std::string& url = "") {
        db_ = open_postgres_store(url.empty() ? url_ : url, pool_size, schema_);
        return *db_;
    }
    std::string url_;
    std::string schema_;
    std::unique_ptr<store> db_;
};

// The contract every backend meets (idempotent steps, duplicate counting, first outcome wins,
// racing redeliveries) is in store_contract_test.cpp; these are PostgreSQL's own.

TEST_F(postgres_store_test, a_pool_of_two_serves_eight_threads) {
    constexpr int threads = 8;
    constexpr int ids_per_thread = 25;
    const std::string name = "abtest_pool_" + std::to_string(::getpid());
    open(2, with_parameter(url_, "application_name=" + name));
    std::atomic<int> errors{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            auto session = db_->open_session();  // sessions hold no connection between calls
            for (int i = 0; i < ids_per_thread; ++i) {
                const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
                try {
                    session->apply_db_step(id, "insert_report", true, "report", "{}");
                    session->apply_db_step(id, "mark_queued", false, "report", "{}");
                    if (!session->effect_done(id, "mark_queued")) ++errors;
                    stage_record record;
                    record.stage = "report";
                    record.attempts = 1;
                    session->record_stage(id, record);
                    if (session->stages(id).size() != 1) ++errors;
                } catch (const store_error& e) {
                    ++errors;
                    ADD_FAILURE() << e.what();
                }
            }
        });
    }
    for (auto& worker : workers) worker.join();
    EXPECT_EQ(errors.load(), 0);
    auto snapshot = db_->snapshot();
    EXPECT_EQ(snapshot.stages_by_id.size(), static_cast<std::size_t>(threads * ids_per_thread));
    EXPECT_EQ(snapshot.ids_with_effects.size(), static_cast<std::size_t>(threads * ids_per_thread));
    EXPECT_EQ(snapshot.duplicate_effects, 0u);
    // The pool never opened more than its two connections.
    EXPECT_EQ(run_sql(url_, "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" +
                                name + "'"),
              "2");
}

// A connection the server dropped is reset before its next use instead of failing forever.
TEST_F(postgres_store_test, a_broken_connection_is_reset_before_reuse) {
    const std::string name = "abtest_reset_" + std::to_string(::getpid());
    auto session = open(1, with_parameter(url_, "application_name=" + name)).open_session();
    ASSERT_TRUE(session->apply_db_step("r1", "insert_report", true, "report", "{}"));
    EXPECT_EQ(run_sql(url_,
                      "SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM "
                      "pg_stat_activity WHERE application_name = '" +
                          name + "') AS t"),
              "1");
    EXPECT_THROW(session->effect_done("r1", "insert_report"), store_error);
    EXPECT_TRUE(session->effect_done("r1", "insert_report"));  // reset, search_path, prepared
    EXPECT_TRUE(session->apply_db_step("r1", "mark_queued", false, "report", "{}"));
}

TEST_F(postgres_store_test, location_names_the_server_without_the_password) {
    const auto at = url_.find('@');
    if (url_.rfind("postgres", 0) != 0 || at == std::string::npos ||
        url_.substr(0, at).find(':', 11) != std::string::npos) {
        GTEST_SKIP() << "needs a postgres://USER@HOST... URL without a password";
    }
    // Trust authentication ignores the password, so this URL still connects.
    const std::string with_password = url_.substr(0, at) + ":hunter2-secret" + url_.substr(at);
    auto& db = open(1, with_password);
    EXPECT_EQ(db.kind(), "postgresql");
    EXPECT_EQ(db.location(), url_.substr(0, url_.find('?')));
    EXPECT_EQ(db.location().find("hunter2"), std::string::npos);
}

TEST_F(postgres_store_test, a_wrong_port_is_a_store_error_naming_host_and_port) {
    const int port = closed_port();
    const std::string url =
        "postgres://postgres:hunter2-secret@127.0.0.1:" + std::to_string(port) + "/asyncbench";
    try {
        open_postgres_store(url, 1, schema_);
        FAIL() << "expected store_error";
    } catch (const store_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << message;
        EXPECT_NE(message.find(std::to_string(port)), std::string::npos) << message;
        EXPECT_NE(message.find("asyncbench"), std::string::npos) << message;
        EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    }
}

TEST_F(postgres_store_test, a_pool_size_below_one_is_refused) {
    EXPECT_THROW(open(0), store_error);
}

}  // namespace
}  // namespace asyncbench

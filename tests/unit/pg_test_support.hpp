#pragma once
// What the PostgreSQL-backed tests share: the server they use and SQL on a side connection.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <string>

namespace asyncbench::testing_support {

inline constexpr const char* postgres_enable_hint =
    "set ASYNCBENCH_TEST_POSTGRES to a PostgreSQL URL to run this test, e.g. "
    "ASYNCBENCH_TEST_POSTGRES=$(scripts/postgres/start.sh | tail -n 1); stop it afterwards "
    "with scripts/postgres/stop.sh --clean";

// Empty when the tests should skip.
inline std::string test_postgres_url() {
    const char* url = std::getenv("ASYNCBENCH_TEST_POSTGRES");
    return url != nullptr ? url : "";
}

// Runs SQL on a connection of the test's own, outside the store under test; returns the first
// column of the first row, if any.
inline std::string run_sql(const std::string& url, const std::string& sql) {
    PGconn* conn = PQconnectdb(url.c_str());
    std::string value;
    if (PQstatus(conn) == CONNECTION_OK) {
        PQsetNoticeProcessor(
            conn, [](void*, const char*) {}, nullptr);
        PGresult* result = PQexec(conn, sql.c_str());
        if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0) {
            value = PQgetvalue(result, 0, 0);
        }
        EXPECT_TRUE(PQresultStatus(result) == PGRES_TUPLES_OK ||
                    PQresultStatus(result) == PGRES_COMMAND_OK)
            << sql << ": " << PQresultErrorMessage(result);
        PQclear(result);
    } else {
        ADD_FAILURE() << "cannot connect: " << PQerrorMessage(conn);
    }
    PQfinish(conn);
    return value;
}

// One name per test and process: ctest runs tests in parallel on one database or folder.
inline std::string unique_test_name() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(test->test_suite_name()) + "_" + test->name();
    for (auto& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name.substr(0, 40) + "_" + std::to_string(::getpid());
}

}  // namespace asyncbench::testing_support

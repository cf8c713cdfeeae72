#pragma once
// A store per test on each backend (store_contract_test.cpp, store_current_row_test.cpp): a
// SQLite file always, a PostgreSQL schema of its own when ASYNCBENCH_TEST_POSTGRES names a server
// (skipped otherwise). The parameter is the backend's name, "sqlite" or "postgres".
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "harness/store/postgres_store.hpp"
#include "harness/store/store.hpp"
#include "tests/unit/pg_test_support.hpp"

namespace asyncbench::testing_support {

class store_backend_test : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        name_ = unique_test_name();
        if (GetParam() == "sqlite") {
            path_ = (std::filesystem::temp_directory_path() / (name_ + ".sqlite")).string();
            db_ = open_sqlite_store(path_);
            return;
        }
        url_ = test_postgres_url();
        if (url_.empty()) GTEST_SKIP() << postgres_enable_hint;
        db_ = open_postgres_store(url_, 16, name_);
    }
    void TearDown() override {
        db_.reset();
        if (!path_.empty()) {
            for (const char* suffix : {"", "-wal", "-shm"}) {
                std::filesystem::remove(path_ + suffix);
            }
        }
        if (!url_.empty()) run_sql(url_, "DROP SCHEMA IF EXISTS \"" + name_ + "\" CASCADE");
    }

    std::string name_;
    std::string path_;
    std::string url_;
    std::unique_ptr<store> db_;
};

}  // namespace asyncbench::testing_support

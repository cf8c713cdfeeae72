#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "harness/store/store.hpp"

namespace asyncbench {
namespace {

// The contract every backend meets is in store_contract_test.cpp; this is SQLite's own.
TEST(sqlite_store, unwritable_path_is_a_store_error_naming_it) {
    try {
        open_sqlite_store("/nonexistent-dir/x.sqlite");
        FAIL() << "expected store_error";
    } catch (const store_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.sqlite"), std::string::npos);
    }
}

}  // namespace
}  // namespace asyncbench

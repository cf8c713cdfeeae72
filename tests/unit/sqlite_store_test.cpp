#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "harness/store/sqlite_statement.hpp"
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

// PRAGMA synchronous is not stored in the file: a connection left at the default (FULL) syncs
// the WAL at every commit, which once capped the consumers' write rate at the disk's flushes.
TEST(sqlite_store, every_connection_syncs_only_at_checkpoints) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("sqlite-sync-" + std::to_string(::getpid()) + ".sqlite");
    auto store = open_sqlite_store(path.string());
    sqlite3* db = open_sqlite_connection(path.string());
    {
        sqlite_statement mode(db, "PRAGMA synchronous");
        ASSERT_TRUE(mode.step());
        EXPECT_EQ(mode.integer(0), 1) << "1 is NORMAL, 2 FULL";
        sqlite_statement journal(db, "PRAGMA journal_mode");
        ASSERT_TRUE(journal.step());
        EXPECT_EQ(journal.text(0), "wal");
    }
    sqlite3_close(db);
    store.reset();
    std::filesystem::remove(path);
}

}  // namespace
}  // namespace asyncbench

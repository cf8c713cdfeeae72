#include "harness/store/sqlite_statement.hpp"

#include <fmt/format.h>

#include "harness/store/store.hpp"

namespace asyncbench {

sqlite3* open_sqlite_connection(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
        std::string reason = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw store_error(fmt::format("cannot open SQLite database {}: {}", path, reason));
    }
    sqlite3_busy_timeout(db, 30000);
    // Per connection, not stored in the file. In WAL mode NORMAL syncs only at checkpoints, not
    // at every commit: a killed process loses nothing committed, only a power cut could, and
    // neither mode's numbers should be a disk flush per write (a session left at the default,
    // FULL, capped hr-fanout's consumers at ~440 completions/s on the 2-core VM's disk).
    sqlite3_exec(db, "PRAGMA synchronous = NORMAL", nullptr, nullptr, nullptr);
    return db;
}

void sqlite_exec(sqlite3* db, const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        throw store_error(fmt::format("sqlite: {}", text));
    }
}

sqlite_statement::sqlite_statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt_, nullptr) != SQLITE_OK) {
        throw store_error(fmt::format("sqlite prepare failed: {}", sqlite3_errmsg(db)));
    }
}

sqlite_statement::~sqlite_statement() { sqlite3_finalize(stmt_); }

sqlite_statement& sqlite_statement::bind(int index, const std::string& value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}

sqlite_statement& sqlite_statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
}

bool sqlite_statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw store_error(fmt::format("sqlite step failed: {}", sqlite3_errmsg(db_)));
}

std::string sqlite_statement::text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p ? reinterpret_cast<const char*>(p) : "";
}

std::int64_t sqlite_statement::integer(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

bool sqlite_statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

void sqlite_statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

sqlite_statement_cache::lease sqlite_statement_cache::get(const std::string& sql) {
    auto found = statements_.find(sql);
    if (found == statements_.end()) {
        found = statements_.emplace(sql, std::make_unique<sqlite_statement>(db_, sql)).first;
    }
    return lease(*found->second);
}

}  // namespace asyncbench

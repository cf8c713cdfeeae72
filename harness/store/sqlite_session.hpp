#pragma once
// Internal to the SQLite store backend: include it only from harness/store/sqlite_*.cpp. It
// exists so that the backend can live in small files (the store and the session's core in
// sqlite_store.cpp and sqlite_session.cpp, the declared-table operations in
// sqlite_session_tables.cpp) that share one session class and a few helpers; the public
// interface stays open_sqlite_store() in store.hpp.
//
// Thread-safety: a session (its connection and cached statements) belongs to one thread at a
// time; sessions of one store share only the store's writers' mutex.
#include <sqlite3.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "harness/store/row_checks.hpp"
#include "harness/store/sqlite_statement.hpp"
#include "harness/store/store.hpp"

namespace asyncbench {

// SQLite admits one writer at a time. Serialising writers on an in-process mutex gives the same
// order as SQLite's own lock without its busy-handler sleeps, which would add up to 100 ms of
// artificial latency per contended write and distort both modes' numbers. Writers in other
// processes (async.worker_processes) still meet the busy handler: prefer PostgreSQL there.
//
// Writers run BEGIN IMMEDIATE ... COMMIT under the store's writers' mutex, their statements
// taken from the session's cache so the critical section holds no parsing.
class sqlite_transaction {
  public:
    sqlite_transaction(sqlite_statement_cache& statements, std::mutex& writers)
        : statements_(statements), lock_(writers) {
        statements_.get("BEGIN IMMEDIATE")->step();
    }
    ~sqlite_transaction() {
        if (committed_) return;
        try {
            statements_.get("ROLLBACK")->step();
        } catch (const store_error&) {  // no transaction left to roll back
        }
    }
    void commit() {
        statements_.get("COMMIT")->step();
        committed_ = true;
    }

  private:
    sqlite_statement_cache& statements_;
    std::lock_guard<std::mutex> lock_;
    bool committed_ = false;
};

// A declared table's or column's name (scenario_config::tables) quoted for SQL. The names are
// checked by the scenario loader; quoting them anyway keeps a name that is also an SQL keyword
// ("order") valid.
std::string sqlite_quote_identifier(const std::string& name);

// The stage record in columns first_column .. first_column + 4 of the current row (stage,
// outcome, intended_us, finished_us, attempts).
stage_record sqlite_read_stage(const sqlite_statement& row, int first_column);

// One connection of the store's database. The core (effects, business records, stage records)
// is in sqlite_session.cpp; the declared-table operations in sqlite_session_tables.cpp.
class sqlite_session final : public store_session {
  public:
    // `writers` is the store's writers' mutex and must outlive the session.
    sqlite_session(const std::string& path, std::mutex& writers)
        : db_(open_sqlite_connection(path)), statements_(db_), writers_(writers) {}
    // close_v2: the connection closes once the cached statements (destroyed after this body)
    // are finalized.
    ~sqlite_session() override { sqlite3_close_v2(db_); }

    // Core: sqlite_session.cpp.
    bool effect_done(const std::string& id, const std::string& step) override;
    void record_effect(const std::string& id, const std::string& step) override;
    bool apply_db_step(const std::string& id, const std::string& step, bool insert,
                       const std::string& kind, const std::string& payload) override;
    void record_stage(const std::string& id, const stage_record& record) override;
    std::vector<stage_record> stages(const std::string& id) override;

    // Declared tables: sqlite_session_tables.cpp.
    bool insert_row(const std::string& id, const std::string& step, const table_spec& table,
                    const row_values& row) override;
    bool upsert_row(const std::string& id, const std::string& step, const table_spec& table,
                    const row_values& row, const std::string& newer) override;
    bool update_row(const std::string& id, const std::string& step, const table_spec& table,
                    const std::string& key, const row_values& set) override;
    guarded_write decrement_if_enough(const std::string& id, const std::string& step,
                                      const table_spec& table, const std::string& column,
                                      const std::vector<decrement_claim>& claims) override;
    claim_result claim(const std::string& id, const std::string& step,
                       const claim_request& request) override;
    std::vector<row_values> rows(const table_spec& table) override;
    std::optional<row_values> find_row(const table_spec& table, const std::string& key) override;
    std::vector<row_values> rows_since(const table_spec& table, const std::string& cursor,
                                       std::int64_t since, int limit) override;
    bool add_to_column(const std::string& id, const std::string& step, const table_spec& table,
                       const std::string& key, const std::string& column,
                       std::int64_t amount) override;
    void put_rows(const table_spec& table, const std::vector<row_values>& rows) override;

  private:
    struct claim_sql;  // sqlite_session_tables.cpp
    static claim_sql claim_statements(const claim_request& request);

    bool write_row(const std::string& id, const std::string& step, const table_spec& table,
                   const row_values& row, const row_conflict& conflict);
    claim_result claim_unguarded(const std::string& id, const std::string& step,
                                 const claim_request& request, const claim_sql& sql);
    bool holds_claim(const claim_request& request, const claim_sql& sql);
    void insert_claim_record(const std::string& id, const std::string& step,
                             const claim_request& request);
    // Inside a transaction: the effect row of (id, step). Core: sqlite_session.cpp.
    void insert_effect(const std::string& id, const std::string& step);

    sqlite3* db_;
    sqlite_statement_cache statements_;
    std::mutex& writers_;
};

}  // namespace asyncbench

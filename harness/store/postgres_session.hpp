#pragma once
// Internal to the PostgreSQL store backend: include it only from harness/store/postgres_*.cpp.
// It exists so that the backend can live in small files (the store in postgres_store.cpp, the
// session's core in postgres_session.cpp, the declared-table operations in
// postgres_session_tables.cpp) that share one session class and a few libpq helpers; the public
// interface stays postgres_store.hpp.
//
// Thread-safety: a session is used by one thread at a time; sessions share only the store's
// connection pool, which is thread-safe.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/store/pg_connection_pool.hpp"
#include "harness/store/row_checks.hpp"
#include "harness/store/store.hpp"

namespace asyncbench {

// Prepares the session's statements (run by name with pg_run) on a new or reset connection:
// the store's pg_connection_pool prepare step. Throws store_error.
void pg_prepare_session_statements(PGconn* conn);

// Runs a prepared statement with text parameters (values never enter the SQL text).
template <std::size_t N>
pg_result_ptr pg_run(PGconn* conn, const char* name, const std::array<std::string, N>& params) {
    std::array<const char*, N> values{};
    for (std::size_t i = 0; i < N; ++i) values[i] = params[i].c_str();
    return pg_check(
        conn, PQexecPrepared(conn, name, static_cast<int>(N), values.data(), nullptr, nullptr, 0),
        name);
}

// Runs one or more SQL statements as a simple query. Throws store_error naming `what`.
void pg_exec(PGconn* conn, const char* sql, const char* what);

// BEGIN now; ROLLBACK unless committed. If the rollback itself fails the pool notices the
// connection is still inside a transaction and resets it.
class pg_transaction {
  public:
    explicit pg_transaction(PGconn* conn, const char* begin_sql = "BEGIN") : conn_(conn) {
        pg_exec(conn_, begin_sql, "BEGIN");
    }
    ~pg_transaction() {
        if (!committed_) pg_result_ptr(PQexec(conn_, "ROLLBACK"));
    }
    void commit() {
        pg_exec(conn_, "COMMIT", "COMMIT");
        committed_ = true;
    }

  private:
    PGconn* conn_;
    bool committed_ = false;
};

// `name` quoted as an identifier by libpq. Throws store_error when libpq refuses it.
std::string pg_quote_identifier(PGconn* conn, const std::string& name);

// The integer in (row, column) of `result`; 0 when NULL.
std::int64_t pg_integer(const PGresult* result, int row, int column);

// The stage record in columns first_column .. first_column + 4 of `row` (stage, outcome,
// intended_us, finished_us, attempts).
stage_record pg_read_stage(const PGresult* result, int row, int first_column);

// Holds no connection: each operation borrows one, so a session costs nothing while its thread
// waits on a downstream system, and many threads can share a few connections. The core
// (effects, business records, stage records) is in postgres_session.cpp; the declared-table
// operations in postgres_session_tables.cpp.
class postgres_session final : public store_session {
  public:
    postgres_session(std::shared_ptr<pg_connection_pool> pool, std::string schema)
        : pool_(std::move(pool)), schema_(std::move(schema)) {}

    // Core: postgres_session.cpp.
    bool effect_done(const std::string& id, const std::string& step) override;
    void record_effect(const std::string& id, const std::string& step) override;
    bool apply_db_step(const std::string& id, const std::string& step, bool insert,
                       const std::string& kind, const std::string& payload) override;
    void record_stage(const std::string& id, const stage_record& record) override;
    std::vector<stage_record> stages(const std::string& id) override;

    // Declared tables: postgres_session_tables.cpp.
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
    struct claim_sql;  // postgres_session_tables.cpp
    static claim_sql claim_statements(PGconn* conn, const claim_request& request);

    // Core: postgres_session.cpp.
    bool claim_step(PGconn* conn, const std::string& id, const std::string& step);
    void insert_effect(PGconn* conn, const std::string& id, const std::string& step);

    // Declared tables: postgres_session_tables.cpp.
    claim_result claim_unguarded(PGconn* c, const std::string& id, const std::string& step,
                                 const claim_request& request, const claim_sql& sql);
    bool holds_claim(PGconn* conn, const claim_request& request, const claim_sql& sql);
    void insert_claim_record(PGconn* conn, const std::string& id, const std::string& step,
                             const claim_request& request);
    bool write_row(const std::string& id, const std::string& step, const table_spec& table,
                   const row_values& row, const row_conflict& conflict);

    std::shared_ptr<pg_connection_pool> pool_;
    std::string schema_;
};

}  // namespace asyncbench

#include "harness/store/postgres_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <utility>

#include "harness/core/clock.hpp"
#include "harness/store/pg_connection_pool.hpp"
#include "harness/store/row_checks.hpp"

namespace asyncbench {
namespace {

// Same tables as the SQLite store. effects has an index, not a unique constraint: see store.hpp.
constexpr const char* tables_sql = R"sql(
CREATE TABLE records (business_id TEXT PRIMARY KEY, kind TEXT, payload TEXT, state TEXT,
    updated_at_us BIGINT);
CREATE TABLE effects (business_id TEXT NOT NULL, step TEXT NOT NULL,
    applied_at_us BIGINT NOT NULL);
CREATE INDEX effects_by_id ON effects (business_id, step);
CREATE TABLE stage_outcomes (business_id TEXT NOT NULL, stage TEXT NOT NULL,
    outcome TEXT NOT NULL, intended_us BIGINT, finished_us BIGINT, attempts INTEGER,
    deliveries INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (business_id, stage));
)sql";

struct prepared_statement {
    const char* name;
    const char* sql;
};

// Prepared once per connection (and again after a reset). The db steps write the record and the
// effect row in one statement (a data-modifying CTE): one round trip fewer per step, and the
// effect row exists only if the record write matched a row.
constexpr std::array<prepared_statement, 7> statements{{
    {"effect_done", "SELECT 1 FROM effects WHERE business_id = $1 AND step = $2 LIMIT 1"},
    {"record_effect",
     "INSERT INTO effects (business_id, step, applied_at_us) VALUES ($1, $2, $3::bigint)"},
    {"lock_step", "SELECT pg_advisory_xact_lock($1::bigint)"},
    {"insert_record",
     "WITH written AS (INSERT INTO records (business_id, kind, payload, state, updated_at_us) "
     "VALUES ($1, $3, $4, $2, $5::bigint) RETURNING business_id) "
     "INSERT INTO effects (business_id, step, applied_at_us) "
     "SELECT business_id, $2::text, $5::bigint FROM written"},
    {"update_record",
     "WITH written AS (UPDATE records SET state = $2, updated_at_us = $3::bigint "
     "WHERE business_id = $1 RETURNING business_id) "
     "INSERT INTO effects (business_id, step, applied_at_us) "
     "SELECT business_id, $2::text, $3::bigint FROM written"},
    {"record_stage",
     "INSERT INTO stage_outcomes (business_id, stage, outcome, intended_us, finished_us, "
     "attempts) VALUES ($1, $2, $3, $4::bigint, $5::bigint, $6::integer) "
     "ON CONFLICT (business_id, stage) DO UPDATE SET deliveries = "
     "stage_outcomes.deliveries + 1"},
    {"stages",
     "SELECT stage, outcome, intended_us, finished_us, attempts FROM stage_outcomes "
     "WHERE business_id = $1"},
}};

// Waiting longer than this for a pooled connection means the database has stalled; the
// operation then fails like any database error (retried, then dead-lettered) instead of
// hanging a worker forever.
constexpr std::chrono::seconds pool_wait_limit{30};

// Runs a prepared statement with text parameters (values never enter the SQL text).
template <std::size_t N>
pg_result_ptr run(PGconn* conn, const char* name, const std::array<std::string, N>& params) {
    std::array<const char*, N> values{};
    for (std::size_t i = 0; i < N; ++i) values[i] = params[i].c_str();
    return pg_check(
        conn, PQexecPrepared(conn, name, static_cast<int>(N), values.data(), nullptr, nullptr, 0),
        name);
}

void exec(PGconn* conn, const char* sql, const char* what) {
    pg_check(conn, PQexec(conn, sql), what);
}

// BEGIN now; ROLLBACK unless committed. If the rollback itself fails the pool notices the
// connection is still inside a transaction and resets it.
class pg_transaction {
  public:
    explicit pg_transaction(PGconn* conn, const char* begin_sql = "BEGIN") : conn_(conn) {
        exec(conn_, begin_sql, "BEGIN");
    }
    ~pg_transaction() {
        if (!committed_) pg_result_ptr(PQexec(conn_, "ROLLBACK"));
    }
    void commit() {
        exec(conn_, "COMMIT", "COMMIT");
        committed_ = true;
    }

  private:
    PGconn* conn_;
    bool committed_ = false;
};

std::string quote_identifier(PGconn* conn, const std::string& name) {
    char* quoted = PQescapeIdentifier(conn, name.c_str(), name.size());
    if (quoted == nullptr) {
        throw store_error(
            fmt::format("invalid PostgreSQL identifier '{}': {}", name, PQerrorMessage(conn)));
    }
    std::string result = quoted;
    PQfreemem(quoted);
    return result;
}

// The advisory lock key for (schema, id, step): FNV-1a, 64 bits. The schema is part of the key
// so that runs in different schemas of one database never wait on each other; a collision only
// serialises two unrelated steps, it never merges them.
std::int64_t step_lock_key(const std::string& schema, const std::string& id,
                           const std::string& step) {
    std::uint64_t hash = 14695981039346656037ull;
    auto mix = [&hash](const std::string& text) {
        for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
        hash = (hash ^ 0xffu) * 1099511628211ull;  // separator: ("a","bc") != ("ab","c")
    };
    mix(schema);
    mix(id);
    mix(step);
    return static_cast<std::int64_t>(hash);
}

std::int64_t integer(const PGresult* result, int row, int column) {
    if (PQgetisnull(result, row, column)) return 0;
    return std::strtoll(PQgetvalue(result, row, column), nullptr, 10);
}

stage_record read_stage(const PGresult* result, int row, int first_column) {
    stage_record record;
    record.stage = PQgetvalue(result, row, first_column);
    record.outcome = outcome_from_name(PQgetvalue(result, row, first_column + 1));
    record.intended_epoch_us = integer(result, row, first_column + 2);
    record.finished_epoch_us = integer(result, row, first_column + 3);
    record.attempts = static_cast<int>(integer(result, row, first_column + 4));
    return record;
}

// Declared tables (scenario_config::tables) have no prepared statements: their SQL depends on
// the table, and a connection of the pool may serve any of them. PQexecParams parses each
// statement again, which costs little next to the transaction's round trips.
pg_result_ptr run_params(PGconn* conn, const std::string& sql,
                         const std::vector<std::string>& params, const char* what) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) values.push_back(param.c_str());
    return pg_check(conn,
                    PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0),
                    what);
}

const char* sql_type(column_spec::type kind) { return holds_integer(kind) ? "BIGINT" : "TEXT"; }

// The key and then every declared column, the order read_rows expects.
std::string select_columns(PGconn* conn, const table_spec& table) {
    std::string columns = quote_identifier(conn, table.key);
    for (const auto& column : table.columns) columns += ", " + quote_identifier(conn, column.name);
    return columns;
}

// The rows of a query on select_columns(table). BIGINT columns arrive as decimal text already.
std::vector<row_values> read_rows(const PGresult* result, const table_spec& table) {
    std::vector<row_values> rows;
    for (int r = 0; r < PQntuples(result); ++r) {
        row_values row;
        row[table.key] = PQgetvalue(result, r, 0);
        for (std::size_t i = 0; i < table.columns.size(); ++i) {
            const int index = static_cast<int>(i) + 1;
            if (PQgetisnull(result, r, index)) continue;  // never set
            row[table.columns[i].name] = PQgetvalue(result, r, index);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

bool touched_no_row(const pg_result_ptr& result) {
    return std::string(PQcmdTuples(result.get())) == "0";
}

// INSERT of `values` (column, value); an existing key is left alone (insert: an error) or
// replaced whole, every declared column taking the new row's value (NULL where it has none).
// The values go to `params`.
std::string insert_sql(PGconn* conn, const table_spec& table,
                       const std::vector<checked_value>& values, bool replace,
                       std::vector<std::string>& params) {
    std::string columns;
    std::string placeholders;
    params.clear();
    for (std::size_t i = 0; i < values.size(); ++i) {
        columns +=
            fmt::format("{}{}", i == 0 ? "" : ", ", quote_identifier(conn, values[i].column));
        placeholders += fmt::format("{}${}", i == 0 ? "" : ", ", i + 1);
        params.push_back(values[i].text);
    }
    std::string on_conflict = "DO NOTHING";
    if (replace && !table.columns.empty()) {
        on_conflict = "DO UPDATE SET ";
        for (std::size_t i = 0; i < table.columns.size(); ++i) {
            const std::string column = quote_identifier(conn, table.columns[i].name);
            on_conflict += fmt::format("{}{} = excluded.{}", i == 0 ? "" : ", ", column, column);
        }
    }
    return fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) {}",
                       quote_identifier(conn, table.name), columns, placeholders,
                       quote_identifier(conn, table.key), on_conflict);
}

// The statements of a claim (claim_request), on its checked tables and columns. $1 is the stock
// key; $2 the claimant.
struct claim_sql {
    std::string lock_stock;    // the stock row, locked until the transaction ends
    std::string units_left;    // the stock row's column, unlocked (no row: none)
    std::string holds;         // a row when the claimant holds a record for the stock key
    std::string take;          // one unit, only while one is left
    std::string take_blindly;  // one unit, whatever is left: the as-is bug (claim_guard::none)
};

claim_sql claim_statements(PGconn* conn, const claim_request& request) {
    const std::string stock = quote_identifier(conn, request.stock->name);
    const std::string units = quote_identifier(conn, request.stock_column);
    const std::string key = quote_identifier(conn, request.stock->key);
    const std::string units_left =
        fmt::format("SELECT {} FROM {} WHERE {} = $1", units, stock, key);
    const std::string take =
        fmt::format("UPDATE {0} SET {1} = {1} - 1 WHERE {2} = $1", stock, units, key);
    return {units_left + " FOR UPDATE", units_left,
            fmt::format("SELECT 1 FROM {} WHERE {} = $2 AND {} = $1 LIMIT 1",
                        quote_identifier(conn, request.record->name),
                        quote_identifier(conn, request.claimant_column),
                        quote_identifier(conn, request.stock_key_column)),
            fmt::format("{} AND {} > 0", take, units), take};
}

// Holds no connection: each operation borrows one, so a session costs nothing while its thread
// waits on a downstream system, and many threads can share a few connections.
class postgres_session final : public store_session {
  public:
    postgres_session(std::shared_ptr<pg_connection_pool> pool, std::string schema)
        : pool_(std::move(pool)), schema_(std::move(schema)) {}

    bool effect_done(const std::string& id, const std::string& step) override {
        auto conn = pool_->borrow();
        return PQntuples(run(conn.get(), "effect_done", std::array{id, step}).get()) > 0;
    }

    void record_effect(const std::string& id, const std::string& step) override {
        auto conn = pool_->borrow();
        run(conn.get(), "record_effect", std::array{id, step, std::to_string(epoch_us_now())});
    }

    // Two deliveries of the same (id, step) racing in two sessions must not both apply. A
    // transaction-scoped advisory lock on (schema, id, step) serialises them: the second waits
    // until the first commits, and because READ COMMITTED takes a new snapshot per statement,
    // its effect check, issued after the lock is granted, sees the first one's effect row.
    // SELECT ... FOR UPDATE on the record would not do: an insert step has no row to lock yet.
    bool apply_db_step(const std::string& id, const std::string& step, bool insert,
                       const std::string& kind, const std::string& payload) override {
        auto conn = pool_->borrow();  // declared first: outlives the transaction
        pg_transaction tx(conn.get());
        run(conn.get(), "lock_step", std::array{std::to_string(step_lock_key(schema_, id, step))});
        if (PQntuples(run(conn.get(), "effect_done", std::array{id, step}).get()) > 0) {
            return false;  // already applied; the destructor rolls back the read-only work
        }
        const std::string now = std::to_string(epoch_us_now());
        if (insert) {
            run(conn.get(), "insert_record", std::array{id, step, kind, payload, now});
        } else {
            auto written = run(conn.get(), "update_record", std::array{id, step, now});
            if (std::string(PQcmdTuples(written.get())) == "0") {
                throw store_error(fmt::format("update of {} found no record to update", id));
            }
        }
        tx.commit();
        return true;
    }

    bool insert_row(const std::string& id, const std::string& step, const table_spec& table,
                    const row_values& row) override {
        return with_context(write_context("insert into", table, row, id, step),
                            [&] { return write_row(id, step, table, row, false); });
    }

    bool upsert_row(const std::string& id, const std::string& step, const table_spec& table,
                    const row_values& row) override {
        return with_context(write_context("upsert into", table, row, id, step),
                            [&] { return write_row(id, step, table, row, true); });
    }

    bool update_row(const std::string& id, const std::string& step, const table_spec& table,
                    const std::string& key, const row_values& set) override {
        const std::string context = fmt::format(
            "update of table {} key '{}' (business id {}, step {})", table.name, key, id, step);
        return with_context(context, [&] {
            auto values = check_row(table, set, false);
            if (set.count(table.key) != 0) {
                throw store_error(fmt::format("the key column {} cannot be set", table.key));
            }
            auto conn = pool_->borrow();  // declared first: outlives the transaction
            PGconn* c = conn.get();
            const std::string key_column = quote_identifier(c, table.key);
            std::vector<std::string> params{key};
            std::string assignments;
            for (std::size_t i = 0; i < values.size(); ++i) {
                assignments += fmt::format("{}{} = ${}", i == 0 ? "" : ", ",
                                           quote_identifier(c, values[i].column), i + 2);
                params.push_back(values[i].text);
            }
            // Nothing to set: the key assigned to itself still says whether the row exists.
            if (assignments.empty()) assignments = fmt::format("{0} = {0}", key_column);
            pg_transaction tx(c);
            if (!claim_step(c, id, step)) return false;
            auto written =
                run_params(c,
                           fmt::format("UPDATE {} SET {} WHERE {} = $1",
                                       quote_identifier(c, table.name), assignments, key_column),
                           params, "update");
            if (touched_no_row(written)) throw store_error("no row has this key");
            insert_effect(c, id, step);
            tx.commit();
            return true;
        });
    }

    // Concurrent decrements of one row serialise on its row lock; READ COMMITTED re-evaluates
    // `column >= amount` on the newest version once the lock is granted, so the guard always
    // sees what the other transaction left. Claims go in key order so that two orders locking
    // the same rows lock them in the same order and never deadlock; the order does not change
    // the outcome, since each key's claims succeed exactly when their sum fits.
    guarded_write decrement_if_enough(const std::string& id, const std::string& step,
                                      const table_spec& table, const std::string& column,
                                      const std::vector<decrement_claim>& claims) override {
        return with_context(decrement_context(table, column, id, step), [&] {
            check_decrement(table, column, claims);
            std::vector<decrement_claim> ordered = claims;
            std::stable_sort(ordered.begin(), ordered.end(),
                             [](const auto& a, const auto& b) { return a.key < b.key; });
            auto conn = pool_->borrow();  // declared first: outlives the transaction
            PGconn* c = conn.get();
            const std::string sql = fmt::format(
                "UPDATE {0} SET {1} = {1} - $2::bigint WHERE {2} = $1 AND {1} >= $2::bigint",
                quote_identifier(c, table.name), quote_identifier(c, column),
                quote_identifier(c, table.key));
            pg_transaction tx(c);
            if (!claim_step(c, id, step)) return guarded_write::already_applied;
            for (const auto& claim : ordered) {
                auto written =
                    run_params(c, sql, {claim.key, std::to_string(claim.amount)}, "decrement");
                // Missing or short: the transaction's destructor rolls back the earlier claims.
                if (touched_no_row(written)) return guarded_write::refused;
            }
            insert_effect(c, id, step);
            tx.commit();
            return guarded_write::applied;
        });
    }

    // guard locked: after the (id, step) lock and effect check, FOR UPDATE on the stock row
    // queues every other claim of that row until this one commits; READ COMMITTED then gives
    // each queued claim's later statements a snapshot with the previous claim's record and
    // decrement, so the claimant check and the units check cannot race. The (id, step) lock
    // comes first, as for every write; one row lock after it cannot deadlock.
    // guard none: claim_unguarded.
    claim_result claim(const std::string& id, const std::string& step,
                       const claim_request& request) override {
        return with_context(claim_context(request, id, step), [&] {
            check_claim(request);
            auto conn = pool_->borrow();  // declared first: outlives the transaction
            PGconn* c = conn.get();
            const claim_sql sql = claim_statements(c, request);
            if (request.guard == claim_guard::none) {
                return claim_unguarded(c, id, step, request, sql);
            }
            pg_transaction tx(c);
            if (!claim_step(c, id, step)) return claim_result::already_applied;
            run_params(c, sql.lock_stock, {request.stock_key}, "lock the stock row");
            if (holds_claim(c, request, sql)) return claim_result::already_claimed;
            if (touched_no_row(run_params(c, sql.take, {request.stock_key}, "take a unit"))) {
                return claim_result::sold_out;  // the destructor rolls back
            }
            insert_claim_record(c, id, step, request);
            tx.commit();
            return claim_result::claimed;
        });
    }

    std::vector<row_values> rows(const table_spec& table) override {
        return with_context(fmt::format("rows of table {}", table.name), [&] {
            auto conn = pool_->borrow();
            PGconn* c = conn.get();
            // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
            auto result = run_params(
                c,
                fmt::format("SELECT {} FROM {} ORDER BY {} COLLATE \"C\"", select_columns(c, table),
                            quote_identifier(c, table.name), quote_identifier(c, table.key)),
                {}, "select rows");
            return read_rows(result.get(), table);
        });
    }

    std::vector<row_values> rows_since(const table_spec& table, const std::string& cursor,
                                       std::int64_t since, int limit) override {
        return with_context(rows_since_context(table, cursor, since), [&] {
            check_rows_since(table, cursor, limit);
            auto conn = pool_->borrow();
            PGconn* c = conn.get();
            const std::string cursor_column = quote_identifier(c, cursor);
            // Ties on the cursor in byte order of the key, as SQLite sorts (see rows()).
            auto result = run_params(
                c,
                fmt::format("SELECT {0} FROM {1} WHERE {2} >= $1::bigint ORDER BY {2}, {3} "
                            "COLLATE \"C\" LIMIT $2::bigint",
                            select_columns(c, table), quote_identifier(c, table.name),
                            cursor_column, quote_identifier(c, table.key)),
                {std::to_string(since), std::to_string(limit)}, "select rows since");
            return read_rows(result.get(), table);
        });
    }

    // INSERT ... ON CONFLICT DO UPDATE is atomic: concurrent adds to one row, whether it exists
    // yet or not, wait on its lock and each updates the newest committed version, so none is
    // lost. The (id, step) lock comes first, as for every write; one row lock per transaction
    // after it cannot deadlock.
    bool add_to_column(const std::string& id, const std::string& step, const table_spec& table,
                       const std::string& key, const std::string& column,
                       std::int64_t amount) override {
        return with_context(add_context(table, key, column, id, step), [&] {
            check_add(table, column);
            auto conn = pool_->borrow();  // declared first: outlives the transaction
            PGconn* c = conn.get();
            const std::string sql = fmt::format(
                "INSERT INTO {0} ({1}, {2}) VALUES ($1, $2::bigint) ON CONFLICT ({1}) DO UPDATE "
                "SET {2} = COALESCE({0}.{2}, 0) + excluded.{2}",
                quote_identifier(c, table.name), quote_identifier(c, table.key),
                quote_identifier(c, column));
            pg_transaction tx(c);
            if (!claim_step(c, id, step)) return false;
            run_params(c, sql, {key, std::to_string(amount)}, "add");
            insert_effect(c, id, step);
            tx.commit();
            return true;
        });
    }

    void put_rows(const table_spec& table, const std::vector<row_values>& rows) override {
        with_context(fmt::format("put rows into table {}", table.name), [&] {
            auto conn = pool_->borrow();  // declared first: outlives the transaction
            PGconn* c = conn.get();
            pg_transaction tx(c);
            std::vector<std::string> params;
            for (const auto& row : rows) {
                auto values = check_row(table, row, true);
                run_params(c, insert_sql(c, table, values, true, params), params, "put row");
            }
            tx.commit();
        });
    }

    void record_stage(const std::string& id, const stage_record& record) override {
        auto conn = pool_->borrow();
        run(conn.get(), "record_stage",
            std::array{id, record.stage, outcome_name(record.outcome),
                       std::to_string(record.intended_epoch_us),
                       std::to_string(record.finished_epoch_us), std::to_string(record.attempts)});
    }

    std::vector<stage_record> stages(const std::string& id) override {
        auto conn = pool_->borrow();
        auto rows = run(conn.get(), "stages", std::array{id});
        std::vector<stage_record> result;
        for (int row = 0; row < PQntuples(rows.get()); ++row) {
            result.push_back(read_stage(rows.get(), row, 0));
        }
        return result;
    }

  private:
    // Inside a transaction: takes the (schema, id, step) lock as apply_db_step does, then
    // checks the effect. False when the step was applied already (the caller writes nothing).
    bool claim_step(PGconn* conn, const std::string& id, const std::string& step) {
        run(conn, "lock_step", std::array{std::to_string(step_lock_key(schema_, id, step))});
        return PQntuples(run(conn, "effect_done", std::array{id, step}).get()) == 0;
    }

    // The as-is bug on purpose (claim_guard::none): check, then act, each statement in its own
    // implicit transaction and nothing locked, so other sessions check the same stock row and
    // claimant between this one's checks and its writes, and the decrement does not look at what
    // is left. Only the record and effect rows share a transaction: the effect bookkeeping stays
    // exact (the record's key is the business id), the business check races.
    claim_result claim_unguarded(PGconn* c, const std::string& id, const std::string& step,
                                 const claim_request& request, const claim_sql& sql) {
        if (PQntuples(run(c, "effect_done", std::array{id, step}).get()) > 0) {
            return claim_result::already_applied;
        }
        auto left = run_params(c, sql.units_left, {request.stock_key}, "read the units left");
        if (PQntuples(left.get()) == 0 || PQgetisnull(left.get(), 0, 0) ||
            integer(left.get(), 0, 0) <= 0) {
            return claim_result::sold_out;
        }
        if (holds_claim(c, request, sql)) return claim_result::already_claimed;
        run_params(c, sql.take_blindly, {request.stock_key}, "take a unit");
        pg_transaction tx(c);
        insert_claim_record(c, id, step, request);
        tx.commit();
        return claim_result::claimed;
    }

    bool holds_claim(PGconn* conn, const claim_request& request, const claim_sql& sql) {
        auto held =
            run_params(conn, sql.holds, {request.stock_key, request.claimant}, "claimant check");
        return PQntuples(held.get()) > 0;
    }

    // Inside a transaction: the claim's record row (keyed by the business id) and its effect.
    void insert_claim_record(PGconn* conn, const std::string& id, const std::string& step,
                             const claim_request& request) {
        std::vector<std::string> params;
        const std::string sql = insert_sql(
            conn, *request.record, claim_record(request, id, epoch_us_now()), false, params);
        if (touched_no_row(run_params(conn, sql, params, "insert the record"))) {
            throw store_error(
                fmt::format("table {} has a row with key '{}' already", request.record->name, id));
        }
        insert_effect(conn, id, step);
    }

    void insert_effect(PGconn* conn, const std::string& id, const std::string& step) {
        run(conn, "record_effect", std::array{id, step, std::to_string(epoch_us_now())});
    }

    bool write_row(const std::string& id, const std::string& step, const table_spec& table,
                   const row_values& row, bool replace) {
        auto values = check_row(table, row, true);
        auto conn = pool_->borrow();  // declared first: outlives the transaction
        PGconn* c = conn.get();
        std::vector<std::string> params;
        const std::string sql = insert_sql(c, table, values, replace, params);
        pg_transaction tx(c);
        if (!claim_step(c, id, step)) return false;
        auto written = run_params(c, sql, params, replace ? "upsert" : "insert");
        if (touched_no_row(written)) throw store_error("a row with this key exists");
        insert_effect(c, id, step);
        tx.commit();
        return true;
    }

    std::shared_ptr<pg_connection_pool> pool_;
    std::string schema_;
};

// A transaction on its own connection holding EXCLUSIVE locks on the tables: reads go on,
// every write waits; pooled writers then hold their connections and the rest time out waiting
// for one, which is how an application sees a database that stopped answering.
class postgres_write_block final : public write_block {
  public:
    postgres_write_block(const pg_target& target, const std::string& quoted_schema)
        : conn_(pg_connect(target)) {
        exec(conn_.get(),
             fmt::format("BEGIN; LOCK TABLE {0}.records, {0}.effects, {0}.stage_outcomes IN "
                         "EXCLUSIVE MODE",
                         quoted_schema)
                 .c_str(),
             "lock tables");
    }
    ~postgres_write_block() override { PQclear(PQexec(conn_.get(), "ROLLBACK")); }

  private:
    pg_conn_ptr conn_;
};

class postgres_store final : public store {
  public:
    postgres_store(const std::string& conninfo, int pool_size, std::string schema, store_open mode)
        : schema_(std::move(schema)) {
        if (pool_size < 1) {
            throw store_error(fmt::format("PostgreSQL pool size {} is below 1", pool_size));
        }
        pg_target target = parse_pg_target(conninfo);
        pg_conn_ptr first = pg_connect(target);
        const std::string quoted = quote_identifier(first.get(), schema_);
        quoted_schema_ = quoted;
        // One simple-query string runs as one implicit transaction: all or nothing.
        const std::string setup =
            mode == store_open::attach
                ? fmt::format("SELECT 1 FROM {}.stage_outcomes LIMIT 1", quoted)
                : fmt::format(
                      "DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}; SET "
                      "search_path TO {0};{1}",
                      quoted, tables_sql);
        try {
            exec(first.get(), setup.c_str(),
                 mode == store_open::attach ? "schema check" : "schema creation");
        } catch (const store_error& e) {
            throw store_error(fmt::format("cannot {} schema {} at {}: {}",
                                          mode == store_open::attach ? "use" : "create", schema_,
                                          target.describe(), e.what()));
        }
        const std::string search_path = "SET search_path TO " + quoted;
        auto prepare = [search_path](PGconn* conn) {
            exec(conn, search_path.c_str(), "SET search_path");
            for (const auto& statement : statements) {
                pg_check(conn, PQprepare(conn, statement.name, statement.sql, 0, nullptr),
                         statement.name);
            }
        };
        pool_ = std::make_shared<pg_connection_pool>(std::move(target), pool_size, prepare,
                                                     std::move(first), pool_wait_limit);
    }

    std::string kind() const override { return "postgresql"; }
    std::string location() const override { return pool_->target().url_without_password(); }

    std::unique_ptr<store_session> open_session() override {
        return std::make_unique<postgres_session>(pool_, schema_);
    }

    void create_tables(const std::vector<table_spec>& tables) override {
        auto conn = pool_->borrow();
        PGconn* c = conn.get();
        // One simple-query string runs as one implicit transaction: all tables or none.
        std::string sql;
        for (const auto& table : tables) {
            std::string columns = quote_identifier(c, table.key) + " TEXT PRIMARY KEY";
            for (const auto& column : table.columns) {
                columns +=
                    fmt::format(", {} {}", quote_identifier(c, column.name), sql_type(column.kind));
            }
            sql += fmt::format("CREATE TABLE IF NOT EXISTS {} ({});",
                               quote_identifier(c, table.name), columns);
            // Pollers read a written_at column in (cursor, key) order: indexed, as it would be.
            for (const auto& column : table.columns) {
                if (column.kind != column_spec::type::written_at) continue;
                sql +=
                    fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({}, {} COLLATE \"C\");",
                                quote_identifier(c, table.name + "_by_" + column.name),
                                quote_identifier(c, table.name), quote_identifier(c, column.name),
                                quote_identifier(c, table.key));
            }
        }
        if (sql.empty()) return;
        try {
            exec(c, sql.c_str(), "create tables");
        } catch (const store_error& e) {
            throw store_error(fmt::format("cannot create the declared tables in schema {}: {}",
                                          schema_, e.what()));
        }
    }

    store_snapshot snapshot() override {
        auto conn = pool_->borrow();
        // One snapshot for the three reads, so they agree with each other.
        pg_transaction tx(conn.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        store_snapshot result;
        auto stages = pg_check(conn.get(),
                               PQexec(conn.get(),
                                      "SELECT business_id, stage, outcome, intended_us, "
                                      "finished_us, attempts FROM stage_outcomes"),
                               "snapshot of stage_outcomes");
        for (int row = 0; row < PQntuples(stages.get()); ++row) {
            result.stages_by_id[PQgetvalue(stages.get(), row, 0)].push_back(
                read_stage(stages.get(), row, 1));
        }
        auto duplicates = pg_check(conn.get(),
                                   PQexec(conn.get(),
                                          "SELECT COUNT(*) FROM (SELECT 1 FROM effects GROUP "
                                          "BY business_id, step HAVING COUNT(*) > 1) AS d"),
                                   "snapshot of duplicate effects");
        result.duplicate_effects = static_cast<std::uint64_t>(integer(duplicates.get(), 0, 0));
        auto ids =
            pg_check(conn.get(), PQexec(conn.get(), "SELECT DISTINCT business_id FROM effects"),
                     "snapshot of effect ids");
        for (int row = 0; row < PQntuples(ids.get()); ++row) {
            result.ids_with_effects.emplace_back(PQgetvalue(ids.get(), row, 0));
        }
        auto redeliveries = pg_check(conn.get(),
                                     PQexec(conn.get(),
                                            "SELECT COALESCE(SUM(deliveries - 1), "
                                            "0) FROM stage_outcomes"),
                                     "snapshot of redeliveries");
        result.redeliveries = static_cast<std::uint64_t>(integer(redeliveries.get(), 0, 0));
        tx.commit();
        return result;
    }

    std::unique_ptr<write_block> block_writes() override {
        return std::make_unique<postgres_write_block>(pool_->target(), quoted_schema_);
    }
    std::string block_writes_description() const override {
        return "EXCLUSIVE locks on the run's tables held by another connection: every write "
               "waited, and writers beyond the pool timed out waiting for a connection";
    }

  private:
    std::string schema_;
    std::string quoted_schema_;
    std::shared_ptr<pg_connection_pool> pool_;
};

}  // namespace

std::unique_ptr<store> open_postgres_store(const std::string& conninfo, int pool_size,
                                           const std::string& schema, store_open mode) {
    return std::make_unique<postgres_store>(conninfo, pool_size, schema, mode);
}

}  // namespace asyncbench

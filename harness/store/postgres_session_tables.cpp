// The PostgreSQL session's operations on the scenario's declared tables
// (scenario_config::tables): insert, upsert, update, guarded decrement, add, first-come claim,
// reads, and seed rows. The session's core (effects, business records, stage records) is in
// postgres_session.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "harness/core/clock.hpp"
#include "harness/store/postgres_session.hpp"
#include "harness/store/row_checks.hpp"

namespace asyncbench {
namespace {

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

// The key and then every declared column, the order read_rows expects.
std::string select_columns(PGconn* conn, const table_spec& table) {
    std::string columns = pg_quote_identifier(conn, table.key);
    for (const auto& column : table.columns) {
        columns += ", " + pg_quote_identifier(conn, column.name);
    }
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
                       const std::vector<checked_value>& values, const row_conflict& conflict,
                       std::vector<std::string>& params) {
    std::string columns;
    std::string placeholders;
    params.clear();
    for (std::size_t i = 0; i < values.size(); ++i) {
        columns +=
            fmt::format("{}{}", i == 0 ? "" : ", ", pg_quote_identifier(conn, values[i].column));
        placeholders += fmt::format("{}${}", i == 0 ? "" : ", ", i + 1);
        params.push_back(values[i].text);
    }
    return fmt::format("INSERT INTO {} ({}) VALUES ({}) {}", pg_quote_identifier(conn, table.name),
                       columns, placeholders,
                       on_conflict_clause(table, conflict, [conn](const std::string& name) {
                           return pg_quote_identifier(conn, name);
                       }));
}

}  // namespace

// The statements of a claim (claim_request), on its checked tables and columns. $1 is the stock
// key; $2 the claimant.
struct postgres_session::claim_sql {
    std::string lock_stock;    // the stock row, locked until the transaction ends
    std::string units_left;    // the stock row's column, unlocked (no row: none)
    std::string holds;         // a row when the claimant holds a record for the stock key
    std::string take;          // one unit, only while one is left
    std::string take_blindly;  // one unit, whatever is left: the as-is bug (claim_guard::none)
};

postgres_session::claim_sql postgres_session::claim_statements(PGconn* conn,
                                                               const claim_request& request) {
    const std::string stock = pg_quote_identifier(conn, request.stock->name);
    const std::string units = pg_quote_identifier(conn, request.stock_column);
    const std::string key = pg_quote_identifier(conn, request.stock->key);
    const std::string units_left =
        fmt::format("SELECT {} FROM {} WHERE {} = $1", units, stock, key);
    const std::string take =
        fmt::format("UPDATE {0} SET {1} = {1} - 1 WHERE {2} = $1", stock, units, key);
    return {units_left + " FOR UPDATE", units_left,
            fmt::format("SELECT 1 FROM {} WHERE {} = $2 AND {} = $1 LIMIT 1",
                        pg_quote_identifier(conn, request.record->name),
                        pg_quote_identifier(conn, request.claimant_column),
                        pg_quote_identifier(conn, request.stock_key_column)),
            fmt::format("{} AND {} > 0", take, units), take};
}

bool postgres_session::insert_row(const std::string& id, const std::string& step,
                                  const table_spec& table, const row_values& row) {
    return with_context(write_context("insert into", table, row, id, step),
                        [&] { return write_row(id, step, table, row, row_conflict{}); });
}

bool postgres_session::upsert_row(const std::string& id, const std::string& step,
                                  const table_spec& table, const row_values& row,
                                  const std::string& newer) {
    return with_context(write_context("upsert into", table, row, id, step), [&] {
        return write_row(id, step, table, row, row_conflict{true, newer});
    });
}

bool postgres_session::update_row(const std::string& id, const std::string& step,
                                  const table_spec& table, const std::string& key,
                                  const row_values& set) {
    return with_context(update_context(table, key, id, step), [&] {
        auto values = check_update(table, set);
        auto conn = pool_->borrow();  // declared first: outlives the transaction
        PGconn* c = conn.get();
        const std::string key_column = pg_quote_identifier(c, table.key);
        std::vector<std::string> params{key};
        std::string assignments;
        for (std::size_t i = 0; i < values.size(); ++i) {
            assignments += fmt::format("{}{} = ${}", i == 0 ? "" : ", ",
                                       pg_quote_identifier(c, values[i].column), i + 2);
            params.push_back(values[i].text);
        }
        // Nothing to set: the key assigned to itself still says whether the row exists.
        if (assignments.empty()) assignments = fmt::format("{0} = {0}", key_column);
        pg_transaction tx(c);
        if (!claim_step(c, id, step)) return false;
        auto written =
            run_params(c,
                       fmt::format("UPDATE {} SET {} WHERE {} = $1",
                                   pg_quote_identifier(c, table.name), assignments, key_column),
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
guarded_write postgres_session::decrement_if_enough(const std::string& id, const std::string& step,
                                                    const table_spec& table,
                                                    const std::string& column,
                                                    const std::vector<decrement_claim>& claims) {
    return with_context(decrement_context(table, column, id, step), [&] {
        check_decrement(table, column, claims);
        std::vector<decrement_claim> ordered = claims;
        std::stable_sort(ordered.begin(), ordered.end(),
                         [](const auto& a, const auto& b) { return a.key < b.key; });
        auto conn = pool_->borrow();  // declared first: outlives the transaction
        PGconn* c = conn.get();
        const std::string sql = fmt::format(
            "UPDATE {0} SET {1} = {1} - $2::bigint WHERE {2} = $1 AND {1} >= $2::bigint",
            pg_quote_identifier(c, table.name), pg_quote_identifier(c, column),
            pg_quote_identifier(c, table.key));
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
claim_result postgres_session::claim(const std::string& id, const std::string& step,
                                     const claim_request& request) {
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

std::vector<row_values> postgres_session::rows(const table_spec& table) {
    return with_context(fmt::format("rows of table {}", table.name), [&] {
        auto conn = pool_->borrow();
        PGconn* c = conn.get();
        // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
        auto result = run_params(
            c,
            fmt::format("SELECT {} FROM {} ORDER BY {} COLLATE \"C\"", select_columns(c, table),
                        pg_quote_identifier(c, table.name), pg_quote_identifier(c, table.key)),
            {}, "select rows");
        return read_rows(result.get(), table);
    });
}

std::optional<row_values> postgres_session::find_row(const table_spec& table,
                                                     const std::string& key) {
    return with_context(fmt::format("row of table {} with key '{}'", table.name, key), [&] {
        auto conn = pool_->borrow();
        PGconn* c = conn.get();
        auto result = run_params(
            c,
            fmt::format("SELECT {} FROM {} WHERE {} = $1", select_columns(c, table),
                        pg_quote_identifier(c, table.name), pg_quote_identifier(c, table.key)),
            {key}, "select a row by key");
        auto rows = read_rows(result.get(), table);
        std::optional<row_values> found;
        if (!rows.empty()) found = std::move(rows.front());
        return found;
    });
}

std::vector<row_values> postgres_session::rows_since(const table_spec& table,
                                                     const std::string& cursor, std::int64_t since,
                                                     int limit) {
    return with_context(rows_since_context(table, cursor, since), [&] {
        check_rows_since(table, cursor, limit);
        auto conn = pool_->borrow();
        PGconn* c = conn.get();
        const std::string cursor_column = pg_quote_identifier(c, cursor);
        // Ties on the cursor in byte order of the key, as SQLite sorts (see rows()).
        auto result =
            run_params(c,
                       fmt::format("SELECT {0} FROM {1} WHERE {2} >= $1::bigint ORDER BY {2}, {3} "
                                   "COLLATE \"C\" LIMIT $2::bigint",
                                   select_columns(c, table), pg_quote_identifier(c, table.name),
                                   cursor_column, pg_quote_identifier(c, table.key)),
                       {std::to_string(since), std::to_string(limit)}, "select rows since");
        return read_rows(result.get(), table);
    });
}

// INSERT ... ON CONFLICT DO UPDATE is atomic: concurrent adds to one row, whether it exists
// yet or not, wait on its lock and each updates the newest committed version, so none is
// lost. The (id, step) lock comes first, as for every write; one row lock per transaction
// after it cannot deadlock.
bool postgres_session::add_to_column(const std::string& id, const std::string& step,
                                     const table_spec& table, const std::string& key,
                                     const std::string& column, std::int64_t amount) {
    return with_context(add_context(table, key, column, id, step), [&] {
        check_add(table, column);
        auto conn = pool_->borrow();  // declared first: outlives the transaction
        PGconn* c = conn.get();
        const std::string sql = fmt::format(
            "INSERT INTO {0} ({1}, {2}) VALUES ($1, $2::bigint) ON CONFLICT ({1}) DO UPDATE "
            "SET {2} = COALESCE({0}.{2}, 0) + excluded.{2}",
            pg_quote_identifier(c, table.name), pg_quote_identifier(c, table.key),
            pg_quote_identifier(c, column));
        pg_transaction tx(c);
        if (!claim_step(c, id, step)) return false;
        run_params(c, sql, {key, std::to_string(amount)}, "add");
        insert_effect(c, id, step);
        tx.commit();
        return true;
    });
}

void postgres_session::put_rows(const table_spec& table, const std::vector<row_values>& rows) {
    with_context(fmt::format("put rows into table {}", table.name), [&] {
        auto conn = pool_->borrow();  // declared first: outlives the transaction
        PGconn* c = conn.get();
        pg_transaction tx(c);
        std::vector<std::string> params;
        for (const auto& row : rows) {
            auto values = check_row(table, row, true);
            run_params(c, insert_sql(c, table, values, row_conflict{true, {}}, params), params,
                       "put row");
        }
        tx.commit();
    });
}

// The as-is bug on purpose (claim_guard::none): check, then act, each statement in its own
// implicit transaction and nothing locked, so other sessions check the same stock row and
// claimant between this one's checks and its writes, and the decrement does not look at what
// is left. Only the record and effect rows share a transaction: the effect bookkeeping stays
// exact (the record's key is the business id), the business check races.
claim_result postgres_session::claim_unguarded(PGconn* c, const std::string& id,
                                               const std::string& step,
                                               const claim_request& request, const claim_sql& sql) {
    if (PQntuples(pg_run(c, "effect_done", std::array{id, step}).get()) > 0) {
        return claim_result::already_applied;
    }
    auto left = run_params(c, sql.units_left, {request.stock_key}, "read the units left");
    if (PQntuples(left.get()) == 0 || PQgetisnull(left.get(), 0, 0) ||
        pg_integer(left.get(), 0, 0) <= 0) {
        return claim_result::sold_out;
    }
    if (holds_claim(c, request, sql)) return claim_result::already_claimed;
    run_params(c, sql.take_blindly, {request.stock_key}, "take a unit");
    pg_transaction tx(c);
    insert_claim_record(c, id, step, request);
    tx.commit();
    return claim_result::claimed;
}

bool postgres_session::holds_claim(PGconn* conn, const claim_request& request,
                                   const claim_sql& sql) {
    auto held =
        run_params(conn, sql.holds, {request.stock_key, request.claimant}, "claimant check");
    return PQntuples(held.get()) > 0;
}

// Inside a transaction: the claim's record row (keyed by the business id) and its effect.
void postgres_session::insert_claim_record(PGconn* conn, const std::string& id,
                                           const std::string& step, const claim_request& request) {
    std::vector<std::string> params;
    const std::string sql = insert_sql(
        conn, *request.record, claim_record(request, id, epoch_us_now()), row_conflict{}, params);
    if (touched_no_row(run_params(conn, sql, params, "insert the record"))) {
        throw store_error(
            fmt::format("table {} has a row with key '{}' already", request.record->name, id));
    }
    insert_effect(conn, id, step);
}

bool postgres_session::write_row(const std::string& id, const std::string& step,
                                 const table_spec& table, const row_values& row,
                                 const row_conflict& conflict) {
    auto values = check_row(table, row, true);
    if (!conflict.newer.empty()) check_newer(table, conflict.newer);
    auto conn = pool_->borrow();  // declared first: outlives the transaction
    PGconn* c = conn.get();
    std::vector<std::string> params;
    const std::string sql = insert_sql(c, table, values, conflict, params);
    pg_transaction tx(c);
    if (!claim_step(c, id, step)) return false;
    auto written = run_params(c, sql, params, conflict.replace ? "upsert" : "insert");
    // No row touched: an insert met its key (an error); a `newer` upsert met a later row
    // (stale: done, leaving the row alone).
    if (touched_no_row(written) && !conflict.replace) {
        throw store_error("a row with this key exists");
    }
    insert_effect(c, id, step);
    tx.commit();
    return true;
}

}  // namespace asyncbench

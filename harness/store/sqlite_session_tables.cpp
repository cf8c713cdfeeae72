// The SQLite session's operations on the scenario's declared tables (scenario_config::tables):
// insert, upsert, update, guarded decrement, add, first-come claim, reads, and seed rows. The
// session's core (effects, business records, stage records) is in sqlite_session.cpp.
#include <fmt/format.h>

#include "harness/core/clock.hpp"
#include "harness/store/row_checks.hpp"
#include "harness/store/sqlite_session.hpp"

namespace asyncbench {
namespace {

// The key and then every declared column, the order read_row expects.
std::string select_columns(const table_spec& table) {
    std::string columns = sqlite_quote_identifier(table.key);
    for (const auto& column : table.columns) columns += ", " + sqlite_quote_identifier(column.name);
    return columns;
}

// The current row of a query on select_columns(table).
row_values read_row(const sqlite_statement& query, const table_spec& table) {
    row_values row;
    row[table.key] = query.text(0);
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        if (query.is_null(index)) continue;  // a column the row never set
        row[table.columns[i].name] = holds_integer(table.columns[i].kind)
                                         ? std::to_string(query.integer(index))
                                         : query.text(index);
    }
    return row;
}

void bind_value(sqlite_statement& write, int index, const checked_value& value) {
    if (value.integer) {
        write.bind(index, *value.integer);
    } else {
        write.bind(index, value.text);
    }
}

// INSERT of `values`; an existing key is met as `conflict` says (row_conflict): replaced, every
// declared column taking the new row's value (NULL where the row has none), like a fresh insert
// but without the delete that INSERT OR REPLACE would do.
std::string insert_sql(const table_spec& table, const std::vector<checked_value>& values,
                       const row_conflict& conflict) {
    std::string columns;
    std::string placeholders;
    for (std::size_t i = 0; i < values.size(); ++i) {
        columns +=
            fmt::format("{}{}", i == 0 ? "" : ", ", sqlite_quote_identifier(values[i].column));
        placeholders += fmt::format("{}?{}", i == 0 ? "" : ", ", i + 1);
    }
    return fmt::format("INSERT INTO {} ({}) VALUES ({}) {}", sqlite_quote_identifier(table.name),
                       columns, placeholders,
                       on_conflict_clause(table, conflict, sqlite_quote_identifier));
}

}  // namespace

// The statements of a claim (claim_request), on its checked tables and columns. ?1 is the stock
// key; ?2 the claimant.
struct sqlite_session::claim_sql {
    std::string units_left;    // the stock row's column (no row: none)
    std::string holds;         // a row when the claimant holds a record for the stock key
    std::string take;          // one unit, only while one is left
    std::string take_blindly;  // one unit, whatever is left: the as-is bug (claim_guard::none)
};

sqlite_session::claim_sql sqlite_session::claim_statements(const claim_request& request) {
    const std::string stock = sqlite_quote_identifier(request.stock->name);
    const std::string units = sqlite_quote_identifier(request.stock_column);
    const std::string key = sqlite_quote_identifier(request.stock->key);
    const std::string take =
        fmt::format("UPDATE {0} SET {1} = {1} - 1 WHERE {2} = ?1", stock, units, key);
    return {fmt::format("SELECT {} FROM {} WHERE {} = ?1", units, stock, key),
            fmt::format("SELECT 1 FROM {} WHERE {} = ?2 AND {} = ?1 LIMIT 1",
                        sqlite_quote_identifier(request.record->name),
                        sqlite_quote_identifier(request.claimant_column),
                        sqlite_quote_identifier(request.stock_key_column)),
            fmt::format("{} AND {} > 0", take, units), take};
}

bool sqlite_session::insert_row(const std::string& id, const std::string& step,
                                const table_spec& table, const row_values& row) {
    return with_context(write_context("insert into", table, row, id, step),
                        [&] { return write_row(id, step, table, row, row_conflict{}); });
}

bool sqlite_session::upsert_row(const std::string& id, const std::string& step,
                                const table_spec& table, const row_values& row,
                                const std::string& newer) {
    return with_context(write_context("upsert into", table, row, id, step), [&] {
        return write_row(id, step, table, row, row_conflict{true, newer});
    });
}

bool sqlite_session::update_row(const std::string& id, const std::string& step,
                                const table_spec& table, const std::string& key,
                                const row_values& set) {
    return with_context(update_context(table, key, id, step), [&] {
        auto values = check_update(table, set);
        std::string assignments;
        for (std::size_t i = 0; i < values.size(); ++i) {
            assignments += fmt::format("{}{} = ?{}", i == 0 ? "" : ", ",
                                       sqlite_quote_identifier(values[i].column), i + 2);
        }
        // Nothing to set: the key assigned to itself still says whether the row exists.
        if (assignments.empty()) {
            assignments = fmt::format("{0} = {0}", sqlite_quote_identifier(table.key));
        }
        sqlite_transaction tx(statements_, writers_);
        if (effect_done(id, step)) return false;
        auto write = statements_.get(fmt::format("UPDATE {} SET {} WHERE {} = ?1",
                                                 sqlite_quote_identifier(table.name), assignments,
                                                 sqlite_quote_identifier(table.key)));
        write->bind(1, key);
        for (std::size_t i = 0; i < values.size(); ++i) {
            bind_value(*write, static_cast<int>(i) + 2, values[i]);
        }
        write->step();
        if (sqlite3_changes(db_) == 0) throw store_error("no row has this key");
        insert_effect(id, step);
        tx.commit();
        return true;
    });
}

// BEGIN IMMEDIATE (and the writers' mutex) makes the whole check-and-decrement exclusive:
// no other session reads the column between this one's guard and its write.
guarded_write sqlite_session::decrement_if_enough(const std::string& id, const std::string& step,
                                                  const table_spec& table,
                                                  const std::string& column,
                                                  const std::vector<decrement_claim>& claims) {
    return with_context(decrement_context(table, column, id, step), [&] {
        check_decrement(table, column, claims);
        sqlite_transaction tx(statements_, writers_);
        if (effect_done(id, step)) return guarded_write::already_applied;
        auto write = statements_.get(
            fmt::format("UPDATE {0} SET {1} = {1} - ?2 WHERE {2} = ?1 AND {1} "
                        ">= ?2",
                        sqlite_quote_identifier(table.name), sqlite_quote_identifier(column),
                        sqlite_quote_identifier(table.key)));
        for (const auto& claim : claims) {
            write->reset();
            write->bind(1, claim.key).bind(2, claim.amount);
            write->step();
            // Missing or short: the transaction's destructor rolls back the earlier claims.
            if (sqlite3_changes(db_) == 0) return guarded_write::refused;
        }
        insert_effect(id, step);
        tx.commit();
        return guarded_write::applied;
    });
}

// guard locked: BEGIN IMMEDIATE (and the writers' mutex) holds every other writer off from
// the effect check to the commit, so no claim of the same stock row or claimant runs between
// this one's checks and its writes. guard none: claim_unguarded.
claim_result sqlite_session::claim(const std::string& id, const std::string& step,
                                   const claim_request& request) {
    return with_context(claim_context(request, id, step), [&] {
        check_claim(request);
        const claim_sql sql = claim_statements(request);
        if (request.guard == claim_guard::none) return claim_unguarded(id, step, request, sql);
        sqlite_transaction tx(statements_, writers_);
        if (effect_done(id, step)) return claim_result::already_applied;
        if (holds_claim(request, sql)) return claim_result::already_claimed;
        auto take = statements_.get(sql.take);
        take->bind(1, request.stock_key);
        take->step();
        if (sqlite3_changes(db_) == 0) return claim_result::sold_out;  // rolls back
        insert_claim_record(id, step, request);
        tx.commit();
        return claim_result::claimed;
    });
}

std::vector<row_values> sqlite_session::rows(const table_spec& table) {
    return with_context(fmt::format("rows of table {}", table.name), [&] {
        auto query = statements_.get(
            fmt::format("SELECT {} FROM {} ORDER BY {}", select_columns(table),
                        sqlite_quote_identifier(table.name), sqlite_quote_identifier(table.key)));
        std::vector<row_values> result;
        while (query->step()) result.push_back(read_row(*query, table));
        return result;
    });
}

std::optional<row_values> sqlite_session::find_row(const table_spec& table,
                                                   const std::string& key) {
    return with_context(fmt::format("row of table {} with key '{}'", table.name, key), [&] {
        auto query = statements_.get(
            fmt::format("SELECT {} FROM {} WHERE {} = ?1", select_columns(table),
                        sqlite_quote_identifier(table.name), sqlite_quote_identifier(table.key)));
        query->bind(1, key);
        std::optional<row_values> found;
        if (query->step()) found = read_row(*query, table);
        return found;
    });
}

std::vector<row_values> sqlite_session::rows_since(const table_spec& table,
                                                   const std::string& cursor, std::int64_t since,
                                                   int limit) {
    return with_context(rows_since_context(table, cursor, since), [&] {
        check_rows_since(table, cursor, limit);
        auto query = statements_.get(
            fmt::format("SELECT {0} FROM {1} WHERE {2} >= ?1 ORDER BY {2}, {3} LIMIT ?2",
                        select_columns(table), sqlite_quote_identifier(table.name),
                        sqlite_quote_identifier(cursor), sqlite_quote_identifier(table.key)));
        query->bind(1, since).bind(2, static_cast<std::int64_t>(limit));
        std::vector<row_values> result;
        while (query->step()) result.push_back(read_row(*query, table));
        return result;
    });
}

// One upsert inside BEGIN IMMEDIATE: the writers' mutex orders concurrent adds to a row, so
// each reads what the previous one left and none is lost.
bool sqlite_session::add_to_column(const std::string& id, const std::string& step,
                                   const table_spec& table, const std::string& key,
                                   const std::string& column, std::int64_t amount) {
    return with_context(add_context(table, key, column, id, step), [&] {
        check_add(table, column);
        sqlite_transaction tx(statements_, writers_);
        if (effect_done(id, step)) return false;
        auto write = statements_.get(fmt::format(
            "INSERT INTO {0} ({1}, {2}) VALUES (?1, ?2) ON CONFLICT ({1}) DO UPDATE SET "
            "{2} = COALESCE({0}.{2}, 0) + excluded.{2}",
            sqlite_quote_identifier(table.name), sqlite_quote_identifier(table.key),
            sqlite_quote_identifier(column)));
        write->bind(1, key).bind(2, amount);
        write->step();
        insert_effect(id, step);
        tx.commit();
        return true;
    });
}

void sqlite_session::put_rows(const table_spec& table, const std::vector<row_values>& rows) {
    with_context(fmt::format("put rows into table {}", table.name), [&] {
        sqlite_transaction tx(statements_, writers_);
        for (const auto& row : rows) {
            auto values = check_row(table, row, true);
            auto write = statements_.get(insert_sql(table, values, row_conflict{true, {}}));
            for (std::size_t i = 0; i < values.size(); ++i) {
                bind_value(*write, static_cast<int>(i) + 1, values[i]);
            }
            write->step();
        }
        tx.commit();
    });
}

bool sqlite_session::write_row(const std::string& id, const std::string& step,
                               const table_spec& table, const row_values& row,
                               const row_conflict& conflict) {
    auto values = check_row(table, row, true);
    if (!conflict.newer.empty()) check_newer(table, conflict.newer);
    sqlite_transaction tx(statements_, writers_);
    if (effect_done(id, step)) return false;
    auto write = statements_.get(insert_sql(table, values, conflict));
    for (std::size_t i = 0; i < values.size(); ++i) {
        bind_value(*write, static_cast<int>(i) + 1, values[i]);
    }
    write->step();
    // No row touched: an insert met its key (an error); a `newer` upsert met a later row
    // (stale: done, leaving the row alone).
    if (sqlite3_changes(db_) == 0 && !conflict.replace) {
        throw store_error("a row with this key exists");
    }
    insert_effect(id, step);
    tx.commit();
    return true;
}

// The as-is bug on purpose (claim_guard::none): check, then act, in separate statements.
// The checks read outside the writers' mutex (WAL readers need no lock), so other sessions
// check the same stock row and claimant between this one's checks and its writes, and the
// decrement does not look at what is left. Only the record and effect rows share a
// transaction: the effect bookkeeping stays exact, the business check races.
claim_result sqlite_session::claim_unguarded(const std::string& id, const std::string& step,
                                             const claim_request& request, const claim_sql& sql) {
    if (effect_done(id, step)) return claim_result::already_applied;
    {
        auto left = statements_.get(sql.units_left);
        left->bind(1, request.stock_key);
        if (!left->step() || left->is_null(0) || left->integer(0) <= 0) {
            return claim_result::sold_out;
        }
    }
    if (holds_claim(request, sql)) return claim_result::already_claimed;
    {
        sqlite_transaction tx(statements_, writers_);
        auto take = statements_.get(sql.take_blindly);
        take->bind(1, request.stock_key);
        take->step();
        tx.commit();
    }
    sqlite_transaction tx(statements_, writers_);
    insert_claim_record(id, step, request);
    tx.commit();
    return claim_result::claimed;
}

bool sqlite_session::holds_claim(const claim_request& request, const claim_sql& sql) {
    auto query = statements_.get(sql.holds);
    return query->bind(1, request.stock_key).bind(2, request.claimant).step();
}

// Inside a transaction: the claim's record row (keyed by the business id) and its effect.
void sqlite_session::insert_claim_record(const std::string& id, const std::string& step,
                                         const claim_request& request) {
    const auto values = claim_record(request, id, epoch_us_now());
    auto write = statements_.get(insert_sql(*request.record, values, row_conflict{}));
    for (std::size_t i = 0; i < values.size(); ++i) {
        bind_value(*write, static_cast<int>(i) + 1, values[i]);
    }
    write->step();
    if (sqlite3_changes(db_) == 0) {
        throw store_error(
            fmt::format("table {} has a row with key '{}' already", request.record->name, id));
    }
    insert_effect(id, step);
}

}  // namespace asyncbench

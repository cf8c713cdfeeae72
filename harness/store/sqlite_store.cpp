#include <fmt/format.h>
#include <sqlite3.h>

#include <charconv>
#include <filesystem>
#include <mutex>
#include <utility>

#include "harness/core/clock.hpp"
#include "harness/store/row_checks.hpp"
#include "harness/store/sqlite_statement.hpp"
#include "harness/store/store.hpp"

namespace asyncbench {
namespace {

constexpr const char* schema_sql = R"sql(
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS records (
    business_id TEXT PRIMARY KEY, kind TEXT, payload TEXT, state TEXT, updated_at_us INTEGER);
CREATE TABLE IF NOT EXISTS effects (business_id TEXT NOT NULL, step TEXT NOT NULL,
    applied_at_us INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS effects_by_id ON effects (business_id, step);
CREATE TABLE IF NOT EXISTS stage_outcomes (business_id TEXT NOT NULL, stage TEXT NOT NULL,
    outcome TEXT NOT NULL, intended_us INTEGER, finished_us INTEGER, attempts INTEGER,
    deliveries INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (business_id, stage));
)sql";

// SQLite admits one writer at a time. Serialising writers on an in-process mutex gives the same
// order as SQLite's own lock without its busy-handler sleeps, which would add up to 100 ms of
// artificial latency per contended write and distort both modes' numbers. Writers in other
// processes (async.worker_processes) still meet the busy handler: prefer PostgreSQL there.
class sqlite_store;

// Writers run BEGIN IMMEDIATE ... COMMIT under the store's writers' mutex, their statements
// taken from the session's cache so the critical section holds no parsing.
class transaction {
  public:
    transaction(sqlite_statement_cache& statements, std::mutex& writers)
        : statements_(statements), lock_(writers) {
        statements_.get("BEGIN IMMEDIATE")->step();
    }
    ~transaction() {
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

stage_record read_stage(const sqlite_statement& row, int first_column) {
    stage_record record;
    record.stage = row.text(first_column);
    record.outcome = outcome_from_name(row.text(first_column + 1));
    record.intended_epoch_us = row.integer(first_column + 2);
    record.finished_epoch_us = row.integer(first_column + 3);
    record.attempts = static_cast<int>(row.integer(first_column + 4));
    return record;
}

// Declared tables (scenario_config::tables). Their names are checked by the scenario loader;
// quoting them anyway keeps a name that is also an SQL keyword ("order") valid.
std::string sql_name(const std::string& name) {
    std::string result = "\"";
    for (char c : name) {
        result += c;
        if (c == '"') result += '"';
    }
    return result + "\"";
}

const char* sql_type(column_spec::type kind) { return holds_integer(kind) ? "INTEGER" : "TEXT"; }

// The key and then every declared column, the order read_row expects.
std::string select_columns(const table_spec& table) {
    std::string columns = sql_name(table.key);
    for (const auto& column : table.columns) columns += ", " + sql_name(column.name);
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

// INSERT of `values`; an existing key is left alone (insert: an error) or replaced whole, every
// declared column taking the new row's value (NULL where the row has none), like a fresh insert
// but without the delete that INSERT OR REPLACE would do.
std::string insert_sql(const table_spec& table, const std::vector<checked_value>& values,
                       bool replace) {
    std::string columns;
    std::string placeholders;
    for (std::size_t i = 0; i < values.size(); ++i) {
        columns += fmt::format("{}{}", i == 0 ? "" : ", ", sql_name(values[i].column));
        placeholders += fmt::format("{}?{}", i == 0 ? "" : ", ", i + 1);
    }
    std::string on_conflict = "DO NOTHING";
    if (replace && !table.columns.empty()) {
        on_conflict = "DO UPDATE SET ";
        for (std::size_t i = 0; i < table.columns.size(); ++i) {
            const std::string column = sql_name(table.columns[i].name);
            on_conflict += fmt::format("{}{} = excluded.{}", i == 0 ? "" : ", ", column, column);
        }
    }
    return fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) {}", sql_name(table.name),
                       columns, placeholders, sql_name(table.key), on_conflict);
}

// The statements of a claim (claim_request), on its checked tables and columns. ?1 is the stock
// key; ?2 the claimant.
struct claim_sql {
    std::string units_left;    // the stock row's column (no row: none)
    std::string holds;         // a row when the claimant holds a record for the stock key
    std::string take;          // one unit, only while one is left
    std::string take_blindly;  // one unit, whatever is left: the as-is bug (claim_guard::none)
};

claim_sql claim_statements(const claim_request& request) {
    const std::string stock = sql_name(request.stock->name);
    const std::string units = sql_name(request.stock_column);
    const std::string key = sql_name(request.stock->key);
    const std::string take =
        fmt::format("UPDATE {0} SET {1} = {1} - 1 WHERE {2} = ?1", stock, units, key);
    return {fmt::format("SELECT {} FROM {} WHERE {} = ?1", units, stock, key),
            fmt::format("SELECT 1 FROM {} WHERE {} = ?2 AND {} = ?1 LIMIT 1",
                        sql_name(request.record->name), sql_name(request.claimant_column),
                        sql_name(request.stock_key_column)),
            fmt::format("{} AND {} > 0", take, units), take};
}

class sqlite_session final : public store_session {
  public:
    sqlite_session(const std::string& path, std::mutex& writers)
        : db_(open_sqlite_connection(path)), statements_(db_), writers_(writers) {}
    // close_v2: the connection closes once the cached statements (destroyed after this body)
    // are finalized.
    ~sqlite_session() override { sqlite3_close_v2(db_); }

    bool effect_done(const std::string& id, const std::string& step) override {
        auto query = statements_.get("SELECT 1 FROM effects WHERE business_id = ?1 AND step = ?2");
        return query->bind(1, id).bind(2, step).step();
    }

    void record_effect(const std::string& id, const std::string& step) override {
        transaction tx(statements_, writers_);
        insert_effect(id, step);
        tx.commit();
    }

    bool apply_db_step(const std::string& id, const std::string& step, bool insert,
                       const std::string& kind, const std::string& payload) override {
        transaction tx(statements_, writers_);
        if (effect_done(id, step)) return false;
        if (insert) {
            auto write = statements_.get(
                "INSERT INTO records (business_id, kind, payload, state, "
                "updated_at_us) VALUES (?1, ?2, ?3, ?4, ?5)");
            write->bind(1, id).bind(2, kind).bind(3, payload).bind(4, step).bind(5, epoch_us_now());
            write->step();
        } else {
            auto write = statements_.get(
                "UPDATE records SET state = ?2, updated_at_us = ?3 WHERE "
                "business_id = ?1");
            write->bind(1, id).bind(2, step).bind(3, epoch_us_now());
            write->step();
            if (sqlite3_changes(db_) == 0) {
                throw store_error(fmt::format("update of {} found no record to update", id));
            }
        }
        insert_effect(id, step);
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
            "update of table {} key '{}' (business id {}, "
            "step {})",
            table.name, key, id, step);
        return with_context(context, [&] {
            auto values = check_row(table, set, false);
            if (set.count(table.key) != 0) {
                throw store_error(fmt::format("the key column {} cannot be set", table.key));
            }
            std::string assignments;
            for (std::size_t i = 0; i < values.size(); ++i) {
                assignments += fmt::format("{}{} = ?{}", i == 0 ? "" : ", ",
                                           sql_name(values[i].column), i + 2);
            }
            // Nothing to set: the key assigned to itself still says whether the row exists.
            if (assignments.empty()) assignments = fmt::format("{0} = {0}", sql_name(table.key));
            transaction tx(statements_, writers_);
            if (effect_done(id, step)) return false;
            auto write =
                statements_.get(fmt::format("UPDATE {} SET {} WHERE {} = ?1", sql_name(table.name),
                                            assignments, sql_name(table.key)));
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
    // no other session reads the column between this one's guard and its write->
    guarded_write decrement_if_enough(const std::string& id, const std::string& step,
                                      const table_spec& table, const std::string& column,
                                      const std::vector<decrement_claim>& claims) override {
        return with_context(decrement_context(table, column, id, step), [&] {
            check_decrement(table, column, claims);
            transaction tx(statements_, writers_);
            if (effect_done(id, step)) return guarded_write::already_applied;
            auto write = statements_.get(
                fmt::format("UPDATE {0} SET {1} = {1} - ?2 WHERE {2} = ?1 AND {1} "
                            ">= ?2",
                            sql_name(table.name), sql_name(column), sql_name(table.key)));
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
    claim_result claim(const std::string& id, const std::string& step,
                       const claim_request& request) override {
        return with_context(claim_context(request, id, step), [&] {
            check_claim(request);
            const claim_sql sql = claim_statements(request);
            if (request.guard == claim_guard::none) return claim_unguarded(id, step, request, sql);
            transaction tx(statements_, writers_);
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

    std::vector<row_values> rows(const table_spec& table) override {
        return with_context(fmt::format("rows of table {}", table.name), [&] {
            auto query =
                statements_.get(fmt::format("SELECT {} FROM {} ORDER BY {}", select_columns(table),
                                            sql_name(table.name), sql_name(table.key)));
            std::vector<row_values> result;
            while (query->step()) result.push_back(read_row(*query, table));
            return result;
        });
    }

    std::vector<row_values> rows_since(const table_spec& table, const std::string& cursor,
                                       std::int64_t since, int limit) override {
        return with_context(rows_since_context(table, cursor, since), [&] {
            check_rows_since(table, cursor, limit);
            auto query = statements_.get(
                fmt::format("SELECT {0} FROM {1} WHERE {2} >= ?1 ORDER BY {2}, {3} LIMIT ?2",
                            select_columns(table), sql_name(table.name), sql_name(cursor),
                            sql_name(table.key)));
            query->bind(1, since).bind(2, static_cast<std::int64_t>(limit));
            std::vector<row_values> result;
            while (query->step()) result.push_back(read_row(*query, table));
            return result;
        });
    }

    // One upsert inside BEGIN IMMEDIATE: the writers' mutex orders concurrent adds to a row, so
    // each reads what the previous one left and none is lost.
    bool add_to_column(const std::string& id, const std::string& step, const table_spec& table,
                       const std::string& key, const std::string& column,
                       std::int64_t amount) override {
        return with_context(add_context(table, key, column, id, step), [&] {
            check_add(table, column);
            transaction tx(statements_, writers_);
            if (effect_done(id, step)) return false;
            auto write = statements_.get(fmt::format(
                "INSERT INTO {0} ({1}, {2}) VALUES (?1, ?2) ON CONFLICT ({1}) DO UPDATE SET "
                "{2} = COALESCE({0}.{2}, 0) + excluded.{2}",
                sql_name(table.name), sql_name(table.key), sql_name(column)));
            write->bind(1, key).bind(2, amount);
            write->step();
            insert_effect(id, step);
            tx.commit();
            return true;
        });
    }

    void put_rows(const table_spec& table, const std::vector<row_values>& rows) override {
        with_context(fmt::format("put rows into table {}", table.name), [&] {
            transaction tx(statements_, writers_);
            for (const auto& row : rows) {
                auto values = check_row(table, row, true);
                auto write = statements_.get(insert_sql(table, values, true));
                for (std::size_t i = 0; i < values.size(); ++i) {
                    bind_value(*write, static_cast<int>(i) + 1, values[i]);
                }
                write->step();
            }
            tx.commit();
        });
    }

    void record_stage(const std::string& id, const stage_record& record) override {
        transaction tx(statements_, writers_);
        auto write = statements_.get(
            "INSERT INTO stage_outcomes (business_id, stage, outcome, "
            "intended_us, finished_us, attempts) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
            "ON CONFLICT (business_id, stage) DO UPDATE SET deliveries = "
            "deliveries + 1");
        write->bind(1, id)
            .bind(2, record.stage)
            .bind(3, outcome_name(record.outcome))
            .bind(4, record.intended_epoch_us)
            .bind(5, record.finished_epoch_us)
            .bind(6, static_cast<std::int64_t>(record.attempts));
        write->step();
        tx.commit();
    }

    std::vector<stage_record> stages(const std::string& id) override {
        auto query = statements_.get(
            "SELECT stage, outcome, intended_us, finished_us, attempts FROM "
            "stage_outcomes WHERE business_id = ?1");
        query->bind(1, id);
        std::vector<stage_record> result;
        while (query->step()) result.push_back(read_stage(*query, 0));
        return result;
    }

  private:
    bool write_row(const std::string& id, const std::string& step, const table_spec& table,
                   const row_values& row, bool replace) {
        auto values = check_row(table, row, true);
        transaction tx(statements_, writers_);
        if (effect_done(id, step)) return false;
        auto write = statements_.get(insert_sql(table, values, replace));
        for (std::size_t i = 0; i < values.size(); ++i) {
            bind_value(*write, static_cast<int>(i) + 1, values[i]);
        }
        write->step();
        if (sqlite3_changes(db_) == 0) throw store_error("a row with this key exists");
        insert_effect(id, step);
        tx.commit();
        return true;
    }

    // The as-is bug on purpose (claim_guard::none): check, then act, in separate statements.
    // The checks read outside the writers' mutex (WAL readers need no lock), so other sessions
    // check the same stock row and claimant between this one's checks and its writes, and the
    // decrement does not look at what is left. Only the record and effect rows share a
    // transaction: the effect bookkeeping stays exact, the business check races.
    claim_result claim_unguarded(const std::string& id, const std::string& step,
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
            transaction tx(statements_, writers_);
            auto take = statements_.get(sql.take_blindly);
            take->bind(1, request.stock_key);
            take->step();
            tx.commit();
        }
        transaction tx(statements_, writers_);
        insert_claim_record(id, step, request);
        tx.commit();
        return claim_result::claimed;
    }

    bool holds_claim(const claim_request& request, const claim_sql& sql) {
        auto query = statements_.get(sql.holds);
        return query->bind(1, request.stock_key).bind(2, request.claimant).step();
    }

    // Inside a transaction: the claim's record row (keyed by the business id) and its effect.
    void insert_claim_record(const std::string& id, const std::string& step,
                             const claim_request& request) {
        const auto values = claim_record(request, id, epoch_us_now());
        auto write = statements_.get(insert_sql(*request.record, values, false));
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

    void insert_effect(const std::string& id, const std::string& step) {
        auto write = statements_.get(
            "INSERT INTO effects (business_id, step, applied_at_us) VALUES (?1, ?2, "
            "?3)");
        write->bind(1, id).bind(2, step).bind(3, epoch_us_now());
        write->step();
    }

    sqlite3* db_;
    sqlite_statement_cache statements_;
    std::mutex& writers_;
};

// An open write transaction on its own connection: other connections' writes wait for it
// (busy timeout), reads go on (WAL).
class sqlite_write_block final : public write_block {
  public:
    explicit sqlite_write_block(const std::string& path) : db_(open_sqlite_connection(path)) {
        try {
            sqlite_exec(db_, "BEGIN EXCLUSIVE");
        } catch (...) {
            sqlite3_close(db_);
            throw;
        }
    }
    ~sqlite_write_block() override {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(db_);
    }

  private:
    sqlite3* db_;
};

class sqlite_store final : public store {
  public:
    sqlite_store(std::string path, store_open mode) : path_(std::move(path)) {
        if (mode == store_open::attach) {
            if (!std::filesystem::exists(path_)) {
                throw store_error(fmt::format("no SQLite database at {} to attach to", path_));
            }
        } else {
            create_schema();
        }
    }

    std::string kind() const override { return "sqlite"; }
    std::string location() const override { return path_; }

    std::unique_ptr<store_session> open_session() override {
        return std::make_unique<sqlite_session>(path_, writers_);
    }

    void create_tables(const std::vector<table_spec>& tables) override {
        std::string sql = "BEGIN IMMEDIATE;";
        for (const auto& table : tables) {
            std::string columns = sql_name(table.key) + " TEXT PRIMARY KEY";
            for (const auto& column : table.columns) {
                columns += fmt::format(", {} {}", sql_name(column.name), sql_type(column.kind));
            }
            sql +=
                fmt::format("CREATE TABLE IF NOT EXISTS {} ({});", sql_name(table.name), columns);
            // Pollers read a written_at column in (cursor, key) order: indexed, as it would be.
            for (const auto& column : table.columns) {
                if (column.kind != column_spec::type::written_at) continue;
                sql +=
                    fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({}, {});",
                                sql_name(table.name + "_by_" + column.name), sql_name(table.name),
                                sql_name(column.name), sql_name(table.key));
            }
        }
        sql += "COMMIT;";
        std::lock_guard lock(writers_);
        sqlite3* db = open_sqlite_connection(path_);
        try {
            sqlite_exec(db, sql.c_str());
        } catch (const store_error& e) {
            sqlite3_close(db);  // closing rolls back an open transaction
            throw store_error(
                fmt::format("cannot create the declared tables in {}: {}", path_, e.what()));
        }
        sqlite3_close(db);
    }

    store_snapshot snapshot() override {
        sqlite3* db = open_sqlite_connection(path_);
        store_snapshot result;
        try {
            sqlite_statement stages(db,
                                    "SELECT business_id, stage, outcome, intended_us, finished_us, "
                                    "attempts FROM stage_outcomes");
            while (stages.step()) {
                result.stages_by_id[stages.text(0)].push_back(read_stage(stages, 1));
            }
            sqlite_statement duplicates(db,
                                        "SELECT COUNT(*) FROM (SELECT 1 FROM effects GROUP BY "
                                        "business_id, step HAVING COUNT(*) > 1)");
            if (duplicates.step()) result.duplicate_effects = duplicates.integer(0);
            sqlite_statement redeliveries(db,
                                          "SELECT COALESCE(SUM(deliveries - 1), 0) FROM "
                                          "stage_outcomes");
            if (redeliveries.step()) result.redeliveries = redeliveries.integer(0);
            sqlite_statement ids(db, "SELECT DISTINCT business_id FROM effects");
            while (ids.step()) result.ids_with_effects.push_back(ids.text(0));
        } catch (...) {
            sqlite3_close(db);
            throw;
        }
        sqlite3_close(db);
        return result;
    }

    std::unique_ptr<write_block> block_writes() override {
        return std::make_unique<sqlite_write_block>(path_);
    }
    std::string block_writes_description() const override {
        return "an exclusive SQLite write transaction held open: every write waited (up to the "
               "30 s busy timeout, then failed and was retried)";
    }

  private:
    void create_schema() {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix, ec);
        sqlite3* db = open_sqlite_connection(path_);
        try {
            sqlite_exec(db, schema_sql);
        } catch (...) {
            sqlite3_close(db);
            throw;
        }
        sqlite3_close(db);
    }

    std::string path_;
    std::mutex writers_;
};

}  // namespace

std::unique_ptr<store> open_sqlite_store(const std::string& path, store_open mode) {
    return std::make_unique<sqlite_store>(path, mode);
}

}  // namespace asyncbench

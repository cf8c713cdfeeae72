// The SQLite store: the database file, its schema, the declared tables' creation, snapshots and
// the write block. Sessions (sqlite_session.hpp) do the per-operation work.
#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <mutex>
#include <utility>

#include "harness/store/row_checks.hpp"
#include "harness/store/sqlite_session.hpp"
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

const char* sql_type(column_spec::type kind) { return holds_integer(kind) ? "INTEGER" : "TEXT"; }

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
            std::string columns = sqlite_quote_identifier(table.key) + " TEXT PRIMARY KEY";
            for (const auto& column : table.columns) {
                columns += fmt::format(", {} {}", sqlite_quote_identifier(column.name),
                                       sql_type(column.kind));
            }
            sql += fmt::format("CREATE TABLE IF NOT EXISTS {} ({});",
                               sqlite_quote_identifier(table.name), columns);
            // Pollers read a written_at column in (cursor, key) order: indexed, as it would be.
            for (const auto& column : table.columns) {
                if (column.kind != column_spec::type::written_at) continue;
                sql += fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({}, {});",
                                   sqlite_quote_identifier(table.name + "_by_" + column.name),
                                   sqlite_quote_identifier(table.name),
                                   sqlite_quote_identifier(column.name),
                                   sqlite_quote_identifier(table.key));
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
                result.stages_by_id[stages.text(0)].push_back(sqlite_read_stage(stages, 1));
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

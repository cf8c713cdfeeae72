// The PostgreSQL store: the schema and its tables, the connection pool, the declared tables'
// creation, snapshots and the write block. Sessions (postgres_session.hpp) do the per-operation
// work.
#include "harness/store/postgres_store.hpp"

#include <fmt/format.h>

#include <chrono>
#include <utility>

#include "harness/store/pg_connection_pool.hpp"
#include "harness/store/postgres_session.hpp"
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

// Waiting longer than this for a pooled connection means the database has stalled; the
// operation then fails like any database error (retried, then dead-lettered) instead of
// hanging a worker forever.
constexpr std::chrono::seconds pool_wait_limit{30};

const char* sql_type(column_spec::type kind) { return holds_integer(kind) ? "BIGINT" : "TEXT"; }

// A transaction on its own connection holding EXCLUSIVE locks on the tables: reads go on,
// every write waits; pooled writers then hold their connections and the rest time out waiting
// for one, which is how an application sees a database that stopped answering.
class postgres_write_block final : public write_block {
  public:
    postgres_write_block(const pg_target& target, const std::string& quoted_schema)
        : conn_(pg_connect(target)) {
        pg_exec(conn_.get(),
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
        const std::string quoted = pg_quote_identifier(first.get(), schema_);
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
            pg_exec(first.get(), setup.c_str(),
                    mode == store_open::attach ? "schema check" : "schema creation");
        } catch (const store_error& e) {
            throw store_error(fmt::format("cannot {} schema {} at {}: {}",
                                          mode == store_open::attach ? "use" : "create", schema_,
                                          target.describe(), e.what()));
        }
        const std::string search_path = "SET search_path TO " + quoted;
        auto prepare = [search_path](PGconn* conn) {
            pg_exec(conn, search_path.c_str(), "SET search_path");
            pg_prepare_session_statements(conn);
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
            std::string columns = pg_quote_identifier(c, table.key) + " TEXT PRIMARY KEY";
            for (const auto& column : table.columns) {
                columns += fmt::format(", {} {}", pg_quote_identifier(c, column.name),
                                       sql_type(column.kind));
            }
            sql += fmt::format("CREATE TABLE IF NOT EXISTS {} ({});",
                               pg_quote_identifier(c, table.name), columns);
            // Pollers read a written_at column in (cursor, key) order: indexed, as it would be.
            for (const auto& column : table.columns) {
                if (column.kind != column_spec::type::written_at) continue;
                sql += fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({}, {} COLLATE \"C\");",
                                   pg_quote_identifier(c, table.name + "_by_" + column.name),
                                   pg_quote_identifier(c, table.name),
                                   pg_quote_identifier(c, column.name),
                                   pg_quote_identifier(c, table.key));
            }
        }
        if (sql.empty()) return;
        try {
            pg_exec(c, sql.c_str(), "create tables");
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
                pg_read_stage(stages.get(), row, 1));
        }
        auto duplicates = pg_check(conn.get(),
                                   PQexec(conn.get(),
                                          "SELECT COUNT(*) FROM (SELECT 1 FROM effects GROUP "
                                          "BY business_id, step HAVING COUNT(*) > 1) AS d"),
                                   "snapshot of duplicate effects");
        result.duplicate_effects = static_cast<std::uint64_t>(pg_integer(duplicates.get(), 0, 0));
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
        result.redeliveries = static_cast<std::uint64_t>(pg_integer(redeliveries.get(), 0, 0));
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

#include "harness/store/postgres_store.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdlib>

#include "harness/core/clock.hpp"
#include "harness/store/pg_connection_pool.hpp"

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
            fmt::format("invalid PostgreSQL schema name '{}': {}", name, PQerrorMessage(conn)));
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

const char* outcome_name(stage_outcome outcome) {
    return outcome == stage_outcome::completed ? "completed" : "dead_lettered";
}

std::int64_t integer(const PGresult* result, int row, int column) {
    if (PQgetisnull(result, row, column)) return 0;
    return std::strtoll(PQgetvalue(result, row, column), nullptr, 10);
}

stage_record read_stage(const PGresult* result, int row, int first_column) {
    stage_record record;
    record.stage = PQgetvalue(result, row, first_column);
    record.outcome = std::string(PQgetvalue(result, row, first_column + 1)) == "completed"
                         ? stage_outcome::completed
                         : stage_outcome::dead_lettered;
    record.intended_epoch_us = integer(result, row, first_column + 2);
    record.finished_epoch_us = integer(result, row, first_column + 3);
    record.attempts = static_cast<int>(integer(result, row, first_column + 4));
    return record;
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

    void record_stage(const std::string& id, const stage_record& record) override {
        auto conn = pool_->borrow();
        run(conn.get(), "record_stage",
            std::array{id, record.stage, std::string(outcome_name(record.outcome)),
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

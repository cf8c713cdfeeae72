// The PostgreSQL session's core: effects, business records and stage records, their prepared
// statements, and the libpq helpers the backend's files share (postgres_session.hpp). The
// declared-table operations are in postgres_session_tables.cpp.
#include "harness/store/postgres_session.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "harness/core/clock.hpp"
#include "harness/store/row_checks.hpp"

namespace asyncbench {
namespace {

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

}  // namespace

void pg_prepare_session_statements(PGconn* conn) {
    for (const auto& statement : statements) {
        pg_check(conn, PQprepare(conn, statement.name, statement.sql, 0, nullptr), statement.name);
    }
}

void pg_exec(PGconn* conn, const char* sql, const char* what) {
    pg_check(conn, PQexec(conn, sql), what);
}

std::string pg_quote_identifier(PGconn* conn, const std::string& name) {
    char* quoted = PQescapeIdentifier(conn, name.c_str(), name.size());
    if (quoted == nullptr) {
        throw store_error(
            fmt::format("invalid PostgreSQL identifier '{}': {}", name, PQerrorMessage(conn)));
    }
    std::string result = quoted;
    PQfreemem(quoted);
    return result;
}

std::int64_t pg_integer(const PGresult* result, int row, int column) {
    if (PQgetisnull(result, row, column)) return 0;
    return std::strtoll(PQgetvalue(result, row, column), nullptr, 10);
}

stage_record pg_read_stage(const PGresult* result, int row, int first_column) {
    stage_record record;
    record.stage = PQgetvalue(result, row, first_column);
    record.outcome = outcome_from_name(PQgetvalue(result, row, first_column + 1));
    record.intended_epoch_us = pg_integer(result, row, first_column + 2);
    record.finished_epoch_us = pg_integer(result, row, first_column + 3);
    record.attempts = static_cast<int>(pg_integer(result, row, first_column + 4));
    return record;
}

bool postgres_session::effect_done(const std::string& id, const std::string& step) {
    auto conn = pool_->borrow();
    return PQntuples(pg_run(conn.get(), "effect_done", std::array{id, step}).get()) > 0;
}

void postgres_session::record_effect(const std::string& id, const std::string& step) {
    auto conn = pool_->borrow();
    pg_run(conn.get(), "record_effect", std::array{id, step, std::to_string(epoch_us_now())});
}

// Two deliveries of the same (id, step) racing in two sessions must not both apply. A
// transaction-scoped advisory lock on (schema, id, step) serialises them: the second waits
// until the first commits, and because READ COMMITTED takes a new snapshot per statement,
// its effect check, issued after the lock is granted, sees the first one's effect row.
// SELECT ... FOR UPDATE on the record would not do: an insert step has no row to lock yet.
bool postgres_session::apply_db_step(const std::string& id, const std::string& step, bool insert,
                                     const std::string& kind, const std::string& payload) {
    auto conn = pool_->borrow();  // declared first: outlives the transaction
    pg_transaction tx(conn.get());
    pg_run(conn.get(), "lock_step", std::array{std::to_string(step_lock_key(schema_, id, step))});
    if (PQntuples(pg_run(conn.get(), "effect_done", std::array{id, step}).get()) > 0) {
        return false;  // already applied; the destructor rolls back the read-only work
    }
    const std::string now = std::to_string(epoch_us_now());
    if (insert) {
        pg_run(conn.get(), "insert_record", std::array{id, step, kind, payload, now});
    } else {
        auto written = pg_run(conn.get(), "update_record", std::array{id, step, now});
        if (std::string(PQcmdTuples(written.get())) == "0") {
            throw store_error(fmt::format("update of {} found no record to update", id));
        }
    }
    tx.commit();
    return true;
}

void postgres_session::record_stage(const std::string& id, const stage_record& record) {
    auto conn = pool_->borrow();
    pg_run(conn.get(), "record_stage",
           std::array{id, record.stage, outcome_name(record.outcome),
                      std::to_string(record.intended_epoch_us),
                      std::to_string(record.finished_epoch_us), std::to_string(record.attempts)});
}

std::vector<stage_record> postgres_session::stages(const std::string& id) {
    auto conn = pool_->borrow();
    auto rows = pg_run(conn.get(), "stages", std::array{id});
    std::vector<stage_record> result;
    for (int row = 0; row < PQntuples(rows.get()); ++row) {
        result.push_back(pg_read_stage(rows.get(), row, 0));
    }
    return result;
}

// Inside a transaction: takes the (schema, id, step) lock as apply_db_step does, then
// checks the effect. False when the step was applied already (the caller writes nothing).
bool postgres_session::claim_step(PGconn* conn, const std::string& id, const std::string& step) {
    pg_run(conn, "lock_step", std::array{std::to_string(step_lock_key(schema_, id, step))});
    return PQntuples(pg_run(conn, "effect_done", std::array{id, step}).get()) == 0;
}

void postgres_session::insert_effect(PGconn* conn, const std::string& id, const std::string& step) {
    pg_run(conn, "record_effect", std::array{id, step, std::to_string(epoch_us_now())});
}

}  // namespace asyncbench

#pragma once
// The database the workflow writes to, behind an interface a PostgreSQL backend will also
// implement. Effects are idempotent by (business id, step): the check and the write happen in
// one transaction, so a redelivered message or a retried request applies each effect once.
// Uniqueness is deliberately NOT a database constraint on the effects table: reconciliation
// counts (id, step) rows applied more than once, which is only meaningful if they can exist.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/config/scenario_config.hpp"

namespace asyncbench {

// A row of a declared table (scenario_config::tables): column name -> value, the key column
// included; integer columns as decimal text.
using row_values = std::map<std::string, std::string>;

// One guarded decrement: the row whose key is `key` loses `amount` (> 0) of the column.
struct decrement_claim {
    std::string key;
    std::int64_t amount = 0;
};

enum class guarded_write { applied, already_applied, refused };

// A first-come claim (db: {claim: ...}): one unit of a stock row for one claimant, recorded as
// a row of a record table. `locked`: atomic (a transaction holding the stock row: FOR UPDATE on
// PostgreSQL, the write transaction on SQLite), so never more than the stock and never two for
// one claimant. `none`: the as-is bug on purpose, check then act in separate statements with no
// lock, which oversells and issues twice under a burst.
enum class claim_guard { locked, none };
struct claim_request {
    const table_spec* stock = nullptr;   // the stock row's table
    std::string stock_column;            // its integer column of units left
    std::string stock_key;               // the stock row's key (e.g. the coupon id)
    const table_spec* record = nullptr;  // one row per claim, keyed by the business id
    std::string stock_key_column;        // the record's column holding stock_key
    std::string claimant_column;         // the record's column holding the claimant
    std::string claimant;                // e.g. the user id
    claim_guard guard = claim_guard::locked;
};
enum class claim_result {
    claimed,          // one unit taken, the record written
    already_applied,  // this (business id, step) claimed before: nothing done again
    sold_out,         // no unit left (or no such stock row)
    already_claimed,  // the claimant holds one already (another business id)
};

// Any database failure. Workflow code treats it as a failed attempt (retry, then dead letter).
struct store_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// completed: every step done. dead_lettered: a step kept failing. rejected: a step gave a
// business answer (out of stock): final, not retried, and later stages never run.
enum class stage_outcome { completed, dead_lettered, rejected };

struct stage_record {
    std::string stage;
    stage_outcome outcome = stage_outcome::completed;
    std::int64_t intended_epoch_us = 0;
    std::int64_t finished_epoch_us = 0;
    int attempts = 0;
};

// What reconciliation needs from the database, read once after the drain.
struct store_snapshot {
    std::map<std::string, std::vector<stage_record>> stages_by_id;
    std::uint64_t duplicate_effects = 0;        // (id, step) pairs with more than one effect row
    std::vector<std::string> ids_with_effects;  // every business id that left any effect
    // Stage outcomes recorded again for an already finished (id, stage): redeliveries that
    // the first-outcome-wins rule absorbed.
    std::uint64_t redeliveries = 0;
};

// Held by the database fault: while it lives, every write to the store waits (and fails once
// the backend's own wait limit passes). Destroying it releases the writers.
class write_block {
  public:
    virtual ~write_block() = default;
};

enum class store_open {
    create,  // a fresh database: reset when it exists
    attach,  // one another process created: used as it is (worker processes)
};

// One connection, used by one thread at a time. Every method throws store_error on failure.
class store_session {
  public:
    virtual ~store_session() = default;
    virtual bool effect_done(const std::string& business_id, const std::string& step) = 0;
    // Records that a call step took effect (after the downstream system answered 2xx).
    virtual void record_effect(const std::string& business_id, const std::string& step) = 0;
    // insert: creates the business record; update: changes its state. Together with the effect
    // row, in one transaction; returns false (and writes nothing) when already applied.
    virtual bool apply_db_step(const std::string& business_id, const std::string& step, bool insert,
                               const std::string& kind, const std::string& payload) = 0;
    // Declared tables. Each write goes with the effect row of (business_id, step) in one
    // transaction and returns false (writing nothing) when that effect exists already.
    // insert: a new row (store_error when its key exists); upsert: insert or replace the row;
    // update: set columns of the row whose key is `key` (store_error when there is none).
    virtual bool insert_row(const std::string& business_id, const std::string& step,
                            const table_spec& table, const row_values& row) = 0;
    // With `newer` (an integer column of the table) an existing row is replaced only when the
    // new row's value there is greater (row_checks.hpp, row_conflict): a stale change is done
    // (its effect recorded, true) without writing the row.
    virtual bool upsert_row(const std::string& business_id, const std::string& step,
                            const table_spec& table, const row_values& row,
                            const std::string& newer = {}) = 0;
    virtual bool update_row(const std::string& business_id, const std::string& step,
                            const table_spec& table, const std::string& key,
                            const row_values& set) = 0;
    // For every claim: column -= amount where the row's key = claim.key and column >= amount.
    // All claims or none: refused (nothing written, no effect row) when any row is missing or
    // short. Concurrent sessions never take a column below zero.
    virtual guarded_write decrement_if_enough(const std::string& business_id,
                                              const std::string& step, const table_spec& table,
                                              const std::string& column,
                                              const std::vector<decrement_claim>& claims) = 0;
    // A first-come claim, once per (business id, step). See claim_request.
    virtual claim_result claim(const std::string& business_id, const std::string& step,
                               const claim_request& request) = 0;
    // Every row of a declared table, in key order (for a plugin's invariants after the drain).
    virtual std::vector<row_values> rows(const table_spec& table) = 0;
    // The row of `table` whose key is `key`, or nullopt (a lookup by id). Reads only.
    virtual std::optional<row_values> find_row(const table_spec& table, const std::string& key) = 0;
    // A page of a poll (harness/poll): the rows of `table` whose integer column `cursor` is
    // >= `since`, in (cursor, key) order, at most `limit` (> 0). Reads only.
    virtual std::vector<row_values> rows_since(const table_spec& table, const std::string& cursor,
                                               std::int64_t since, int limit) = 0;
    // Adds `amount` to integer column `column` of the row keyed `key`, creating the row (other
    // columns NULL, the column = amount) when it does not exist; once per (business id, step):
    // false when already applied. A NULL column counts as 0.
    virtual bool add_to_column(const std::string& business_id, const std::string& step,
                               const table_spec& table, const std::string& key,
                               const std::string& column, std::int64_t amount) = 0;
    // Inserts or replaces rows without effect marks (a plugin's seed data before the load).
    virtual void put_rows(const table_spec& table, const std::vector<row_values>& rows) = 0;
    // First outcome wins: a redelivered, already finished stage keeps its original record.
    virtual void record_stage(const std::string& business_id, const stage_record& record) = 0;
    virtual std::vector<stage_record> stages(const std::string& business_id) = 0;
};

class store {
  public:
    virtual ~store() = default;
    virtual std::string kind() const = 0;      // "sqlite", "postgresql"
    virtual std::string location() const = 0;  // file or connection string without password
    // Thread-safe.
    virtual std::unique_ptr<store_session> open_session() = 0;
    // Creates the scenario's declared tables (once, after opening with store_open::create).
    virtual void create_tables(const std::vector<table_spec>& tables) = 0;
    virtual store_snapshot snapshot() = 0;
    // Takes the lock described by write_block on its own connection. Throws store_error.
    virtual std::unique_ptr<write_block> block_writes() = 0;
    // One phrase for reports: what block_writes() does to this backend.
    virtual std::string block_writes_description() const = 0;
};

// SQLite in `path` (created or reset, or attached as it is). Throws store_error naming the path.
std::unique_ptr<store> open_sqlite_store(const std::string& path,
                                         store_open mode = store_open::create);

}  // namespace asyncbench

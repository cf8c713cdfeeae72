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

namespace asyncbench {

// Any database failure. Workflow code treats it as a failed attempt (retry, then dead letter).
struct store_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class stage_outcome { completed, dead_lettered };

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

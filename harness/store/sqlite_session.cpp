// The SQLite session's core: effects, business records and stage records, and the helpers the
// backend's files share (sqlite_session.hpp). The declared-table operations are in
// sqlite_session_tables.cpp.
#include "harness/store/sqlite_session.hpp"

#include <fmt/format.h>

#include "harness/core/clock.hpp"
#include "harness/store/row_checks.hpp"

namespace asyncbench {

std::string sqlite_quote_identifier(const std::string& name) {
    std::string result = "\"";
    for (char c : name) {
        result += c;
        if (c == '"') result += '"';
    }
    return result + "\"";
}

stage_record sqlite_read_stage(const sqlite_statement& row, int first_column) {
    stage_record record;
    record.stage = row.text(first_column);
    record.outcome = outcome_from_name(row.text(first_column + 1));
    record.intended_epoch_us = row.integer(first_column + 2);
    record.finished_epoch_us = row.integer(first_column + 3);
    record.attempts = static_cast<int>(row.integer(first_column + 4));
    return record;
}

bool sqlite_session::effect_done(const std::string& id, const std::string& step) {
    auto query = statements_.get("SELECT 1 FROM effects WHERE business_id = ?1 AND step = ?2");
    return query->bind(1, id).bind(2, step).step();
}

void sqlite_session::record_effect(const std::string& id, const std::string& step) {
    sqlite_transaction tx(statements_, writers_);
    insert_effect(id, step);
    tx.commit();
}

bool sqlite_session::apply_db_step(const std::string& id, const std::string& step, bool insert,
                                   const std::string& kind, const std::string& payload) {
    sqlite_transaction tx(statements_, writers_);
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

void sqlite_session::record_stage(const std::string& id, const stage_record& record) {
    sqlite_transaction tx(statements_, writers_);
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

std::vector<stage_record> sqlite_session::stages(const std::string& id) {
    auto query = statements_.get(
        "SELECT stage, outcome, intended_us, finished_us, attempts FROM "
        "stage_outcomes WHERE business_id = ?1");
    query->bind(1, id);
    std::vector<stage_record> result;
    while (query->step()) result.push_back(sqlite_read_stage(*query, 0));
    return result;
}

void sqlite_session::insert_effect(const std::string& id, const std::string& step) {
    auto write = statements_.get(
        "INSERT INTO effects (business_id, step, applied_at_us) VALUES (?1, ?2, "
        "?3)");
    write->bind(1, id).bind(2, step).bind(3, epoch_us_now());
    write->step();
}

}  // namespace asyncbench

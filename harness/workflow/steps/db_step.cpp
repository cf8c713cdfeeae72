// `db: ...`: one write to the scenario's database, applied once per (business id, step) in
// the same transaction as its effect mark. `db: insert|update` write the generic records
// table; `db: {insert|upsert|update|decrement|add|claim: <table>, ...}` a table the scenario
// declares.
#include <fmt/format.h>

#include "harness/core/clock.hpp"
#include "harness/store/store.hpp"
#include "harness/workflow/request_fields.hpp"
#include "harness/workflow/steps/step_functions.hpp"
#include "harness/workflow/workflow_executor.hpp"

namespace asyncbench {
namespace {

using op = db_step::operation;

// The decrement's claims: one per element of `each` (or the request itself), keyed by the
// element's field named as the table's key. An error message when a field is missing.
std::variant<std::vector<decrement_claim>, std::string> claims_of(const db_step& db,
                                                                  const table_spec& table,
                                                                  const request_fields& fields) {
    std::string error;
    auto elements = fields.elements(db.each, error);
    if (!elements) return error;
    std::vector<decrement_claim> claims;
    for (const auto& element : *elements) {
        auto key = element.text(table.key);
        auto amount = element.integer(db.by);
        if (!key || !amount || *amount <= 0) {
            return fmt::format("every element needs '{}' and a positive integer '{}'", table.key,
                               db.by);
        }
        claims.push_back({*key, *amount});
    }
    return claims;
}

}  // namespace

step_result run_step(step_context& context, const step_spec& step, const db_step& db,
                     const work_item& item) {
    auto& session = context.session();
    if (db.op == op::record_insert || db.op == op::record_update) {
        session.apply_db_step(item.business_id, step.name, db.op == op::record_insert, item.kind,
                              item.payload);
        return step_result::done();
    }
    const table_spec& table = *context.scenario.table(db.table);  // the loader checked it
    std::string error;
    auto fields = request_fields::parse(item.payload, error);
    if (!fields) return step_result::failed(error);
    if (db.op == op::decrement) {
        auto claims = claims_of(db, table, *fields);
        if (auto* why = std::get_if<std::string>(&claims)) return step_result::failed(*why);
        const auto written =
            session.decrement_if_enough(item.business_id, step.name, table, db.column,
                                        std::get<std::vector<decrement_claim>>(claims));
        if (written == guarded_write::refused) return step_result::rejected(db.reject_reason);
        return step_result::done();
    }
    if (db.op == op::claim) {
        claim_request claim;
        claim.stock = &table;
        claim.stock_column = db.column;
        claim.record = context.scenario.table(db.record);
        claim.stock_key_column = db.key;
        claim.claimant_column = db.per;
        claim.guard = db.unguarded ? claim_guard::none : claim_guard::locked;
        auto stock_key = fields->text(db.key);
        auto claimant = fields->text(db.per);
        if (!stock_key || !claimant) {
            return step_result::failed(
                fmt::format("the request needs the fields '{}' and '{}'", db.key, db.per));
        }
        claim.stock_key = *stock_key;
        claim.claimant = *claimant;
        switch (session.claim(item.business_id, step.name, claim)) {
            case claim_result::claimed:
            case claim_result::already_applied:
                return step_result::done();
            case claim_result::sold_out:
                return step_result::rejected(db.reject_reason);
            case claim_result::already_claimed:
                return step_result::rejected(db.taken_reason);
        }
        return step_result::failed("unknown claim result");
    }
    if (db.op == op::add) {
        auto key = fields->text(db.key);
        auto amount = db.by.empty() ? std::optional<std::int64_t>(1) : fields->integer(db.by);
        if (!key || !amount) {
            return step_result::failed(
                db.by.empty()
                    ? fmt::format("the request has no field '{}'", db.key)
                    : fmt::format("the request needs '{}' and an integer '{}'", db.key, db.by));
        }
        session.add_to_column(item.business_id, step.name, table, *key, db.column, *amount);
        return step_result::done();
    }
    row_values row = db.set;
    if (db.op == op::update) {
        session.update_row(item.business_id, step.name, table, item.business_id, row);
        return step_result::done();
    }
    for (const auto& column : table.columns) {
        if (row.contains(column.name)) continue;
        if (column.kind == column_spec::type::written_at) {
            // Stamped here, before the write's transaction, as an application's now() is: rows
            // can commit in a different order than their times (what pollers must live with).
            row[column.name] = std::to_string(epoch_us_now());
        } else if (auto value = fields->text(column.name)) {
            row[column.name] = *value;
        }
    }
    row[table.key] = item.business_id;
    if (!db.key.empty()) {
        auto key = fields->text(db.key);
        if (!key) return step_result::failed(fmt::format("the request has no field '{}'", db.key));
        row[table.key] = *key;
    }
    if (db.op == op::insert) {
        session.insert_row(item.business_id, step.name, table, row);
    } else {
        session.upsert_row(item.business_id, step.name, table, row, db.newer);
    }
    return step_result::done();
}

}  // namespace asyncbench

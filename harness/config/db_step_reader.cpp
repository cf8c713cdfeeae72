// Reads `db: insert|update` (the generic records table) and `db: {insert|upsert|update|
// decrement|add|claim: <table>, ...}` on a declared table, checking tables and columns.
#include <fmt/format.h>

#include <algorithm>

#include "harness/config/step_kinds.hpp"

namespace asyncbench {
namespace {

using op = db_step::operation;

// Each table operation: its YAML key and the keys it accepts besides it. One table, so a key
// given to an operation that does not take it is named with the operations that do.
struct table_operation {
    std::string_view name;
    op operation;
    std::vector<std::string_view> keys;
};
const std::vector<table_operation>& table_operations() {
    static const std::vector<table_operation> table = {
        {"insert", op::insert, {"set"}},
        {"upsert", op::upsert, {"set", "key", "newer"}},
        {"update", op::update, {"set"}},
        {"decrement", op::decrement, {"column", "by", "each", "reject"}},
        {"add", op::add, {"key", "column", "by"}},
        {"claim", op::claim, {"column", "key", "record", "per", "reject", "taken", "guard"}},
    };
    return table;
}

std::string operation_names() {
    std::vector<std::string> names;
    for (const auto& operation : table_operations()) names.emplace_back(operation.name);
    return join_names(names);
}

const table_spec* find_table(const step_declarations& declared, const std::string& name) {
    if (declared.tables == nullptr) return nullptr;
    for (const auto& table : *declared.tables) {
        if (table.name == name) return &table;
    }
    return nullptr;
}

std::string table_names(const step_declarations& declared) {
    std::vector<std::string> names;
    if (declared.tables != nullptr) {
        for (const auto& table : *declared.tables) names.push_back(table.name);
    }
    return join_names(names);
}

void read_field_name(yaml_reader& reader, const yaml_map& map, std::string_view key,
                     std::string& out) {
    if (const YAML::Node* node = map.find(key)) {
        if (auto text = reader.read_scalar(*node, map.child(key), "a request field name")) {
            out = *text;
        }
    }
}

// A declared table named by `key`; reports an undeclared one.
const table_spec* read_table_name(yaml_reader& reader, const yaml_map& map, std::string_view key,
                                  const step_declarations& declared, std::string& out) {
    const YAML::Node* node = map.find(key);
    if (node == nullptr) return nullptr;
    auto name = reader.read_scalar(*node, map.child(key), "a table name");
    if (!name) return nullptr;
    out = *name;
    const table_spec* table = find_table(declared, out);
    if (table == nullptr) {
        reader.add_error(*node, map.child(key),
                         fmt::format("table '{}' is not declared in tables (declared: {})", out,
                                     table_names(declared)));
    }
    return table;
}

// Reports `column` missing from `table` (when the table is known); true when it is there.
bool check_column(yaml_reader& reader, const YAML::Node& at, const std::string& path,
                  const table_spec* table, const std::string& column) {
    if (table == nullptr || table->column(column) != nullptr) return true;
    std::vector<std::string> columns;
    for (const auto& c : table->columns) columns.push_back(c.name);
    reader.add_error(at, path,
                     fmt::format("table '{}' has no column '{}' (columns: {})", table->name, column,
                                 join_names(columns)));
    return false;
}

// The required integer column of `table` named by `key` (default `column`).
void read_counter_column(yaml_reader& reader, const yaml_map& map, const table_spec* table,
                         std::string& out, std::string_view key = "column") {
    const YAML::Node* column = reader.require(map, key);
    if (column == nullptr) return;
    auto text = reader.read_scalar(*column, map.child(key), "a column name");
    if (!text) return;
    out = *text;
    if (check_column(reader, *column, map.child(key), table, out) && table != nullptr &&
        table->column(out)->kind != column_spec::type::integer) {
        reader.add_error(
            *column, map.child(key),
            fmt::format("column '{}' of '{}' is not an integer column", out, table->name));
    }
}

void read_reason(yaml_reader& reader, const yaml_map& map, std::string_view key, std::string& out) {
    if (const YAML::Node* node = map.find(key)) {
        if (auto text = reader.read_scalar(*node, map.child(key), "a reason")) out = *text;
    }
}

// `claim`: the record table has a column for the stock row's key and one for the claimant,
// named as the request fields `key` and `per`.
void read_claim(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                const table_spec* stock, db_step& db) {
    read_counter_column(reader, map, stock, db.column);
    if (reader.require(map, "key") != nullptr) read_field_name(reader, map, "key", db.key);
    if (reader.require(map, "per") != nullptr) read_field_name(reader, map, "per", db.per);
    const table_spec* record = nullptr;
    if (reader.require(map, "record") != nullptr) {
        record = read_table_name(reader, map, "record", declared, db.record);
    }
    for (std::string_view field : {"key", "per"}) {
        const auto& column = field == "key" ? db.key : db.per;
        if (record == nullptr || column.empty()) continue;
        const YAML::Node& at = *map.find(field);
        if (!check_column(reader, at, map.child(field), record, column)) continue;
        if (record->column(column)->kind == column_spec::type::written_at) {
            reader.add_error(at, map.child(field),
                             fmt::format("column '{}' of '{}' is a written_at column: the claim "
                                         "stamps it, it cannot hold the request's field",
                                         column, record->name));
        }
    }
    if (!db.key.empty() && db.key == db.per) {
        reader.add_error(*map.find("per"), map.child("per"),
                         "the claimant and the stock row's key are different fields");
    }
    read_reason(reader, map, "reject", db.reject_reason);
    read_reason(reader, map, "taken", db.taken_reason);
    if (const YAML::Node* guard = map.find("guard")) {
        db.unguarded =
            reader.read_enum<bool>(*guard, map.child("guard"), {{"locked", false}, {"none", true}})
                .value_or(false);
    }
}

void read_table_step(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                     db_step& db) {
    const table_operation* chosen = nullptr;
    const table_spec* table = nullptr;
    for (const auto& operation : table_operations()) {
        const YAML::Node* node = map.find(operation.name);
        if (node == nullptr) continue;
        if (chosen != nullptr) {
            reader.add_error(*node, map.child(operation.name),
                             "a db step does one of " + operation_names());
            continue;
        }
        chosen = &operation;
        db.op = operation.operation;
        table = read_table_name(reader, map, operation.name, declared, db.table);
    }
    if (chosen == nullptr) {
        reader.add_error(map.node(), map.path(),
                         "expected one of " + operation_names() + " naming a table");
        return;
    }
    report_other_operations_keys(reader, map, table_operations(), *chosen);
    switch (db.op) {
        case op::insert:
        case op::upsert:
        case op::update:
            if (const YAML::Node* set = map.find("set")) {
                if (auto values = reader.read_open_map(*set, map.child("set"))) {
                    for (const auto& entry : values->entries()) {
                        const auto path = values->child(entry.key);
                        if (auto text = reader.read_scalar(entry.value, path, "a value")) {
                            if (check_column(reader, entry.key_node, path, table, entry.key)) {
                                db.set[entry.key] = *text;
                            }
                        }
                    }
                }
            } else if (db.op == op::update) {
                reader.add_error(map.node(), map.path(),
                                 "an update says what it sets: set: {column: value}");
            }
            if (db.op == op::upsert) {
                // The row is the one the request's field `key` names (default: the business
                // id); with `newer` a stale change leaves a later row alone.
                read_field_name(reader, map, "key", db.key);
                if (map.find("newer") != nullptr)
                    read_counter_column(reader, map, table, db.newer, "newer");
            }
            return;
        case op::decrement:
            read_counter_column(reader, map, table, db.column);
            if (reader.require(map, "by") != nullptr) read_field_name(reader, map, "by", db.by);
            read_field_name(reader, map, "each", db.each);
            read_reason(reader, map, "reject", db.reject_reason);
            return;
        case op::add:
            // The row is the request's field `key` names; `by` is optional (count: 1 each).
            read_counter_column(reader, map, table, db.column);
            if (reader.require(map, "key") != nullptr) read_field_name(reader, map, "key", db.key);
            read_field_name(reader, map, "by", db.by);
            return;
        case op::claim:
            read_claim(reader, map, declared, table, db);
            return;
        case op::record_insert:
        case op::record_update:
            return;
    }
}

}  // namespace

void read_db_step(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                  step_spec& step) {
    db_step db;
    const YAML::Node& node = *map.find("db");
    const std::string path = map.child("db");
    if (node.IsScalar()) {
        db.op = reader
                    .read_enum<op>(node, path,
                                   {{"insert", op::record_insert}, {"update", op::record_update}})
                    .value_or(op::record_insert);
    } else if (auto table_map =
                   reader.read_map(node, path, operation_map_keys(table_operations()))) {
        read_table_step(reader, *table_map, declared, db);
    }
    step.action = std::move(db);
}

}  // namespace asyncbench

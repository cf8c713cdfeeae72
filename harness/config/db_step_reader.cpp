// Reads `db: insert|update` (the generic records table) and `db: {insert|upsert|update|
// decrement|add: <table>, ...}` on a declared table, checking tables and columns.
#include <fmt/format.h>

#include "harness/config/step_kinds.hpp"

namespace asyncbench {
namespace {

using op = db_step::operation;

constexpr std::pair<std::string_view, op> table_operations[] = {{"insert", op::insert},
                                                                {"upsert", op::upsert},
                                                                {"update", op::update},
                                                                {"decrement", op::decrement},
                                                                {"add", op::add}};

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

void read_table_step(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                     db_step& db) {
    int operations = 0;
    for (const auto& [key, value] : table_operations) {
        const YAML::Node* node = map.find(key);
        if (node == nullptr) continue;
        if (++operations > 1) {
            reader.add_error(*node, map.child(key),
                             "a db step does one of insert, upsert, update, decrement, add");
            continue;
        }
        db.op = value;
        if (auto name = reader.read_scalar(*node, map.child(key), "a table name")) {
            db.table = *name;
            if (find_table(declared, db.table) == nullptr) {
                reader.add_error(*node, map.child(key),
                                 fmt::format("table '{}' is not declared in tables (declared: {})",
                                             db.table, table_names(declared)));
            }
        }
    }
    if (operations == 0) {
        reader.add_error(map.node(), map.path(),
                         "expected one of insert, upsert, update, decrement, add naming a table");
        return;
    }
    const table_spec* table = find_table(declared, db.table);
    auto check_column = [&](const YAML::Node& at, const std::string& path,
                            const std::string& column) {
        if (table != nullptr && table->column(column) == nullptr) {
            std::vector<std::string> columns;
            for (const auto& c : table->columns) columns.push_back(c.name);
            reader.add_error(at, path,
                             fmt::format("table '{}' has no column '{}' (columns: {})", table->name,
                                         column, join_names(columns)));
            return false;
        }
        return true;
    };
    const bool is_decrement = db.op == op::decrement;
    const bool is_add = db.op == op::add;
    for (std::string_view key : {"each", "reject"}) {
        if (!is_decrement && map.has(key)) {
            reader.add_error(*map.find(key), map.child(key), "applies only to decrement");
        }
    }
    for (std::string_view key : {"column", "by"}) {
        if (!is_decrement && !is_add && map.has(key)) {
            reader.add_error(*map.find(key), map.child(key), "applies only to decrement and add");
        }
    }
    if (!is_add && map.has("key")) {
        reader.add_error(*map.find("key"), map.child("key"), "applies only to add");
    }
    if (const YAML::Node* set = map.find("set")) {
        if (is_decrement || is_add) {
            reader.add_error(*set, map.child("set"), "does not apply to decrement or add");
        } else if (auto values = reader.read_open_map(*set, map.child("set"))) {
            for (const auto& entry : values->entries()) {
                const auto path = values->child(entry.key);
                if (auto text = reader.read_scalar(entry.value, path, "a value")) {
                    if (check_column(entry.key_node, path, entry.key)) db.set[entry.key] = *text;
                }
            }
        }
    } else if (db.op == op::update) {
        reader.add_error(map.node(), map.path(),
                         "an update says what it sets: set: {column: value}");
    }
    if (!is_decrement && !is_add) return;
    if (const YAML::Node* column = reader.require(map, "column")) {
        if (auto text = reader.read_scalar(*column, map.child("column"), "a column name")) {
            db.column = *text;
            if (check_column(*column, map.child("column"), db.column) && table != nullptr &&
                table->column(db.column)->kind != column_spec::type::integer) {
                reader.add_error(*column, map.child("column"),
                                 fmt::format("column '{}' of '{}' is not an integer column",
                                             db.column, table->name));
            }
        }
    }
    if (is_add) {
        // The row is the request's field `key` names; `by` is optional (count: 1 each).
        if (reader.require(map, "key") != nullptr) read_field_name(reader, map, "key", db.key);
        read_field_name(reader, map, "by", db.by);
        return;
    }
    if (reader.require(map, "by") != nullptr) read_field_name(reader, map, "by", db.by);
    read_field_name(reader, map, "each", db.each);
    if (const YAML::Node* reject = map.find("reject")) {
        if (auto text = reader.read_scalar(*reject, map.child("reject"), "a reason")) {
            db.reject_reason = *text;
        }
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
    } else if (auto table_map = reader.read_map(node, path,
                                                {"insert", "upsert", "update", "decrement", "add",
                                                 "set", "column", "by", "each", "reject", "key"})) {
        read_table_step(reader, *table_map, declared, db);
    }
    step.action = std::move(db);
}

}  // namespace asyncbench

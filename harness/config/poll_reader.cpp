#include "harness/config/poll_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace asyncbench {
namespace {

const table_spec* declared_table(const step_declarations& declared, const std::string& name) {
    if (declared.tables == nullptr) return nullptr;
    for (const auto& table : *declared.tables) {
        if (table.name == name) return &table;
    }
    return nullptr;
}

bool declared_queue(const step_declarations& declared, const std::string& name) {
    if (declared.redis_keys == nullptr) return false;
    return std::any_of(declared.redis_keys->begin(), declared.redis_keys->end(),
                       [&](const redis_key_spec& key) {
                           return key.name == name && key.kind == redis_key_spec::type::queue;
                       });
}

// `from: {api: T}`, `from: {table: T}` or `from: {redis: Q}`.
void read_source(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                 const step_declarations& declared, poll_spec& poll) {
    const auto map = reader.read_map(node, path, {"api", "table", "redis"});
    if (!map) return;
    if (map->entries().size() != 1) {
        reader.add_error(node, path,
                         "name one source: {api: <table>} (the front door's read API), "
                         "{table: <table>} (the database) or {redis: <queue>} (a Redis queue)");
        return;
    }
    const auto& entry = map->entries().front();
    poll.source = entry.key == "api"     ? poll_spec::source_kind::api
                  : entry.key == "table" ? poll_spec::source_kind::table
                                         : poll_spec::source_kind::redis;
    const auto name = reader.read_scalar(entry.value, map->child(entry.key),
                                         entry.key == "redis" ? "a Redis queue" : "a table name");
    if (!name) return;
    poll.table = *name;
    if (poll.source == poll_spec::source_kind::redis) {
        if (!declared_queue(declared, poll.table)) {
            reader.add_error(entry.value, map->child(entry.key),
                             fmt::format("'{}' is not a queue declared under redis: (redis: "
                                         "{{{}: queue}})",
                                         poll.table, poll.table));
        }
        return;
    }
    if (declared_table(declared, poll.table) == nullptr) {
        std::vector<std::string> names;
        if (declared.tables != nullptr) {
            for (const auto& table : *declared.tables) names.push_back(table.name);
        }
        reader.add_error(entry.value, map->child(entry.key),
                         fmt::format("table '{}' is not declared in tables (declared: {})",
                                     poll.table, join_names(names)));
    }
}

}  // namespace

std::optional<poll_spec> read_poll(yaml_reader& reader, const YAML::Node& node,
                                   const std::string& path, const step_declarations& declared) {
    const auto map = reader.read_map(
        node, path, std::vector<std::string_view>(std::begin(poll_keys), std::end(poll_keys)));
    if (!map) return std::nullopt;
    poll_spec poll;
    if (const YAML::Node* from = reader.require(*map, "from")) {
        read_source(reader, *from, map->child("from"), declared, poll);
    }
    if (poll.source == poll_spec::source_kind::redis) {
        // A queue's cursor is its members' positions, given atomically in order: nothing
        // joins behind it, so there is no column to name and nothing to re-read.
        for (std::string_view key : {"cursor", "reread"}) {
            if (map->has(key)) {
                reader.add_error(*map->find(key), map->child(key),
                                 "a Redis queue is read by position: no cursor, no re-read");
            }
        }
    } else if (const YAML::Node* cursor = reader.require(*map, "cursor")) {
        if (auto name = reader.read_scalar(*cursor, map->child("cursor"), "a column name")) {
            poll.cursor = *name;
            const table_spec* table = declared_table(declared, poll.table);
            const column_spec* column = table ? table->column(poll.cursor) : nullptr;
            if (table != nullptr &&
                (column == nullptr || column->kind != column_spec::type::written_at)) {
                reader.add_error(*cursor, map->child("cursor"),
                                 fmt::format("the cursor is a written_at column of '{}' (the "
                                             "time each row was written); '{}' is not one",
                                             table->name, poll.cursor));
            }
        }
    }
    reader.duration_field(*map, "every", poll.every, milliseconds(10), std::chrono::hours(24));
    reader.number_field(*map, "jitter", poll.jitter, 0.0, 0.99);
    reader.int_field(*map, "limit", poll.limit, 1, 10000);
    reader.int_field(*map, "pages", poll.pages, 0, 10000);
    reader.int_field(*map, "instances", poll.instances, 1, 64);
    reader.duration_field(*map, "reread", poll.reread, milliseconds(0), std::chrono::hours(24));
    if (poll.pages > 0 && poll.reread > milliseconds(0)) {
        // Each round would start inside the window again: with more rows in it than the
        // round's batch, the pollers would never get past it.
        reader.add_error(*map->find("pages"), map->child("pages"),
                         "a round bounded to `pages` starts `reread` behind again each time and "
                         "could spend its batch re-reading: use one or the other");
    }
    return poll;
}

}  // namespace asyncbench

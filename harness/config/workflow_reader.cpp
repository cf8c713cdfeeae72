#include "harness/config/workflow_reader.hpp"

#include <fmt/format.h>

#include <map>

#include "harness/config/poll_reader.hpp"
#include "harness/config/system_reader.hpp"

namespace asyncbench {
namespace {

// [a-z][a-z0-9_]*: table and column names are quoted into SQL and must mean the same on
// SQLite and PostgreSQL (which folds unquoted names to lower case).
bool is_sql_name(std::string_view name) {
    if (name.empty() || name.size() > 48 || name[0] < 'a' || name[0] > 'z') return false;
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

// The store's own tables (harness/store): a declared table must not take their names.
constexpr std::string_view reserved_tables[] = {"records", "effects", "stage_outcomes"};

std::optional<std::string> read_sql_name(yaml_reader& reader, const YAML::Node& at,
                                         const std::string& path, const std::string& name,
                                         std::string_view what) {
    if (!is_sql_name(name)) {
        reader.add_error(at, path,
                         fmt::format("{} names are a-z first, then a-z, 0-9 or '_' (at most 48): "
                                     "'{}'",
                                     what, name));
        return std::nullopt;
    }
    return name;
}

std::vector<std::string_view> step_keys() {
    std::vector<std::string_view> keys{"name"};
    for (const auto& kind : step_kinds()) {
        keys.push_back(kind.key);
        keys.insert(keys.end(), kind.extra_keys.begin(), kind.extra_keys.end());
    }
    return keys;
}

step_spec read_step(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                    const step_declarations& declared, std::set<std::string>& step_names) {
    step_spec step;
    const auto map = reader.read_map(node, path, step_keys());
    if (!map) return step;
    if (const YAML::Node* name = reader.require(*map, "name")) {
        if (const auto value = reader.read_scalar(*name, map->child("name"))) {
            step.name = *value;
            if (!is_operation_name(step.name)) {
                reader.add_error(*name, map->child("name"),
                                 "step names may only contain letters, digits, '_', '.' and '-'");
            } else if (!step_names.insert(step.name).second) {
                // Names are part of the idempotency key: two equal names would share effects.
                reader.add_error(*name, map->child("name"),
                                 "duplicate step name '" + step.name +
                                     "' (names must be unique across the workflow)");
            }
        }
    }
    const step_kind* chosen = nullptr;
    std::vector<std::string> kind_keys;
    for (const auto& kind : step_kinds()) {
        kind_keys.emplace_back(kind.key);
        if (!map->has(kind.key)) continue;
        if (chosen != nullptr) {
            reader.add_error(
                *map->find(kind.key), map->child(kind.key),
                fmt::format("a step has one kind: {} or {}, not both", chosen->key, kind.key));
            continue;
        }
        chosen = &kind;
    }
    if (chosen == nullptr) {
        reader.add_error(node, path,
                         "a step needs one of " + join_names(kind_keys) +
                             " (db: insert|update|{insert: <table>...}, call: "
                             "<system>.<operation>, redis: {zincrby: <key>...})");
        return step;
    }
    for (const auto& kind : step_kinds()) {
        if (&kind == chosen) continue;
        for (auto extra : kind.extra_keys) {
            if (map->has(extra) && std::find(chosen->extra_keys.begin(), chosen->extra_keys.end(),
                                             extra) == chosen->extra_keys.end()) {
                reader.add_error(*map->find(extra), map->child(extra),
                                 fmt::format("applies only to {} steps", kind.key));
            }
        }
    }
    chosen->read(reader, *map, declared, step);
    return step;
}

void read_placement(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                    stage_spec& stage) {
    std::vector<std::string_view> keys;
    for (const mode m : all_modes) keys.push_back(traits_of(m).name);
    const auto map = reader.read_map(node, path, keys);
    if (!map) return;
    for (const mode m : all_modes) {
        const YAML::Node* value = map->find(traits_of(m).name);
        if (value == nullptr) continue;
        const auto where = reader.read_enum<placement>(*value, map->child(traits_of(m).name),
                                                       {{"inline", placement::inline_stage},
                                                        {"kafka", placement::kafka},
                                                        {"poll", placement::poll},
                                                        {"none", placement::none}});
        if (!where) continue;
        if (*where == placement::kafka && !traits_of(m).uses_kafka) {
            reader.add_error(
                *value, map->child(traits_of(m).name),
                fmt::format("the {} mode has no Kafka: its stages run inline", traits_of(m).name));
            continue;
        }
        stage.placements[static_cast<std::size_t>(m)] = *where;
    }
}

// Checks across stages, each error at the key that breaks the rule.
struct stage_lines {
    YAML::Node placement_node;  // the stage's `placement`, or the stage itself
    YAML::Node order_node;
    YAML::Node poll_node;
    std::string path;
};

std::string_view placement_words(placement where) {
    switch (where) {
        case placement::inline_stage:
            return "inline";
        case placement::kafka:
            return "in Kafka";
        case placement::poll:
            return "by pollers";
        case placement::none:
            return "nowhere";
    }
    return "";
}

// In every mode a workflow runs its inline stages first (inside the request), then the rest. A
// poll stage reads what the inline stages wrote, so only inline stages come before it (or poll
// stages it fans out beside: several systems polling one feed). A Kafka stage after a poll
// stage follows it directly (it consumes what the pollers publish, coupon-rush's scheduler),
// or follows such a Kafka stage.
void check_stage_order(yaml_reader& reader, const std::vector<stage_spec>& stages,
                       const std::vector<stage_lines>& lines) {
    for (const mode m : all_modes) {
        const stage_spec* outside = nullptr;   // the first stage not run inline
        const stage_spec* polled = nullptr;    // the first poll stage
        bool only_polls = true;                // every stage not inline so far is a poll stage
        const stage_spec* previous = nullptr;  // the last stage of this mode so far
        bool kafka_after_poll = false;         // a Kafka stage consumes the pollers' events
        for (std::size_t i = 0; i < stages.size(); ++i) {
            const placement where = stages[i].where(m);
            if (where == placement::none) continue;  // not in this mode's workflow
            const auto path = key_path(lines[i].path, "placement");
            const auto mode_name = traits_of(m).name;
            if (outside != nullptr && where == placement::inline_stage) {
                reader.add_error(lines[i].placement_node, path,
                                 fmt::format("stage '{}' runs inline in {} mode after stage '{}' "
                                             "runs {}: inline stages run inside the request, so "
                                             "they come first",
                                             stages[i].name, mode_name, outside->name,
                                             placement_words(outside->where(m))));
            } else if (outside != nullptr && where == placement::poll &&
                       !(only_polls && stages[i].order == stage_order::fan_out)) {
                reader.add_error(lines[i].placement_node, path,
                                 fmt::format("stage '{}' is polled in {} mode after stage '{}' "
                                             "runs {}: pollers read what the request's inline "
                                             "stages wrote, so only inline stages come before "
                                             "a poll stage (or poll stages it fans out beside, "
                                             "order: fan_out)",
                                             stages[i].name, mode_name, outside->name,
                                             placement_words(outside->where(m))));
            } else if (polled != nullptr && where == placement::kafka &&
                       !(previous != nullptr &&
                         (previous->where(m) == placement::poll ||
                          (previous->where(m) == placement::kafka && kafka_after_poll)) &&
                         (stages[i].order == stage_order::follows ||
                          previous->where(m) == placement::kafka))) {
                reader.add_error(lines[i].placement_node, path,
                                 fmt::format("stage '{}' runs in Kafka in {} mode after stage "
                                             "'{}' is polled: a Kafka stage after a poll stage "
                                             "follows it directly (it consumes what the "
                                             "pollers publish) or follows such a stage",
                                             stages[i].name, mode_name, polled->name));
            }
            if (where == placement::kafka && polled != nullptr) kafka_after_poll = true;
            previous = &stages[i];
            if (where != placement::inline_stage && outside == nullptr) outside = &stages[i];
            if (where == placement::poll && polled == nullptr) polled = &stages[i];
            if (where == placement::kafka) only_polls = false;
        }
    }
    if (!stages.empty() && stages[0].order == stage_order::fan_out) {
        reader.add_error(lines[0].order_node, key_path(lines[0].path, "order"),
                         "the first stage has no earlier stage whose event it could share: "
                         "fan_out applies from the second stage on");
    }
}

// A stage absent from every mode is in no design.
void check_present(yaml_reader& reader, const stage_spec& stage, const stage_lines& lines) {
    for (const mode m : all_modes) {
        if (stage.where(m) != placement::none) return;
    }
    reader.add_error(
        lines.placement_node, key_path(lines.path, "placement"),
        fmt::format("stage '{}' is none in every mode: it would never run", stage.name));
}

// `poll:` goes with a `poll` placement, both ways.
void check_poll(yaml_reader& reader, const stage_spec& stage, const stage_lines& lines) {
    std::optional<mode> polled_in;
    for (const mode m : all_modes) {
        if (stage.where(m) == placement::poll && !polled_in) polled_in = m;
    }
    if (polled_in && !stage.poll) {
        reader.add_error(lines.placement_node, key_path(lines.path, "placement"),
                         fmt::format("stage '{}' is polled in {} mode: say where its pollers look "
                                     "with poll: {{from: {{api: <table>}}, cursor: <column>}}",
                                     stage.name, traits_of(*polled_in).name));
    }
    if (!polled_in && stage.poll) {
        reader.add_error(lines.poll_node, key_path(lines.path, "poll"),
                         fmt::format("stage '{}' is not polled in any mode: poll applies with "
                                     "placement: {{<mode>: poll}}",
                                     stage.name));
    }
}

// The front door serves one read API per table (GET /feeds/<table>), paged by one cursor.
void check_feeds(yaml_reader& reader, const std::vector<stage_spec>& stages,
                 const std::vector<stage_lines>& lines) {
    std::map<std::string, const stage_spec*> first_by_table;
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const auto& poll = stages[i].poll;
        if (!poll || poll->source != poll_spec::source_kind::api) continue;
        auto [it, fresh] = first_by_table.emplace(poll->table, &stages[i]);
        if (fresh || it->second->poll->cursor == poll->cursor) continue;
        reader.add_error(lines[i].poll_node, key_path(lines[i].path, "poll"),
                         fmt::format("stage '{}' reads table '{}' through the API by cursor '{}', "
                                     "stage '{}' by '{}': the API pages a table by one cursor",
                                     stages[i].name, poll->table, poll->cursor, it->second->name,
                                     it->second->poll->cursor));
    }
}

// Two inserts of the business id's row into one table can never both succeed: the second
// fails on every attempt and the request never completes.
void check_inserts(yaml_reader& reader, const std::vector<stage_spec>& stages,
                   const std::map<const step_spec*, std::pair<YAML::Node, std::string>>& where) {
    std::map<std::string, std::string> inserted_by;  // table -> step
    for (const auto& stage : stages) {
        for (const auto& step : stage.steps) {
            const auto* db = step.as<db_step>();
            if (db == nullptr) continue;
            const bool insert =
                db->op == db_step::operation::insert || db->op == db_step::operation::record_insert;
            if (!insert) continue;
            const std::string table =
                db->op == db_step::operation::record_insert ? std::string("records") : db->table;
            auto [it, fresh] = inserted_by.emplace(table, step.name);
            if (fresh) continue;
            const auto& [node, path] = where.at(&step);
            reader.add_error(node, path,
                             fmt::format("step '{}' inserts the request's row into '{}' again "
                                         "after step '{}': the second insert can never succeed, "
                                         "so no request could complete (use upsert or update)",
                                         step.name, table, it->second));
        }
    }
}

}  // namespace

std::vector<table_spec> read_tables(yaml_reader& reader, const YAML::Node& node,
                                    const std::string& path) {
    std::vector<table_spec> tables;
    const auto map = reader.read_open_map(node, path);
    if (!map) return tables;
    for (const auto& entry : map->entries()) {
        const std::string table_path = map->child(entry.key);
        table_spec table;
        table.name = entry.key;
        if (read_sql_name(reader, entry.key_node, table_path, entry.key, "table")) {
            for (auto reserved : reserved_tables) {
                if (entry.key == reserved) {
                    reader.add_error(entry.key_node, table_path,
                                     fmt::format("'{}' is one of the harness's own tables "
                                                 "(records, effects, stage_outcomes)",
                                                 entry.key));
                }
            }
        }
        const auto fields = reader.read_map(entry.value, table_path, {"key", "columns"});
        if (!fields) continue;
        if (const YAML::Node* key = reader.require(*fields, "key")) {
            if (auto text = reader.read_scalar(*key, fields->child("key"), "a column name")) {
                if (read_sql_name(reader, *key, fields->child("key"), *text, "column")) {
                    table.key = *text;
                }
            }
        }
        if (const YAML::Node* columns = reader.require(*fields, "columns")) {
            if (auto list = reader.read_open_map(*columns, fields->child("columns"))) {
                for (const auto& column : list->entries()) {
                    const auto column_path = list->child(column.key);
                    column_spec spec;
                    spec.name = column.key;
                    read_sql_name(reader, column.key_node, column_path, column.key, "column");
                    if (column.key == table.key) {
                        reader.add_error(column.key_node, column_path,
                                         "the key column is not listed again in columns");
                    }
                    spec.kind = reader
                                    .read_enum<column_spec::type>(
                                        column.value, column_path,
                                        {{"text", column_spec::type::text},
                                         {"integer", column_spec::type::integer},
                                         {"written_at", column_spec::type::written_at}})
                                    .value_or(column_spec::type::text);
                    table.columns.push_back(std::move(spec));
                }
            }
        }
        tables.push_back(std::move(table));
    }
    return tables;
}

std::vector<redis_key_spec> read_redis_keys(yaml_reader& reader, const YAML::Node& node,
                                            const std::string& path) {
    std::vector<redis_key_spec> keys;
    const auto map = reader.read_open_map(node, path);
    if (!map) return keys;
    if (map->entries().empty()) reader.add_error(node, path, "declare at least one key");
    for (const auto& entry : map->entries()) {
        redis_key_spec key;
        key.name = entry.key;
        if (!is_operation_name(entry.key)) {
            reader.add_error(entry.key_node, map->child(entry.key),
                             "Redis key names may only contain letters, digits, '_', '.' and '-'");
        }
        key.kind =
            reader
                .read_enum<redis_key_spec::type>(entry.value, map->child(entry.key),
                                                 {{"sorted_set", redis_key_spec::type::sorted_set},
                                                  {"queue", redis_key_spec::type::queue},
                                                  {"state", redis_key_spec::type::state},
                                                  {"channel", redis_key_spec::type::channel}})
                .value_or(redis_key_spec::type::sorted_set);
        keys.push_back(std::move(key));
    }
    return keys;
}

std::vector<stage_spec> read_workflow(yaml_reader& reader, const YAML::Node& node,
                                      const std::string& path, const step_declarations& declared) {
    std::vector<stage_spec> stages;
    const auto items = reader.read_sequence(node, path);
    if (!items) return stages;
    if (items->empty()) {
        reader.add_error(node, path, "must list at least one stage");
        return stages;
    }
    std::set<std::string> stage_names;
    std::set<std::string> step_names;
    std::vector<stage_lines> lines;
    std::vector<std::vector<std::pair<YAML::Node, std::string>>> step_lines;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string stage_path = index_path(path, i);
        const auto map = reader.read_map((*items)[i], stage_path,
                                         {"stage", "steps", "order", "placement", "poll"});
        if (!map) continue;
        stage_spec stage;
        if (const YAML::Node* name = reader.require(*map, "stage")) {
            if (const auto value = reader.read_scalar(*name, map->child("stage"))) {
                stage.name = *value;
                if (!is_system_name(stage.name)) {
                    reader.add_error(*name, map->child("stage"),
                                     "stage names may only contain a-z, 0-9, '_' and '-'");
                } else if (!stage_names.insert(stage.name).second) {
                    reader.add_error(*name, map->child("stage"),
                                     "duplicate stage name '" + stage.name + "'");
                }
            }
        }
        if (const YAML::Node* order = map->find("order")) {
            stage.order = reader
                              .read_enum<stage_order>(*order, map->child("order"),
                                                      {{"follows", stage_order::follows},
                                                       {"fan_out", stage_order::fan_out}})
                              .value_or(stage_order::follows);
        }
        if (const YAML::Node* where = map->find("placement")) {
            read_placement(reader, *where, map->child("placement"), stage);
        }
        if (const YAML::Node* poll = map->find("poll")) {
            stage.poll = read_poll(reader, *poll, map->child("poll"), declared);
        }
        std::vector<std::pair<YAML::Node, std::string>> this_step_lines;
        if (const YAML::Node* steps_node = reader.require(*map, "steps")) {
            const std::string steps_path = map->child("steps");
            if (const auto steps = reader.read_sequence(*steps_node, steps_path)) {
                // A stage that only hands work on (a scheduler moving queued requests to Kafka)
                // may have no steps, unless it runs inside the request in some mode.
                const bool runs_inline =
                    std::any_of(all_modes.begin(), all_modes.end(),
                                [&](mode m) { return stage.where(m) == placement::inline_stage; });
                if (steps->empty() && runs_inline) {
                    reader.add_error(*steps_node, steps_path,
                                     "must list at least one step (only a stage that never "
                                     "runs inline may just hand work on)");
                }
                for (std::size_t j = 0; j < steps->size(); ++j) {
                    const auto step_path = index_path(steps_path, j);
                    stage.steps.push_back(
                        read_step(reader, (*steps)[j], step_path, declared, step_names));
                    this_step_lines.emplace_back((*steps)[j], step_path);
                }
            }
        }
        const YAML::Node* placement_node = map->find("placement");
        const YAML::Node* order_node = map->find("order");
        const YAML::Node* poll_node = map->find("poll");
        lines.push_back({placement_node ? *placement_node : (*items)[i],
                         order_node ? *order_node : (*items)[i],
                         poll_node ? *poll_node : (*items)[i], stage_path});
        step_lines.push_back(std::move(this_step_lines));
        stages.push_back(std::move(stage));
    }
    if (stages.size() == lines.size()) {
        check_stage_order(reader, stages, lines);
        for (std::size_t i = 0; i < stages.size(); ++i) {
            check_present(reader, stages[i], lines[i]);
            check_poll(reader, stages[i], lines[i]);
        }
        check_feeds(reader, stages, lines);
        std::map<const step_spec*, std::pair<YAML::Node, std::string>> where;
        for (std::size_t i = 0; i < stages.size(); ++i) {
            for (std::size_t j = 0; j < stages[i].steps.size(); ++j) {
                where[&stages[i].steps[j]] = step_lines[i][j];
            }
        }
        check_inserts(reader, stages, where);
    }
    return stages;
}

}  // namespace asyncbench

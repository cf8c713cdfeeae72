#pragma once
// The one table of workflow step kinds as a scenario file writes them: each kind's YAML key,
// the step-level keys it adds, and its reader. Adding a kind: an alternative in step_spec's
// variant (scenario_config.hpp), its reader in harness/config/<kind>_step_reader.cpp, one row
// here, and its executor, a run_step overload in harness/workflow/steps/ (found by the
// alternative's type, so the loader never links the executors).
// Thread-safety: the table is constant; readers are as their yaml_reader.
#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/config/yaml_reader.hpp"

namespace asyncbench {

// What a step's reader checks references against: the declarations read before the workflow.
struct step_declarations {
    std::set<std::string> systems;
    bool systems_known = true;  // false when `systems` was unreadable: dangling refs not reported
    const std::vector<table_spec>* tables = nullptr;
    const std::vector<redis_key_spec>* redis_keys = nullptr;
};

using step_reader = void (*)(yaml_reader& reader, const yaml_map& map,
                             const step_declarations& declared, step_spec& step);

struct step_kind {
    std::string_view key;                      // the step's YAML key naming its kind
    std::vector<std::string_view> extra_keys;  // step-level keys only this kind accepts
    // Reads `map` (a step whose kind key is present) into `step.action`; errors to `reader`.
    step_reader read;
};

// Every kind, in the order of step_spec's variant alternatives.
const std::vector<step_kind>& step_kinds();
// The kind of a step (by its variant alternative).
const step_kind& kind_of(const step_spec& step);

// A kind whose map does one of several operations (db: insert|upsert|...; redis:
// zincrby|enqueue|keep), each named by its own key and taking keys of its own: a table of
// `Operation`s with `name` (std::string_view) and `keys` (std::vector<std::string_view>).
// What the step's map accepts: every operation's name and keys, once each, in table order.
template <typename Operation>
std::vector<std::string_view> operation_map_keys(const std::vector<Operation>& operations) {
    std::vector<std::string_view> keys;
    for (const auto& operation : operations) {
        keys.push_back(operation.name);
        for (auto key : operation.keys) {
            if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
        }
    }
    return keys;
}

// Reports every key of `map` that belongs to an operation other than `chosen` as "applies only
// to <the operations that take it>". Other operations' own names are left alone (the reader
// reports two operations at once itself).
template <typename Operation>
void report_other_operations_keys(yaml_reader& reader, const yaml_map& map,
                                  const std::vector<Operation>& operations,
                                  const Operation& chosen) {
    auto takes = [](const Operation& operation, std::string_view key) {
        return std::find(operation.keys.begin(), operation.keys.end(), key) != operation.keys.end();
    };
    for (const auto& entry : map.entries()) {
        const bool an_operation =
            std::any_of(operations.begin(), operations.end(),
                        [&](const Operation& operation) { return operation.name == entry.key; });
        if (an_operation || takes(chosen, entry.key)) continue;
        std::vector<std::string> takers;
        for (const auto& operation : operations) {
            if (takes(operation, entry.key)) takers.emplace_back(operation.name);
        }
        reader.add_error(entry.key_node, map.child(entry.key),
                         "applies only to " + join_names(takers));
    }
}

// The readers, one file each.
void read_call_step(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                    step_spec& step);
void read_db_step(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                  step_spec& step);
void read_redis_step(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                     step_spec& step);

}  // namespace asyncbench

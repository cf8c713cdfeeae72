#include "harness/config/workflow_reader.hpp"

#include "harness/config/system_reader.hpp"

namespace asyncbench {
namespace {

using std::chrono::milliseconds;

void read_call(yaml_reader& reader, const YAML::Node& node, const std::string& path,
               const system_names& systems, step_spec& step) {
    const auto text = reader.read_scalar(node, path, "<system>.<operation>");
    if (!text) {
        return;
    }
    const auto dot = text->find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == text->size()) {
        reader.add_error(
            node, path,
            "expected <system>.<operation> such as lp.LPRUN, got " + describe_node(node));
        return;
    }
    step.system = text->substr(0, dot);
    step.operation = text->substr(dot + 1);
    if (!is_operation_name(step.operation)) {
        reader.add_error(node, path,
                         "operation names may only contain letters, digits, '_', '.' and '-'");
    }
    if (systems.known && systems.declared.count(step.system) == 0) {
        reader.add_error(node, path,
                         "system '" + step.system + "' is not declared in systems (declared: " +
                             join_names({systems.declared.begin(), systems.declared.end()}) + ")");
    }
}

step_spec read_step(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                    const system_names& systems, std::set<std::string>& step_names) {
    step_spec step;
    const auto map = reader.read_map(node, path, {"name", "db", "call", "timeout"});
    if (!map) {
        return step;
    }
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
    const YAML::Node* db = map->find("db");
    const YAML::Node* call = map->find("call");
    if (db != nullptr && call != nullptr) {
        reader.add_error(*call, map->child("call"), "a step has either db or call, not both");
    } else if (db != nullptr) {
        using kind_t = step_spec::kind;
        step.type =
            reader
                .read_enum<kind_t>(*db, map->child("db"),
                                   {{"insert", kind_t::db_insert}, {"update", kind_t::db_update}})
                .value_or(kind_t::db_insert);
        if (const YAML::Node* timeout = map->find("timeout")) {
            reader.add_error(*timeout, map->child("timeout"), "applies only to call steps");
        }
    } else if (call != nullptr) {
        step.type = step_spec::kind::call;
        read_call(reader, *call, map->child("call"), systems, step);
        reader.duration_field(*map, "timeout", step.timeout, milliseconds(1), max_config_duration);
    } else {
        reader.add_error(node, path,
                         "a step needs either db: insert|update or call: "
                         "<system>.<operation>");
    }
    return step;
}

}  // namespace

std::vector<stage_spec> read_workflow(yaml_reader& reader, const YAML::Node& node,
                                      const std::string& path, const system_names& systems) {
    std::vector<stage_spec> stages;
    const auto items = reader.read_sequence(node, path);
    if (!items) {
        return stages;
    }
    if (items->empty()) {
        reader.add_error(node, path, "must list at least one stage");
        return stages;
    }
    std::set<std::string> stage_names;
    std::set<std::string> step_names;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string stage_path = index_path(path, i);
        const auto map = reader.read_map((*items)[i], stage_path, {"stage", "steps"});
        if (!map) {
            continue;
        }
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
        if (const YAML::Node* steps_node = reader.require(*map, "steps")) {
            const std::string steps_path = map->child("steps");
            if (const auto steps = reader.read_sequence(*steps_node, steps_path)) {
                if (steps->empty()) {
                    reader.add_error(*steps_node, steps_path, "must list at least one step");
                }
                for (std::size_t j = 0; j < steps->size(); ++j) {
                    stage.steps.push_back(read_step(reader, (*steps)[j], index_path(steps_path, j),
                                                    systems, step_names));
                }
            }
        }
        stages.push_back(std::move(stage));
    }
    return stages;
}

}  // namespace asyncbench

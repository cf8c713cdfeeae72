#include "harness/config/fault_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "harness/config/units.hpp"

namespace asyncbench {
namespace {

using std::chrono::nanoseconds;
using kind_t = fault_spec::kind;
using takedown_t = fault_spec::takedown;

struct kind_info {
    std::string_view name;
    kind_t kind;
    std::vector<std::string_view> own_keys;  // beyond name, kind, at, duration
};

const std::vector<kind_info>& kinds() {
    static const std::vector<kind_info> table = {
        {"downstream_outage", kind_t::downstream_outage, {"target", "outage"}},
        {"downstream_slowdown", kind_t::downstream_slowdown, {"target", "slowdown"}},
        {"downstream_errors", kind_t::downstream_errors, {"target", "error_rate", "error_status"}},
        {"downstream_timeout", kind_t::downstream_timeout, {"target"}},
        {"worker_crash", kind_t::worker_crash, {"worker"}},
        {"worker_pause", kind_t::worker_pause, {"worker"}},
        {"broker_down", kind_t::broker_down, {"broker"}},
        {"leader_loss", kind_t::leader_loss, {}},
        {"database_down", kind_t::database_down, {"how"}},
        {"records_deleted", kind_t::records_deleted, {}},
        {"stage_down", kind_t::stage_down, {"stage"}},
        {"redis_down", kind_t::redis_down, {"how"}},
        {"watcher_disconnect", kind_t::watcher_disconnect, {"share"}},
    };
    return table;
}

const kind_info& info_of(kind_t kind) {
    const auto& table = kinds();
    return *std::find_if(table.begin(), table.end(),
                         [kind](const kind_info& info) { return info.kind == kind; });
}

std::string default_name(const fault_spec& fault) {
    const std::string kind(info_of(fault.type).name);
    switch (fault.type) {
        case kind_t::downstream_outage:
        case kind_t::downstream_slowdown:
        case kind_t::downstream_errors:
        case kind_t::downstream_timeout:
            return kind + " " + fault.system +
                   (fault.operation.empty() ? "" : "." + fault.operation);
        case kind_t::worker_crash:
        case kind_t::worker_pause:
            return kind + " worker " + std::to_string(fault.worker);
        case kind_t::broker_down:
            return kind + " broker " + std::to_string(fault.broker);
        case kind_t::leader_loss:
        case kind_t::records_deleted:
            return kind;
        case kind_t::database_down:
            return fault.how == fault_spec::takedown::lock
                       ? kind
                       : kind + (fault.how == fault_spec::takedown::kill ? " (kill)" : " (stop)");
        case kind_t::stage_down:
            return kind + " " + fault.stage;
        case kind_t::redis_down:
            return kind + (fault.how == fault_spec::takedown::kill ? " (kill)" : " (stop)");
        case kind_t::watcher_disconnect:
            return fmt::format("{} {:g}%", kind, fault.share * 100);
    }
    return kind;
}

// "lp" or "lp.LPRUN", naming a declared system (and, when given, one of its operations or an
// operation the workflow calls).
void read_target(yaml_reader& reader, const yaml_map& map, const scenario_config& config,
                 fault_spec& fault) {
    const YAML::Node* node = reader.require(map, "target");
    if (node == nullptr) return;
    const auto text = reader.read_scalar(*node, map.child("target"), "system or system.operation");
    if (!text) return;
    const auto dot = text->find('.');
    fault.system = text->substr(0, dot);
    fault.operation = dot == std::string::npos ? "" : text->substr(dot + 1);
    const auto system = std::find_if(config.systems.begin(), config.systems.end(),
                                     [&](const system_spec& s) { return s.name == fault.system; });
    if (system == config.systems.end()) {
        std::vector<std::string> names;
        for (const auto& s : config.systems) names.push_back(s.name);
        reader.add_error(*node, map.child("target"),
                         "no system '" + fault.system + "' (systems: " + join_names(names) + ")");
        return;
    }
    if (fault.operation.empty() || system->operations.count(fault.operation) > 0) return;
    for (const auto& stage : config.workflow) {
        for (const auto& step : stage.steps) {
            const auto* call = step.as<call_step>();
            if (call && call->system == fault.system && call->operation == fault.operation) return;
        }
    }
    std::vector<std::string> operations;
    for (const auto& [name, spec] : system->operations) operations.push_back(name);
    reader.add_error(*node, map.child("target"),
                     "system '" + fault.system + "' has no operation '" + fault.operation +
                         "' (operations: " + join_names(operations) + ")");
}

void read_kind_fields(yaml_reader& reader, const yaml_map& map, const scenario_config& config,
                      fault_spec& fault) {
    switch (fault.type) {
        case kind_t::downstream_outage:
            read_target(reader, map, config, fault);
            if (const YAML::Node* outage = map.find("outage")) {
                using outage_t = operation_spec::outage_kind;
                fault.outage = reader
                                   .read_enum<outage_t>(*outage, map.child("outage"),
                                                        {{"refuse", outage_t::refuse},
                                                         {"unavailable", outage_t::unavailable}})
                                   .value_or(fault.outage);
            }
            break;
        case kind_t::downstream_slowdown:
            read_target(reader, map, config, fault);
            reader.number_field(map, "slowdown", fault.slowdown, 1.0, 1000.0);
            break;
        case kind_t::downstream_errors:
            read_target(reader, map, config, fault);
            reader.number_field(map, "error_rate", fault.error_rate, 0.0, 1.0);
            reader.int_field(map, "error_status", fault.error_status, 400, 599);
            break;
        case kind_t::downstream_timeout:
            read_target(reader, map, config, fault);
            fault.outage = operation_spec::outage_kind::hang;
            break;
        case kind_t::worker_crash:
        case kind_t::worker_pause:
            if (config.async.worker_processes == 0) {
                reader.add_error(map.node(), map.path(),
                                 "worker faults need consumer workers in their own processes: set "
                                 "async.worker_processes to 1 or more");
            } else {
                reader.int_field(map, "worker", fault.worker, 0, config.async.worker_processes - 1);
            }
            break;
        case kind_t::broker_down:
            // The cluster's size is only known at run time; the runner checks the id then.
            reader.int_field(map, "broker", fault.broker, 1, 1000);
            break;
        case kind_t::records_deleted:
            if (config.async.worker_processes == 0) {
                reader.add_error(map.node(), map.path(),
                                 "records_deleted stops every consumer before deleting (so none "
                                 "holds fetched records): set async.worker_processes to 1 or "
                                 "more");
            }
            break;
        case kind_t::stage_down:
            if (const YAML::Node* stage = reader.require(map, "stage")) {
                if (auto name = reader.read_scalar(*stage, map.child("stage"), "a stage name")) {
                    fault.stage = *name;
                    std::vector<std::string> names;
                    for (const auto& s : config.workflow) names.push_back(s.name);
                    const auto found =
                        std::find_if(config.workflow.begin(), config.workflow.end(),
                                     [&](const stage_spec& s) { return s.name == fault.stage; });
                    if (found == config.workflow.end()) {
                        reader.add_error(*stage, map.child("stage"),
                                         fmt::format("no stage '{}' (stages: {})", fault.stage,
                                                     join_names(names)));
                    } else if (std::all_of(all_modes.begin(), all_modes.end(), [&](mode m) {
                                   return found->where(m) == placement::inline_stage;
                               })) {
                        reader.add_error(*stage, map.child("stage"),
                                         fmt::format("stage '{}' runs inline in every mode, "
                                                     "inside the API: stage_down stops a stage's "
                                                     "pollers or consumers, and it has none",
                                                     fault.stage));
                    }
                }
            }
            break;
        case kind_t::redis_down:
            if (!config.uses_redis()) {
                reader.add_error(map.node(), map.path(),
                                 "redis_down needs Redis: the scenario declares no Redis keys");
            }
            if (const YAML::Node* how = map.find("how")) {
                fault.how = reader
                                .read_enum<takedown_t>(
                                    *how, map.child("how"),
                                    {{"kill", takedown_t::kill}, {"stop", takedown_t::stop}})
                                .value_or(takedown_t::kill);
            }
            break;
        case kind_t::watcher_disconnect:
            if (config.watchers.count == 0) {
                reader.add_error(map.node(), map.path(),
                                 "watcher_disconnect needs watchers: the scenario declares none");
            }
            reader.number_field(map, "share", fault.share, 0.001, 1.0);
            break;
        case kind_t::database_down:
            fault.how = takedown_t::lock;
            if (const YAML::Node* how = map.find("how")) {
                fault.how = reader
                                .read_enum<takedown_t>(*how, map.child("how"),
                                                       {{"lock", takedown_t::lock},
                                                        {"kill", takedown_t::kill},
                                                        {"stop", takedown_t::stop}})
                                .value_or(takedown_t::lock);
            }
            break;
        case kind_t::leader_loss:
            break;
    }
}

// The kind decides which keys are allowed, so it is looked up before the map is read.
const kind_info* peek_kind(const YAML::Node& node) {
    if (!node.IsMap()) return nullptr;
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == "kind" && it->second.IsScalar()) {
            const auto& table = kinds();
            const auto found = std::find_if(table.begin(), table.end(), [&](const kind_info& k) {
                return k.name == it->second.Scalar();
            });
            return found == table.end() ? nullptr : &*found;
        }
    }
    return nullptr;
}

std::optional<fault_spec> read_fault(yaml_reader& reader, const YAML::Node& node,
                                     const std::string& path, const scenario_config& config) {
    const kind_info* info = peek_kind(node);
    std::vector<std::string_view> allowed = {"name", "kind", "at", "duration"};
    if (info != nullptr) {
        allowed.insert(allowed.end(), info->own_keys.begin(), info->own_keys.end());
    } else {
        // Unknown kind: accept every kind's keys so the one error reported is the kind.
        for (const auto& k : kinds())
            allowed.insert(allowed.end(), k.own_keys.begin(), k.own_keys.end());
    }
    const auto map = reader.read_map(node, path, allowed);
    if (!map) return std::nullopt;
    const YAML::Node* kind_node = reader.require(*map, "kind");
    if (kind_node == nullptr) return std::nullopt;
    if (info == nullptr) {
        std::string names;
        for (const auto& k : kinds()) names += (names.empty() ? "" : "|") + std::string(k.name);
        reader.add_error(*kind_node, map->child("kind"),
                         "expected one of " + names + ", got " + describe_node(*kind_node));
        return std::nullopt;
    }

    fault_spec fault;
    fault.type = info->kind;
    if (const YAML::Node* at = reader.require(*map, "at")) {
        if (const auto value =
                reader.read_duration(*at, map->child("at"), nanoseconds(0), max_config_duration,
                                     std::chrono::milliseconds(1))) {
            fault.at = *value;
            if (fault.at >= config.load.duration) {
                reader.add_error(*at, map->child("at"),
                                 "starts after the measure phase (load.duration " +
                                     format_duration(config.load.duration) +
                                     "): it would never be applied");
            }
        }
    }
    if (const YAML::Node* duration = reader.require(*map, "duration")) {
        fault.duration =
            reader
                .read_duration(*duration, map->child("duration"), std::chrono::milliseconds(1),
                               max_config_duration, std::chrono::milliseconds(1))
                .value_or(nanoseconds(0));
    }
    read_kind_fields(reader, *map, config, fault);
    reader.string_field(*map, "name", fault.name);
    if (fault.name.empty()) fault.name = default_name(fault);
    return fault;
}

// What a fault acts on: two faults on the same thing must not overlap, because each restores
// what it found when it started, and the one ending last would restore the other's fault.
std::vector<std::string> contended_targets(const fault_spec& fault, const scenario_config& config) {
    switch (fault.type) {
        case kind_t::downstream_outage:
        case kind_t::downstream_slowdown:
        case kind_t::downstream_errors:
        case kind_t::downstream_timeout:
            return {"system " + fault.system};
        case kind_t::worker_crash:
        case kind_t::worker_pause:
            return {"worker " + std::to_string(fault.worker)};
        case kind_t::records_deleted: {
            std::vector<std::string> workers;
            for (int i = 0; i < config.async.worker_processes; ++i) {
                workers.push_back("worker " + std::to_string(i));
            }
            return workers;
        }
        case kind_t::broker_down:
        case kind_t::leader_loss:
            return {"the Kafka brokers"};
        case kind_t::database_down:
            return {"the database"};
        case kind_t::stage_down:
            return {"stage " + fault.stage};
        case kind_t::redis_down:
            return {"Redis"};
        case kind_t::watcher_disconnect:
            // Overlapping disconnects would end together: the first revert reconnects all.
            return {"the watchers"};
    }
    return {};
}

// The first target both act on, or empty.
std::string shared_target(const fault_spec& a, const fault_spec& b, const scenario_config& config) {
    const auto theirs = contended_targets(b, config);
    for (const auto& target : contended_targets(a, config)) {
        if (std::find(theirs.begin(), theirs.end(), target) != theirs.end()) return target;
    }
    return {};
}

}  // namespace

std::string fault_kind_name(fault_spec::kind kind) { return std::string(info_of(kind).name); }

std::vector<fault_spec> read_faults(yaml_reader& reader, const YAML::Node& node,
                                    const std::string& path, const scenario_config& config) {
    std::vector<fault_spec> faults;
    const auto items = reader.read_sequence(node, path);
    if (!items) return faults;
    for (std::size_t i = 0; i < items->size(); ++i) {
        auto fault = read_fault(reader, (*items)[i], index_path(path, i), config);
        if (!fault) continue;
        for (const auto& earlier : faults) {
            const bool overlap = fault->at < earlier.at + earlier.duration &&
                                 earlier.at < fault->at + fault->duration;
            const auto target = overlap ? shared_target(*fault, earlier, config) : std::string{};
            if (!target.empty()) {
                reader.add_error((*items)[i], index_path(path, i),
                                 "overlaps '" + earlier.name + "' on " + target +
                                     ": faults on the same target must not overlap in time");
                break;
            }
        }
        faults.push_back(std::move(*fault));
    }
    std::stable_sort(faults.begin(), faults.end(),
                     [](const fault_spec& a, const fault_spec& b) { return a.at < b.at; });
    return faults;
}

}  // namespace asyncbench

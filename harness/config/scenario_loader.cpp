#include "harness/config/scenario_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <set>

#include "harness/config/fault_reader.hpp"
#include "harness/config/load_reader.hpp"
#include "harness/config/scenario_variant.hpp"
#include "harness/config/system_reader.hpp"
#include "harness/config/threshold_reader.hpp"
#include "harness/config/units.hpp"
#include "harness/config/watch_reader.hpp"
#include "harness/config/workflow_reader.hpp"
#include "harness/config/yaml_document.hpp"
#include "harness/config/yaml_reader.hpp"
#include "harness/result/pipeline_metric_names.hpp"
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// Upper bounds that no sensible scenario reaches; they exist so that sums and products of
// configured values in the engine can never overflow.
constexpr nanoseconds max_duration = max_config_duration;
constexpr std::size_t max_body_limit = 64 * 1024 * 1024;
constexpr std::size_t max_name_length = 200;  // leaves room in a Kafka topic name (249)

bool is_scenario_name(std::string_view name) {
    if (name.empty() || name.size() > max_name_length || name.front() == '-') {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

// Kafka's own rule; checked here so a bad topic stops the run before any load is sent.
bool is_kafka_topic(std::string_view topic) {
    if (topic.empty() || topic.size() > 249 || topic == "." || topic == "..") {
        return false;
    }
    return std::all_of(topic.begin(), topic.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
}

void read_sync(yaml_reader& reader, const YAML::Node& node, const std::string& path,
               sync_spec& sync) {
    const auto map = reader.read_map(node, path, {"worker_threads", "accept_queue"});
    if (!map) {
        return;
    }
    reader.int_field(*map, "worker_threads", sync.worker_threads, 1, 10'000);
    reader.int_field(*map, "accept_queue", sync.accept_queue, 0, 1'000'000);
}

// librdkafka properties pass through as strings: librdkafka knows its own rules and versions
// better than a copy of them here would.
void read_properties(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                     std::map<std::string, std::string>& properties) {
    const auto map = reader.read_open_map(node, path);
    if (!map) {
        return;
    }
    for (const auto& item : map->entries()) {
        if (auto value = reader.read_scalar(item.value, map->child(item.key),
                                            "a librdkafka property value")) {
            properties[item.key] = std::move(*value);
        }
    }
}

void read_async(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                async_spec& async) {
    const auto map = reader.read_map(
        node, path,
        {"topic", "partitions", "consumers_per_group", "worker_processes", "consumer_model",
         "answer", "max_attempts", "backoff_initial", "backoff_max", "producer", "consumer"});
    if (!map) {
        return;
    }
    if (const YAML::Node* topic = map->find("topic")) {
        if (const auto value = reader.read_scalar(*topic, map->child("topic"))) {
            if (is_kafka_topic(*value)) {
                async.topic = *value;
            } else {
                reader.add_error(*topic, map->child("topic"),
                                 "not a valid Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -)");
            }
        }
    }
    reader.int_field(*map, "partitions", async.partitions, 1, 10'000);
    reader.int_field(*map, "consumers_per_group", async.consumers_per_group, 1, 1024);
    reader.int_field(*map, "worker_processes", async.worker_processes, 0, 64);
    if (async.worker_processes > async.consumers_per_group) {
        reader.add_error(map->node(), path,
                         "worker_processes (" + std::to_string(async.worker_processes) +
                             ") must not exceed consumers_per_group (" +
                             std::to_string(async.consumers_per_group) +
                             "): a process without a consumer would do nothing");
    }
    if (const YAML::Node* model = map->find("consumer_model")) {
        async.model =
            reader
                .read_enum<consumer_model>(*model, map->child("consumer_model"),
                                           {{"key_ordered", consumer_model::key_ordered},
                                            {"per_partition", consumer_model::per_partition}})
                .value_or(consumer_model::key_ordered);
    }
    if (const YAML::Node* answer = map->find("answer")) {
        async.answer_status = reader
                                  .read_enum<int>(*answer, map->child("answer"),
                                                  {{"accepted", 202}, {"created", 201}})
                                  .value_or(202);
    }
    reader.int_field(*map, "max_attempts", async.max_attempts, 1, 100);
    // Read directly rather than through duration_field: the comparison below must only use
    // values the user actually wrote validly, never a default standing in for a bad one.
    std::optional<nanoseconds> initial;
    std::optional<nanoseconds> max;
    if (const YAML::Node* value = map->find("backoff_initial")) {
        initial = reader.read_duration(*value, map->child("backoff_initial"), milliseconds(1),
                                       max_duration, milliseconds(1));
        if (initial) {
            async.backoff_initial = std::chrono::duration_cast<milliseconds>(*initial);
        }
    }
    if (const YAML::Node* value = map->find("backoff_max")) {
        max = reader.read_duration(*value, map->child("backoff_max"), milliseconds(1), max_duration,
                                   milliseconds(1));
        if (max) {
            async.backoff_max = std::chrono::duration_cast<milliseconds>(*max);
        }
    }
    const bool initial_ok = initial || !map->has("backoff_initial");
    const bool max_ok = max || !map->has("backoff_max");
    if (initial_ok && max_ok && async.backoff_max < async.backoff_initial) {
        const YAML::Node* at = map->find("backoff_max");
        const YAML::Node& where = at != nullptr ? *at : *map->find("backoff_initial");
        reader.add_error(where, map->child(at != nullptr ? "backoff_max" : "backoff_initial"),
                         "backoff_max (" + format_duration(async.backoff_max) +
                             ") must be >= backoff_initial (" +
                             format_duration(async.backoff_initial) + ")");
    }
    if (const YAML::Node* producer = map->find("producer")) {
        read_properties(reader, *producer, map->child("producer"), async.producer);
    }
    if (const YAML::Node* consumer = map->find("consumer")) {
        read_properties(reader, *consumer, map->child("consumer"), async.consumer);
    }
}

// Returns the systems; `declared` receives every declared name, even of systems whose body has
// errors, so a step calling them is not also reported as dangling.
std::vector<system_spec> read_systems(yaml_reader& reader, const YAML::Node& node,
                                      const std::string& path, std::set<std::string>& declared) {
    std::vector<system_spec> systems;
    const auto map = reader.read_open_map(node, path);
    if (!map) {
        return systems;
    }
    for (const auto& item : map->entries()) {
        declared.insert(item.key);
        if (!is_system_name(item.key)) {
            reader.add_error(item.key_node, map->child(item.key),
                             "system names may only contain a-z, 0-9, '_' and '-'");
            continue;
        }
        systems.push_back(read_system(reader, item.value, map->child(item.key), item.key));
    }
    return systems;
}

void read_slo(yaml_reader& reader, const YAML::Node& node, const std::string& path, slo_spec& slo) {
    const auto map = reader.read_map(node, path, {"api_p99", "min_availability"});
    if (!map) {
        return;
    }
    if (const YAML::Node* p99 = map->find("api_p99")) {
        if (const auto value = reader.read_duration(*p99, map->child("api_p99"), milliseconds(1),
                                                    max_duration, milliseconds(1))) {
            slo.api_p99 = std::chrono::duration_cast<milliseconds>(*value);
        }
    }
    if (const YAML::Node* availability = map->find("min_availability")) {
        if (const auto value =
                reader.read_number(*availability, map->child("min_availability"), 0.0, 1.0)) {
            slo.min_availability = *value;
        }
    }
}

void read_plugin(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                 std::string& plugin) {
    const auto value = reader.read_scalar(node, path);
    if (!value) {
        return;
    }
    plugin = *value;
    if (find_plugin(plugin) == nullptr) {
        reader.add_error(
            node, path,
            "unknown plugin '" + plugin + "' (registered: " + join_names(plugin_names()) + ")");
    }
}

// `invariants: {<name>: required|may_break}`: names the plugin reports.
void read_invariants(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                     scenario_config& config) {
    const auto map = reader.read_open_map(node, path);
    if (!map) return;
    const auto* plugin = find_plugin(config.plugin);
    auto known = plugin != nullptr ? plugin->invariant_names() : std::vector<std::string>{};
    if (config.watchers.count > 0) known.emplace_back(watcher_views_invariant);
    for (const auto& entry : map->entries()) {
        const auto entry_path = map->child(entry.key);
        if (plugin != nullptr && std::find(known.begin(), known.end(), entry.key) == known.end()) {
            reader.add_error(entry.key_node, entry_path,
                             "plugin '" + config.plugin + "' checks no invariant '" + entry.key +
                                 "' (it checks: " + join_names(known) + ")");
        }
        const auto may_break = reader.read_enum<bool>(entry.value, entry_path,
                                                      {{"required", false}, {"may_break", true}});
        if (may_break.value_or(false)) config.invariants_may_break.insert(entry.key);
    }
}

scenario_config read_scenario(yaml_reader& reader, const YAML::Node& root) {
    scenario_config config;
    const auto map = reader.read_map(
        root, "", {"name",          "description", "plugin",          "load",     "sync",
                   "async",         "systems",     "tables",          "redis",    "workflow",
                   "drain_timeout", "body_limit",  "api_connections", "slo",      "thresholds",
                   "faults",        "invariants",  "extends",         "watchers", "lookups"});
    if (!map) {
        return config;
    }
    if (const YAML::Node* name = reader.require(*map, "name")) {
        if (const auto value = reader.read_scalar(*name, "name")) {
            config.name = *value;
            if (!is_scenario_name(config.name)) {
                reader.add_error(*name, "name",
                                 "must match [a-z0-9][a-z0-9-]* and be at most " +
                                     std::to_string(max_name_length) + " characters");
            }
        }
    }
    reader.string_field(*map, "description", config.description);
    if (const YAML::Node* plugin = reader.require(*map, "plugin")) {
        read_plugin(reader, *plugin, "plugin", config.plugin);
    }
    if (const YAML::Node* load = map->find("load")) {
        read_load(reader, *load, "load", config.load);
    }
    if (const YAML::Node* sync = map->find("sync")) {
        read_sync(reader, *sync, "sync", config.sync);
    }
    if (const YAML::Node* async = map->find("async")) {
        read_async(reader, *async, "async", config.async);
    }
    if (config.async.topic.empty()) {
        config.async.topic = "asyncbench." + config.name;
    }
    step_declarations declared;
    if (const YAML::Node* systems = map->find("systems")) {
        declared.systems_known = systems->IsMap();
        config.systems = read_systems(reader, *systems, "systems", declared.systems);
    }
    if (const YAML::Node* tables = map->find("tables")) {
        config.tables = read_tables(reader, *tables, "tables");
    }
    if (const YAML::Node* redis = map->find("redis")) {
        config.redis = read_redis_keys(reader, *redis, "redis");
    }
    declared.tables = &config.tables;
    declared.redis_keys = &config.redis;
    if (const YAML::Node* workflow = reader.require(*map, "workflow")) {
        config.workflow = read_workflow(reader, *workflow, "workflow", declared);
    }
    if (const YAML::Node* watchers = map->find("watchers")) {
        config.watchers = read_watchers(reader, *watchers, "watchers", declared, config.workflow);
    }
    if (const YAML::Node* lookups = map->find("lookups")) {
        config.lookups = read_lookups(reader, *lookups, "lookups", declared);
    }
    reader.duration_field(*map, "drain_timeout", config.drain_timeout, nanoseconds(1),
                          max_duration);
    if (const YAML::Node* limit = map->find("body_limit")) {
        if (const auto value = reader.read_size(*limit, "body_limit", 1, max_body_limit)) {
            config.body_limit_bytes = *value;
        }
    }
    reader.int_field(*map, "api_connections", config.api_connections, 1, 1'000'000);
    if (const YAML::Node* slo = map->find("slo")) {
        read_slo(reader, *slo, "slo", config.slo);
    }
    if (const YAML::Node* faults = map->find("faults")) {
        config.faults = read_faults(reader, *faults, "faults", config);
    }
    if (const YAML::Node* invariants = map->find("invariants")) {
        read_invariants(reader, *invariants, "invariants", config);
    }
    if (const YAML::Node* thresholds = map->find("thresholds")) {
        config.thresholds = read_thresholds(reader, *thresholds, "thresholds", config);
    }
    return config;
}

// The last line of defence for "never throw": an exception here is a bug in this file, but
// it must still surface as an error rather than end a CI job with std::terminate.
template <typename Result, typename Body>
Result guarded(const std::string& origin, Body&& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        return std::vector<config_error>{
            {origin, 0, 0, "", std::string("internal error while reading: ") + e.what()}};
    } catch (...) {
        return std::vector<config_error>{
            {origin, 0, 0, "", "internal error while reading: unknown exception"}};
    }
}

}  // namespace

namespace {

// `extends` names a file relative to the scenario's own, so only scenarios read from a file
// may use it; text from memory (tests, fuzzers) never makes the loader open other files.
load_result_t load_text(const std::string& text, const std::string& origin, bool from_file) {
    return guarded<load_result_t>(origin, [&]() -> load_result_t {
        yaml_reader reader(origin);
        auto root = parse_yaml_document(reader, text);
        if (!root) {
            return reader.take_errors();
        }
        std::vector<config_error> base_errors;
        if (!from_file && root->IsMap() && static_cast<const YAML::Node&>(*root)["extends"]) {
            const auto at = static_cast<const YAML::Node&>(*root)["extends"];
            reader.add_error(at, "extends",
                             "only a scenario file can extend another (the base "
                             "is found relative to the file)");
            return reader.take_errors();
        }
        root = resolve_extends(reader, *root, origin, base_errors);
        if (!base_errors.empty()) return base_errors;
        if (!root) return reader.take_errors();
        scenario_config config = read_scenario(reader, *root);
        if (reader.has_errors()) {
            return reader.take_errors();
        }
        config.source_path = origin;
        return config;
    });
}

}  // namespace

load_result_t load_scenario_text(const std::string& text, const std::string& origin) {
    return load_text(text, origin, false);
}

load_result_t load_scenario(const std::string& path) {
    return guarded<load_result_t>(path, [&]() -> load_result_t {
        const auto fail = [&](const std::string& reason) -> load_result_t {
            return std::vector<config_error>{{path, 0, 0, "", "cannot read the file: " + reason}};
        };
        errno = 0;
        const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                                   &std::fclose);
        if (!file) {
            return fail(std::strerror(errno));
        }
        std::string text;
        char buffer[64 * 1024];
        while (true) {
            const std::size_t count = std::fread(buffer, 1, sizeof buffer, file.get());
            text.append(buffer, count);
            if (text.size() > max_scenario_file_bytes) {
                return fail("larger than " +
                            std::to_string(max_scenario_file_bytes / (1024 * 1024)) +
                            "MiB; is this really a scenario file?");
            }
            if (count < sizeof buffer) {
                break;
            }
        }
        // Reading a directory "opens" fine on Linux and fails here with EISDIR.
        if (std::ferror(file.get()) != 0) {
            return fail(std::strerror(errno));
        }
        return load_text(text, path, true);
    });
}

std::variant<system_spec, std::vector<config_error>> load_system_text(const std::string& text,
                                                                      const std::string& origin,
                                                                      const std::string& name) {
    using result_t = std::variant<system_spec, std::vector<config_error>>;
    return guarded<result_t>(origin, [&]() -> result_t {
        yaml_reader reader(origin);
        const auto root = parse_yaml_document(reader, text);
        if (!root) {
            return reader.take_errors();
        }
        system_spec system;
        system.name = name;
        system.default_operation = builtin_operation();
        const auto has_key = [&](std::string_view key) {
            if (!root->IsMap()) {
                return false;
            }
            for (auto it = root->begin(); it != root->end(); ++it) {
                if (it->first.IsScalar() && it->first.Scalar() == key) {
                    return true;
                }
            }
            return false;
        };
        const bool is_operation_form =
            !has_key("default") && !has_key("operations") &&
            std::any_of(operation_keys().begin(), operation_keys().end(), has_key);
        if (has_key("systems")) {
            // A whole scenario: only this system is checked; the rest is the runner's business.
            const auto top = reader.read_open_map(*root, "");
            const YAML::Node* systems_node = top ? top->find("systems") : nullptr;
            const auto systems = systems_node != nullptr
                                     ? reader.read_open_map(*systems_node, "systems")
                                     : std::nullopt;
            const YAML::Node* entry = systems ? systems->find(name) : nullptr;
            if (systems && entry == nullptr) {
                std::vector<std::string> present;
                for (const auto& item : systems->entries()) {
                    present.push_back(item.key);
                }
                reader.add_error(
                    systems->node(), key_path("systems", name),
                    "no system '" + name + "' in this file (systems: " + join_names(present) + ")");
            } else if (entry != nullptr) {
                system = read_system(reader, *entry, key_path("systems", name), name);
            }
        } else if (is_operation_form) {
            // A bare operation spec (e.g. a PUT /_mock/operations/<op> body) sets the default.
            system.default_operation = read_operation(reader, *root, "", builtin_operation());
        } else {
            system = read_system(reader, *root, "", name);
        }
        if (reader.has_errors()) {
            return reader.take_errors();
        }
        return system;
    });
}

}  // namespace asyncbench

#include "harness/config/load_reader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <limits>

#include "harness/config/units.hpp"

namespace asyncbench {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// Upper bounds that no sensible scenario reaches; they exist so that sums and products of
// configured values in the engine can never overflow.
constexpr nanoseconds max_duration = max_config_duration;
constexpr double max_rate_per_s = 10'000'000;
constexpr int max_users = 100'000;

void reject_keys_for_model(yaml_reader& reader, const yaml_map& map,
                           std::initializer_list<std::string_view> keys, std::string_view model) {
    for (const auto& item : map.entries()) {
        if (std::find(keys.begin(), keys.end(), item.key) != keys.end()) {
            reader.add_error(item.key_node, map.child(item.key),
                             "applies only to model: " + std::string(model));
        }
    }
}

std::vector<ramp_step> read_ramp(yaml_reader& reader, const YAML::Node& node,
                                 const std::string& path) {
    std::vector<ramp_step> ramp;
    const auto items = reader.read_sequence(node, path);
    if (!items) {
        return ramp;
    }
    if (items->empty()) {
        reader.add_error(node, path, "must list at least one {rate, duration} step");
        return ramp;
    }
    bool any_load = false;
    bool all_rates_read = true;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string item_path = index_path(path, i);
        const auto map = reader.read_map((*items)[i], item_path, {"rate", "duration"});
        if (!map) {
            continue;
        }
        ramp_step step;
        const YAML::Node* rate = reader.require(*map, "rate");
        all_rates_read = all_rates_read && rate != nullptr;
        if (rate != nullptr) {
            const auto value = reader.read_rate(*rate, map->child("rate"), 0, max_rate_per_s);
            all_rates_read = all_rates_read && value;
            step.rate_per_s = value.value_or(0);
            any_load = any_load || step.rate_per_s > 0;
        }
        if (const YAML::Node* duration = reader.require(*map, "duration")) {
            step.duration = reader
                                .read_duration(*duration, map->child("duration"), nanoseconds(1),
                                               max_duration, nanoseconds(1))
                                .value_or(nanoseconds(0));
        }
        ramp.push_back(step);
    }
    if (!any_load && all_rates_read) {
        reader.add_error(node, path, "every step has rate 0: the run would send nothing");
    }
    return ramp;
}

// load.retry: how the callers retry (retry_spec).
void read_retry(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                retry_spec& retry) {
    const auto map =
        reader.read_map(node, path, {"max_attempts", "on", "backoff", "retry_after", "max_rate"});
    if (!map) return;
    reader.int_field(*map, "max_attempts", retry.max_attempts, 1, 100);
    if (const YAML::Node* on = map->find("on")) {
        if (const auto items = reader.read_sequence(*on, map->child("on"))) {
            retry.on_503 = retry.on_5xx = retry.on_timeout = retry.on_connect = false;
            for (std::size_t i = 0; i < items->size(); ++i) {
                enum class answer { status_503, status_5xx, timeout, connect };
                const auto which =
                    reader.read_enum<answer>((*items)[i], index_path(map->child("on"), i),
                                             {{"503", answer::status_503},
                                              {"5xx", answer::status_5xx},
                                              {"timeout", answer::timeout},
                                              {"connect", answer::connect}});
                if (!which) continue;
                switch (*which) {
                    case answer::status_503:
                        retry.on_503 = true;
                        break;
                    case answer::status_5xx:
                        retry.on_5xx = true;
                        break;
                    case answer::timeout:
                        retry.on_timeout = true;
                        break;
                    case answer::connect:
                        retry.on_connect = true;
                        break;
                }
            }
        }
    }
    if (const YAML::Node* backoff = map->find("backoff")) {
        if (const auto b = reader.read_map(*backoff, map->child("backoff"),
                                           {"initial", "multiplier", "max", "jitter"})) {
            reader.duration_field(*b, "initial", retry.initial, milliseconds(1), max_duration);
            reader.number_field(*b, "multiplier", retry.multiplier, 1.0, 10.0);
            reader.duration_field(*b, "max", retry.max, milliseconds(1), max_duration);
            reader.number_field(*b, "jitter", retry.jitter, 0.0, 1.0);
            if (retry.max < retry.initial) {
                reader.add_error(*backoff, map->child("backoff"), "max must be at least initial");
            }
        }
    }
    if (const YAML::Node* after = map->find("retry_after")) {
        retry.honour_retry_after = reader
                                       .read_enum<bool>(*after, map->child("retry_after"),
                                                        {{"true", true}, {"false", false}})
                                       .value_or(retry.honour_retry_after);
    }
    if (const YAML::Node* rate = map->find("max_rate")) {
        retry.max_rate_per_s = reader.read_rate(*rate, map->child("max_rate"), 0, max_rate_per_s)
                                   .value_or(retry.max_rate_per_s);
    }
}

}  // namespace

void read_load(yaml_reader& reader, const YAML::Node& node, const std::string& path,
               load_spec& load) {
    const auto map =
        reader.read_map(node, path,
                        {"model", "rate", "ramp", "users", "think_time", "warmup", "duration",
                         "requests", "request_timeout", "max_connections", "retry"});
    if (!map) {
        return;
    }
    if (const YAML::Node* model = map->find("model")) {
        using model_t = load_spec::model;
        load.kind = reader
                        .read_enum<model_t>(*model, map->child("model"),
                                            {{"open", model_t::open}, {"closed", model_t::closed}})
                        .value_or(load.kind);
    }
    if (load.kind == load_spec::model::open) {
        reject_keys_for_model(reader, *map, {"users", "think_time"}, "closed");
        const YAML::Node* rate = map->find("rate");
        const YAML::Node* ramp = map->find("ramp");
        if (rate != nullptr && ramp != nullptr) {
            reader.add_error(*rate, map->child("rate"),
                             "give either rate or ramp, not both: ramp replaces rate");
        } else if (rate != nullptr) {
            if (const auto value = reader.read_rate(*rate, map->child("rate"), 0, max_rate_per_s)) {
                if (*value > 0) {
                    load.rate_per_s = *value;
                } else {
                    reader.add_error(*rate, map->child("rate"),
                                     "must be > 0 for the open model (or give a ramp)");
                }
            }
        } else if (ramp != nullptr) {
            load.ramp = read_ramp(reader, *ramp, map->child("ramp"));
        }
        reader.int_field(*map, "max_connections", load.max_connections, 1, 100'000);
        if (const YAML::Node* retry = map->find("retry")) {
            read_retry(reader, *retry, map->child("retry"), load.retry);
        }
    } else {
        reject_keys_for_model(reader, *map, {"rate", "ramp", "max_connections", "retry"}, "open");
        if (const YAML::Node* users = reader.require(*map, "users")) {
            load.users = static_cast<int>(
                reader.read_int(*users, map->child("users"), 1, max_users).value_or(0));
        }
        reader.duration_field(*map, "think_time", load.think_time, nanoseconds(0), max_duration);
    }
    reader.duration_field(*map, "warmup", load.warmup, nanoseconds(0), max_duration);
    reader.duration_field(*map, "duration", load.duration, nanoseconds(1), max_duration);
    if (const YAML::Node* requests = map->find("requests")) {
        if (const auto value = reader.read_int(*requests, map->child("requests"), 1,
                                               std::numeric_limits<std::int64_t>::max())) {
            load.requests = static_cast<std::uint64_t>(*value);
        }
    }
    reader.duration_field(*map, "request_timeout", load.request_timeout, milliseconds(1),
                          max_duration);
}

}  // namespace asyncbench

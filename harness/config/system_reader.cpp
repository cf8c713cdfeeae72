#include "harness/config/system_reader.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "harness/config/units.hpp"

namespace asyncbench {
namespace {

using std::chrono::hours;
using std::chrono::nanoseconds;

// A mock answering after more than an hour is a configuration slip, and the bound keeps every
// later latency computation (slowdown x latency, sums) far from overflow.
constexpr nanoseconds max_latency = hours(1);
constexpr nanoseconds latency_resolution = std::chrono::microseconds(1);
constexpr double max_slowdown = 1000.0;
constexpr int max_concurrency = 1'000'000;

std::optional<microseconds> read_latency_value(yaml_reader& reader, const yaml_map& map,
                                               std::string_view key, nanoseconds min) {
    const YAML::Node* node = reader.require(map, key);
    if (node == nullptr) {
        return std::nullopt;
    }
    const auto value =
        reader.read_duration(*node, map.child(key), min, max_latency, latency_resolution);
    if (!value) {
        return std::nullopt;
    }
    return std::chrono::duration_cast<microseconds>(*value);
}

std::optional<latency_spec> read_latency(yaml_reader& reader, const YAML::Node& node,
                                         const std::string& path) {
    const auto map =
        reader.read_map(node, path, {"distribution", "value", "min", "max", "p50", "p99"});
    if (!map) {
        return std::nullopt;
    }
    const YAML::Node* distribution_node = reader.require(*map, "distribution");
    if (distribution_node == nullptr) {
        return std::nullopt;
    }
    using kind_t = latency_spec::distribution;
    const auto kind = reader.read_enum<kind_t>(
        *distribution_node, map->child("distribution"),
        {{"fixed", kind_t::fixed}, {"uniform", kind_t::uniform}, {"lognormal", kind_t::lognormal}});
    if (!kind) {
        return std::nullopt;
    }
    std::vector<std::string_view> own_keys;
    std::string_view kind_name;
    switch (*kind) {
        case kind_t::fixed:
            own_keys = {"value"};
            kind_name = "fixed";
            break;
        case kind_t::uniform:
            own_keys = {"min", "max"};
            kind_name = "uniform";
            break;
        case kind_t::lognormal:
            own_keys = {"p50", "p99"};
            kind_name = "lognormal";
            break;
    }
    bool ok = true;
    for (const auto& item : map->entries()) {
        if (item.key == "distribution" ||
            std::find(own_keys.begin(), own_keys.end(), item.key) != own_keys.end()) {
            continue;
        }
        std::string expected;
        for (const auto key : own_keys) {
            expected += (expected.empty() ? "" : ", ") + std::string(key);
        }
        reader.add_error(item.key_node, map->child(item.key),
                         "'" + item.key + "' does not apply to distribution " +
                             std::string(kind_name) + " (it takes: " + expected + ")");
        ok = false;
    }

    latency_spec latency;
    latency.kind = *kind;
    switch (*kind) {
        case kind_t::fixed: {
            const auto value = read_latency_value(reader, *map, "value", nanoseconds(0));
            ok = ok && value;
            latency.fixed = value.value_or(microseconds(0));
            break;
        }
        case kind_t::uniform: {
            const auto min = read_latency_value(reader, *map, "min", nanoseconds(0));
            const auto max = read_latency_value(reader, *map, "max", nanoseconds(0));
            if (min && max && *min > *max) {
                reader.add_error(*map->find("max"), map->child("max"),
                                 "must be >= min (" + format_duration(*min) + ")");
                ok = false;
            }
            ok = ok && min && max;
            latency.min = min.value_or(microseconds(0));
            latency.max = max.value_or(microseconds(0));
            break;
        }
        case kind_t::lognormal: {
            // The sampler takes ln(p50): zero has no logarithm.
            const auto p50 = read_latency_value(reader, *map, "p50", latency_resolution);
            const auto p99 = read_latency_value(reader, *map, "p99", latency_resolution);
            if (p50 && p99 && *p99 < *p50) {
                reader.add_error(*map->find("p99"), map->child("p99"),
                                 "must be >= p50 (" + format_duration(*p50) + ")");
                ok = false;
            }
            ok = ok && p50 && p99;
            latency.p50 = p50.value_or(microseconds(0));
            latency.p99 = p99.value_or(microseconds(0));
            break;
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return latency;
}

}  // namespace

const std::vector<std::string_view>& operation_keys() {
    static const std::vector<std::string_view> keys = {"latency",     "error_rate", "error_status",
                                                       "concurrency", "slowdown",   "outage"};
    return keys;
}

bool is_system_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

bool is_operation_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

operation_spec builtin_operation() {
    operation_spec spec;
    spec.latency.kind = latency_spec::distribution::fixed;
    spec.latency.fixed = std::chrono::milliseconds(1);
    return spec;
}

operation_spec read_operation(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                              const operation_spec& base) {
    operation_spec spec = base;
    const auto map = reader.read_map(node, path, operation_keys());
    if (!map) {
        return spec;
    }
    // The latency map replaces the inherited one as a whole: mixing the default's p99 with
    // this operation's p50 would describe a distribution nobody wrote.
    if (const YAML::Node* latency_node = map->find("latency")) {
        if (const auto latency = read_latency(reader, *latency_node, map->child("latency"))) {
            spec.latency = *latency;
        }
    }
    reader.number_field(*map, "error_rate", spec.error_rate, 0.0, 1.0);
    reader.int_field(*map, "error_status", spec.error_status, 400, 599);
    reader.int_field(*map, "concurrency", spec.concurrency, 0, max_concurrency);
    reader.number_field(*map, "slowdown", spec.slowdown, 1.0, max_slowdown);
    if (const YAML::Node* outage_node = map->find("outage")) {
        using outage_t = operation_spec::outage_kind;
        if (const auto outage = reader.read_enum<outage_t>(*outage_node, map->child("outage"),
                                                           {{"none", outage_t::none},
                                                            {"refuse", outage_t::refuse},
                                                            {"unavailable", outage_t::unavailable},
                                                            {"hang", outage_t::hang}})) {
            spec.outage = *outage;
        }
    }
    return spec;
}

system_spec read_system(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                        const std::string& name) {
    system_spec system;
    system.name = name;
    system.default_operation = builtin_operation();
    const auto map = reader.read_map(node, path, {"default", "operations"});
    if (!map) {
        return system;
    }
    if (const YAML::Node* default_node = map->find("default")) {
        system.default_operation =
            read_operation(reader, *default_node, map->child("default"), builtin_operation());
    }
    if (const YAML::Node* operations_node = map->find("operations")) {
        const std::string operations_path = map->child("operations");
        if (const auto operations = reader.read_open_map(*operations_node, operations_path)) {
            for (const auto& item : operations->entries()) {
                const std::string op_path = key_path(operations_path, item.key);
                if (!is_operation_name(item.key)) {
                    reader.add_error(item.key_node, op_path,
                                     "operation names may only contain letters, digits, '_', "
                                     "'.' and '-' (they are URL paths)");
                    continue;
                }
                system.operations[item.key] =
                    read_operation(reader, item.value, op_path, system.default_operation);
            }
        }
    }
    return system;
}

}  // namespace asyncbench

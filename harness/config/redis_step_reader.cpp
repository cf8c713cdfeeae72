// Reads `redis: {zincrby: KEY, member: F, by: F, each: A, idempotent: bool}` (KEY a declared
// sorted_set) and `redis: {enqueue: QUEUE, member: F, limit: N, full: R, taken: A}` (QUEUE a
// declared queue).
#include <fmt/format.h>

#include <algorithm>

#include "harness/config/step_kinds.hpp"
#include "harness/config/system_reader.hpp"

namespace asyncbench {
namespace {

std::string declared_keys(const step_declarations& declared) {
    std::vector<std::string> names;
    if (declared.redis_keys != nullptr) {
        for (const auto& key : *declared.redis_keys) names.push_back(key.name);
    }
    return join_names(names);
}

// The declared key `name` must be of `kind`; errors at `at`.
void check_key(yaml_reader& reader, const YAML::Node& at, const std::string& path,
               const step_declarations& declared, const std::string& name,
               redis_key_spec::type kind) {
    const char* kind_name = kind == redis_key_spec::type::queue ? "queue" : "sorted_set";
    if (declared.redis_keys == nullptr || declared.redis_keys->empty()) {
        reader.add_error(at, path,
                         fmt::format("a redis step needs Redis: declare its key under the "
                                     "top-level redis: (e.g. redis: {{{}: {}}})",
                                     name, kind_name));
        return;
    }
    const auto found = std::find_if(declared.redis_keys->begin(), declared.redis_keys->end(),
                                    [&](const redis_key_spec& k) { return k.name == name; });
    if (found == declared.redis_keys->end()) {
        reader.add_error(at, path,
                         fmt::format("Redis key '{}' is not declared in redis (declared: {})", name,
                                     declared_keys(declared)));
    } else if (found->kind != kind) {
        reader.add_error(at, path,
                         fmt::format("Redis key '{}' is not a {} (declare it as {}: {})", name,
                                     kind_name, name, kind_name));
    }
}

void read_field(yaml_reader& reader, const yaml_map& map, std::string_view key, std::string& out) {
    if (const YAML::Node* value = map.find(key)) {
        if (auto text = reader.read_scalar(*value, map.child(key), "a field name")) out = *text;
    }
}

void read_reason(yaml_reader& reader, const yaml_map& map, std::string_view key, std::string& out) {
    if (const YAML::Node* value = map.find(key)) {
        if (auto text = reader.read_scalar(*value, map.child(key), "a reason")) out = *text;
    }
}

}  // namespace

void read_redis_step(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                     step_spec& step) {
    redis_step redis;
    const YAML::Node& node = *map.find("redis");
    const std::string path = map.child("redis");
    const auto fields = reader.read_map(
        node, path,
        {"zincrby", "enqueue", "member", "by", "each", "idempotent", "limit", "full", "taken"});
    if (!fields) {
        step.action = std::move(redis);
        return;
    }
    const bool enqueue = fields->has("enqueue");
    if (enqueue && fields->has("zincrby")) {
        reader.add_error(*fields->find("enqueue"), fields->child("enqueue"),
                         "a redis step does one of zincrby, enqueue");
    }
    redis.op = enqueue ? redis_step::operation::enqueue : redis_step::operation::zincrby;
    const std::string_view op_key = enqueue ? "enqueue" : "zincrby";
    // Keys of the other operation are errors, named with the operation that takes them.
    const std::vector<std::string_view> other =
        enqueue ? std::vector<std::string_view>{"by", "each", "idempotent"}
                : std::vector<std::string_view>{"limit", "full", "taken"};
    for (auto key : other) {
        if (fields->has(key)) {
            reader.add_error(*fields->find(key), fields->child(key),
                             fmt::format("applies only to {}", enqueue ? "zincrby" : "enqueue"));
        }
    }
    if (const YAML::Node* key = reader.require(*fields, op_key)) {
        if (auto name = reader.read_scalar(*key, fields->child(op_key), "a Redis key")) {
            redis.key = *name;
            check_key(reader, *key, fields->child(op_key), declared, redis.key,
                      enqueue ? redis_key_spec::type::queue : redis_key_spec::type::sorted_set);
        }
    }
    if (reader.require(*fields, "member") != nullptr) {
        read_field(reader, *fields, "member", redis.member);
    }
    if (enqueue) {
        if (const YAML::Node* limit = fields->find("limit")) {
            if (auto value = reader.read_int(*limit, fields->child("limit"), 0, 1'000'000'000)) {
                redis.limit = *value;
            }
        }
        read_reason(reader, *fields, "full", redis.full_reason);
        read_reason(reader, *fields, "taken", redis.taken_reason);
    } else {
        read_field(reader, *fields, "by", redis.by);
        read_field(reader, *fields, "each", redis.each);
        if (const YAML::Node* idempotent = fields->find("idempotent")) {
            redis.idempotent = reader
                                   .read_enum<bool>(*idempotent, fields->child("idempotent"),
                                                    {{"true", true}, {"false", false}})
                                   .value_or(true);
        }
    }
    step.action = std::move(redis);
}

}  // namespace asyncbench

// Reads `redis: {zincrby: KEY, member: F, by: F, each: A, idempotent: bool}` (KEY a declared
// sorted_set), `redis: {enqueue: QUEUE, member: F, limit: N, full: R, taken: A}` (QUEUE a
// declared queue) and `redis: {keep: STATE, entity: F, version: F, publish: CHANNEL}` (a
// declared state and channel).
#include <fmt/format.h>

#include <algorithm>

#include "harness/config/step_kinds.hpp"
#include "harness/config/system_reader.hpp"

namespace asyncbench {
namespace {

const char* redis_key_kind_name(redis_key_spec::type kind) {
    switch (kind) {
        case redis_key_spec::type::sorted_set:
            return "sorted_set";
        case redis_key_spec::type::queue:
            return "queue";
        case redis_key_spec::type::state:
            return "state";
        case redis_key_spec::type::channel:
            return "channel";
    }
    return "?";
}

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
    const char* kind_name = redis_key_kind_name(kind);
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
    using op = redis_step::operation;
    // Each operation: its key (naming a declared Redis key of `kind`), and the keys it takes.
    struct redis_operation {
        std::string_view name;
        op operation;
        redis_key_spec::type kind;
        std::vector<std::string_view> keys;
    };
    static const std::vector<redis_operation> operations{
        {"zincrby",
         op::zincrby,
         redis_key_spec::type::sorted_set,
         {"member", "by", "each", "idempotent"}},
        {"enqueue", op::enqueue, redis_key_spec::type::queue, {"member", "limit", "full", "taken"}},
        {"keep", op::keep, redis_key_spec::type::state, {"entity", "version", "publish"}},
    };
    redis_step redis;
    const YAML::Node& node = *map.find("redis");
    const std::string path = map.child("redis");
    const auto fields = reader.read_map(node, path, operation_map_keys(operations));
    if (!fields) {
        step.action = std::move(redis);
        return;
    }
    const redis_operation* chosen = nullptr;
    for (const auto& operation : operations) {
        if (!fields->has(operation.name)) continue;
        if (chosen != nullptr) {
            reader.add_error(*fields->find(operation.name), fields->child(operation.name),
                             "a redis step does one of zincrby, enqueue, keep");
            continue;
        }
        chosen = &operation;
    }
    if (chosen == nullptr) {
        reader.add_error(node, path, "expected one of zincrby, enqueue, keep naming a Redis key");
        step.action = std::move(redis);
        return;
    }
    redis.op = chosen->operation;
    // Keys of another operation are errors, named with the operations that take them.
    report_other_operations_keys(reader, *fields, operations, *chosen);
    if (const YAML::Node* key = reader.require(*fields, chosen->name)) {
        if (auto name = reader.read_scalar(*key, fields->child(chosen->name), "a Redis key")) {
            redis.key = *name;
            check_key(reader, *key, fields->child(chosen->name), declared, redis.key, chosen->kind);
        }
    }
    switch (redis.op) {
        case op::enqueue:
            if (reader.require(*fields, "member") != nullptr) {
                read_field(reader, *fields, "member", redis.member);
            }
            if (const YAML::Node* limit = fields->find("limit")) {
                if (auto value =
                        reader.read_int(*limit, fields->child("limit"), 0, 1'000'000'000)) {
                    redis.limit = *value;
                }
            }
            read_reason(reader, *fields, "full", redis.full_reason);
            read_reason(reader, *fields, "taken", redis.taken_reason);
            break;
        case op::zincrby:
            if (reader.require(*fields, "member") != nullptr) {
                read_field(reader, *fields, "member", redis.member);
            }
            read_field(reader, *fields, "by", redis.by);
            read_field(reader, *fields, "each", redis.each);
            if (const YAML::Node* idempotent = fields->find("idempotent")) {
                redis.idempotent = reader
                                       .read_enum<bool>(*idempotent, fields->child("idempotent"),
                                                        {{"true", true}, {"false", false}})
                                       .value_or(true);
            }
            break;
        case op::keep:
            if (reader.require(*fields, "entity") != nullptr) {
                read_field(reader, *fields, "entity", redis.member);
            }
            if (reader.require(*fields, "version") != nullptr) {
                read_field(reader, *fields, "version", redis.version);
            }
            if (const YAML::Node* channel = fields->find("publish")) {
                if (auto name =
                        reader.read_scalar(*channel, fields->child("publish"), "a Redis channel")) {
                    redis.channel = *name;
                    check_key(reader, *channel, fields->child("publish"), declared, redis.channel,
                              redis_key_spec::type::channel);
                }
            }
            break;
    }
    step.action = std::move(redis);
}

}  // namespace asyncbench

// Reads `redis: {zincrby: KEY, member: F, by: F, each: A, idempotent: bool}`: the key must be
// declared under the top-level `redis:`.
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

}  // namespace

void read_redis_step(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                     step_spec& step) {
    redis_step redis;
    const YAML::Node& node = *map.find("redis");
    const std::string path = map.child("redis");
    if (auto fields =
            reader.read_map(node, path, {"zincrby", "member", "by", "each", "idempotent"})) {
        if (const YAML::Node* key = reader.require(*fields, "zincrby")) {
            if (auto name = reader.read_scalar(*key, fields->child("zincrby"), "a Redis key")) {
                redis.key = *name;
                const bool known =
                    declared.redis_keys != nullptr &&
                    std::any_of(declared.redis_keys->begin(), declared.redis_keys->end(),
                                [&](const redis_key_spec& k) { return k.name == redis.key; });
                if (declared.redis_keys == nullptr || declared.redis_keys->empty()) {
                    reader.add_error(*key, fields->child("zincrby"),
                                     "a redis step needs Redis: declare its key under the "
                                     "top-level redis: (e.g. redis: {" +
                                         redis.key + ": sorted_set})");
                } else if (!known) {
                    reader.add_error(*key, fields->child("zincrby"),
                                     fmt::format("Redis key '{}' is not declared in redis "
                                                 "(declared: {})",
                                                 redis.key, declared_keys(declared)));
                }
            }
        }
        if (const YAML::Node* member = reader.require(*fields, "member")) {
            if (auto text = reader.read_scalar(*member, fields->child("member"), "a field name")) {
                redis.member = *text;
            }
        }
        for (auto [key, out] : {std::pair{"by", &redis.by}, std::pair{"each", &redis.each}}) {
            if (const YAML::Node* value = fields->find(key)) {
                if (auto text = reader.read_scalar(*value, fields->child(key), "a field name")) {
                    *out = *text;
                }
            }
        }
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

// `redis: {zincrby: KEY, member: F, by: F, each: A, idempotent: bool}`: increments members of a
// declared sorted set by the request's quantities (product ranking).
//
// Idempotent (the default): the increments run in one Lua script together with a
// processed-id mark (SET NX), so a redelivered message changes nothing and a crash can never
// leave half of them applied. Not idempotent: plain ZINCRBY per member, as the seed's ranking
// consumer does; a redelivery then counts twice, which the crash variant of order-events shows.
#include <fmt/format.h>

#include "harness/redis/redis_client.hpp"
#include "harness/workflow/request_fields.hpp"
#include "harness/workflow/steps/step_functions.hpp"
#include "harness/workflow/workflow_executor.hpp"

namespace asyncbench {
namespace {

// KEYS[1] the sorted set, KEYS[2] the processed-id mark; ARGV member, increment pairs.
constexpr std::string_view increment_once_script = R"lua(
if redis.call('SET', KEYS[2], '1', 'NX') then
  for i = 1, #ARGV, 2 do redis.call('ZINCRBY', KEYS[1], ARGV[i + 1], ARGV[i]) end
  return 1
end
return 0
)lua";

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

step_result run_redis_step(step_context& context, const step_spec& step, const work_item& item) {
    const auto& redis = *step.as<redis_step>();
    std::string error;
    auto fields = request_fields::parse(item.payload, error);
    if (!fields) return step_result::failed(error);
    std::vector<request_fields> elements;
    if (redis.each.empty()) {
        elements.push_back(*fields);
    } else if (auto list = fields->each(redis.each)) {
        elements = std::move(*list);
    } else {
        return step_result::failed(
            fmt::format("request field '{}' is not a list of objects", redis.each));
    }
    std::vector<std::string> pairs;  // member, increment, ...
    for (const auto& element : elements) {
        auto member = element.text(redis.member);
        auto by = redis.by.empty() ? std::optional<std::int64_t>(1) : element.integer(redis.by);
        if (!member || !by) {
            return step_result::failed(
                fmt::format("every element needs '{}'{}", redis.member,
                            redis.by.empty() ? "" : " and '" + redis.by + "'"));
        }
        pairs.push_back(*member);
        pairs.push_back(std::to_string(*by));
    }
    const std::string key = context.redis_prefix + redis.key;
    auto& client = context.redis();
    if (redis.idempotent) {
        const std::string mark =
            fmt::format("{}processed:{}:{}", context.redis_prefix, step.name, item.business_id);
        std::vector<std::string> args{"EVAL", std::string(increment_once_script), "2", key, mark};
        args.insert(args.end(), pairs.begin(), pairs.end());
        auto reply = client.command(std::span<const std::string>(args));
        if (reply.is_error()) return step_result::failed("redis: " + reply.str);
        return step_result::done();
    }
    for (std::size_t i = 0; i < pairs.size(); i += 2) {
        auto reply = client.command({"ZINCRBY", key, pairs[i + 1], pairs[i]});
        if (reply.is_error()) return step_result::failed("redis: " + reply.str);
    }
    return step_result::done();
}

}  // namespace asyncbench

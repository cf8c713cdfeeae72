// `redis: {zincrby: KEY, member: F, by: F, each: A, idempotent: bool}`: increments members of a
// declared sorted set by the request's quantities (product ranking). `redis: {enqueue: QUEUE,
// ...}`: joins a first-come queue once per member and answers the position (coupon-rush).
// `redis: {keep: STATE, ...}`: an entity's current state, published on a channel
// (incident-alert).
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

// First come, first queued, once per member. KEYS[1] the queue (member -> position),
// KEYS[2] member -> the business id that queued it, KEYS[3] member -> its request; ARGV
// member, limit (0 = none), business id, payload. Returns {0, position} (queued now, or
// already by this id: a retry), {1, size} (full) or {2, position} (queued by another id).
constexpr std::string_view enqueue_script = R"lua(
local position = redis.call('ZSCORE', KEYS[1], ARGV[1])
if position then
  if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[3] then return {0, tonumber(position)} end
  return {2, tonumber(position)}
end
local size = redis.call('ZCARD', KEYS[1])
local limit = tonumber(ARGV[2])
if limit > 0 and size >= limit then return {1, size} end
redis.call('ZADD', KEYS[1], size + 1, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
return {0, size + 1}
)lua";

// The entity's current state, unless it holds a later version. KEYS[1] the state (entity ->
// request), KEYS[2] entity -> version; ARGV entity, version, request, channel ('' = none).
// An equal version (a redelivery) is kept and published again: a subscriber that missed it
// the first time gets another chance, and one that saw it already ignores it by version.
// Returns 1 when kept, 0 when stale.
constexpr std::string_view keep_script = R"lua(
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current and tonumber(current) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[3]) end
return 1
)lua";

step_result keep(step_context& context, const redis_step& redis, const work_item& item,
                 const request_fields& fields) {
    auto entity = fields.text(redis.member);
    auto version = fields.integer(redis.version);
    if (!entity || !version) {
        return step_result::failed(
            fmt::format("the request needs '{}' and an integer '{}'", redis.member, redis.version));
    }
    const std::string key = context.redis_prefix + redis.key;
    const std::string channel = redis.channel.empty() ? "" : context.redis_prefix + redis.channel;
    auto reply =
        context.redis().command({"EVAL", std::string(keep_script), "2", key, key + ":versions",
                                 *entity, std::to_string(*version), item.payload, channel});
    if (reply.is_error()) return step_result::failed("redis: " + reply.str);
    return step_result::done();
}

step_result enqueue(step_context& context, const redis_step& redis, const work_item& item,
                    const request_fields& fields) {
    auto member = fields.text(redis.member);
    if (!member) return step_result::failed(fmt::format("the request has no '{}'", redis.member));
    const std::string key = context.redis_prefix + redis.key;
    auto reply = context.redis().command(
        {"EVAL", std::string(enqueue_script), "3", key, key + ":requests", key + ":payloads",
         *member, std::to_string(redis.limit), item.business_id, item.payload});
    if (reply.is_error()) return step_result::failed("redis: " + reply.str);
    if (reply.elements.size() != 2) return step_result::failed("redis: unexpected reply");
    switch (reply.elements[0].integer) {
        case 0:
            return step_result::done_with("queue_position", reply.elements[1].integer);
        case 1:
            return step_result::rejected(redis.full_reason);
        default:
            return step_result::rejected(redis.taken_reason);
    }
}

}  // namespace

step_result run_step(step_context& context, const step_spec& step, const redis_step& redis,
                     const work_item& item) {
    std::string error;
    auto fields = request_fields::parse(item.payload, error);
    if (!fields) return step_result::failed(error);
    if (redis.op == redis_step::operation::enqueue) return enqueue(context, redis, item, *fields);
    if (redis.op == redis_step::operation::keep) return keep(context, redis, item, *fields);
    auto elements = fields->elements(redis.each, error);
    if (!elements) return step_result::failed(error);
    std::vector<std::string> pairs;  // member, increment, ...
    for (const auto& element : *elements) {
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

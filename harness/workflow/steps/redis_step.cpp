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

}  // namespace

step_result run_step(step_context& context, const step_spec& step, const redis_step& redis,
                     const work_item& item) {
    std::string error;
    auto fields = request_fields::parse(item.payload, error);
    if (!fields) return step_result::failed(error);
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

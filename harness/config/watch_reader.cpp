// Reads `watchers: {count, entity, version, state, sync: {poll: {...}} | {subscribe: {...}},
// async: ...}` and `lookups: {rate, entity, sync: {table: T} | {redis: S}, async: ...}`.
#include "harness/config/watch_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "harness/config/poll_reader.hpp"

namespace asyncbench {
namespace {

bool declared_redis(const step_declarations& declared, const std::string& name,
                    redis_key_spec::type kind) {
    if (declared.redis_keys == nullptr) return false;
    return std::any_of(
        declared.redis_keys->begin(), declared.redis_keys->end(),
        [&](const redis_key_spec& key) { return key.name == name && key.kind == kind; });
}

bool declared_table(const step_declarations& declared, const std::string& name) {
    if (declared.tables == nullptr) return false;
    return std::any_of(declared.tables->begin(), declared.tables->end(),
                       [&](const table_spec& table) { return table.name == name; });
}

// A declared Redis key of `kind` under `key` of `map`, into `out`.
void read_redis_name(yaml_reader& reader, const yaml_map& map, std::string_view key,
                     const step_declarations& declared, redis_key_spec::type kind,
                     std::string_view kind_name, std::string& out) {
    const YAML::Node* node = map.find(key);
    if (node == nullptr) return;
    auto name = reader.read_scalar(*node, map.child(key), "a Redis key");
    if (!name) return;
    out = *name;
    if (!declared_redis(declared, out, kind)) {
        reader.add_error(
            *node, map.child(key),
            fmt::format("'{}' is not declared as a {} under redis: (redis: {{{}: {}}})", out,
                        kind_name, out, kind_name));
    }
}

// `poll: {from: {api: T}, cursor, every, jitter, limit, reread}`: a poll stage's keys, read
// from the front door's API; a watcher reads every page of a round and is one poller.
void read_poll_plan(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                    const step_declarations& declared, watch_plan& plan) {
    auto poll = read_poll(reader, node, path, declared);
    if (!poll) return;  // not a map: reported
    // read_poll checked the keys; these are its keys a watcher has no use for.
    const YAML::Node& map = node;
    if (const YAML::Node from = map["from"]; from && poll->source != poll_spec::source_kind::api) {
        reader.add_error(from, key_path(path, "from"),
                         "watchers poll the API as dashboards do: from: {api: <table>}");
    }
    for (const char* key : {"pages", "instances"}) {
        if (const YAML::Node value = map[key]) {
            reader.add_error(value, key_path(path, key),
                             "not for watchers: each is one poller reading every page");
        }
    }
    plan.method = watch_method::poll;
    plan.poll = *poll;
}

void read_subscribe_plan(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                         const step_declarations& declared, watch_plan& plan) {
    const auto map = reader.read_map(node, path, {"channel", "reread"});
    if (!map) return;
    plan.method = watch_method::subscribe;
    if (reader.require(*map, "channel") != nullptr) {
        read_redis_name(reader, *map, "channel", declared, redis_key_spec::type::channel, "channel",
                        plan.channel);
    }
    read_redis_name(reader, *map, "reread", declared, redis_key_spec::type::state, "state",
                    plan.state);
}

void read_plan(yaml_reader& reader, const YAML::Node& node, const std::string& path,
               const step_declarations& declared, watch_plan& plan) {
    const auto map = reader.read_map(node, path, {"poll", "subscribe"});
    if (!map) return;
    if (map->entries().size() != 1) {
        reader.add_error(node, path,
                         "name one method: {poll: {...}} (the API, every few seconds) or "
                         "{subscribe: {channel: <channel>}} (Redis Pub/Sub)");
        return;
    }
    const auto& entry = map->entries().front();
    if (entry.key == "poll") {
        read_poll_plan(reader, entry.value, map->child("poll"), declared, plan);
    } else {
        read_subscribe_plan(reader, entry.value, map->child("subscribe"), declared, plan);
    }
}

void read_field_name(yaml_reader& reader, const yaml_map& map, std::string_view key,
                     std::string& out) {
    if (const YAML::Node* node = reader.require(map, key)) {
        if (auto text = reader.read_scalar(*node, map.child(key), "a request field name")) {
            out = *text;
        }
    }
}

void read_lookup_source(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                        const step_declarations& declared, lookup_source& source) {
    const auto map = reader.read_map(node, path, {"table", "redis"});
    if (!map) return;
    if (map->entries().size() != 1) {
        reader.add_error(node, path,
                         "name one source: {table: <table>} (by its key) or {redis: <state>}");
        return;
    }
    const auto& entry = map->entries().front();
    const auto name = reader.read_scalar(entry.value, map->child(entry.key), "a name");
    if (!name) return;
    source.name = *name;
    if (entry.key == "table") {
        source.from = lookup_source::kind::table;
        if (!declared_table(declared, source.name)) {
            reader.add_error(entry.value, map->child(entry.key),
                             fmt::format("table '{}' is not declared in tables", source.name));
        }
    } else {
        source.from = lookup_source::kind::redis;
        if (!declared_redis(declared, source.name, redis_key_spec::type::state)) {
            reader.add_error(entry.value, map->child(entry.key),
                             fmt::format("'{}' is not declared as a state under redis: (redis: "
                                         "{{{}: state}})",
                                         source.name, source.name));
        }
    }
}

// The front door pages a table's feed by one cursor (front_door::feeds_of): a polling plan
// must use the cursor of the poll stages and of the plans before it that read the same table.
void check_feed_cursor(yaml_reader& reader, const YAML::Node& at, const std::string& path,
                       const watcher_spec& watchers, mode which,
                       const std::vector<stage_spec>& workflow) {
    const auto& plan = watchers.plan(which);
    if (plan.method != watch_method::poll || plan.poll.cursor.empty()) return;
    auto clash = [&](const std::string& who, const std::string& cursor) {
        reader.add_error(at, path,
                         fmt::format("reads table '{}' through the API by cursor '{}', {} by '{}': "
                                     "the API pages a table by one cursor",
                                     plan.poll.table, plan.poll.cursor, who, cursor));
    };
    for (const auto& stage : workflow) {
        const auto& poll = stage.poll;
        if (poll && poll->source == poll_spec::source_kind::api && poll->table == plan.poll.table &&
            poll->cursor != plan.poll.cursor) {
            clash("stage '" + stage.name + "'", poll->cursor);
            return;
        }
    }
    for (mode other : all_modes) {
        if (other == which) return;  // only the plans read before this one
        const auto& earlier = watchers.plan(other);
        if (earlier.method == watch_method::poll && earlier.poll.table == plan.poll.table &&
            earlier.poll.cursor != plan.poll.cursor) {
            clash("the " + std::string(traits_of(other).name) + " watchers", earlier.poll.cursor);
            return;
        }
    }
}

}  // namespace

watcher_spec read_watchers(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                           const step_declarations& declared,
                           const std::vector<stage_spec>& workflow) {
    watcher_spec watchers;
    std::vector<std::string_view> keys{"count", "entity", "version", "state"};
    for (mode m : all_modes) keys.push_back(traits_of(m).name);
    const auto map = reader.read_map(node, path, keys);
    if (!map) return watchers;
    watchers.count = 50;
    reader.int_field(*map, "count", watchers.count, 1, 10000);
    read_field_name(reader, *map, "entity", watchers.entity);
    read_field_name(reader, *map, "version", watchers.version);
    read_field_name(reader, *map, "state", watchers.state);
    for (mode m : all_modes) {
        const std::string_view name = traits_of(m).name;
        if (const YAML::Node* plan = reader.require(*map, name)) {
            read_plan(reader, *plan, map->child(name), declared,
                      watchers.plans[static_cast<std::size_t>(m)]);
            check_feed_cursor(reader, *plan, map->child(name), watchers, m, workflow);
        }
    }
    return watchers;
}

lookup_spec read_lookups(yaml_reader& reader, const YAML::Node& node, const std::string& path,
                         const step_declarations& declared) {
    lookup_spec lookups;
    std::vector<std::string_view> keys{"rate", "entity"};
    for (mode m : all_modes) keys.push_back(traits_of(m).name);
    const auto map = reader.read_map(node, path, keys);
    if (!map) return lookups;
    if (const YAML::Node* rate = reader.require(*map, "rate")) {
        lookups.rate_per_s = reader.read_rate(*rate, map->child("rate"), 0.1, 100000).value_or(0);
    }
    read_field_name(reader, *map, "entity", lookups.entity);
    for (mode m : all_modes) {
        const std::string_view name = traits_of(m).name;
        if (const YAML::Node* source = reader.require(*map, name)) {
            read_lookup_source(reader, *source, map->child(name), declared,
                               lookups.sources[static_cast<std::size_t>(m)]);
        }
    }
    return lookups;
}

}  // namespace asyncbench

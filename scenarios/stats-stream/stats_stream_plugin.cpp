// stats-stream: the events, and the check that the statistics equal them.
//  - statistics_match_events: per kind, stats_by_kind.events = the number of stored events of
//    that kind and stats_by_kind.amount = their amounts' sum. A poller that misses a row
//    committed behind its cursor breaks it (counts short); re-read rows and redelivered
//    messages cannot, since each add applies once per (event, step).
#include "scenarios/stats-stream/stats_stream_plugin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <set>

#include "harness/store/store.hpp"
#include "scenarios/json_fields.hpp"
#include "scenarios/plugin_support.hpp"

namespace asyncbench {
namespace {

struct totals {
    std::int64_t events = 0;
    std::int64_t amount = 0;
    bool operator==(const totals&) const = default;
};

bool known_kind(std::string_view kind) {
    return std::find(stats_stream::kinds.begin(), stats_stream::kinds.end(), kind) !=
           stats_stream::kinds.end();
}

}  // namespace

std::string_view stats_stream_plugin::api_path() const { return "/events"; }

generated_request stats_stream_plugin::make_request(std::uint64_t seq) const {
    const auto bits = splitmix64(seq);
    generated_request request;
    request.business_id = fmt::format("evt-{:08d}", seq);
    const auto kind = stats_stream::kinds[bits % stats_stream::kinds.size()];
    request.body = boost::json::serialize(
        boost::json::object{{"event_id", request.business_id},
                            {"kind", kind},
                            {"amount", static_cast<std::int64_t>(1 + (bits >> 8) % 500)}});
    return request;
}

std::variant<parsed_request, std::string> stats_stream_plugin::parse_request(
    std::string_view body) const {
    std::string errors;
    auto object = parse_json_object(body, errors);
    if (!object) return errors;
    auto id = required_string(*object, "event_id", 64, errors);
    auto kind = required_string(*object, "kind", 32, errors);
    auto append = [&](const std::string& why) { errors += (errors.empty() ? "" : "; ") + why; };
    if (kind && !known_kind(*kind)) {
        std::string names;
        for (auto k : stats_stream::kinds) names += (names.empty() ? "" : ", ") + std::string(k);
        append(fmt::format("kind: must be one of {}", names));
    }
    const auto* amount = object->if_contains("amount");
    if (amount == nullptr || !amount->is_int64() || amount->get_int64() < 0 ||
        amount->get_int64() > stats_stream::max_amount) {
        append(fmt::format("amount: must be an integer from 0 to {}", stats_stream::max_amount));
    }
    if (!errors.empty()) return errors;
    parsed_request request;
    request.business_id = *id;
    request.kind = *kind;
    request.payload = boost::json::serialize(
        boost::json::object{{"event_id", *id}, {"kind", *kind}, {"amount", amount->get_int64()}});
    return request;
}

std::vector<std::string> stats_stream_plugin::metric_names() const {
    return {"events_stored", "events_counted", "events_counted_minus_stored"};
}

std::vector<std::string> stats_stream_plugin::invariant_names() const {
    return {"statistics_match_events"};
}

scenario_checks stats_stream_plugin::check(scenario_state& state) const {
    const auto& scenario = state.scenario();
    std::map<std::string, totals> stored;
    for (const auto& event : state.db().rows(declared_table(scenario, "events"))) {
        auto& sum = stored[event.count("kind") ? event.at("kind") : ""];
        ++sum.events;
        sum.amount += integer_column(event, "amount");
    }
    std::map<std::string, totals> counted;
    for (const auto& row : state.db().rows(declared_table(scenario, "stats_by_kind"))) {
        counted[row.at("kind")] = {integer_column(row, "events"), integer_column(row, "amount")};
    }
    std::set<std::string> kinds;
    totals all_stored;
    totals all_counted;
    for (const auto& [kind, sum] : stored) {
        kinds.insert(kind);
        all_stored.events += sum.events;
        all_stored.amount += sum.amount;
    }
    for (const auto& [kind, sum] : counted) {
        kinds.insert(kind);
        all_counted.events += sum.events;
        all_counted.amount += sum.amount;
    }
    int differing = 0;
    std::string differences;  // the first few, named
    for (const auto& kind : kinds) {
        const totals want = stored.contains(kind) ? stored.at(kind) : totals{};
        const totals got = counted.contains(kind) ? counted.at(kind) : totals{};
        if (want == got) continue;
        if (++differing <= 3) {
            differences += fmt::format("; {}: {} events / amount {} counted for {} / {}", kind,
                                       got.events, got.amount, want.events, want.amount);
        }
    }
    scenario_checks checks;
    checks.invariants.push_back(
        {"statistics_match_events",
         fmt::format("per kind, counted events and amounts = the stored events ({} events, "
                     "amount {}, {} kinds)",
                     all_stored.events, all_stored.amount, stored.size()),
         differing == 0
             ? fmt::format("all {} kinds match", kinds.size())
             : fmt::format("{} of {} kinds differ{}", differing, kinds.size(), differences),
         differing == 0, true});
    checks.metrics.push_back({"events_stored", static_cast<double>(all_stored.events)});
    checks.metrics.push_back({"events_counted", static_cast<double>(all_counted.events)});
    checks.metrics.push_back({"events_counted_minus_stored",
                              static_cast<double>(all_counted.events - all_stored.events)});
    return checks;
}

}  // namespace asyncbench

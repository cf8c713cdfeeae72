#include "harness/watch/watch_results.hpp"

#include <fmt/format.h>

#include "harness/result/pipeline_metric_names.hpp"
#include "harness/workflow/request_fields.hpp"

namespace asyncbench {
namespace {

double ms(std::uint64_t us) { return static_cast<double>(us) / 1000.0; }

template <std::size_t N>
std::vector<scenario_metric> named(const std::array<std::string_view, N>& names,
                                   const std::array<double, N>& values) {
    std::vector<scenario_metric> metrics;
    for (std::size_t i = 0; i < N; ++i) metrics.push_back({std::string(names[i]), values[i]});
    return metrics;
}

}  // namespace

std::vector<watched_change> accepted_changes(const watcher_spec& watchers,
                                             const scenario_plugin& plugin,
                                             const std::vector<accepted_request>& accepted) {
    std::vector<watched_change> changes;
    changes.reserve(accepted.size());
    for (const auto& request : accepted) {
        if (!request.measured) continue;
        std::string error;
        const auto fields = request_fields::parse(plugin.make_request(request.seq).body, error);
        auto entity = fields ? fields->text(watchers.entity) : std::nullopt;
        auto version = fields ? fields->integer(watchers.version) : std::nullopt;
        if (!entity || !version) continue;
        changes.push_back(watched_change{*entity, *version,
                                         fields->text(watchers.state).value_or(""),
                                         request.intended_epoch_us});
    }
    return changes;
}

std::vector<scenario_metric> watch_metrics(const watch_tally& tally,
                                           const watch_counters& counters) {
    const auto& latency = tally.latency_us;
    return named(
        watch_metric_names,
        std::array<double, watch_metric_names.size()>{
            static_cast<double>(tally.changes),
            static_cast<double>(tally.pairs),
            static_cast<double>(tally.told),
            static_cast<double>(tally.merged),
            static_cast<double>(tally.missed),
            ms(latency.value_at_percentile(50)),
            ms(latency.value_at_percentile(99)),
            ms(latency.max()),
            ms(tally.all_learned_us.value_at_percentile(99)),
            static_cast<double>(tally.changes_learned_by_all),
            static_cast<double>(tally.watchers_missing_any),
            static_cast<double>(tally.most_missed_by_one),
            static_cast<double>(tally.views_wrong),
            static_cast<double>(tally.watchers_wrong),
            static_cast<double>(counters.polls),
            counters.seconds > 0 ? static_cast<double>(counters.polls) / counters.seconds : 0.0,
            static_cast<double>(counters.rows),
            static_cast<double>(counters.polls_failed),
            static_cast<double>(counters.notifications),
            static_cast<double>(counters.rereads),
            static_cast<double>(counters.reconnects),
        });
}

invariant_result watch_invariant(const watch_tally& tally, bool required) {
    invariant_result invariant;
    invariant.name = std::string(watcher_views_invariant);
    invariant.expected = fmt::format(
        "each of the {} watchers shows every incident at its last accepted change ({} changes)",
        tally.watchers, tally.changes);
    invariant.passed = tally.views_wrong == 0;
    invariant.observed =
        invariant.passed
            ? fmt::format("all {} watchers right", tally.watchers)
            : fmt::format("{} of {} watchers wrong, {} views in all; e.g. {}", tally.watchers_wrong,
                          tally.watchers, tally.views_wrong, tally.first_wrong);
    invariant.required = required;
    return invariant;
}

std::vector<scenario_metric> lookup_metrics(const load_report& lookups) {
    const auto& errors = lookups.errors;
    const std::uint64_t failed = errors.status_5xx + errors.timeout + errors.connect + errors.io;
    return named(lookup_metric_names, std::array<double, lookup_metric_names.size()>{
                                          static_cast<double>(lookups.measured_sent),
                                          ms(lookups.latency_all_us.value_at_percentile(50)),
                                          ms(lookups.latency_all_us.value_at_percentile(99)),
                                          static_cast<double>(errors.status_4xx),
                                          static_cast<double>(failed),
                                      });
}

}  // namespace asyncbench

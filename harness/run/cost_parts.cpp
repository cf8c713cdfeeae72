#include "harness/run/cost_parts.hpp"

#include <string>

#include "harness/core/thread_name.hpp"

namespace asyncbench {

std::vector<part_spec> harness_parts(pid_t pid, bool uses_kafka) {
    const auto named = [pid](const char* name, std::vector<std::string_view> prefixes,
                             bool counted) {
        return part_spec{name, pid, part_scope::named_threads,
                         std::vector<std::string>(prefixes.begin(), prefixes.end()), counted};
    };
    return {
        part_spec{"harness process", pid, part_scope::process, {}, false},
        named("front door", {api_io_thread, api_pool_thread}, true),
        // Before the consumers: their poll threads' "poll" prefixes the pollers' names too.
        named("pollers", {poller_thread_prefix}, true),
        named("consumers", {consumer_thread_prefix, poll_thread_prefix}, true),
        // Before the clients, whose "rdk:" prefixes its name: the broker's side, which a real
        // cluster runs in its own processes.
        named("embedded Kafka cluster", {embedded_broker_thread}, uses_kafka),
        named("kafka clients", {rdkafka_thread_prefix, kafka_poll_thread}, uses_kafka),
        named("mocks", {mock_io_thread, mock_delay_thread}, false),
        named("load generator", {load_generator_thread}, false),
        named("watchers", {watcher_thread_prefix}, false),
        part_spec{"harness (other)", pid, part_scope::other_threads, {}, true},
    };
}

std::optional<double> cpu_s_per_1000(double cpu_s, std::uint64_t completed) {
    if (completed == 0) return std::nullopt;
    return cpu_s / static_cast<double>(completed) * 1000.0;
}

}  // namespace asyncbench

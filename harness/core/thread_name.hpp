#pragma once
// Names of the harness's own threads, in one place. Linux shows them in
// /proc/<pid>/task/<tid>/comm (and top -H, gdb); the cost sampler (harness/run/cost_parts.hpp)
// attributes CPU to the parts of the harness process by their prefixes, so a thread named
// here is counted with its part and an unnamed one falls into "harness (other)".
#include <string_view>

namespace asyncbench {

// The front door: its HTTP I/O threads and its worker pool.
inline constexpr std::string_view api_io_thread = "api-io";
inline constexpr std::string_view api_pool_thread = "api-pool";
// The mock external systems: their HTTP I/O threads and the thread that answers after a delay.
inline constexpr std::string_view mock_io_thread = "mock-io";
inline constexpr std::string_view mock_delay_thread = "mock-delay";
// Consumer workers and their poll threads (harness/kafka) start with these.
inline constexpr std::string_view consumer_thread_prefix = "consumer";
inline constexpr std::string_view poll_thread_prefix = "poll";
// A poll stage's pollers (harness/poll): "poller-<stage>". Matched before the consumers' "poll".
inline constexpr std::string_view poller_thread_prefix = "poller";
// librdkafka names its own threads "rdk:main", "rdk:broker1", ...; our producer's poll loop
// runs the delivery callbacks.
inline constexpr std::string_view rdkafka_thread_prefix = "rdk:";
// librdkafka's embedded mock cluster (the broker side of --kafka embedded) runs as "rdk:mock".
inline constexpr std::string_view embedded_broker_thread = "rdk:mock";
inline constexpr std::string_view kafka_poll_thread = "kafka-poll";
// The watchers (harness/watch): dashboards, clients like the load, part of neither design.
inline constexpr std::string_view watcher_thread_prefix = "watcher";
// The load generator (the clients, part of neither design) while it runs.
inline constexpr std::string_view load_generator_thread = "load-gen";

// Names the calling thread. Linux keeps 15 characters: a longer name is cut, never refused.
// Never fails visibly (a thread without a name is only harder to attribute).
void name_this_thread(std::string_view name);

}  // namespace asyncbench

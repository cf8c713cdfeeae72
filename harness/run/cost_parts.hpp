#pragma once
// The parts a mode's cost is reported by (result.json `cost`, docs/result-schema.md). Inside the
// harness process, by thread name (harness/core/thread_name.hpp): the front door, consumers
// that run in the harness, Kafka's client threads (the embedded broker's too: they share the
// "rdk:" prefix and cannot be told apart), the mock external systems, and everything else
// (load generator, progress line, fault timeline, this sampler). Worker processes and local
// broker JVMs come from the system under test and the broker (their processes()).
// Pure; thread-safe.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "harness/stats/process_sampler.hpp"

namespace asyncbench {

// The parts of the harness process `pid`: first "harness process" (the whole process: its
// memory, threads and sockets; not counted, as its thread groups below break its CPU down),
// then the thread groups. The mocks are never counted (not the design under test); Kafka's
// threads only in a mode that uses Kafka (otherwise they are an idle embedded broker).
std::vector<part_spec> harness_parts(pid_t pid, bool uses_kafka);

// `cpu_s` per 1,000 `completed` requests; nullopt when none completed.
std::optional<double> cpu_s_per_1000(double cpu_s, std::uint64_t completed);

}  // namespace asyncbench

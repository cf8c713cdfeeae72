#pragma once
// Ctrl-C and SIGTERM as a flag the long commands (run, capacity, load) poll, so they stop at a
// phase boundary and still write what they measured instead of dying mid-write.
#include <atomic>

namespace asyncbench {

// Installs SIGINT and SIGTERM handlers that set the returned flag (once per process; calling
// again changes nothing). The flag lives as long as the process; reading it is thread-safe.
const std::atomic<bool>& catch_interrupts();

}  // namespace asyncbench

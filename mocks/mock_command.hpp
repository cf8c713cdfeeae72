#pragma once
// `asyncbench mock <system>`: one mock external system as a standalone process, for users who
// run the pipeline against mocks they control (or from docker compose).
#include <cstdint>
#include <string>

namespace asyncbench {

// Serves `system_name` on `address`:`port` (loopback unless the user asks: the admin endpoints
// have no authentication) until SIGINT or SIGTERM. With a config_path, its
// YAML (a system entry as in a scenario's `systems.<name>`, read with load_system_text) sets
// the operations; without, every operation answers after the built-in default of 1 ms.
// Returns 0 after a clean stop, 2 on a configuration error, an address that is not an IP
// address or a port that cannot be bound
// (the message, naming the file or the port, goes to stderr). Blocks SIGINT and SIGTERM in the
// calling thread for its duration; call it from the main thread before starting others.
int run_mock_command(const std::string& system_name, std::uint16_t port,
                     const std::string& config_path, const std::string& address = "127.0.0.1");

}  // namespace asyncbench

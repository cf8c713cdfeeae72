#pragma once
// `asyncbench worker`: consumer workers of a scenario's Kafka pipeline in a process of their
// own. The harness starts these itself when a scenario sets async.worker_processes (so faults
// can kill or pause them); users can also start more by hand to scale consumers out. The
// process speaks harness/run/worker_protocol.hpp on stdout and logs to stderr.
#include <map>
#include <string>
#include <vector>

namespace asyncbench {

struct worker_options {
    std::string scenario_path;
    std::string bootstrap_servers;
    std::string run_id;    // the group ids are asyncbench.<scenario>.<stage>.<run_id>
    std::string topic;     // the pipeline's topic as the run named it; empty: the file's
    int process = 0;       // this process's index, 0-based
    int processes = 1;     // members m with m % processes == process run here
    std::string sqlite;    // the SQLite file of the mode, or
    std::string postgres;  // a PostgreSQL URL with
    std::string schema;    // the mode's schema
    std::vector<std::string> systems;  // NAME=HOST:PORT of every mock system
    std::string redis;                 // redis://HOST:PORT when the scenario declares Redis keys
    std::string redis_prefix;          // the mode's key prefix, as the harness uses it
    std::vector<std::string> client_settings;  // -X [producer:|consumer:]NAME=VALUE
    bool static_assignment = false;            // the embedded mock cluster: no group joins
    bool exit_with_stdin = false;              // stop when stdin reaches EOF (the harness is gone)
};

// Runs until SIGTERM or SIGINT, then finishes the messages in hand, commits and leaves.
// Exit codes: 0 stopped cleanly; 2 bad arguments or scenario (before anything started);
// 1 a failure after start (Kafka or the database unreachable).
int worker_command(const worker_options& options);

}  // namespace asyncbench

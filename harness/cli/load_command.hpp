#pragma once
// `asyncbench load URL`: the run's load generator (open loop at a rate, every latency from the
// intended send time, or closed loop with N users) aimed at any HTTP service, so its figures
// can be checked against wrk2 or vegeta on the same endpoint, or a team's own service measured
// the way a run measures ours. Prints a wrk2-like summary and writes load.json (the latency
// views as result.json writes them) and latency/load-*.hgrm.
#include <string>
#include <vector>

#include "harness/load/load_generator.hpp"

namespace asyncbench {

struct load_options {
    std::string url;
    std::string rate;  // "200/s"; exclusive with users
    int users = 0;
    std::string think = "0ms";
    std::string duration = "30s";
    std::string warmup = "5s";
    std::string method = "GET";
    std::string body_file;             // the body of every request
    std::string body_template;         // the body, "{seq}" replaced by the request's number
    std::vector<std::string> headers;  // "Name: value"
    int connections = 2000;
    std::string timeout = "30s";
    std::string out = "asyncbench-load";  // folder for load.json and latency/
};

// The summary `load` prints: target and settings, both latency views (p50 ... max), send
// delay and the generator's schedule lag, requests, answers and errors by kind, rates.
std::string load_summary(const load_target& target, const load_spec& spec,
                         const load_report& report);

// Exit code: 0; 2 for bad options (every problem printed); 3 when the target never answered
// (every request a connection error) or nothing was measured.
int load_command(const load_options& options);

}  // namespace asyncbench

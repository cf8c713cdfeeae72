#pragma once
// Polling versus events: the verdict's line for a run in which some mode's stages were run by
// pollers (placement poll), from the pollers' metrics (harness/poll/poll_group.hpp) and the
// completion latency, which for a polled stage is its freshness (event sent to effect
// visible). Pure functions of the result; thread-safe.
#include <string>
#include <vector>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// Empty when no mode polled. Otherwise: freshness p50 / p99 / max per mode, then the load each
// mode put on the polled source per 1,000 accepted requests (requests, rows, bytes, rows read
// again) and its busiest second; a mode that polled nothing "asked the source nothing".
std::vector<std::string> poll_verdict_lines(const run_result& result);

}  // namespace asyncbench

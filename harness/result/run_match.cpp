#include "harness/result/run_match.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

namespace asyncbench {
namespace {

// Appends "what: baseline A, candidate B" when A != B.
template <typename T>
void differ(std::vector<std::string>& out, std::string_view what, const T& baseline,
            const T& candidate) {
    if (baseline == candidate) return;
    out.push_back(fmt::format("{}: baseline {}, candidate {}", what, baseline, candidate));
}

std::string text_or_none(const std::string& text) { return text.empty() ? "(none)" : text; }

std::string requests_text(const std::optional<std::uint64_t>& requests) {
    return requests ? fmt::format("{}", *requests) : "(no cap)";
}

std::string stages_text(const std::vector<std::string>& stages) {
    std::string out;
    for (const auto& s : stages) out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? "(none)" : out;
}

bool per_run(const std::string& key) {
    return std::find(std::begin(per_run_client_settings), std::end(per_run_client_settings), key) !=
           std::end(per_run_client_settings);
}

void differ_settings(std::vector<std::string>& out, std::string_view which,
                     const std::map<std::string, std::string>& baseline,
                     const std::map<std::string, std::string>& candidate) {
    std::set<std::string> keys;
    for (const auto& [k, v] : baseline) keys.insert(k);
    for (const auto& [k, v] : candidate) keys.insert(k);
    const auto value = [](const std::map<std::string, std::string>& m, const std::string& k) {
        const auto it = m.find(k);
        return it == m.end() ? std::string("unset") : it->second;
    };
    for (const auto& key : keys) {
        if (per_run(key)) continue;
        differ(out, fmt::format("{} setting {}", which, key), value(baseline, key),
               value(candidate, key));
    }
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
    }
    return true;
}

}  // namespace

std::string database_kind(std::string_view database) {
    if (starts_with_ci(database, "sqlite")) return "SQLite";
    if (starts_with_ci(database, "postgres")) return "PostgreSQL";
    return std::string(database);
}

std::vector<std::string> run_differences(const run_result& b, const run_result& c) {
    std::vector<std::string> out;
    differ(out, "scenario", b.scenario, c.scenario);
    const auto& bs = b.settings;
    const auto& cs = c.settings;
    differ(out, "load model", bs.load_model, cs.load_model);
    differ(out, "rate_per_s", bs.rate_per_s, cs.rate_per_s);
    differ(out, "users", bs.users, cs.users);
    differ(out, "warmup_s", bs.warmup_s, cs.warmup_s);
    differ(out, "duration_s", bs.duration_s, cs.duration_s);
    differ(out, "requests", requests_text(bs.requests), requests_text(cs.requests));
    differ(out, "sync_worker_threads", bs.sync_worker_threads, cs.sync_worker_threads);
    differ(out, "async_partitions", bs.async_partitions, cs.async_partitions);
    differ(out, "async_consumers_per_group", bs.async_consumers_per_group,
           cs.async_consumers_per_group);
    differ(out, "stages", stages_text(bs.stages), stages_text(cs.stages));
    differ(out, "async_worker_processes", bs.async_worker_processes, cs.async_worker_processes);
    differ_settings(out, "producer", bs.producer_settings, cs.producer_settings);
    differ_settings(out, "consumer", bs.consumer_settings, cs.consumer_settings);
    differ(out, "broker kind", text_or_none(b.environment.broker_kind),
           text_or_none(c.environment.broker_kind));
    differ(out, "database kind", text_or_none(database_kind(b.environment.database)),
           text_or_none(database_kind(c.environment.database)));
    return out;
}

std::vector<std::string> environment_warnings(const run_result& b, const run_result& c) {
    std::vector<std::string> raw;
    differ(raw, "host", text_or_none(b.environment.host), text_or_none(c.environment.host));
    differ(raw, "CPU", text_or_none(b.environment.cpu), text_or_none(c.environment.cpu));
    differ(raw, "cores", b.environment.cores, c.environment.cores);
    std::vector<std::string> out;
    for (const auto& line : raw) {
        out.push_back(line +
                      ": the machines differ, which moves the numbers; compare runs "
                      "made on one machine");
    }
    return out;
}

}  // namespace asyncbench

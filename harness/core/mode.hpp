#pragma once
// The two designs AsyncBench compares, as a type with its traits in one table, so code asks
// "does this mode use Kafka?" instead of comparing "sync" in thirty places. The names are the
// ones result.json, the reports and `--mode` use. Thread-safe (constants only).
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asyncbench {

enum class mode {
    sync,   // the as-is system: a thread-pool API running the workflow inside the request
    async,  // the to-be system: an API that produces to Kafka, consumer groups doing the work
};

struct mode_traits {
    mode id;
    std::string_view name;  // "sync", "async": result.json keys, report columns, --mode
    // The API answers only once the whole workflow is done, so its latency is the completion
    // latency (sync); otherwise it acknowledges first and completes later (async).
    bool answers_when_done;
    bool uses_kafka;               // needs a broker; Kafka and worker faults apply to it
    std::string_view chart_color;  // the HTML report's line colour, colour-blind safe
};

// Report order: sync first, then async.
inline constexpr std::array<mode, 2> all_modes{mode::sync, mode::async};

const mode_traits& traits_of(mode m);
inline std::string mode_name(mode m) { return std::string(traits_of(m).name); }
// nullopt for any other text.
std::optional<mode> mode_from_name(std::string_view name);

// `names` in report order: known modes as in all_modes (sync, the baseline, first), then any
// other name in the order given. result.json and every report list modes this way.
std::vector<std::string> in_report_order(const std::vector<std::string>& names);

}  // namespace asyncbench

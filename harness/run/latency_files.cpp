#include "harness/run/latency_files.hpp"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>
#include <utility>

#include "harness/stats/hgrm.hpp"

namespace asyncbench {

std::vector<std::filesystem::path> write_latency_files(const std::filesystem::path& dir,
                                                       const std::string& mode,
                                                       const mode_histograms& histograms) {
    const std::pair<const char*, const histogram*> views[] = {
        {"api-all", &histograms.api_all_us},           {"api-2xx", &histograms.api_2xx_us},
        {"completion", &histograms.completion_us},     {"send-delay", &histograms.send_delay_us},
        {"schedule-lag", &histograms.schedule_lag_us},
    };
    std::filesystem::create_directories(dir);
    std::vector<std::filesystem::path> written;
    for (const auto& [view, h] : views) {
        if (h->count() == 0) continue;  // a view without samples has no distribution
        const auto path = dir / fmt::format("{}-{}.hgrm", mode, view);
        std::ofstream out(path, std::ios::trunc);
        out << percentile_distribution(*h);
        if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
        written.push_back(path);
    }
    return written;
}

}  // namespace asyncbench

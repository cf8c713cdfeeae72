#include "harness/workflow/step_errors.hpp"

#include <algorithm>
#include <cctype>

namespace asyncbench {

namespace {

constexpr std::size_t masked_digit_run = 4;
// An example message is for a person to read; a huge driver message is cut here.
constexpr std::size_t max_example_length = 300;

}  // namespace

std::string step_error_key(std::string_view message) {
    const auto line_end = message.find('\n');
    const std::string_view line = message.substr(0, line_end);
    std::string key;
    key.reserve(line.size());
    std::size_t i = 0;
    while (i < line.size()) {
        if (!std::isdigit(static_cast<unsigned char>(line[i]))) {
            key += line[i++];
            continue;
        }
        std::size_t end = i;
        while (end < line.size() && std::isdigit(static_cast<unsigned char>(line[end]))) ++end;
        if (end - i >= masked_digit_run) {
            key += 'N';
        } else {
            key.append(line.substr(i, end - i));
        }
        i = end;
    }
    return key;
}

void step_error_tally::on_step_failed(const std::string& stage, const std::string& step,
                                      const std::string& error) {
    group_key key{stage, step, step_error_key(error)};
    std::lock_guard lock(mutex_);
    auto it = groups_.find(key);
    if (it == groups_.end()) {
        if (groups_.size() >= max_groups_) {
            key = group_key{stage, step, "(other errors)"};
            it = groups_.find(key);
        }
        if (it == groups_.end()) {
            it = groups_.emplace(std::move(key), group{error.substr(0, max_example_length), 0})
                     .first;
        }
    }
    ++it->second.count;
}

std::vector<step_error_count> step_error_tally::most_frequent(std::size_t limit) const {
    std::vector<step_error_count> out;
    {
        std::lock_guard lock(mutex_);
        out.reserve(groups_.size());
        for (const auto& [key, g] : groups_) {
            out.push_back(step_error_count{std::get<0>(key), std::get<1>(key), std::get<2>(key),
                                           g.example, g.count});
        }
    }
    // Stable: the map's order (stage, step, key) breaks ties.
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.count > b.count; });
    if (out.size() > limit) out.resize(limit);
    return out;
}

std::uint64_t step_error_tally::total() const {
    std::lock_guard lock(mutex_);
    std::uint64_t sum = 0;
    for (const auto& [key, g] : groups_) sum += g.count;
    return sum;
}

}  // namespace asyncbench

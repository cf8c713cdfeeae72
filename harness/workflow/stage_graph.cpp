#include "harness/workflow/stage_graph.hpp"

#include <algorithm>

namespace asyncbench {

scenario_config stages_in_mode(const scenario_config& scenario, mode m) {
    scenario_config copy = scenario;
    std::erase_if(copy.workflow,
                  [m](const stage_spec& stage) { return stage.where(m) == placement::none; });
    return copy;
}

std::vector<int> stage_triggers(const std::vector<stage_spec>& stages) {
    std::vector<int> triggers;
    for (std::size_t i = 0; i < stages.size(); ++i) {
        if (i == 0) {
            triggers.push_back(front_door_trigger);
        } else if (stages[i].order == stage_order::fan_out) {
            triggers.push_back(triggers[i - 1]);
        } else {
            triggers.push_back(static_cast<int>(i) - 1);
        }
    }
    return triggers;
}

std::vector<std::size_t> stages_placed(const scenario_config& scenario, mode m, placement where) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < scenario.workflow.size(); ++i) {
        if (scenario.workflow[i].where(m) == where) out.push_back(i);
    }
    return out;
}

std::string completion_topic(const scenario_config& scenario, std::size_t index) {
    return scenario.async.topic + "." + scenario.workflow[index].name;
}

std::string input_topic(const scenario_config& scenario, mode m, std::size_t index) {
    const int trigger = stage_triggers(scenario.workflow)[index];
    if (trigger == front_door_trigger ||
        scenario.workflow[static_cast<std::size_t>(trigger)].where(m) == placement::inline_stage) {
        return scenario.async.topic;
    }
    return completion_topic(scenario, static_cast<std::size_t>(trigger));
}

bool publishes_completion(const scenario_config& scenario, mode m, std::size_t index) {
    const placement where = scenario.workflow[index].where(m);
    if (where != placement::kafka && where != placement::poll) return false;
    const auto triggers = stage_triggers(scenario.workflow);
    for (std::size_t i = 0; i < triggers.size(); ++i) {
        if (triggers[i] == static_cast<int>(index) &&
            scenario.workflow[i].where(m) == placement::kafka) {
            return true;
        }
    }
    return false;
}

bool front_door_publishes(const scenario_config& scenario, mode m) {
    for (const auto i : stages_placed(scenario, m, placement::kafka)) {
        if (input_topic(scenario, m, i) == scenario.async.topic) return true;
    }
    return false;
}

std::vector<std::string> pipeline_topics(const scenario_config& scenario, mode m) {
    std::vector<std::string> topics;
    for (const auto i : stages_placed(scenario, m, placement::kafka)) {
        auto topic = input_topic(scenario, m, i);
        if (std::find(topics.begin(), topics.end(), topic) == topics.end()) {
            topics.push_back(std::move(topic));
        }
    }
    return topics;
}

std::vector<std::size_t> stages_triggered_by(const std::vector<stage_spec>& stages,
                                             std::size_t index) {
    const auto triggers = stage_triggers(stages);
    std::vector<bool> reached(stages.size(), false);
    reached[index] = true;
    std::vector<std::size_t> out;
    for (std::size_t i = index + 1; i < stages.size(); ++i) {  // triggers always point back
        if (triggers[i] != front_door_trigger && reached[static_cast<std::size_t>(triggers[i])]) {
            reached[i] = true;
            out.push_back(i);
        }
    }
    return out;
}

}  // namespace asyncbench

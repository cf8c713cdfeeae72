#pragma once
// Which event each stage of a workflow consumes, and so where each stage runs in a mode and in
// what order. Pure functions of the validated scenario; thread-safe (no state).
//
// A stage's trigger is the stage whose completion sets it off: the previous stage when it
// `follows` (the default), the previous stage's own trigger when it is a `fan_out` consumer of
// the same event, and the front door (the accepted request) for the first stage. A Kafka
// stage whose trigger ran inside the request reads the front door's topic; one whose trigger
// is a Kafka stage reads the event that stage publishes when it completes an id.
#include <cstddef>
#include <string>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/core/mode.hpp"

namespace asyncbench {

// The scenario as mode `m` runs it: the workflow without the stages placed `none` in `m`. The
// runner and the worker processes hand each mode this copy, so everything downstream (indices,
// triggers, topics, reconciliation) sees only the mode's own stages.
scenario_config stages_in_mode(const scenario_config& scenario, mode m);

// The trigger of a stage that starts from the accepted request.
inline constexpr int front_door_trigger = -1;

// Per stage (workflow order): the index of its trigger stage, or front_door_trigger.
std::vector<int> stage_triggers(const std::vector<stage_spec>& stages);

// Indices of the stages placed `where` in mode `m`, in workflow order.
std::vector<std::size_t> stages_placed(const scenario_config& scenario, mode m, placement where);

// The topic Kafka stage `index` reads in mode `m`: async.topic when its trigger is the front
// door or ran inline, else "<async.topic>.<trigger stage>".
std::string input_topic(const scenario_config& scenario, mode m, std::size_t index);

// Whether stage `index` (a Kafka or poll stage) must publish an event when it completes an id
// in mode `m`: some Kafka stage's input is that event.
bool publishes_completion(const scenario_config& scenario, mode m, std::size_t index);

// The topic stage `index` publishes its completions to (meaningful when it publishes).
std::string completion_topic(const scenario_config& scenario, std::size_t index);

// Whether the front door produces the accepted request to Kafka in mode `m`: some Kafka stage
// reads it (its trigger is the front door or an inline stage). Not when the only Kafka stages
// follow a poll stage, which publishes what it finds.
bool front_door_publishes(const scenario_config& scenario, mode m);

// Every topic the mode's Kafka stages read, front door's first, each once.
std::vector<std::string> pipeline_topics(const scenario_config& scenario, mode m);

// The stages that can no longer run for an id once stage `index` ended other than completed
// (dead-lettered or rejected): those it triggers, directly or through others.
std::vector<std::size_t> stages_triggered_by(const std::vector<stage_spec>& stages,
                                             std::size_t index);

}  // namespace asyncbench

#pragma once
// The reader and executor of each step kind, listed once in harness/workflow/step_kinds.cpp.
// Each pair lives in its own file of this folder.
#include "harness/workflow/step_kinds.hpp"

namespace asyncbench {

void read_call_step(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                    step_spec& step);
step_result run_call_step(step_context& context, const step_spec& step, const work_item& item);

void read_db_step(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                  step_spec& step);
step_result run_db_step(step_context& context, const step_spec& step, const work_item& item);

void read_redis_step(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                     step_spec& step);
step_result run_redis_step(step_context& context, const step_spec& step, const work_item& item);

}  // namespace asyncbench

#pragma once
// Reading of a scenario's `workflow` (stages, steps, placement, order) and of what its steps
// refer to: the declared `tables` and `redis` keys. Step kinds come from one table
// (harness/config/step_kinds.hpp).
#include <set>
#include <string>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/config/step_kinds.hpp"
#include "harness/config/yaml_reader.hpp"

namespace asyncbench {

// The `tables` map: {<name>: {key: <column>, columns: {<column>: text|integer}}}.
std::vector<table_spec> read_tables(yaml_reader& reader, const YAML::Node& node,
                                    const std::string& path);

// The `redis` map: {<key>: sorted_set | queue | state | channel}.
std::vector<redis_key_spec> read_redis_keys(yaml_reader& reader, const YAML::Node& node,
                                            const std::string& path);

// The `workflow` list. Errors go to `reader`; on errors the result must be discarded. Refuses,
// with the line of the offending key: unknown kinds and keys, references to undeclared
// systems, tables, columns and Redis keys, an inline stage after a Kafka stage in a mode, a
// Kafka stage in a mode without Kafka, a first stage that fans out, and a workflow that can
// never complete (two inserts of the business id's row into one table).
std::vector<stage_spec> read_workflow(yaml_reader& reader, const YAML::Node& node,
                                      const std::string& path, const step_declarations& declared);

}  // namespace asyncbench

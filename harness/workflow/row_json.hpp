#pragma once
// A declared table's row as a JSON object: integer and written_at columns as numbers, text as
// strings (invalid UTF-8 replaced, as every JSON answer of ours), columns the row lacks left
// out. What the front door's read API sends (api_request.hpp, feed_response_body) and what a
// poll stage's steps read as the request's fields. Pure functions; thread-safe.
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "harness/store/store.hpp"

namespace asyncbench {

// Throws std::invalid_argument naming the table, the row's key and the column when an integer
// column holds something else: the store never writes that, so it is a broken contract.
boost::json::object row_json(const table_spec& table, const row_values& row);

// The reverse, for a poller reading the API: numbers as decimal text, strings as they are.
// nullopt when a value is neither (an array, an object, a fraction).
std::optional<row_values> row_from_json(const boost::json::object& object);

}  // namespace asyncbench

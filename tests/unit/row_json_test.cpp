// A declared table's row as JSON and back (harness/workflow/row_json.hpp): what a poll stage's
// steps read as the request's fields, and what a poller makes of the read API's rows.
#include "harness/workflow/row_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace asyncbench {
namespace {

table_spec events_table() {
    table_spec table;
    table.name = "events";
    table.key = "event_id";
    table.columns = {{"kind", column_spec::type::text},
                     {"amount", column_spec::type::integer},
                     {"recorded_at", column_spec::type::written_at},
                     {"note", column_spec::type::text}};
    return table;
}

TEST(row_json, integer_and_written_at_columns_are_numbers_and_text_stays_a_string) {
    const auto object = row_json(events_table(), {{"event_id", "evt-1"},
                                                  {"kind", "42"},  // text, though it looks numeric
                                                  {"amount", "-120"},
                                                  {"recorded_at", "1700000000123456"}});
    ASSERT_TRUE(object.at("event_id").is_string());
    EXPECT_EQ(object.at("event_id").as_string(), "evt-1");
    ASSERT_TRUE(object.at("kind").is_string());
    EXPECT_EQ(object.at("kind").as_string(), "42");
    ASSERT_TRUE(object.at("amount").is_int64());
    EXPECT_EQ(object.at("amount").as_int64(), -120);
    ASSERT_TRUE(object.at("recorded_at").is_int64());
    EXPECT_EQ(object.at("recorded_at").as_int64(), 1700000000123456);
    // `note` is NULL in the row: left out, not written as null or "".
    EXPECT_FALSE(object.contains("note"));
    EXPECT_EQ(object.size(), 4u);
}

TEST(row_json, columns_the_table_does_not_declare_are_left_out) {
    const auto object =
        row_json(events_table(), {{"event_id", "evt-2"}, {"amount", "5"}, {"secret", "x"}});
    EXPECT_FALSE(object.contains("secret"));
    EXPECT_EQ(object.size(), 2u);
}

TEST(row_json, an_integer_column_holding_text_breaks_the_contract_loudly) {
    // The store promises integers there; a row that breaks that is named, never sent as text
    // a step would then misread.
    try {
        row_json(events_table(), {{"event_id", "evt-3"}, {"amount", "12x"}});
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("evt-3"), std::string::npos) << what;
        EXPECT_NE(what.find("amount"), std::string::npos) << what;
    }
}

TEST(row_json, invalid_utf8_in_text_is_replaced_so_the_json_stays_valid) {
    const auto object = row_json(events_table(), {{"event_id", "evt-\xff"}, {"kind", "a\xc3"}});
    const auto text = boost::json::serialize(object);
    boost::system::error_code error;
    boost::json::parse(text, error);
    EXPECT_FALSE(error) << text;
}

TEST(row_json, a_row_survives_the_trip_through_json_text) {
    const table_spec table = events_table();
    const row_values original{{"event_id", "evt-4"},
                              {"kind", "refund"},
                              {"amount", "0"},
                              {"recorded_at", "1700000000000001"},
                              {"note", "caf\xc3\xa9 \"quoted\""}};
    // Through the serialized text, as the read API sends it.
    const auto text = boost::json::serialize(row_json(table, original));
    const auto parsed = boost::json::parse(text);
    const auto back = row_from_json(parsed.as_object());
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, original);
}

TEST(row_json, null_is_an_absent_column_and_large_numbers_stay_exact) {
    const auto back = row_from_json(boost::json::parse(R"({"event_id": "evt-5", "note": null,
        "amount": 9223372036854775807, "big": 18446744073709551615, "low": -5})")
                                        .as_object());
    ASSERT_TRUE(back.has_value());
    EXPECT_FALSE(back->contains("note"));
    EXPECT_EQ(back->at("amount"), "9223372036854775807");
    EXPECT_EQ(back->at("big"), "18446744073709551615");
    EXPECT_EQ(back->at("low"), "-5");
}

TEST(row_json, a_value_that_is_not_a_string_or_an_integer_refuses_the_row) {
    for (const char* body :
         {R"({"event_id": "evt-6", "tags": ["a", "b"]})",
          R"({"event_id": "evt-6", "nested": {"a": 1}})", R"({"event_id": "evt-6", "amount": 1.5})",
          R"({"event_id": "evt-6", "paid": true})"}) {
        EXPECT_FALSE(row_from_json(boost::json::parse(body).as_object()).has_value()) << body;
    }
}

}  // namespace
}  // namespace asyncbench

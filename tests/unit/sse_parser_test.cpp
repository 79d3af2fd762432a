// SPDX-License-Identifier: MIT
/// \file
/// Tests of `sse_parser`: line ends, fields, dispatch rules and input split
/// into pieces at every byte offset.
#include <grok/sdk/sse.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sdk = grok::sdk;

namespace {

/// Formats an event as one line, so that event lists compare as strings
/// and a mismatch prints readably.
std::string describe(const sdk::sse_event& event) {
  return "event=" + event.event + " id=" + event.id + " data=[" + event.data + "]";
}

/// Collects the described events of one parser run.
struct event_log {
  std::vector<std::string> events;

  sdk::sse_parser::handler handler() {
    return [this](const sdk::sse_event& event) { events.push_back(describe(event)); };
  }
};

/// Parses `pieces` in order, then calls `finish`.
std::vector<std::string> parse_pieces(const std::vector<std::string_view>& pieces) {
  sdk::sse_parser parser;
  event_log log;
  const auto on_event = log.handler();
  for (std::string_view piece : pieces)
    parser.feed(piece, on_event);
  parser.finish(on_event);
  return log.events;
}

std::vector<std::string> parse_whole(std::string_view stream) { return parse_pieces({stream}); }

/// A stream that mixes every line end, field form and comment the parser
/// handles. The last event has neither a line end nor a blank line.
constexpr std::string_view reference_stream =
    "\xEF\xBB\xBF"
    ": keep-alive\r\n"
    "\r\n"
    "event: greeting\r\n"
    "id: 1\r\n"
    "data: hello\r\n"
    "\r\n"
    "data:no space\n"
    "retry: 3000\n"
    "\n"
    "data: line one\r"
    "data: line two\r"
    "data:  leading space kept\r"
    "\r"
    ":comment without space\n"
    "event: unicode\n"
    "id: 2\n"
    "data: \xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x8C\x8D\xF0\x9F\x8E\x89\r\n"
    "\r\n"
    "id: 3\n"
    "data: [DONE]";

const std::vector<std::string> reference_events = {
    "event=greeting id=1 data=[hello]",
    "event= id=1 data=[no space]",
    "event= id=1 data=[line one\nline two\n leading space kept]",
    "event=unicode id=2 data=[\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C "
    "\xF0\x9F\x8C\x8D\xF0\x9F\x8E\x89]",
    "event= id=3 data=[[DONE]]",
};

} // namespace

BOOST_AUTO_TEST_SUITE(sse_parser)

BOOST_AUTO_TEST_CASE(reference_stream_whole) {
  const auto events = parse_whole(reference_stream);
  BOOST_TEST(events == reference_events, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reference_stream_split_in_two) {
  for (std::size_t offset = 0; offset <= reference_stream.size(); ++offset) {
    const auto events =
        parse_pieces({reference_stream.substr(0, offset), reference_stream.substr(offset)});
    BOOST_TEST(events == reference_events, "split at byte " << offset);
  }
}

BOOST_AUTO_TEST_CASE(reference_stream_byte_by_byte) {
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; i < reference_stream.size(); ++i)
    pieces.push_back(reference_stream.substr(i, 1));
  const auto events = parse_pieces(pieces);
  BOOST_TEST(events == reference_events, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(crlf_across_pieces_one_line_end) {
  // Were the CR and the LF two line ends, the LF would make an empty line
  // and dispatch "a" alone.
  const auto events = parse_pieces({"data: a\r", "\ndata: b\r\n\r\n"});
  const std::vector<std::string> expected = {"event= id= data=[a\nb]"};
  BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cr_then_crlf_two_line_ends) {
  const auto events = parse_pieces({"data: a\r", "\r", "\n", "data: b\n\n"});
  const std::vector<std::string> expected = {"event= id= data=[a]", "event= id= data=[b]"};
  BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(event_without_data_dropped) {
  const auto events = parse_whole("event: ping\n\n");
  BOOST_TEST(events.empty(), "an event with no data line was dispatched");
}

BOOST_AUTO_TEST_CASE(dropped_event_name_reset) {
  // The event name of an event without data must not leak into the next.
  const auto events = parse_whole("event: ping\n\ndata: x\n\n");
  const std::vector<std::string> expected = {"event= id= data=[x]"};
  BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(empty_data_line_dispatched) {
  const auto events = parse_whole("data:\n\ndata: \n\ndata\n\n");
  const std::vector<std::string> expected = {
      "event= id= data=[]",
      "event= id= data=[]",
      "event= id= data=[]",
  };
  BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(empty_data_lines_joined) {
  const auto events = parse_whole("data:\ndata:\n\n");
  const std::vector<std::string> expected = {"event= id= data=[\n]"};
  BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(two_events_back_to_back) {
  const auto events = parse_whole("data: one\n\ndata: two\n\n");
  const std::vector<std::string> expected = {"event= id= data=[one]", "event= id= data=[two]"};
  BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(feed_dispatches_before_finish) {
  sdk::sse_parser parser;
  event_log log;
  parser.feed("data: one\n\ndata: two\n", log.handler());
  const std::vector<std::string> expected = {"event= id= data=[one]"};
  BOOST_TEST(log.events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(finish_dispatches_terminated_line) {
  // The last data line has its line end but the blank line is missing.
  const auto events = parse_whole("data: tail\n");
  const std::vector<std::string> expected = {"event= id= data=[tail]"};
  BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(finish_without_event_silent) {
  const auto events = parse_whole("data: one\n\n: trailing comment\n");
  const std::vector<std::string> expected = {"event= id= data=[one]"};
  BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(parser_reusable_after_finish) {
  sdk::sse_parser parser;
  event_log log;
  const auto on_event = log.handler();
  parser.feed("event: first\ndata: a", on_event);
  parser.finish(on_event);
  parser.feed("\xEF\xBB\xBF" "data: b\n\n", on_event);
  parser.finish(on_event);
  const std::vector<std::string> expected = {"event=first id= data=[a]", "event= id= data=[b]"};
  BOOST_TEST(log.events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(id_persists_across_events) {
  const auto events = parse_whole("id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n");
  const std::vector<std::string> expected = {
      "event= id=7 data=[a]",
      "event= id=7 data=[b]",
      "event= id= data=[c]",
  };
  BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(id_with_nul_ignored) {
  const std::string stream = std::string("id: 1\ndata: a\n\nid: 2") + '\0' + "x\ndata: b\n\n";
  const auto events = parse_whole(stream);
  const std::vector<std::string> expected = {"event= id=1 data=[a]", "event= id=1 data=[b]"};
  BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unknown_fields_ignored) {
  const auto events = parse_whole("foo: bar\nretry: 10\ndata: a\nDATA: b\n\n");
  const std::vector<std::string> expected = {"event= id= data=[a]"};
  BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(only_first_bom_skipped) {
  // A second byte order mark is ordinary data: it starts an unknown field.
  const auto events = parse_whole("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\ndata: b\n\n");
  const std::vector<std::string> expected = {"event= id= data=[b]"};
  BOOST_TEST(events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bom_prefix_alone_ignored) {
  const auto events = parse_pieces({"\xEF", "\xBB"});
  BOOST_TEST(events.empty());
}

BOOST_AUTO_TEST_SUITE_END()

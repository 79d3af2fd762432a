// SPDX-License-Identifier: MIT
/// \file
/// Tests of the Chat Completions request body, the streaming decoder and
/// error body parsing.
#include <grok/sdk/error.hpp>
#include <grok/sdk/openai_chat.hpp>
#include <grok/sdk/utf8.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sdk = grok::sdk;
namespace openai = grok::sdk::openai;
namespace json = boost::json;

namespace {

std::string kind_name(sdk::chat_event_kind kind) {
  switch (kind) {
  case sdk::chat_event_kind::invalid: return "invalid";
  case sdk::chat_event_kind::text_delta: return "text";
  case sdk::chat_event_kind::reasoning_delta: return "reasoning";
  case sdk::chat_event_kind::tool_call_delta: return "tool";
  case sdk::chat_event_kind::usage: return "usage";
  case sdk::chat_event_kind::finish: return "finish";
  }
  return "unknown";
}

/// Formats an event as one line with the fields its kind uses, so that
/// event lists compare as strings and a mismatch prints readably.
std::string describe(const sdk::chat_event& event) {
  std::string line = kind_name(event.kind);
  switch (event.kind) {
  case sdk::chat_event_kind::text_delta:
  case sdk::chat_event_kind::reasoning_delta:
    line += " [" + std::string(event.text) + "]";
    break;
  case sdk::chat_event_kind::tool_call_delta:
    line += " index=" + std::to_string(event.tool_index) + " id=" + std::string(event.tool_id) +
            " name=" + std::string(event.tool_name) + " [" + std::string(event.text) + "]";
    break;
  case sdk::chat_event_kind::usage:
    line += " input=" + std::to_string(event.usage.input_tokens) +
            " output=" + std::to_string(event.usage.output_tokens) +
            " reasoning=" + std::to_string(event.usage.reasoning_tokens) +
            " cached=" + std::to_string(event.usage.cached_input_tokens) +
            " total=" + std::to_string(event.usage.total_tokens);
    break;
  case sdk::chat_event_kind::finish:
    line += " " + std::string(event.finish_reason);
    break;
  case sdk::chat_event_kind::invalid:
    break;
  }
  return line;
}

/// One tool call assembled from its deltas.
struct assembled_call {
  std::string id;
  std::string name;
  std::string arguments;
};

/// Records every event it receives. The views in an event are valid only
/// during `on_event`, so it copies them.
class recording_sink final : public sdk::chat_sink {
public:
  std::vector<std::string> events;
  std::string text;
  std::string reasoning;
  std::map<std::uint32_t, assembled_call> calls;
  int completions = 0;

  void on_event(const sdk::chat_event& event) override {
    events.push_back(describe(event));
    if (event.kind == sdk::chat_event_kind::text_delta)
      text += event.text;
    if (event.kind == sdk::chat_event_kind::reasoning_delta)
      reasoning += event.text;
    if (event.kind == sdk::chat_event_kind::tool_call_delta) {
      auto& call = calls[event.tool_index];
      if (!event.tool_id.empty())
        call.id = event.tool_id;
      if (!event.tool_name.empty())
        call.name = event.tool_name;
      call.arguments += event.text;
    }
  }

  void on_complete(const sdk::chat_result&) override { ++completions; }
};

/// The outcome of decoding a whole body.
struct decode_result {
  std::error_code feed_error;
  std::error_code finish_error;
  std::string error_message;
  std::string finish_reason;
  sdk::token_usage usage;
  bool done = false;
};

/// Feeds `pieces` in order, stopping at the first error, then finishes.
decode_result decode(const std::vector<std::string_view>& pieces, recording_sink& sink) {
  openai::chat_stream_decoder decoder;
  decode_result result;
  for (std::string_view piece : pieces) {
    result.feed_error = decoder.feed(piece, sink);
    if (result.feed_error)
      break;
  }
  result.finish_error = decoder.finish(sink);
  result.error_message = decoder.error_message();
  result.finish_reason = decoder.finish_reason();
  result.usage = decoder.usage();
  result.done = decoder.done();
  return result;
}

/// A text response as xAI and OpenAI stream it: a role chunk, content
/// chunks, a finish chunk, a usage chunk without choices, and the end
/// marker.
constexpr std::string_view text_stream =
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1733300000,"
    "\"model\":\"grok-4\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
    "\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1733300000,"
    "\"model\":\"grok-4\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},"
    "\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1733300000,"
    "\"model\":\"grok-4\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\", w\xC3\xB6rld "
    "\xF0\x9F\x8C\x8D\\n\"},\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1733300000,"
    "\"model\":\"grok-4\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
    "\"usage\":null}\n\n"
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1733300000,"
    "\"model\":\"grok-4\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,"
    "\"completion_tokens\":5,\"total_tokens\":17,\"prompt_tokens_details\":"
    "{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":2}}}\n\n"
    "data: [DONE]\n\n";

const std::vector<std::string> text_stream_events = {
    "text [Hello]",
    "text [, w\xC3\xB6rld \xF0\x9F\x8C\x8D\n]",
    "finish stop",
    "usage input=12 output=5 reasoning=2 cached=4 total=17",
};

/// Two parallel tool calls, OpenAI style: the first delta of each call has
/// its id, name and empty arguments, and later deltas only the index and a
/// fragment. The fragments of the two calls interleave.
constexpr std::string_view fragmented_tool_stream =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,"
    "\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":"
    "{\"name\":\"read_file\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
    "{\"arguments\":\"{\\\"pa\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\","
    "\"type\":\"function\",\"function\":{\"name\":\"list_folder\",\"arguments\":\"\"}}]},"
    "\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":"
    "{\"arguments\":\"{\\\"path\\\":\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
    "{\"arguments\":\"th\\\":\\\"src/a.cpp\\\"}\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":"
    "{\"arguments\":\"\\\".\\\"}\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: [DONE]\n\n";

/// A tool call as xAI sends it: whole, in one chunk.
constexpr std::string_view whole_tool_stream =
    "data: {\"id\":\"x1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
    "\"tool_calls\":[{\"id\":\"call_x\",\"function\":{\"name\":\"search\",\"arguments\":"
    "\"{\\\"query\\\":\\\"boost json\\\"}\"},\"index\":0,\"type\":\"function\"}]},"
    "\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: [DONE]\n\n";

/// Visible reasoning from xAI (`reasoning_content`) and from Ollama
/// (`reasoning`), then the content.
constexpr std::string_view reasoning_stream =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
    "\"reasoning_content\":\"First, \"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"check the file.\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Done.\"},"
    "\"finish_reason\":\"stop\"}]}\n\n"
    "data: [DONE]\n\n";

} // namespace

BOOST_AUTO_TEST_SUITE(openai_chat)

BOOST_AUTO_TEST_CASE(text_stream_events_match) {
  recording_sink sink;
  const auto result = decode({text_stream}, sink);
  BOOST_TEST(!result.feed_error, result.feed_error.message());
  BOOST_TEST(!result.finish_error, result.error_message);
  BOOST_TEST(sink.events == text_stream_events, boost::test_tools::per_element());
  BOOST_TEST(sink.text == "Hello, w\xC3\xB6rld \xF0\x9F\x8C\x8D\n");
}

BOOST_AUTO_TEST_CASE(text_stream_finish_and_usage) {
  recording_sink sink;
  const auto result = decode({text_stream}, sink);
  BOOST_TEST(result.done);
  BOOST_TEST(result.finish_reason == "stop");
  BOOST_TEST(result.usage.input_tokens == 12u);
  BOOST_TEST(result.usage.output_tokens == 5u);
  BOOST_TEST(result.usage.total_tokens == 17u);
  BOOST_TEST(result.usage.reasoning_tokens == 2u);
  BOOST_TEST(result.usage.cached_input_tokens == 4u);
}

BOOST_AUTO_TEST_CASE(decoder_never_completes_sink) {
  // Completing the sink is the provider's job, not the decoder's.
  recording_sink sink;
  decode({text_stream}, sink);
  BOOST_TEST(sink.completions == 0);
}

BOOST_AUTO_TEST_CASE(text_stream_split_everywhere) {
  for (std::size_t offset = 0; offset <= text_stream.size(); ++offset) {
    recording_sink sink;
    const auto result = decode({text_stream.substr(0, offset), text_stream.substr(offset)}, sink);
    BOOST_TEST(sink.events == text_stream_events, "split at byte " << offset);
    BOOST_TEST(!result.finish_error, "split at byte " << offset << ": " << result.error_message);
  }
}

BOOST_AUTO_TEST_CASE(tool_stream_split_everywhere) {
  recording_sink whole_sink;
  decode({fragmented_tool_stream}, whole_sink);
  for (std::size_t offset = 0; offset <= fragmented_tool_stream.size(); ++offset) {
    recording_sink sink;
    const auto result = decode(
        {fragmented_tool_stream.substr(0, offset), fragmented_tool_stream.substr(offset)}, sink);
    BOOST_TEST(sink.events == whole_sink.events, "split at byte " << offset);
    BOOST_TEST(!result.finish_error, "split at byte " << offset << ": " << result.error_message);
  }
}

BOOST_AUTO_TEST_CASE(fragmented_tool_calls_assemble) {
  recording_sink sink;
  const auto result = decode({fragmented_tool_stream}, sink);
  BOOST_TEST(!result.finish_error, result.error_message);
  BOOST_TEST(result.finish_reason == "tool_calls");
  BOOST_TEST_REQUIRE(sink.calls.size() == 2u);

  const auto& first = sink.calls.at(0);
  BOOST_TEST(first.id == "call_a");
  BOOST_TEST(first.name == "read_file");
  BOOST_TEST(first.arguments == R"({"path":"src/a.cpp"})");

  const auto& second = sink.calls.at(1);
  BOOST_TEST(second.id == "call_b");
  BOOST_TEST(second.name == "list_folder");
  BOOST_TEST(second.arguments == R"({"path":"."})");
}

BOOST_AUTO_TEST_CASE(fragmented_arguments_parse_as_json) {
  recording_sink sink;
  decode({fragmented_tool_stream}, sink);
  for (const auto& [index, call] : sink.calls) {
    boost::system::error_code parse_error;
    const json::value arguments = json::parse(call.arguments, parse_error);
    BOOST_TEST(!parse_error, "call " << index << " arguments: " << call.arguments);
    BOOST_TEST(arguments.is_object(), "call " << index << " arguments: " << call.arguments);
  }
}

BOOST_AUTO_TEST_CASE(fragment_events_carry_index) {
  recording_sink sink;
  decode({fragmented_tool_stream}, sink);
  const std::vector<std::string> expected = {
      "tool index=0 id=call_a name=read_file []",
      "tool index=0 id= name= [{\"pa]",
      "tool index=1 id=call_b name=list_folder []",
      "tool index=1 id= name= [{\"path\":]",
      "tool index=0 id= name= [th\":\"src/a.cpp\"}]",
      "tool index=1 id= name= [\".\"}]",
      "finish tool_calls",
  };
  BOOST_TEST(sink.events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(whole_tool_call_one_chunk) {
  recording_sink sink;
  const auto result = decode({whole_tool_stream}, sink);
  BOOST_TEST(!result.finish_error, result.error_message);
  const std::vector<std::string> expected = {
      "tool index=0 id=call_x name=search [{\"query\":\"boost json\"}]",
      "finish tool_calls",
  };
  BOOST_TEST(sink.events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reasoning_fields_become_reasoning) {
  recording_sink sink;
  const auto result = decode({reasoning_stream}, sink);
  BOOST_TEST(!result.finish_error, result.error_message);
  const std::vector<std::string> expected = {
      "reasoning [First, ]",
      "reasoning [check the file.]",
      "text [Done.]",
      "finish stop",
  };
  BOOST_TEST(sink.events == expected, boost::test_tools::per_element());
  BOOST_TEST(sink.reasoning == "First, check the file.");
}

BOOST_AUTO_TEST_CASE(missing_done_is_truncated) {
  constexpr std::string_view stream =
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n";
  recording_sink sink;
  const auto result = decode({stream}, sink);
  BOOST_TEST(!result.feed_error);
  BOOST_TEST((result.finish_error == sdk::errc::stream_truncated), result.finish_error.message());
  BOOST_TEST(!result.done);
  BOOST_TEST(!result.error_message.empty());
  BOOST_TEST(sink.text == "Hel", "text before the cut was lost");
}

BOOST_AUTO_TEST_CASE(done_without_blank_line_completes) {
  // Servers often omit the blank line after the end marker.
  constexpr std::string_view stream =
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\ndata: [DONE]";
  recording_sink sink;
  const auto result = decode({stream}, sink);
  BOOST_TEST(!result.finish_error, result.error_message);
  BOOST_TEST(result.done);
}

BOOST_AUTO_TEST_CASE(error_event_returns_message) {
  constexpr std::string_view stream =
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
      "data: {\"error\":{\"message\":\"Rate limit reached for grok-4\","
      "\"type\":\"rate_limit_error\"}}\n\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there\"}}]}\n\n"
      "data: [DONE]\n\n";
  recording_sink sink;
  const auto result = decode({stream}, sink);
  BOOST_TEST((result.feed_error == sdk::errc::invalid_response), result.feed_error.message());
  BOOST_TEST((result.finish_error == sdk::errc::invalid_response), result.finish_error.message());
  BOOST_TEST(result.error_message.find("Rate limit reached for grok-4") != std::string::npos,
             result.error_message);
  BOOST_TEST(sink.text == "Hi", "events after the error were emitted");
}

BOOST_AUTO_TEST_CASE(non_json_event_is_error) {
  constexpr std::string_view stream = "data: <html>Bad Gateway</html>\n\ndata: [DONE]\n\n";
  recording_sink sink;
  const auto result = decode({stream}, sink);
  BOOST_TEST((result.feed_error == sdk::errc::invalid_response), result.feed_error.message());
  BOOST_TEST(result.error_message.find("Bad Gateway") != std::string::npos, result.error_message);
  BOOST_TEST(sink.events.empty());
}

BOOST_AUTO_TEST_CASE(json_array_event_is_error) {
  constexpr std::string_view stream = "data: [1,2]\n\ndata: [DONE]\n\n";
  recording_sink sink;
  const auto result = decode({stream}, sink);
  BOOST_TEST((result.feed_error == sdk::errc::invalid_response), result.feed_error.message());
}

BOOST_AUTO_TEST_CASE(build_body_has_request_fields) {
  sdk::chat_request request;
  request.model = "grok-4";
  request.messages.push_back({"system", "Be brief.", {}, {}});
  request.messages.push_back({"user", "List the folder.", {}, {}});
  request.messages.push_back(
      {"assistant", "", {{"call_1", "list_folder", R"({"path":"."})"}}, {}});
  request.messages.push_back({"tool", "a.cpp\nb.cpp", {}, "call_1"});
  request.tools.push_back({"list_folder", "Lists the files of a folder.",
                           R"({"type":"object","properties":{"path":{"type":"string"}}})"});
  request.max_output_tokens = 256;

  const json::value body = json::parse(openai::build_chat_body(request));
  BOOST_TEST(body.at("model").as_string() == "grok-4");
  BOOST_TEST(body.at("stream").as_bool());
  BOOST_TEST(body.at("stream_options").at("include_usage").as_bool());
  BOOST_TEST(body.at("max_tokens").to_number<std::int64_t>() == 256);
  BOOST_TEST(body.as_object().if_contains("temperature") == nullptr);

  const auto& messages = body.at("messages").as_array();
  BOOST_TEST_REQUIRE(messages.size() == 4u);
  BOOST_TEST(messages[0].at("role").as_string() == "system");
  BOOST_TEST(messages[0].at("content").as_string() == "Be brief.");
  BOOST_TEST(messages[1].at("role").as_string() == "user");
  BOOST_TEST(messages[1].at("content").as_string() == "List the folder.");
  BOOST_TEST(messages[2].at("role").as_string() == "assistant");
  BOOST_TEST(messages[2].at("content").is_null());
  BOOST_TEST(messages[2].at("tool_calls").at(0).at("id").as_string() == "call_1");
  BOOST_TEST(messages[2].at("tool_calls").at(0).at("type").as_string() == "function");
  BOOST_TEST(messages[2].at("tool_calls").at(0).at("function").at("name").as_string() ==
             "list_folder");
  BOOST_TEST(messages[2].at("tool_calls").at(0).at("function").at("arguments").as_string() ==
             R"({"path":"."})");
  BOOST_TEST(messages[3].at("role").as_string() == "tool");
  BOOST_TEST(messages[3].at("content").as_string() == "a.cpp\nb.cpp");
  BOOST_TEST(messages[3].at("tool_call_id").as_string() == "call_1");

  const auto& tools = body.at("tools").as_array();
  BOOST_TEST_REQUIRE(tools.size() == 1u);
  BOOST_TEST(tools[0].at("type").as_string() == "function");
  BOOST_TEST(tools[0].at("function").at("name").as_string() == "list_folder");
  BOOST_TEST(tools[0].at("function").at("description").as_string() ==
             "Lists the files of a folder.");
  BOOST_TEST(tools[0].at("function").at("parameters").at("type").as_string() == "object");
  BOOST_TEST(tools[0].at("function").at("parameters").at("properties").at("path").at("type")
                 .as_string() == "string");
}

BOOST_AUTO_TEST_CASE(build_body_honours_options) {
  sdk::chat_request request;
  request.model = "gpt-5";
  request.messages.push_back({"user", "Hi", {}, {}});
  request.max_output_tokens = 100;
  request.temperature = 0.25;
  openai::body_options options;
  options.max_tokens_field = "max_completion_tokens";
  options.include_usage = false;

  const json::value body = json::parse(openai::build_chat_body(request, options));
  const auto& object = body.as_object();
  BOOST_TEST(body.at("stream").as_bool());
  BOOST_TEST(object.if_contains("stream_options") == nullptr);
  BOOST_TEST(object.if_contains("max_tokens") == nullptr);
  BOOST_TEST(body.at("max_completion_tokens").to_number<std::int64_t>() == 100);
  BOOST_TEST(body.at("temperature").to_number<double>() == 0.25);
  BOOST_TEST(object.if_contains("tools") == nullptr, "an empty tool list was sent");
}

BOOST_AUTO_TEST_CASE(error_body_openai_shape) {
  BOOST_TEST(openai::error_message_from_body(R"({"error":{"message":"m","type":"t"}})") == "m");
}

BOOST_AUTO_TEST_CASE(error_body_xai_shape) {
  BOOST_TEST(openai::error_message_from_body(R"({"code":"c","error":"m"})") == "m");
}

BOOST_AUTO_TEST_CASE(error_body_ollama_shape) {
  BOOST_TEST(openai::error_message_from_body(R"({"error":"m"})") == "m");
}

BOOST_AUTO_TEST_CASE(error_body_plain_text) {
  BOOST_TEST(openai::error_message_from_body("  Bad Gateway\r\n") == "Bad Gateway");
  BOOST_TEST(openai::error_message_from_body("upstream\nconnect error") ==
             "upstream connect error");
}

BOOST_AUTO_TEST_CASE(error_body_long_text_cut) {
  const std::string body(1000, 'x');
  const std::string message = openai::error_message_from_body(body);
  BOOST_TEST(message.size() < body.size());
  BOOST_TEST(message.starts_with(std::string(300, 'x')));
}

BOOST_AUTO_TEST_CASE(body_replaces_invalid_utf8) {
  sdk::chat_request request;
  request.model = "m";
  request.messages.push_back({"user", "file bad\xFFname.txt", {}, {}});
  const std::string body = openai::build_chat_body(request);
  BOOST_TEST(sdk::is_valid_utf8(body));
  const auto parsed = boost::json::parse(body).as_object();
  BOOST_TEST(parsed.at("messages").as_array().at(0).as_object().at("content").as_string() ==
             "file bad\xEF\xBF\xBDname.txt");
}

BOOST_AUTO_TEST_CASE(error_body_cut_keeps_characters) {
  std::string body;
  for (int i = 0; i < 200; ++i)
    body += "\xE4\xB8\x96"; // U+4E16, three bytes
  const std::string message = openai::error_message_from_body(body);
  BOOST_TEST(sdk::is_valid_utf8(message), message);
  BOOST_TEST(message.ends_with("..."));
  BOOST_TEST(message.size() <= 303u);
}

BOOST_AUTO_TEST_SUITE_END()

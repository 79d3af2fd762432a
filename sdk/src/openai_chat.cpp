// SPDX-License-Identifier: MIT
/// \file
/// Chat Completions request bodies and the streaming decoder.
#include <grok/sdk/openai_chat.hpp>

#include <grok/sdk/error.hpp>
#include <grok/sdk/utf8.hpp>

#include <boost/json.hpp>

namespace grok::sdk::openai {
namespace json = boost::json;

namespace {

/// Returns `text` as valid UTF-8: JSON must be, and a file name or piped
/// input need not be. Each invalid sequence becomes U+FFFD.
std::string valid_utf8(std::string_view text) {
  if (is_valid_utf8(text))
    return std::string(text);
  std::string out;
  utf8_decoder decoder;
  decoder.decode(text, out);
  decoder.finish(out);
  return out;
}

json::object message_to_json(const chat_message& message) {
  json::object object;
  object["role"] = message.role;
  if (message.role == "assistant" && !message.tool_calls.empty()) {
    if (message.content.empty())
      object["content"] = nullptr;
    else
      object["content"] = valid_utf8(message.content);
    json::array calls;
    for (const auto& call : message.tool_calls) {
      calls.push_back(json::object{
          {"id", call.id},
          {"type", "function"},
          {"function", json::object{{"name", call.name}, {"arguments", call.arguments_json}}}});
    }
    object["tool_calls"] = std::move(calls);
  } else {
    object["content"] = valid_utf8(message.content);
  }
  if (message.role == "tool")
    object["tool_call_id"] = message.tool_call_id;
  return object;
}

std::uint64_t to_count(const json::value* value) {
  if (value == nullptr)
    return 0;
  if (const auto* number = value->if_int64(); number && *number > 0)
    return static_cast<std::uint64_t>(*number);
  if (const auto* number = value->if_uint64())
    return *number;
  return 0;
}

token_usage parse_usage(const json::object& usage) {
  token_usage result;
  result.input_tokens = to_count(usage.if_contains("prompt_tokens"));
  result.output_tokens = to_count(usage.if_contains("completion_tokens"));
  result.total_tokens = to_count(usage.if_contains("total_tokens"));
  if (const auto* details = usage.if_contains("completion_tokens_details");
      details && details->is_object())
    result.reasoning_tokens = to_count(details->as_object().if_contains("reasoning_tokens"));
  if (const auto* details = usage.if_contains("prompt_tokens_details");
      details && details->is_object())
    result.cached_input_tokens = to_count(details->as_object().if_contains("cached_tokens"));
  return result;
}

std::string_view string_or_empty(const json::object& object, std::string_view key) {
  if (const auto* value = object.if_contains(key); value && value->is_string())
    return value->get_string();
  return {};
}

/// Emits the reasoning, text and tool-call events of a streamed `delta`
/// or a whole `message`: both have the same fields. Tool calls without an
/// `index` (a whole message) are numbered in order.
void emit_message(const json::object& fields, chat_sink& sink) {
  for (std::string_view key : {"reasoning_content", "reasoning"}) {
    if (auto text = string_or_empty(fields, key); !text.empty()) {
      chat_event e;
      e.kind = chat_event_kind::reasoning_delta;
      e.text = text;
      sink.on_event(e);
    }
  }
  if (auto text = string_or_empty(fields, "content"); !text.empty()) {
    chat_event e;
    e.kind = chat_event_kind::text_delta;
    e.text = text;
    sink.on_event(e);
  }
  const auto* calls = fields.if_contains("tool_calls");
  if (calls == nullptr || !calls->is_array())
    return;
  std::uint32_t position = 0;
  for (const auto& call_value : calls->get_array()) {
    if (!call_value.is_object())
      continue;
    const auto& call = call_value.get_object();
    chat_event e;
    e.kind = chat_event_kind::tool_call_delta;
    const auto* index = call.if_contains("index");
    e.tool_index = index ? static_cast<std::uint32_t>(to_count(index)) : position;
    ++position;
    e.tool_id = string_or_empty(call, "id");
    if (const auto* function = call.if_contains("function"); function && function->is_object()) {
      e.tool_name = string_or_empty(function->get_object(), "name");
      e.text = string_or_empty(function->get_object(), "arguments");
    }
    sink.on_event(e);
  }
}

/// Returns `text` on one line, cut to at most `max_bytes` bytes at a
/// character boundary, with "..." after a cut.
std::string one_line(std::string_view text, std::size_t max_bytes) {
  std::string line;
  for (char c : text) {
    if (line.size() >= max_bytes) {
      while (!line.empty() && (static_cast<unsigned char>(line.back()) & 0xC0) == 0x80)
        line.pop_back();
      if (!line.empty() && static_cast<unsigned char>(line.back()) >= 0xC0)
        line.pop_back();
      line.append("...");
      break;
    }
    line.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  }
  while (!line.empty() && line.back() == ' ')
    line.pop_back();
  const auto first = line.find_first_not_of(' ');
  return first == std::string::npos ? std::string() : line.substr(first);
}

} // namespace

std::string build_chat_body(const chat_request& request, const body_options& options) {
  json::object body;
  body["model"] = request.model;

  json::array messages;
  for (const auto& message : request.messages)
    messages.push_back(message_to_json(message));
  body["messages"] = std::move(messages);

  if (!request.tools.empty()) {
    json::array tools;
    for (const auto& tool : request.tools) {
      json::object function{{"name", tool.name}, {"description", tool.description}};
      if (!tool.parameters_json.empty())
        function["parameters"] = json::parse(tool.parameters_json);
      tools.push_back(json::object{{"type", "function"}, {"function", std::move(function)}});
    }
    body["tools"] = std::move(tools);
  }
  if (request.max_output_tokens)
    body[options.max_tokens_field] = *request.max_output_tokens;
  if (request.temperature)
    body["temperature"] = *request.temperature;

  body["stream"] = true;
  if (options.include_usage)
    body["stream_options"] = json::object{{"include_usage", true}};
  return json::serialize(body);
}

std::error_code chat_stream_decoder::feed(std::string_view bytes, chat_sink& sink) {
  if (error_)
    return error_;
  parser_.feed(bytes, [&](const sse_event& event) { handle_event(event, sink); });
  return error_;
}

std::error_code chat_stream_decoder::finish(chat_sink& sink) {
  if (error_)
    return error_;
  parser_.finish([&](const sse_event& event) { handle_event(event, sink); });
  if (error_)
    return error_;
  if (!done_) {
    error_ = errc::stream_truncated;
    error_message_ = "the response stream ended without its end marker (data: [DONE]); the "
                     "answer is incomplete";
  }
  return error_;
}

void chat_stream_decoder::handle_event(const sse_event& event, chat_sink& sink) {
  if (error_ || done_)
    return;
  if (event.data.starts_with("[DONE]")) {
    done_ = true;
    return;
  }

  boost::system::error_code parse_error;
  json::value chunk = json::parse(event.data, parse_error);
  if (parse_error || !chunk.is_object()) {
    error_ = errc::invalid_response;
    error_message_ = "the server sent an event that is not a JSON object: " + one_line(event.data, 120);
    return;
  }
  const json::object& object = chunk.get_object();

  if (const auto* error = object.if_contains("error"); error && !error->is_null()) {
    error_ = errc::invalid_response;
    error_message_ = "the server reported an error mid-stream: " +
                     error_message_from_body(json::serialize(object));
    return;
  }

  if (const auto* usage = object.if_contains("usage"); usage && usage->is_object()) {
    usage_ = parse_usage(usage->get_object());
    chat_event e;
    e.kind = chat_event_kind::usage;
    e.usage = usage_;
    sink.on_event(e);
  }

  const auto* choices = object.if_contains("choices");
  if (choices == nullptr || !choices->is_array())
    return;
  for (const auto& choice_value : choices->get_array()) {
    if (!choice_value.is_object())
      continue;
    const auto& choice = choice_value.get_object();
    // Only the first choice is shown; grok never requests n > 1.
    if (const auto* index = choice.if_contains("index"); index && to_count(index) != 0)
      continue;

    if (const auto* delta = choice.if_contains("delta"); delta && delta->is_object())
      emit_message(delta->get_object(), sink);

    if (const auto* reason = choice.if_contains("finish_reason"); reason && reason->is_string()) {
      finish_reason_ = std::string(reason->get_string());
      chat_event e;
      e.kind = chat_event_kind::finish;
      e.finish_reason = finish_reason_;
      sink.on_event(e);
    }
  }
}

std::error_code decode_completion(std::string_view body, chat_sink& sink, completion_summary& summary,
                                  std::string& message) {
  boost::system::error_code parse_error;
  const json::value value = json::parse(body, parse_error);
  if (parse_error || !value.is_object()) {
    message = "the server answered with JSON that is not a chat completion: " + one_line(body, 120);
    return errc::invalid_response;
  }
  const auto& object = value.get_object();
  if (const auto* error = object.if_contains("error"); error && !error->is_null()) {
    message = "the server reported an error: " + error_message_from_body(body);
    return errc::invalid_response;
  }
  const auto* choices = object.if_contains("choices");
  if (choices == nullptr || !choices->is_array() || choices->get_array().empty() ||
      !choices->get_array().front().is_object()) {
    message = "the server's completion has no choices: " + one_line(body, 120);
    return errc::invalid_response;
  }
  const auto& choice = choices->get_array().front().get_object();
  if (const auto* reply = choice.if_contains("message"); reply && reply->is_object())
    emit_message(reply->get_object(), sink);
  if (const auto* usage = object.if_contains("usage"); usage && usage->is_object()) {
    summary.usage = parse_usage(usage->get_object());
    chat_event e;
    e.kind = chat_event_kind::usage;
    e.usage = summary.usage;
    sink.on_event(e);
  }
  summary.finish_reason = std::string(string_or_empty(choice, "finish_reason"));
  if (!summary.finish_reason.empty()) {
    chat_event e;
    e.kind = chat_event_kind::finish;
    e.finish_reason = summary.finish_reason;
    sink.on_event(e);
  }
  return {};
}

std::string error_message_from_body(std::string_view body) {
  boost::system::error_code parse_error;
  json::value value = json::parse(body, parse_error);
  if (!parse_error && value.is_object()) {
    const auto& object = value.get_object();
    if (const auto* error = object.if_contains("error")) {
      if (error->is_string())
        return one_line(error->get_string(), 300);
      if (error->is_object()) {
        if (auto message = string_or_empty(error->get_object(), "message"); !message.empty())
          return one_line(message, 300);
      }
    }
    if (auto message = string_or_empty(object, "message"); !message.empty())
      return one_line(message, 300);
  }
  return one_line(body, 300);
}

} // namespace grok::sdk::openai

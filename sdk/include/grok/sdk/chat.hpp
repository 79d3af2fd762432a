// SPDX-License-Identifier: MIT
/// \file
/// Chat requests, the events a provider streams back, and the provider
/// interface.
#pragma once

#include <grok/sdk/cancel.hpp>
#include <grok/sdk/export.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace grok::sdk {

/// A tool call the model made, with its arguments as a JSON text.
struct tool_call {
  std::string id;
  std::string name;
  std::string arguments_json;
};

/// One message of a conversation. `role` is "system", "user", "assistant"
/// or "tool".
struct chat_message {
  std::string role;
  std::string content;
  std::vector<tool_call> tool_calls; ///< assistant messages only
  std::string tool_call_id;          ///< tool messages only
};

/// A tool the model may call. `parameters_json` is a JSON Schema text.
struct tool_definition {
  std::string name;
  std::string description;
  std::string parameters_json;
};

/// Everything a provider needs for one request.
struct chat_request {
  std::string model;
  std::vector<chat_message> messages;
  std::vector<tool_definition> tools;
  std::optional<std::uint32_t> max_output_tokens;
  std::optional<double> temperature;
};

/// Token counts reported by the provider. Zero means "not reported".
struct token_usage {
  std::uint64_t input_tokens = 0;
  std::uint64_t output_tokens = 0;
  std::uint64_t reasoning_tokens = 0;
  std::uint64_t cached_input_tokens = 0;
  std::uint64_t total_tokens = 0;
};

/// The kinds of events in a response stream.
enum class chat_event_kind {
  invalid = 0,
  text_delta,      ///< `text` holds a fragment of the answer
  reasoning_delta, ///< `text` holds a fragment of visible reasoning
  tool_call_delta, ///< `tool_index`, and the first time `tool_id`/`tool_name`; `text` holds an argument fragment
  usage,           ///< `usage` holds the latest counts
  finish,          ///< `finish_reason` holds the provider's reason
};

/// One streamed event. Fields not used by `kind` are empty.
struct chat_event {
  chat_event_kind kind = chat_event_kind::invalid;
  std::string_view text;
  std::uint32_t tool_index = 0;
  std::string_view tool_id;
  std::string_view tool_name;
  token_usage usage;
  std::string_view finish_reason;
};

/// The outcome of a request. `error` is empty on success. On failure,
/// `message` is one line for the user that names the cause and the fix,
/// and `http_status` is set when the server answered with an error status.
struct chat_result {
  std::error_code error;
  std::string message;
  int http_status = 0;
  std::string finish_reason;
  token_usage usage;
};

/// Receives the events of one request. [io-thread]
class GROK_SDK_INTERFACE chat_sink {
public:
  virtual ~chat_sink();

  /// Called for each event. String views are valid only during the call.
  virtual void on_event(const chat_event& event) = 0;

  /// Called exactly once, last.
  virtual void on_complete(const chat_result& result) = 0;
};

/// A model provider, such as xAI, OpenAI or a local server.
class GROK_SDK_INTERFACE provider {
public:
  virtual ~provider();

  /// A unique id, such as "xai". Lower case, digits and '-'.
  virtual std::string_view id() const noexcept = 0;

  /// One line for `/help` and `grok /plugins`.
  virtual std::string_view summary() const noexcept = 0;

  /// The model used when none is configured.
  virtual std::string default_model() const = 0;

  /// Starts a streamed request on the host's io_context and returns at once.
  /// `sink` must stay valid until `on_complete` has been called. Cancelling
  /// `cancel` makes the provider complete with `errc::cancelled` soon.
  /// Must not throw; failures are reported through `on_complete`.
  /// [io-thread]
  virtual void async_chat(const chat_request& request, chat_sink& sink, cancel_token cancel) = 0;
};

} // namespace grok::sdk

// SPDX-License-Identifier: MIT
/// \file
/// The OpenAI Chat Completions wire format, shared by every provider that
/// speaks it (OpenAI, xAI, Ollama's /v1, llama.cpp, vLLM) and by replay.
#pragma once

#include <grok/sdk/chat.hpp>
#include <grok/sdk/export.hpp>
#include <grok/sdk/sse.hpp>

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace grok::sdk::openai {

/// Options for the request body.
struct body_options {
  /// "max_tokens" (accepted by xAI, Ollama and most servers) or
  /// "max_completion_tokens" (required by newer OpenAI models).
  std::string max_tokens_field = "max_tokens";
  bool include_usage = true; ///< stream_options.include_usage
};

/// Builds the JSON body of a streamed `POST /chat/completions`. [any-thread]
GROK_SDK_API std::string build_chat_body(const chat_request& request,
                                         const body_options& options = {});

/// Turns the body of a streamed response into chat events. Feed it the
/// bytes as they arrive; it buffers partial lines and events.
///
/// The stream is complete only when `data: [DONE]` arrived. Text,
/// reasoning (`reasoning_content` from xAI, `reasoning` from Ollama), tool
/// call fragments keyed by index, usage on any chunk (the last one wins)
/// and the finish reason become events. A chunk holding an `error` object
/// ends the stream with that error.
class GROK_SDK_API chat_stream_decoder {
public:
  /// Decodes `bytes`. Returns an error (and stops emitting) when a chunk is
  /// not valid JSON or carries an error; `error_message()` then gives the reason.
  std::error_code feed(std::string_view bytes, chat_sink& sink);

  /// Ends the body. Returns `errc::stream_truncated` when `[DONE]` never
  /// arrived, even if the connection closed cleanly.
  std::error_code finish(chat_sink& sink);

  /// True once `data: [DONE]` has been seen.
  bool done() const noexcept { return done_; }

  /// The last finish reason, such as "stop", "length" or "tool_calls".
  const std::string& finish_reason() const noexcept { return finish_reason_; }

  /// The latest usage counts.
  const token_usage& usage() const noexcept { return usage_; }

  /// The reason decoding stopped, when `feed` or `finish` returned an error.
  const std::string& error_message() const noexcept { return error_message_; }

private:
  void handle_event(const sse_event& event, chat_sink& sink);

  sse_parser parser_;
  bool done_ = false;
  std::error_code error_;
  std::string error_message_;
  std::string finish_reason_;
  token_usage usage_;
};

/// The result of decoding a non-streamed completion.
struct completion_summary {
  std::string finish_reason;
  token_usage usage;
};

/// Decodes a non-streamed `chat.completion` body (some servers answer that
/// way even when asked to stream) into the same events a stream gives:
/// reasoning, text, whole tool calls, usage and finish. Returns an error
/// and sets `message` when the body is not such an object or carries an
/// error. [any-thread]
GROK_SDK_API std::error_code decode_completion(std::string_view body, chat_sink& sink,
                                               completion_summary& summary, std::string& message);

/// Extracts a one-line message from an error body in the shapes used by
/// OpenAI (`{"error":{"message":...}}`), xAI (`{"code":...,"error":"..."}`)
/// and Ollama (`{"error":"..."}`), or returns the trimmed text of a
/// non-JSON body, cut at a character boundary to at most 300 bytes and
/// followed by "..." when cut. [any-thread]
GROK_SDK_API std::string error_message_from_body(std::string_view body);

} // namespace grok::sdk::openai

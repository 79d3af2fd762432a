// SPDX-License-Identifier: MIT
/// \file
/// A scripted HTTP/1.1 server on 127.0.0.1 for tests, with optional TLS.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace grok::test {

/// One write of a response body, sent after `delay`.
struct body_piece {
  std::string bytes;
  std::chrono::milliseconds delay{0};
};

/// One scripted response. The server adds `Content-Length` (or
/// `Transfer-Encoding: chunked`) and `Connection: close` unless `headers`
/// already contain a framing header.
struct scripted_response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<body_piece> pieces;
  bool chunked = false;                          ///< else Content-Length of all pieces together
  std::chrono::milliseconds head_delay{0};       ///< wait before sending the head
  std::optional<std::size_t> close_after_piece;  ///< drop the connection right after piece K (0-based)
  bool close_without_response = false;           ///< read the request, then close without answering
};

/// A request as the server received it.
struct recorded_request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::steady_clock::time_point arrival; ///< when the request's first byte was readable
  std::string tls_server_name;                   ///< SNI sent by the client; empty without TLS or SNI

  /// Returns the value of the first header named `name` (any ASCII case),
  /// or an empty string.
  std::string header(std::string_view name) const;

  /// True when a header named `name` is present.
  bool has_header(std::string_view name) const;
};

/// Settings of a mock_http_server.
struct mock_server_options {
  std::uint16_t port = 0;            ///< 0 picks an ephemeral port
  std::filesystem::path tls_cert;    ///< PEM certificate chain; TLS is on when set
  std::filesystem::path tls_key;     ///< PEM private key
};

/// Builds a response for a request when the scripted queue is empty.
using mock_responder = std::function<scripted_response(const recorded_request&)>;

/// An HTTP/1.1 server on 127.0.0.1 that runs on its own thread.
///
/// Each connection carries one request: the server reads it, answers with
/// the next scripted response (FIFO) and closes the connection, so every
/// request, including each retry, arrives on a new connection. When the
/// queue is empty it asks the responder, and without one it answers 500
/// with a body that says the queue was empty.
class mock_http_server {
public:
  explicit mock_http_server(mock_server_options options = {});
  ~mock_http_server();

  mock_http_server(const mock_http_server&) = delete;
  mock_http_server& operator=(const mock_http_server&) = delete;

  /// Appends a response to the queue. [any-thread]
  void enqueue(scripted_response response);

  /// Sets the responder used when the queue is empty. Call before the
  /// first request arrives.
  void set_responder(mock_responder responder);

  /// The port the server listens on.
  std::uint16_t port() const noexcept { return port_; }

  /// "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT".
  std::string base_url() const;

  /// Copies of the requests received so far, in arrival order. [any-thread]
  std::vector<recorded_request> requests() const;

  /// Number of requests received so far. [any-thread]
  std::size_t request_count() const;

  /// Blocks until `count` requests arrived or `timeout` passed; returns
  /// whether they arrived. [any-thread]
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const;

  /// Blocks until `count` responses were sent to their end (or dropped as
  /// scripted), or `timeout` passed; returns whether they were.
  /// [any-thread]
  bool wait_for_responses(std::size_t count, std::chrono::milliseconds timeout) const;

  /// Stops accepting, closes every connection and joins the thread. Safe to
  /// call twice.
  void stop();

private:
  struct state;

  std::shared_ptr<state> state_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  bool tls_ = false;
};

/// Settings for an OpenAI chat-completions stream.
struct openai_stream_options {
  std::string id = "chatcmpl-mock";
  std::string model = "mock-model";
  std::uint64_t created = 1'700'000'000; ///< Unix time in every chunk, fixed so bodies compare equal
  std::uint64_t prompt_tokens = 12;
};

/// Returns the Server-Sent Events of a streamed OpenAI chat completion, one
/// string per event: a `chat.completion.chunk` for each fragment, a chunk
/// with `"finish_reason":"stop"`, a usage chunk with `"choices":[]`, and
/// `data: [DONE]`. Fragments must be valid UTF-8; they are JSON-escaped.
std::vector<std::string> openai_sse_events(const std::vector<std::string>& fragments,
                                           const openai_stream_options& options = {});

/// Returns the events of openai_sse_events joined into one body.
std::string openai_sse_body(const std::vector<std::string>& fragments, const openai_stream_options& options = {});

/// Splits UTF-8 `text` into fragments of at most `max_bytes` bytes that end
/// on character boundaries. A character longer than `max_bytes` gets a
/// fragment of its own.
std::vector<std::string> split_utf8(std::string_view text, std::size_t max_bytes);

/// True when `text` is well-formed UTF-8 (no overlongs, surrogates or
/// code points above U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

} // namespace grok::test

// SPDX-License-Identifier: MIT
/// \file
/// A streaming HTTP/1.1 client over TCP or TLS, with proxies, per-step
/// deadlines, retries and cancellation. The implementation (Boost.Beast
/// and OpenSSL) is compiled once inside libgrok-sdk; this header names no
/// Asio or Beast type besides a forward-declared io_context.
#pragma once

#include <grok/sdk/cancel.hpp>
#include <grok/sdk/export.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace grok::sdk::net {

/// One header field.
struct http_header {
  std::string name;
  std::string value;
};

/// Returns the value of the first header named `name` (compared without
/// regard to ASCII case), or an empty view.
GROK_SDK_API std::string_view find_header(const std::vector<http_header>& headers,
                                          std::string_view name) noexcept;

/// A request. The client adds Host, Content-Length and User-Agent when they
/// are missing, and never sends Accept-Encoding (bodies are not compressed).
struct http_request {
  std::string method = "POST";
  std::string url; ///< "http://..." or "https://..."
  std::vector<http_header> headers;
  std::string body;
};

/// Deadlines for each step. There is no total deadline: a long answer that
/// keeps arriving is never cut.
struct http_timeouts {
  std::chrono::milliseconds connect{30'000};  ///< name lookup, TCP, proxy CONNECT and TLS handshake
  std::chrono::milliseconds headers{120'000}; ///< from the request's first byte to the end of the response head
  std::chrono::milliseconds idle{300'000};    ///< the longest gap between two reads of the body
};

/// When and how long to wait before sending a request again.
///
/// A request is retried after a connection failure, a connect or headers
/// timeout, or a status of 408, 409, 429 or 500 and above, unless the
/// server sent `x-should-retry: false` (and `x-should-retry: true` forces a
/// retry). Nothing is retried once a 2xx head has been delivered. The delay
/// is `retry-after-ms`, else `retry-after` (seconds or an HTTP date), capped
/// at `max_server_delay`; without either it is
/// `min(initial_backoff * 2^n, max_backoff)` reduced by up to 25% jitter.
struct retry_policy {
  unsigned max_retries = 2;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{8'000};
  std::chrono::milliseconds max_server_delay{60'000};
};

/// Per-request options.
struct http_options {
  http_timeouts timeouts;
  retry_policy retry;
  std::string user_agent = "grok-cli";
};

/// The head of a response.
struct http_response_head {
  unsigned status = 0;
  std::vector<http_header> headers;
};

/// The outcome of a request. `error` is empty when a 2xx body was read to
/// its end. Otherwise `message` is one line for the user naming the host,
/// the cause and, where there is one, the fix.
struct http_outcome {
  std::error_code error;
  std::string message;
  unsigned status = 0;               ///< set with errc::http_status
  std::vector<http_header> headers;  ///< of the last response, if any
  std::string body;                  ///< error body, at most 64 KiB
  unsigned attempts = 0;             ///< requests sent, including retries
};

/// Receives a response as it arrives. Every call is [io-thread].
class GROK_SDK_INTERFACE http_stream_handler {
public:
  virtual ~http_stream_handler();

  /// A failed attempt will be retried after `delay`.
  virtual void on_retry(unsigned next_attempt, std::chrono::milliseconds delay,
                        const http_outcome& failure);

  /// A 2xx response head arrived; the body follows.
  virtual void on_response(const http_response_head& head) = 0;

  /// The next piece of the body, with any chunked framing removed, as soon
  /// as it was read. Pieces may end anywhere, even inside a character.
  virtual void on_body(std::string_view bytes) = 0;

  /// Called exactly once, last.
  virtual void on_complete(const http_outcome& outcome) = 0;
};

/// Starts `request` on `io` and returns at once. `handler` must stay valid
/// until `on_complete`. Cancelling `cancel` closes the connection and
/// completes with `errc::cancelled`.
///
/// TLS: the server certificate and host name are always verified, SNI is
/// sent for names (not for IP literals), and `SSL_CERT_FILE` /
/// `SSL_CERT_DIR` replace the system trust store when set. Proxies:
/// `HTTPS_PROXY` (https URLs, through CONNECT) and `HTTP_PROXY` (http URLs),
/// lower-case forms too, except for hosts matched by `NO_PROXY`. [io-thread]
GROK_SDK_API void async_http_request(boost::asio::io_context& io, http_request request,
                                     http_options options, http_stream_handler& handler,
                                     cancel_token cancel);

/// Returns true when `host` matches a `NO_PROXY` list: comma-separated
/// names, ".suffix" or "suffix" domain matches, "*", and exact IP addresses.
/// [any-thread]
GROK_SDK_API bool no_proxy_matches(std::string_view no_proxy, std::string_view host) noexcept;

} // namespace grok::sdk::net

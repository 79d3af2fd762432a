// SPDX-License-Identifier: MIT
/// \file
/// Helpers shared by the HTTP client tests: a recording stream handler, a
/// synchronous request runner and environment guards.
#pragma once

#include <grok/sdk/cancel.hpp>
#include <grok/sdk/http.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grok::test {

namespace net = grok::sdk::net;

/// Records every call a request makes on its handler.
class recording_handler : public net::http_stream_handler {
public:
  struct retry_call {
    unsigned next_attempt = 0;
    std::chrono::milliseconds delay{0};
    net::http_outcome failure;
  };

  void on_retry(unsigned next_attempt, std::chrono::milliseconds delay, const net::http_outcome& failure) override;
  void on_response(const net::http_response_head& head) override;
  void on_body(std::string_view bytes) override;
  void on_complete(const net::http_outcome& outcome) override;

  std::optional<net::http_response_head> head;
  std::string body;
  std::size_t body_calls = 0;
  std::vector<retry_call> retries;
  std::optional<net::http_outcome> outcome;
  int completions = 0;
  int calls_after_complete = 0;

  /// Runs after each on_body, for example to cancel mid-stream.
  std::function<void(std::string_view)> body_hook;
  /// Runs after each on_retry.
  std::function<void(const retry_call&)> retry_hook;
};

/// Options with short deadlines and millisecond backoffs.
net::http_options fast_options();

/// Runs `request` on a new io_context until it completes (at most 20 s)
/// and returns the outcome. Fails the test unless on_complete ran exactly
/// once.
net::http_outcome perform(net::http_request request, const net::http_options& options, recording_handler& handler,
                          sdk::cancel_token cancel = {});

/// A GET request for `url`.
net::http_request get_request(std::string url);

/// Sets or unsets environment variables and restores them on destruction.
class scoped_env {
public:
  scoped_env() = default;
  ~scoped_env();
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

  void set(const std::string& name, const std::string& value);
  void unset(const std::string& name);

private:
  void remember(const std::string& name);

  std::map<std::string, std::optional<std::string>> saved_;
};

/// A fixture that unsets the proxy and trust-store variables, so that the
/// machine's settings cannot change a test.
struct clean_network_env {
  clean_network_env();
  scoped_env env;
};

/// Milliseconds between two time points.
long long milliseconds_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to);

} // namespace grok::test

// SPDX-License-Identifier: MIT
/// \file
/// Helpers shared by the HTTP client tests.
#include "net_test_util.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>

namespace grok::test {

void recording_handler::on_retry(unsigned next_attempt, std::chrono::milliseconds delay,
                                 const net::http_outcome& failure) {
  if (completions != 0)
    ++calls_after_complete;
  retries.push_back({next_attempt, delay, failure});
  if (retry_hook)
    retry_hook(retries.back());
}

void recording_handler::on_response(const net::http_response_head& response_head) {
  if (completions != 0)
    ++calls_after_complete;
  head = response_head;
}

void recording_handler::on_body(std::string_view bytes) {
  if (completions != 0)
    ++calls_after_complete;
  body.append(bytes);
  ++body_calls;
  if (body_hook)
    body_hook(bytes);
}

void recording_handler::on_complete(const net::http_outcome& result) {
  ++completions;
  outcome = result;
}

net::http_options fast_options() {
  net::http_options options;
  options.timeouts.connect = std::chrono::seconds(5);
  options.timeouts.headers = std::chrono::seconds(5);
  options.timeouts.idle = std::chrono::seconds(5);
  options.retry.max_retries = 2;
  options.retry.initial_backoff = std::chrono::milliseconds(1);
  options.retry.max_backoff = std::chrono::milliseconds(5);
  return options;
}

net::http_outcome perform(net::http_request request, const net::http_options& options, recording_handler& handler,
                          sdk::cancel_token cancel) {
  boost::asio::io_context io;
  net::async_http_request(io, std::move(request), options, handler, std::move(cancel));
  io.run_for(std::chrono::seconds(20));
  BOOST_REQUIRE_EQUAL(handler.completions, 1);
  BOOST_REQUIRE_EQUAL(handler.calls_after_complete, 0);
  return *handler.outcome;
}

net::http_request get_request(std::string url) {
  net::http_request request;
  request.method = "GET";
  request.url = std::move(url);
  return request;
}

scoped_env::~scoped_env() {
  for (const auto& [name, value] : saved_) {
    if (value)
      ::setenv(name.c_str(), value->c_str(), 1);
    else
      ::unsetenv(name.c_str());
  }
}

void scoped_env::remember(const std::string& name) {
  if (saved_.count(name) != 0)
    return;
  const char* value = std::getenv(name.c_str());
  saved_[name] = value ? std::optional<std::string>(value) : std::nullopt;
}

void scoped_env::set(const std::string& name, const std::string& value) {
  remember(name);
  ::setenv(name.c_str(), value.c_str(), 1);
}

void scoped_env::unset(const std::string& name) {
  remember(name);
  ::unsetenv(name.c_str());
}

clean_network_env::clean_network_env() {
  for (const char* name : {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy",
                           "SSL_CERT_FILE", "SSL_CERT_DIR"})
    env.unset(name);
}

long long milliseconds_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

} // namespace grok::test

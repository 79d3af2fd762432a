// SPDX-License-Identifier: MIT
/// \file
/// The HTTP client over plain HTTP: streaming, retries, deadlines,
/// connection failures and cancellation, against mock_http_server.
#include "mock_http_server.hpp"
#include "net_test_util.hpp"

#include <grok/sdk/error.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>

#include <ctime>
#include <thread>

using namespace std::chrono_literals;
using grok::sdk::errc;
using grok::test::body_piece;
using grok::test::mock_http_server;
using grok::test::recording_handler;
using grok::test::scripted_response;
namespace net = grok::sdk::net;

namespace {

scripted_response ok_response(std::string body) {
  scripted_response response;
  response.headers = {{"Content-Type", "text/plain"}};
  response.pieces = {{std::move(body)}};
  return response;
}

scripted_response status_response(unsigned status, std::string body,
                                  std::vector<std::pair<std::string, std::string>> headers = {}) {
  scripted_response response;
  response.status = status;
  response.headers = std::move(headers);
  response.headers.emplace_back("Content-Type", "application/json");
  response.pieces = {{std::move(body)}};
  return response;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// Milliseconds between the arrival of request `first` and request
/// `first + 1` at the server.
long long arrival_gap(const mock_http_server& server, std::size_t first) {
  const auto requests = server.requests();
  BOOST_REQUIRE_GT(requests.size(), first + 1);
  return grok::test::milliseconds_between(requests[first].arrival, requests[first + 1].arrival);
}

/// Formats a time as an HTTP date (IMF-fixdate) in the C locale.
std::string http_date(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return text;
}

/// Returns a port on 127.0.0.1 that nothing listens on: it was bound and
/// released a moment ago.
std::uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address_v4("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(http_client, grok::test::clean_network_env)

BOOST_AUTO_TEST_CASE(post_streams_chunked_body) {
  mock_http_server server;
  scripted_response response;
  response.chunked = true;
  response.headers = {{"Content-Type", "text/event-stream"}};
  response.pieces = {{"alpha "}, {"beta ", 50ms}, {"gamma", 50ms}};
  server.enqueue(response);

  net::http_request request;
  request.method = "POST";
  request.url = server.base_url() + "/v1/chat/completions?stream=1";
  request.headers = {{"Authorization", "Bearer dummy-key"},
                     {"Content-Type", "application/json"},
                     {"Accept-Encoding", "gzip"}};
  request.body = R"({"model":"m"})";
  recording_handler handler;
  const auto outcome = grok::test::perform(request, grok::test::fast_options(), handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_TEST(outcome.status == 200u);
  BOOST_TEST(outcome.attempts == 1u);
  BOOST_REQUIRE(handler.head);
  BOOST_TEST(handler.head->status == 200u);
  BOOST_TEST(net::find_header(handler.head->headers, "CONTENT-TYPE") == "text/event-stream");
  BOOST_TEST(handler.body == "alpha beta gamma");
  // The pieces are 50 ms apart, so each arrives in its own on_body call.
  BOOST_TEST(handler.body_calls >= 3u);

  const auto requests = server.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  const auto& received = requests.front();
  BOOST_TEST(received.method == "POST");
  BOOST_TEST(received.target == "/v1/chat/completions?stream=1");
  BOOST_TEST(received.body == R"({"model":"m"})");
  BOOST_TEST(received.header("content-length") == "13");
  BOOST_TEST(received.header("x-grok-retry-count") == "0");
  BOOST_TEST(received.header("authorization") == "Bearer dummy-key");
  BOOST_TEST(received.header("host") == "127.0.0.1:" + std::to_string(server.port()));
  BOOST_TEST(received.header("user-agent") == "grok-cli");
  BOOST_TEST(!received.has_header("accept-encoding"));
}

BOOST_AUTO_TEST_CASE(get_reads_content_length_body) {
  mock_http_server server;
  server.enqueue(ok_response(R"({"ok":true})"));

  auto options = grok::test::fast_options();
  options.user_agent = "grok-test/1";
  recording_handler handler;
  const auto outcome = grok::test::perform(grok::test::get_request(server.base_url()), options, handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_TEST(handler.body == R"({"ok":true})");
  const auto requests = server.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  BOOST_TEST(requests[0].method == "GET");
  BOOST_TEST(requests[0].target == "/");
  BOOST_TEST(!requests[0].has_header("content-length"));
  BOOST_TEST(requests[0].header("user-agent") == "grok-test/1");
}

BOOST_AUTO_TEST_CASE(on_complete_is_never_inline) {
  boost::asio::io_context io;
  recording_handler handler;
  net::async_http_request(io, grok::test::get_request("not a URL"), grok::test::fast_options(), handler, {});
  BOOST_TEST(handler.completions == 0);
  io.run();
  BOOST_TEST(handler.completions == 1);
}

BOOST_AUTO_TEST_CASE(invalid_urls_fail_without_attempts) {
  struct url_case {
    std::string url;
    errc expected;
  };
  const std::vector<url_case> cases = {{"not a URL", errc::invalid_url},
                                       {"http:///no-host", errc::invalid_url},
                                       {"http://127.0.0.1:99999/", errc::invalid_url},
                                       {"ftp://127.0.0.1/file", errc::unsupported_scheme}};
  for (const auto& [url, expected] : cases) {
    BOOST_TEST_CONTEXT("url " << url) {
      recording_handler handler;
      const auto outcome = grok::test::perform(grok::test::get_request(url), grok::test::fast_options(), handler);
      BOOST_TEST(outcome.error == grok::sdk::make_error_code(expected));
      BOOST_TEST(outcome.attempts == 0u);
      BOOST_TEST(handler.retries.empty());
      BOOST_TEST(contains(outcome.message, url), outcome.message);
    }
  }
}

BOOST_AUTO_TEST_CASE(header_with_line_break_is_rejected) {
  mock_http_server server;
  auto request = grok::test::get_request(server.base_url());
  request.headers = {{"X-Api-Key", "dummy\r\nX-Injected: 1"}};
  recording_handler handler;
  const auto outcome = grok::test::perform(request, grok::test::fast_options(), handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::invalid_argument));
  BOOST_TEST(contains(outcome.message, "X-Api-Key"), outcome.message);
  BOOST_TEST(!contains(outcome.message, "dummy"), outcome.message);
  BOOST_TEST(server.request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(retryable_statuses_are_retried) {
  for (const unsigned status : {408u, 409u, 429u, 500u, 503u}) {
    BOOST_TEST_CONTEXT("status " << status) {
      mock_http_server server;
      server.enqueue(status_response(status, R"({"error":"busy"})"));
      server.enqueue(ok_response("done"));
      recording_handler handler;
      const auto outcome = grok::test::perform(grok::test::get_request(server.base_url() + "/v1/models"),
                                               grok::test::fast_options(), handler);

      BOOST_TEST(!outcome.error, outcome.message);
      BOOST_TEST(handler.body == "done");
      BOOST_TEST(outcome.attempts == 2u);
      BOOST_TEST(server.request_count() == 2u);
      BOOST_REQUIRE_EQUAL(handler.retries.size(), 1u);
      BOOST_TEST(handler.retries[0].next_attempt == 2u);
      BOOST_TEST(handler.retries[0].failure.status == status);
      BOOST_TEST(handler.retries[0].failure.body == R"({"error":"busy"})");
      const auto requests = server.requests();
      BOOST_REQUIRE_EQUAL(requests.size(), 2u);
      BOOST_TEST(requests[0].header("x-grok-retry-count") == "0");
      BOOST_TEST(requests[1].header("x-grok-retry-count") == "1");
    }
  }
}

BOOST_AUTO_TEST_CASE(client_errors_are_not_retried) {
  for (const unsigned status : {400u, 401u, 403u, 404u}) {
    BOOST_TEST_CONTEXT("status " << status) {
      mock_http_server server;
      server.enqueue(status_response(status, R"({"error":{"message":"no"}})"));
      server.enqueue(ok_response("must not be fetched"));
      recording_handler handler;
      const auto outcome =
          grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

      BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::http_status));
      BOOST_TEST(outcome.status == status);
      BOOST_TEST(outcome.body == R"({"error":{"message":"no"}})");
      BOOST_TEST(net::find_header(outcome.headers, "content-type") == "application/json");
      BOOST_TEST(outcome.attempts == 1u);
      BOOST_TEST(contains(outcome.message, "returned HTTP " + std::to_string(status)), outcome.message);
      BOOST_TEST(!handler.head.has_value());
      BOOST_TEST(handler.retries.empty());
      BOOST_TEST(server.request_count() == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(last_failure_is_reported_after_retries) {
  mock_http_server server;
  for (const char* body : {"first", "second", "third"})
    server.enqueue(status_response(500, body));
  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::http_status));
  BOOST_TEST(outcome.status == 500u);
  BOOST_TEST(outcome.body == "third");
  BOOST_TEST(outcome.attempts == 3u);
  BOOST_REQUIRE_EQUAL(handler.retries.size(), 2u);
  BOOST_TEST(handler.retries[0].next_attempt == 2u);
  BOOST_TEST(handler.retries[1].next_attempt == 3u);
  BOOST_TEST(server.request_count() == 3u);
}

BOOST_AUTO_TEST_CASE(error_body_is_capped) {
  mock_http_server server;
  server.enqueue(status_response(400, std::string(100 * 1024, 'e')));
  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::http_status));
  BOOST_TEST(outcome.body.size() == 64u * 1024u);
}

BOOST_AUTO_TEST_CASE(x_should_retry_overrides_status) {
  {
    mock_http_server server;
    server.enqueue(status_response(500, "down", {{"x-should-retry", "false"}}));
    server.enqueue(ok_response("must not be fetched"));
    recording_handler handler;
    const auto outcome =
        grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);
    BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::http_status));
    BOOST_TEST(outcome.attempts == 1u);
    BOOST_TEST(server.request_count() == 1u);
  }
  {
    mock_http_server server;
    server.enqueue(status_response(400, "try again", {{"X-Should-Retry", "true"}}));
    server.enqueue(ok_response("done"));
    recording_handler handler;
    const auto outcome =
        grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);
    BOOST_TEST(!outcome.error, outcome.message);
    BOOST_TEST(outcome.attempts == 2u);
    BOOST_TEST(handler.body == "done");
  }
}

BOOST_AUTO_TEST_CASE(retry_after_ms_sets_the_delay) {
  mock_http_server server;
  server.enqueue(status_response(429, "slow down", {{"retry-after-ms", "150"}}));
  server.enqueue(ok_response("done"));
  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_REQUIRE_EQUAL(handler.retries.size(), 1u);
  BOOST_TEST(handler.retries[0].delay.count() == 150);
  const long long gap = arrival_gap(server, 0);
  BOOST_TEST(gap >= 150);
  BOOST_TEST(gap < 1500);
}

BOOST_AUTO_TEST_CASE(retry_after_seconds_sets_the_delay) {
  mock_http_server server;
  server.enqueue(status_response(503, "busy", {{"Retry-After", "0.2"}}));
  server.enqueue(ok_response("done"));
  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_REQUIRE_EQUAL(handler.retries.size(), 1u);
  BOOST_TEST(handler.retries[0].delay.count() == 200);
  const long long gap = arrival_gap(server, 0);
  BOOST_TEST(gap >= 200);
  BOOST_TEST(gap < 1500);
}

BOOST_AUTO_TEST_CASE(retry_after_date_is_capped) {
  // The date lies at least 2 s ahead, so only the cap can make the delay
  // 250 ms. A date that failed to parse would give the 1 to 5 ms backoff.
  mock_http_server server;
  const std::string date = http_date(std::chrono::system_clock::now() + 3s);
  server.enqueue(status_response(429, "later", {{"retry-after", date}}));
  server.enqueue(ok_response("done"));
  auto options = grok::test::fast_options();
  options.retry.max_server_delay = 250ms;
  recording_handler handler;
  const auto outcome = grok::test::perform(grok::test::get_request(server.base_url()), options, handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_REQUIRE_EQUAL(handler.retries.size(), 1u);
  BOOST_TEST(handler.retries[0].delay.count() == 250, "retry-after: " << date);
  const long long gap = arrival_gap(server, 0);
  BOOST_TEST(gap >= 250);
  BOOST_TEST(gap < 1500);
}

BOOST_AUTO_TEST_CASE(retry_after_ms_is_capped) {
  mock_http_server server;
  server.enqueue(status_response(429, "later", {{"retry-after-ms", "5000"}}));
  server.enqueue(ok_response("done"));
  auto options = grok::test::fast_options();
  options.retry.max_server_delay = 200ms;
  recording_handler handler;
  const auto outcome = grok::test::perform(grok::test::get_request(server.base_url()), options, handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_REQUIRE_EQUAL(handler.retries.size(), 1u);
  BOOST_TEST(handler.retries[0].delay.count() == 200);
  const long long gap = arrival_gap(server, 0);
  BOOST_TEST(gap >= 200);
  BOOST_TEST(gap < 1500);
}

BOOST_AUTO_TEST_CASE(unusable_retry_after_falls_back_to_backoff) {
  const std::vector<std::pair<std::string, std::string>> header_cases = {
      {"retry-after-ms", "0"},
      {"retry-after-ms", "-5"},
      {"retry-after", "-1"},
      {"retry-after", "soon"},
      {"retry-after", http_date(std::chrono::system_clock::now() - 60s)}};
  for (const auto& [name, value] : header_cases) {
    BOOST_TEST_CONTEXT(name << ": " << value) {
      mock_http_server server;
      server.enqueue(status_response(503, "busy", {{name, value}}));
      server.enqueue(ok_response("done"));
      auto options = grok::test::fast_options();
      options.retry.initial_backoff = 40ms;
      options.retry.max_backoff = 40ms;
      recording_handler handler;
      const auto outcome = grok::test::perform(grok::test::get_request(server.base_url()), options, handler);

      BOOST_TEST(!outcome.error, outcome.message);
      BOOST_REQUIRE_EQUAL(handler.retries.size(), 1u);
      // 40 ms reduced by less than 25% jitter, then truncated to whole ms.
      BOOST_TEST(handler.retries[0].delay.count() >= 30);
      BOOST_TEST(handler.retries[0].delay.count() <= 40);
    }
  }
}

BOOST_AUTO_TEST_CASE(backoff_doubles_up_to_the_maximum) {
  mock_http_server server;
  for (int index = 0; index < 4; ++index)
    server.enqueue(status_response(500, "down"));
  auto options = grok::test::fast_options();
  options.retry.max_retries = 3;
  options.retry.initial_backoff = 20ms;
  options.retry.max_backoff = 50ms;
  recording_handler handler;
  const auto outcome = grok::test::perform(grok::test::get_request(server.base_url()), options, handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::http_status));
  BOOST_REQUIRE_EQUAL(handler.retries.size(), 3u);
  // 20, 40 and min(80, 50) ms, each reduced by less than 25% and then
  // truncated to whole milliseconds.
  const std::array<long long, 3> nominal = {20, 40, 50};
  for (std::size_t index = 0; index < nominal.size(); ++index) {
    BOOST_TEST_CONTEXT("retry " << index) {
      BOOST_TEST(handler.retries[index].delay.count() >= nominal[index] * 3 / 4);
      BOOST_TEST(handler.retries[index].delay.count() <= nominal[index]);
    }
  }
}

BOOST_AUTO_TEST_CASE(drop_mid_stream_is_connection_lost) {
  for (const bool chunked : {false, true}) {
    BOOST_TEST_CONTEXT("chunked " << chunked) {
      mock_http_server server;
      scripted_response response;
      response.chunked = chunked;
      response.pieces = {{"hello "}, {"world", 50ms}};
      response.close_after_piece = 0;
      server.enqueue(response);
      server.enqueue(ok_response("must not be fetched"));
      recording_handler handler;
      const auto outcome =
          grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

      BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::connection_lost));
      BOOST_TEST(contains(outcome.message, "lost mid-response after 6 bytes"), outcome.message);
      BOOST_TEST(contains(outcome.message, "127.0.0.1"), outcome.message);
      BOOST_TEST(handler.body == "hello ");
      BOOST_TEST(handler.head.has_value());
      BOOST_TEST(handler.retries.empty());
      BOOST_TEST(outcome.attempts == 1u);
      BOOST_TEST(server.request_count() == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(close_before_head_is_retried) {
  mock_http_server server;
  scripted_response dropped;
  dropped.close_without_response = true;
  server.enqueue(dropped);
  server.enqueue(ok_response("done"));
  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_TEST(handler.body == "done");
  BOOST_REQUIRE_EQUAL(handler.retries.size(), 1u);
  BOOST_TEST(handler.retries[0].failure.error == grok::sdk::make_error_code(errc::connection_lost));
}

BOOST_AUTO_TEST_CASE(idle_timeout_ends_a_stalled_body) {
  mock_http_server server;
  scripted_response response;
  response.pieces = {{"a"}, {"b", 3000ms}};
  server.enqueue(response);
  auto options = grok::test::fast_options();
  options.timeouts.idle = 200ms;
  recording_handler handler;
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = grok::test::perform(grok::test::get_request(server.base_url()), options, handler);
  const auto elapsed = grok::test::milliseconds_between(started, std::chrono::steady_clock::now());

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::idle_timeout));
  BOOST_TEST(contains(outcome.message, "0.2 s"), outcome.message);
  BOOST_TEST(contains(outcome.message, "127.0.0.1"), outcome.message);
  BOOST_TEST(handler.body == "a");
  BOOST_TEST(handler.retries.empty());
  BOOST_TEST(elapsed >= 200);
  BOOST_TEST(elapsed < 2000);
}

BOOST_AUTO_TEST_CASE(headers_timeout_is_retried) {
  mock_http_server server;
  for (int index = 0; index < 2; ++index) {
    scripted_response slow = ok_response("too late");
    slow.head_delay = 3000ms;
    server.enqueue(slow);
  }
  auto options = grok::test::fast_options();
  options.timeouts.headers = 200ms;
  options.retry.max_retries = 1;
  recording_handler handler;
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = grok::test::perform(grok::test::get_request(server.base_url()), options, handler);
  const auto elapsed = grok::test::milliseconds_between(started, std::chrono::steady_clock::now());

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::headers_timeout));
  BOOST_TEST(contains(outcome.message, "0.2 s"), outcome.message);
  BOOST_TEST(outcome.attempts == 2u);
  BOOST_TEST(server.request_count() == 2u);
  BOOST_TEST(!handler.head.has_value());
  BOOST_TEST(elapsed >= 400);
  BOOST_TEST(elapsed < 2500);
}

BOOST_AUTO_TEST_CASE(refused_connection_is_retried_then_reported) {
  const std::uint16_t port = closed_port();
  recording_handler handler;
  const auto outcome = grok::test::perform(grok::test::get_request("http://127.0.0.1:" + std::to_string(port) + "/"),
                                           grok::test::fast_options(), handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::connection_refused));
  BOOST_TEST(contains(outcome.message, "127.0.0.1:" + std::to_string(port)), outcome.message);
  BOOST_TEST(contains(outcome.message, "connection refused"), outcome.message);
  BOOST_TEST(contains(outcome.message, "base URL"), outcome.message);
  BOOST_TEST(outcome.attempts == 3u);
  BOOST_TEST(handler.retries.size() == 2u);
}

BOOST_AUTO_TEST_CASE(cancel_mid_stream) {
  mock_http_server server;
  scripted_response response;
  response.chunked = true;
  response.pieces = {{"first"}, {"second", 5000ms}};
  server.enqueue(response);

  grok::sdk::cancel_token cancel;
  recording_handler handler;
  handler.body_hook = [&](std::string_view) { cancel.cancel(); };
  const auto started = std::chrono::steady_clock::now();
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler, cancel);
  const auto elapsed = grok::test::milliseconds_between(started, std::chrono::steady_clock::now());

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::cancelled));
  BOOST_TEST(outcome.message == "request cancelled");
  BOOST_TEST(handler.body == "first");
  BOOST_TEST(elapsed < 2000);
}

BOOST_AUTO_TEST_CASE(cancel_from_another_thread) {
  // The head is 5 s late, so only closing the socket of the pending read
  // can end the request quickly.
  mock_http_server server;
  scripted_response response = ok_response("too late");
  response.head_delay = 5000ms;
  server.enqueue(response);

  grok::sdk::cancel_token cancel;
  std::thread canceller([&] {
    server.wait_for_requests(1, 5s);
    cancel.cancel();
  });
  recording_handler handler;
  const auto started = std::chrono::steady_clock::now();
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler, cancel);
  const auto elapsed = grok::test::milliseconds_between(started, std::chrono::steady_clock::now());
  canceller.join();

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::cancelled));
  BOOST_TEST(outcome.message == "request cancelled");
  BOOST_TEST(!handler.head.has_value());
  BOOST_TEST(handler.retries.empty());
  BOOST_TEST(elapsed < 2000);
}

BOOST_AUTO_TEST_CASE(cancel_during_retry_wait) {
  mock_http_server server;
  server.enqueue(status_response(500, "down"));
  auto options = grok::test::fast_options();
  options.retry.initial_backoff = 10s;
  options.retry.max_backoff = 10s;

  grok::sdk::cancel_token cancel;
  recording_handler handler;
  handler.retry_hook = [&](const recording_handler::retry_call&) { cancel.cancel(); };
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = grok::test::perform(grok::test::get_request(server.base_url()), options, handler, cancel);
  const auto elapsed = grok::test::milliseconds_between(started, std::chrono::steady_clock::now());

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::cancelled));
  BOOST_TEST(outcome.attempts == 1u);
  BOOST_TEST(handler.retries.size() == 1u);
  BOOST_TEST(server.request_count() == 1u);
  BOOST_TEST(elapsed < 2000);
}

BOOST_AUTO_TEST_CASE(cancel_before_start_sends_nothing) {
  mock_http_server server;
  grok::sdk::cancel_token cancel;
  cancel.cancel();
  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler, cancel);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::cancelled));
  BOOST_TEST(server.request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(multibyte_text_split_at_every_offset) {
  // CJK (3 bytes), an emoji (4 bytes) and an emoji with a skin-tone
  // modifier, so every kind of split inside a character occurs.
  const std::string text = "日本語のテキスト 🙂 👍🏽 end";
  mock_http_server server;
  for (std::size_t offset = 1; offset < text.size(); ++offset) {
    scripted_response response;
    response.chunked = offset % 2 == 0;
    response.pieces = {{text.substr(0, offset)}, {text.substr(offset), 2ms}};
    server.enqueue(response);
  }
  for (std::size_t offset = 1; offset < text.size(); ++offset) {
    BOOST_TEST_CONTEXT("split at byte " << offset) {
      recording_handler handler;
      const auto outcome =
          grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);
      BOOST_TEST(!outcome.error, outcome.message);
      BOOST_TEST(handler.body == text);
    }
  }
}

BOOST_AUTO_TEST_CASE(http_proxy_gets_absolute_target) {
  mock_http_server proxy;
  proxy.enqueue(ok_response("through the proxy"));
  // The user name and password are percent-encoded in the URL.
  env.set("HTTP_PROXY", "http://user:p%40ss@127.0.0.1:" + std::to_string(proxy.port()));
  recording_handler handler;
  const auto outcome = grok::test::perform(grok::test::get_request("http://api.example.invalid:8080/v1/models?a=b"),
                                           grok::test::fast_options(), handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_TEST(handler.body == "through the proxy");
  const auto requests = proxy.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  BOOST_TEST(requests[0].target == "http://api.example.invalid:8080/v1/models?a=b");
  BOOST_TEST(requests[0].header("host") == "api.example.invalid:8080");
  // base64("user:p@ss")
  BOOST_TEST(requests[0].header("proxy-authorization") == "Basic dXNlcjpwQHNz");
}

BOOST_AUTO_TEST_CASE(no_proxy_bypasses_http_proxy) {
  mock_http_server proxy;
  mock_http_server server;
  server.enqueue(ok_response("direct"));
  env.set("http_proxy", proxy.base_url());
  env.set("NO_PROXY", "example.org, 127.0.0.1");
  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_TEST(handler.body == "direct");
  BOOST_TEST(proxy.request_count() == 0u);
  BOOST_TEST(server.request_count() == 1u);
}

BOOST_AUTO_TEST_CASE(refused_proxy_names_the_variable) {
  const std::uint16_t port = closed_port();
  env.set("HTTP_PROXY", "127.0.0.1:" + std::to_string(port));
  auto options = grok::test::fast_options();
  options.retry.max_retries = 0;
  recording_handler handler;
  const auto outcome = grok::test::perform(grok::test::get_request("http://api.example.invalid/"), options, handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::connection_refused));
  BOOST_TEST(contains(outcome.message, "proxy 127.0.0.1:" + std::to_string(port)), outcome.message);
  BOOST_TEST(contains(outcome.message, "HTTP_PROXY"), outcome.message);
}

BOOST_AUTO_TEST_SUITE_END()

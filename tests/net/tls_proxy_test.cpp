// SPDX-License-Identifier: MIT
/// \file
/// The HTTP client over TLS with certificates generated per test, and
/// through a CONNECT proxy.
#include "connect_proxy.hpp"
#include "mock_http_server.hpp"
#include "net_test_util.hpp"
#include "test_pki.hpp"

#include <grok/sdk/error.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using grok::sdk::errc;
using grok::test::mock_http_server;
using grok::test::recording_handler;
using grok::test::scripted_response;
namespace net = grok::sdk::net;

namespace {

scripted_response ok_response(std::string body) {
  scripted_response response;
  response.pieces = {{std::move(body)}};
  return response;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// A folder with a CA and a server certificate for localhost and
/// 127.0.0.1, and the proxy and trust-store variables cleared.
struct tls_fixture : grok::test::clean_network_env {
  tls_fixture() : pki(grok::test::generate_test_pki(folder.path(), {"DNS:localhost", "IP:127.0.0.1"})) {}

  grok::test::mock_server_options server_options() const { return {0, pki.server_certificate, pki.server_key}; }

  grok::test::temp_dir folder;
  grok::test::test_pki pki;
};

std::string localhost_url(const mock_http_server& server, const std::string& path = "/") {
  return "https://localhost:" + std::to_string(server.port()) + path;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(tls, tls_fixture)

BOOST_AUTO_TEST_CASE(ip_literal_verifies_without_sni) {
  env.set("SSL_CERT_FILE", pki.ca_certificate.string());
  mock_http_server server(server_options());
  scripted_response response;
  response.chunked = true;
  response.pieces = {{"secure "}, {"stream", 20ms}};
  server.enqueue(response);

  recording_handler handler;
  const auto outcome = grok::test::perform(grok::test::get_request(server.base_url() + "/v1/models"),
                                           grok::test::fast_options(), handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_TEST(handler.body == "secure stream");
  const auto requests = server.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  BOOST_TEST(requests[0].target == "/v1/models");
  BOOST_TEST(requests[0].tls_server_name == "");
}

BOOST_AUTO_TEST_CASE(host_name_sends_sni) {
  env.set("SSL_CERT_FILE", pki.ca_certificate.string());
  mock_http_server server(server_options());
  server.enqueue(ok_response("named"));

  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(localhost_url(server)), grok::test::fast_options(), handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_TEST(handler.body == "named");
  const auto requests = server.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  BOOST_TEST(requests[0].tls_server_name == "localhost");
  BOOST_TEST(requests[0].header("host") == "localhost:" + std::to_string(server.port()));
}

BOOST_AUTO_TEST_CASE(untrusted_ca_is_rejected) {
  const auto other = grok::test::generate_test_pki(folder.path(), {"IP:127.0.0.1"}, "other");
  env.set("SSL_CERT_FILE", other.ca_certificate.string());
  mock_http_server server(server_options());
  server.enqueue(ok_response("must not be fetched"));

  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::tls_verification_failed));
  BOOST_TEST(contains(outcome.message, "127.0.0.1"), outcome.message);
  BOOST_TEST(contains(outcome.message, "certificate verify failed (unable to get local issuer certificate)"),
             outcome.message);
  BOOST_TEST(contains(outcome.message, "SSL_CERT_FILE"), outcome.message);
  BOOST_TEST(outcome.attempts == 1u);
  BOOST_TEST(handler.retries.empty());
  BOOST_TEST(server.request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(system_store_does_not_trust_test_ca) {
  mock_http_server server(server_options());
  server.enqueue(ok_response("must not be fetched"));

  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::tls_verification_failed));
  BOOST_TEST(server.request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(wrong_host_name_is_rejected) {
  const auto other_name = grok::test::generate_test_pki(folder.path(), {"DNS:other.invalid"}, "other-name");
  env.set("SSL_CERT_FILE", other_name.ca_certificate.string());
  mock_http_server server({0, other_name.server_certificate, other_name.server_key});

  for (const auto& [url, reason] : {std::pair{server.base_url(), "IP address mismatch"},
                                    std::pair{localhost_url(server), "hostname mismatch"}}) {
    BOOST_TEST_CONTEXT("url " << url) {
      recording_handler handler;
      const auto outcome = grok::test::perform(grok::test::get_request(url), grok::test::fast_options(), handler);

      BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::tls_verification_failed));
      BOOST_TEST(contains(outcome.message, reason), outcome.message);
      BOOST_TEST(outcome.attempts == 1u);
    }
  }
  BOOST_TEST(server.request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(missing_cert_file_names_variable_and_path) {
  const auto missing = folder.path() / "missing-ca.pem";
  env.set("SSL_CERT_FILE", missing.string());
  mock_http_server server(server_options());

  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::invalid_argument));
  BOOST_TEST(contains(outcome.message, "SSL_CERT_FILE"), outcome.message);
  BOOST_TEST(contains(outcome.message, missing.string()), outcome.message);
  BOOST_TEST(outcome.attempts == 1u);
}

BOOST_AUTO_TEST_CASE(cert_dir_replaces_system_store) {
  const grok::test::test_certificate_authority authority("grok test directory CA");
  const auto certificates = folder.path() / "certs";
  std::filesystem::create_directory(certificates);
  authority.write_hashed_certificate(certificates);
  const auto server_files = authority.issue_server_certificate({"IP:127.0.0.1"}, folder.path() / "dir-server.pem",
                                                               folder.path() / "dir-server-key.pem");
  env.set("SSL_CERT_DIR", certificates.string());
  mock_http_server server({0, server_files.certificate, server_files.private_key});
  server.enqueue(ok_response("trusted by directory"));

  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_TEST(handler.body == "trusted by directory");
}

BOOST_AUTO_TEST_CASE(missing_cert_dir_names_variable_and_path) {
  const auto missing = folder.path() / "no-such-folder";
  env.set("SSL_CERT_DIR", missing.string());
  mock_http_server server(server_options());

  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::invalid_argument));
  BOOST_TEST(contains(outcome.message, "SSL_CERT_DIR"), outcome.message);
  BOOST_TEST(contains(outcome.message, missing.string()), outcome.message);
}

BOOST_AUTO_TEST_CASE(drop_mid_stream_is_connection_lost) {
  env.set("SSL_CERT_FILE", pki.ca_certificate.string());
  mock_http_server server(server_options());
  scripted_response response;
  response.pieces = {{"partial"}, {" rest", 50ms}};
  response.close_after_piece = 0;
  server.enqueue(response);

  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::connection_lost));
  BOOST_TEST(contains(outcome.message, "after 7 bytes"), outcome.message);
  BOOST_TEST(handler.body == "partial");
  BOOST_TEST(server.request_count() == 1u);
}

BOOST_AUTO_TEST_CASE(plain_server_fails_the_handshake) {
  env.set("SSL_CERT_FILE", pki.ca_certificate.string());
  mock_http_server plain_server;
  auto options = grok::test::fast_options();
  options.retry.max_retries = 0;

  recording_handler handler;
  const auto outcome = grok::test::perform(
      grok::test::get_request("https://127.0.0.1:" + std::to_string(plain_server.port()) + "/"), options, handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::tls_handshake_failed));
  BOOST_TEST(contains(outcome.message, "HTTPS"), outcome.message);
}

BOOST_AUTO_TEST_CASE(connect_timeout_covers_the_handshake) {
  // The kernel completes TCP connections to a listening socket that never
  // accepts, so the TLS handshake waits for a ServerHello that never comes.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address_v4("127.0.0.1"), 0));
  const std::string url = "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/";
  env.set("SSL_CERT_FILE", pki.ca_certificate.string());
  auto options = grok::test::fast_options();
  options.timeouts.connect = 200ms;
  options.retry.max_retries = 1;

  recording_handler handler;
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = grok::test::perform(grok::test::get_request(url), options, handler);
  const auto elapsed = grok::test::milliseconds_between(started, std::chrono::steady_clock::now());

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::connect_timeout));
  BOOST_TEST(contains(outcome.message, "127.0.0.1:" + std::to_string(silent.local_endpoint().port())),
             outcome.message);
  BOOST_TEST(contains(outcome.message, "0.2 s"), outcome.message);
  BOOST_TEST(outcome.attempts == 2u);
  BOOST_TEST(elapsed >= 400);
  BOOST_TEST(elapsed < 2500);
}

BOOST_AUTO_TEST_CASE(connect_proxy_tunnels_https) {
  env.set("SSL_CERT_FILE", pki.ca_certificate.string());
  mock_http_server server(server_options());
  server.enqueue(ok_response("tunnelled"));
  grok::test::connect_proxy proxy;
  env.set("HTTPS_PROXY", "http://alice:secret@127.0.0.1:" + std::to_string(proxy.port()));

  recording_handler handler;
  const auto outcome = grok::test::perform(grok::test::get_request(localhost_url(server, "/v1/chat")),
                                           grok::test::fast_options(), handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_TEST(handler.body == "tunnelled");
  const auto connects = proxy.requests();
  BOOST_REQUIRE_EQUAL(connects.size(), 1u);
  BOOST_TEST(connects[0].target == "localhost:" + std::to_string(server.port()));
  // base64("alice:secret")
  BOOST_TEST(connects[0].proxy_authorization == "Basic YWxpY2U6c2VjcmV0");
  const auto requests = server.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  BOOST_TEST(requests[0].target == "/v1/chat");
  BOOST_TEST(requests[0].tls_server_name == "localhost");
  BOOST_TEST(!requests[0].has_header("proxy-authorization"));
}

BOOST_AUTO_TEST_CASE(lower_case_https_proxy_is_used) {
  env.set("SSL_CERT_FILE", pki.ca_certificate.string());
  mock_http_server server(server_options());
  server.enqueue(ok_response("tunnelled"));
  grok::test::connect_proxy proxy;
  env.set("https_proxy", proxy.url());

  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(server.base_url()), grok::test::fast_options(), handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_REQUIRE_EQUAL(proxy.requests().size(), 1u);
  BOOST_TEST(proxy.requests()[0].proxy_authorization == "");
}

BOOST_AUTO_TEST_CASE(no_proxy_bypasses_connect_proxy) {
  env.set("SSL_CERT_FILE", pki.ca_certificate.string());
  mock_http_server server(server_options());
  server.enqueue(ok_response("direct"));
  grok::test::connect_proxy proxy;
  env.set("HTTPS_PROXY", proxy.url());
  env.set("no_proxy", ".example.com,LOCALHOST:443");

  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(localhost_url(server)), grok::test::fast_options(), handler);

  BOOST_TEST(!outcome.error, outcome.message);
  BOOST_TEST(handler.body == "direct");
  BOOST_TEST(proxy.requests().empty());
}

BOOST_AUTO_TEST_CASE(proxy_rejection_is_proxy_failed) {
  env.set("SSL_CERT_FILE", pki.ca_certificate.string());
  mock_http_server server(server_options());
  grok::test::connect_proxy proxy(407);
  env.set("HTTPS_PROXY", proxy.url());

  recording_handler handler;
  const auto outcome =
      grok::test::perform(grok::test::get_request(localhost_url(server)), grok::test::fast_options(), handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::proxy_failed));
  BOOST_TEST(contains(outcome.message, "127.0.0.1:" + std::to_string(proxy.port())), outcome.message);
  BOOST_TEST(contains(outcome.message, "407"), outcome.message);
  BOOST_TEST(contains(outcome.message, "HTTPS_PROXY"), outcome.message);
  BOOST_TEST(outcome.attempts == 1u);
  BOOST_TEST(proxy.requests().size() == 1u);
  BOOST_TEST(server.request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(proxy_bad_gateway_is_retried) {
  env.set("SSL_CERT_FILE", pki.ca_certificate.string());
  mock_http_server server(server_options());
  grok::test::connect_proxy proxy(502);
  env.set("HTTPS_PROXY", proxy.url());
  auto options = grok::test::fast_options();
  options.retry.max_retries = 1;

  recording_handler handler;
  const auto outcome = grok::test::perform(grok::test::get_request(localhost_url(server)), options, handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::proxy_failed));
  BOOST_TEST(contains(outcome.message, "502"), outcome.message);
  BOOST_TEST(outcome.attempts == 2u);
  BOOST_TEST(proxy.requests().size() == 2u);
}

BOOST_AUTO_TEST_CASE(https_proxy_with_https_scheme_is_rejected) {
  env.set("HTTPS_PROXY", "https://user:hunter2@127.0.0.1:3128");
  recording_handler handler;
  const auto outcome = grok::test::perform(grok::test::get_request("https://127.0.0.1:1/"),
                                           grok::test::fast_options(), handler);

  BOOST_TEST(outcome.error == grok::sdk::make_error_code(errc::unsupported_scheme));
  BOOST_TEST(contains(outcome.message, "HTTPS_PROXY"), outcome.message);
  BOOST_TEST(!contains(outcome.message, "hunter2"), outcome.message);
  BOOST_TEST(outcome.attempts == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

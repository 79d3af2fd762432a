// SPDX-License-Identifier: MIT
/// \file
/// The provider pipeline end to end: grok against a mock OpenAI-compatible
/// server over real sockets, plain and TLS.
#include "grok_runner.hpp"
#include "mock_http_server.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>

using namespace grok::test;
namespace json = boost::json;

namespace {

/// Text with ASCII, CJK and emoji, so pieces can end inside characters.
const std::vector<std::string> fragments{"Hello", ", 世界", "! 👋🏽 ", "ünïcödé ", "end\n"};

std::string joined_fragments() {
  std::string all;
  for (const auto& f : fragments)
    all += f;
  return all;
}

/// A 200 streamed response whose body is cut into `piece_bytes` pieces.
scripted_response stream_response(const std::string& body, std::size_t piece_bytes,
                                  std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
  scripted_response response;
  response.headers = {{"Content-Type", "text/event-stream"}};
  response.chunked = true;
  for (std::size_t at = 0; at < body.size(); at += piece_bytes)
    response.pieces.push_back({body.substr(at, piece_bytes), delay});
  return response;
}

scripted_response error_response(unsigned status, std::string body,
                                 std::vector<std::pair<std::string, std::string>> headers = {}) {
  scripted_response response;
  response.status = status;
  response.headers = std::move(headers);
  response.headers.push_back({"Content-Type", "application/json"});
  response.pieces.push_back({std::move(body), std::chrono::milliseconds(0)});
  return response;
}

/// grok pointed at `server` as the xAI provider, with short retry delays.
grok_runner runner_for(const mock_http_server& server) {
  grok_runner grok;
  grok.environment["XAI_BASE_URL"] = server.base_url() + "/v1";
  grok.environment["XAI_API_KEY"] = "xai-dummy-test-key-0123456789abcdef";
  grok.write_config(R"({"plugins": {"provider-openai": {"initial_backoff_ms": 20, "max_backoff_ms": 40}}})");
  return grok;
}

} // namespace

BOOST_AUTO_TEST_SUITE(provider)

BOOST_AUTO_TEST_CASE(pipe_mode_prints_bytes_exactly) {
  const std::string body = openai_sse_body(fragments);
  // Every piece size from 1 to 7 bytes cuts characters at different offsets.
  for (std::size_t piece = 1; piece <= 7; ++piece) {
    mock_http_server server;
    server.enqueue(stream_response(body, piece));
    auto grok = runner_for(server);
    auto result = grok.run({"-p", "explain"}, std::string("int main() { return 0; }\n"));
    BOOST_TEST(result.exit_code.value_or(-1) == 0, "piece " << piece << ": " << result.describe() << "\n" << result.stderr_text);
    BOOST_TEST(result.stdout_text == joined_fragments(), "piece " << piece);
    BOOST_TEST(result.stdout_text.find('\x1b') == std::string::npos);
    BOOST_TEST(result.stderr_text.empty(), result.stderr_text);
  }
}

BOOST_AUTO_TEST_CASE(request_carries_prompt_stdin_and_key) {
  mock_http_server server;
  server.enqueue(stream_response(openai_sse_body({"ok"}), 64));
  auto grok = runner_for(server);
  auto result = grok.run({"-p", "explain"}, std::string("int main() {}\n"));
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);

  const auto requests = server.requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(requests[0].method == "POST");
  BOOST_TEST(requests[0].target == "/v1/chat/completions");
  BOOST_TEST(requests[0].header("authorization") == "Bearer xai-dummy-test-key-0123456789abcdef");
  const auto body = json::parse(requests[0].body).as_object();
  BOOST_TEST(body.at("model").as_string() == "grok-4");
  BOOST_TEST(body.at("stream").as_bool());
  const auto& messages = body.at("messages").as_array();
  const auto& last = messages.back().as_object();
  BOOST_TEST(last.at("role").as_string() == "user");
  BOOST_TEST(last.at("content").as_string() == "explain\n\nint main() {}\n");
}

BOOST_AUTO_TEST_CASE(text_streams_as_it_arrives) {
  mock_http_server server;
  server.enqueue(stream_response(openai_sse_body({"one ", "two ", "three ", "four"}), 40,
                                 std::chrono::milliseconds(150)));
  auto grok = runner_for(server);
  auto result = grok.run({"-p", "count"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  BOOST_TEST(result.stdout_text == "one two three four");
  // Output that arrived in several reads spread over the stream's duration
  // was written per delta, not at the end.
  BOOST_TEST_REQUIRE(result.stdout_reads.size() >= 3u);
  const auto spread = result.stdout_reads.back().time - result.stdout_reads.front().time;
  BOOST_TEST((spread >= std::chrono::milliseconds(300)));
}

BOOST_AUTO_TEST_CASE(non_streamed_json_answer_is_shown) {
  mock_http_server server;
  scripted_response response;
  response.headers = {{"Content-Type", "application/json"}};
  response.pieces.push_back({R"({"id":"c1","object":"chat.completion","choices":[{"index":0,"message":)"
                             R"({"role":"assistant","content":"whole answer 世界"},"finish_reason":"stop"}],)"
                             R"("usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}})",
                             std::chrono::milliseconds(0)});
  server.enqueue(response);
  auto grok = runner_for(server);
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  BOOST_TEST(result.stdout_text == "whole answer 世界");
}

BOOST_AUTO_TEST_CASE(missing_end_marker_is_truncation) {
  std::string body = openai_sse_body({"partial answer"});
  body.erase(body.find("data: [DONE]"));
  mock_http_server server;
  server.enqueue(stream_response(body, 16));
  auto grok = runner_for(server);
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(result.stdout_text == "partial answer");
  BOOST_TEST(result.stderr_text.find("ended without its end marker") != std::string::npos, result.stderr_text);
}

BOOST_AUTO_TEST_CASE(dropped_connection_is_an_error) {
  const auto events = openai_sse_events({"before ", "the ", "drop"});
  std::string body;
  for (const auto& event : events)
    body += event;
  scripted_response response = stream_response(body, 30);
  response.close_after_piece = 3;
  mock_http_server server;
  server.enqueue(response);
  auto grok = runner_for(server);
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(result.stderr_text.find("lost") != std::string::npos, result.stderr_text);
  BOOST_TEST(server.request_count() == 1u, "a started stream must not be retried");
}

BOOST_AUTO_TEST_CASE(unauthorized_is_not_retried) {
  mock_http_server server;
  server.enqueue(error_response(401, R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}})"));
  auto grok = runner_for(server);
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(server.request_count() == 1u);
  BOOST_TEST(result.stderr_text ==
             "grok: error: xai rejected the API key (HTTP 401 Unauthorized): Incorrect API key provided; check XAI_API_KEY\n");
  BOOST_TEST(result.stderr_text.find("xai-dummy") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(forbidden_and_unknown_model_messages) {
  mock_http_server server;
  server.enqueue(error_response(403, R"({"code":"Forbidden","error":"The team is blocked"})"));
  server.enqueue(error_response(404, R"({"error":{"message":"The model `nope` does not exist","type":"invalid_request_error"}})"));
  auto grok = runner_for(server);
  auto forbidden = grok.run({"-p", "hi"});
  BOOST_TEST(forbidden.exit_code.value_or(-1) == 1);
  BOOST_TEST(forbidden.stderr_text.find("xai denied access (HTTP 403 Forbidden): The team is blocked") != std::string::npos,
             forbidden.stderr_text);
  auto unknown = grok.run({"--model", "nope", "-p", "hi"});
  BOOST_TEST(unknown.exit_code.value_or(-1) == 1);
  BOOST_TEST(unknown.stderr_text.find("xai: model 'nope' was not found at " + server.base_url() + "/v1") != std::string::npos,
             unknown.stderr_text);
  BOOST_TEST(server.request_count() == 2u);
}

BOOST_AUTO_TEST_CASE(rate_limit_retries_then_succeeds) {
  mock_http_server server;
  server.enqueue(error_response(429, R"({"error":{"message":"slow down"}})", {{"retry-after-ms", "120"}}));
  server.enqueue(error_response(503, R"({"error":{"message":"busy"}})"));
  server.enqueue(stream_response(openai_sse_body({"finally"}), 64));
  auto grok = runner_for(server);
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  BOOST_TEST(result.stdout_text == "finally");
  const auto requests = server.requests();
  BOOST_TEST_REQUIRE(requests.size() == 3u);
  BOOST_TEST((requests[1].arrival - requests[0].arrival >= std::chrono::milliseconds(120)));
}

BOOST_AUTO_TEST_CASE(rate_limit_after_retries_is_reported) {
  mock_http_server server;
  for (int i = 0; i < 3; ++i)
    server.enqueue(error_response(429, R"({"error":{"message":"Rate limit reached"}})"));
  auto grok = runner_for(server);
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(server.request_count() == 3u);
  BOOST_TEST(result.stderr_text ==
             "grok: error: xai rate limit reached (HTTP 429 Too Many Requests) after 3 attempts: Rate limit "
             "reached; wait a moment and try again\n");
}

BOOST_AUTO_TEST_CASE(workspace_config_cannot_redirect_key) {
  mock_http_server real;
  mock_http_server other;
  real.enqueue(stream_response(openai_sse_body({"from the configured server"}), 64));
  auto grok = runner_for(real);
  grok.environment.erase("XAI_BASE_URL");
  grok.write_config(R"({"plugins": {"provider-openai": {"xai": {"base_url": ")" + real.base_url() + R"(/v1"}}}})");
  std::filesystem::create_directories(grok.workspace() / ".grok");
  std::ofstream(grok.workspace() / ".grok" / "config.json")
      << R"({"plugin_dirs": ["/tmp"], "plugins": {"provider-openai": {"xai": {"base_url": ")" << other.base_url()
      << R"(/v1"}}}})";
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  BOOST_TEST(result.stdout_text == "from the configured server");
  BOOST_TEST(other.request_count() == 0u, "the key went to the address a project chose");
  BOOST_TEST(result.stderr_text.find("plugins.provider-openai.xai.base_url in ") != std::string::npos,
             result.stderr_text);
  BOOST_TEST(result.stderr_text.find("plugin_dirs in ") != std::string::npos, result.stderr_text);
}

BOOST_AUTO_TEST_CASE(missing_key_says_how_to_set_one) {
  grok_runner grok;
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(result.stderr_text ==
             "grok: error: no API key for xai: set XAI_API_KEY (export XAI_API_KEY=...), store one with grok "
             "/keys set xai, or choose another provider with --provider\n");
}

BOOST_AUTO_TEST_CASE(connection_refused_is_reported) {
  std::uint16_t port = 0;
  {
    mock_http_server closed;
    port = closed.port();
  }
  grok_runner grok;
  grok.environment["XAI_BASE_URL"] = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  grok.environment["XAI_API_KEY"] = "xai-dummy-test-key-0123456789abcdef";
  grok.write_config(R"({"plugins": {"provider-openai": {"max_retries": 0}}})");
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(result.stderr_text.find("connection refused") != std::string::npos, result.stderr_text);
}

BOOST_AUTO_TEST_CASE(tls_with_generated_ca) {
  temp_dir pki_folder;
  auto pki = generate_test_pki(pki_folder.path(), {"IP:127.0.0.1", "DNS:localhost"});
  mock_server_options options;
  options.tls_cert = pki.server_certificate;
  options.tls_key = pki.server_key;
  mock_http_server server(options);
  server.enqueue(stream_response(openai_sse_body(fragments), 5));

  auto grok = runner_for(server);
  grok.environment["SSL_CERT_FILE"] = pki.ca_certificate.string();
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  BOOST_TEST(result.stdout_text == joined_fragments());
}

BOOST_AUTO_TEST_CASE(tls_rejects_untrusted_ca) {
  temp_dir pki_folder;
  auto pki = generate_test_pki(pki_folder.path(), {"IP:127.0.0.1"});
  auto other = generate_test_pki(pki_folder.path(), {"IP:127.0.0.1"}, "other");
  mock_server_options options;
  options.tls_cert = pki.server_certificate;
  options.tls_key = pki.server_key;
  mock_http_server server(options);

  auto grok = runner_for(server);
  grok.environment["SSL_CERT_FILE"] = other.ca_certificate.string();
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(result.stderr_text.find("certificate verif") != std::string::npos, result.stderr_text);
  BOOST_TEST(result.stdout_text.empty());
}

BOOST_AUTO_TEST_CASE(tls_rejects_wrong_host_name) {
  temp_dir pki_folder;
  auto pki = generate_test_pki(pki_folder.path(), {"DNS:other.invalid"});
  mock_server_options options;
  options.tls_cert = pki.server_certificate;
  options.tls_key = pki.server_key;
  mock_http_server server(options);

  auto grok = runner_for(server);
  grok.environment["SSL_CERT_FILE"] = pki.ca_certificate.string();
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(result.stderr_text.find("certificate verif") != std::string::npos, result.stderr_text);
}

BOOST_AUTO_TEST_CASE(closed_stdout_ends_quietly) {
  mock_http_server server;
  std::vector<std::string> many;
  for (int i = 0; i < 200; ++i)
    many.push_back("line " + std::to_string(i) + "\n");
  server.enqueue(stream_response(openai_sse_body(many), 256, std::chrono::milliseconds(2)));
  auto grok = runner_for(server);
  auto result = grok.shell("\"$GROK\" -p hi | head -1");
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe());
  BOOST_TEST(result.stdout_text.starts_with("line 0\n"), result.stdout_text);
  BOOST_TEST(result.stderr_text.empty(), result.stderr_text);
}

BOOST_AUTO_TEST_CASE(ctrl_c_exits_130) {
  mock_http_server server;
  std::vector<std::string> slow;
  for (int i = 0; i < 50; ++i)
    slow.push_back("word" + std::to_string(i) + " ");
  server.enqueue(stream_response(openai_sse_body(slow), 100, std::chrono::milliseconds(100)));
  auto grok = runner_for(server);
  grok.extra.interrupt_after_stdout_bytes = 5;
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST(result.interrupted);
  BOOST_TEST(result.exit_code.value_or(-1) == 130, result.describe() << result.stderr_text);
}

BOOST_AUTO_TEST_CASE(json_output_formats) {
  mock_http_server server;
  server.enqueue(stream_response(openai_sse_body(fragments), 7));
  server.enqueue(stream_response(openai_sse_body(fragments), 7));
  auto grok = runner_for(server);

  auto single = grok.run({"--output-format", "json", "-p", "hi"});
  BOOST_TEST(single.exit_code.value_or(-1) == 0, single.describe() << single.stderr_text);
  const auto object = json::parse(single.stdout_text).as_object();
  BOOST_TEST(object.at("type").as_string() == "result");
  BOOST_TEST(object.at("text").as_string() == joined_fragments());
  BOOST_TEST(object.at("is_error").as_bool() == false);
  BOOST_TEST(object.at("finish_reason").as_string() == "stop");

  auto stream = grok.run({"--output-format", "stream-json", "-p", "hi"});
  BOOST_TEST(stream.exit_code.value_or(-1) == 0, stream.describe());
  std::string text;
  std::string last_type;
  std::size_t start = 0;
  while (start < stream.stdout_text.size()) {
    const auto end = stream.stdout_text.find('\n', start);
    const auto event = json::parse(stream.stdout_text.substr(start, end - start)).as_object();
    last_type = event.at("type").as_string();
    if (last_type == "text")
      text += event.at("text").as_string();
    start = end + 1;
  }
  BOOST_TEST(text == joined_fragments());
  BOOST_TEST(last_type == "result");
}

BOOST_AUTO_TEST_SUITE_END()

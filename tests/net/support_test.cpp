// SPDX-License-Identifier: MIT
/// \file
/// The test-support pieces that other suites rely on: the OpenAI stream
/// builder, UTF-8 splitting, run_child and grok-mock-llm.
#include "child_process.hpp"
#include "mock_http_server.hpp"
#include "net_test_util.hpp"
#include "test_pki.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <future>
#include <thread>

using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

/// Returns the JSON payloads of the `data:` lines of an SSE body, and
/// whether it ended with `data: [DONE]`.
std::vector<json::value> parse_sse_payloads(const std::string& body, bool& saw_done) {
  std::vector<json::value> payloads;
  saw_done = false;
  std::size_t position = 0;
  while (position < body.size()) {
    const auto end = body.find("\n\n", position);
    BOOST_REQUIRE(end != std::string::npos);
    const std::string event = body.substr(position, end - position);
    position = end + 2;
    BOOST_REQUIRE(event.rfind("data: ", 0) == 0);
    const std::string data = event.substr(6);
    if (data == "[DONE]") {
      saw_done = true;
      BOOST_TEST(position == body.size());
      continue;
    }
    payloads.push_back(json::parse(data));
  }
  return payloads;
}

/// Concatenates the delta contents of chat.completion.chunk payloads.
std::string joined_content(const std::vector<json::value>& payloads) {
  std::string text;
  for (const json::value& payload : payloads) {
    const auto& choices = payload.at("choices").as_array();
    if (choices.empty())
      continue;
    const auto& delta = choices[0].at("delta").as_object();
    if (const auto* content = delta.if_contains("content"))
      text += std::string(content->as_string());
  }
  return text;
}

grok::test::child_options shell(std::string script) {
  grok::test::child_options options;
  options.executable = "/bin/sh";
  options.arguments = {"-c", std::move(script)};
  options.environment = {{"PATH", "/usr/bin:/bin"}};
  options.timeout = 10s;
  return options;
}

} // namespace

BOOST_AUTO_TEST_SUITE(support)

BOOST_AUTO_TEST_CASE(openai_stream_escapes_fragments) {
  const std::vector<std::string> fragments = {"say \"hi\"\n", "tab\there \\ ", "日本 🙂"};
  bool saw_done = false;
  const auto payloads = parse_sse_payloads(grok::test::openai_sse_body(fragments), saw_done);

  BOOST_TEST(saw_done);
  BOOST_REQUIRE_EQUAL(payloads.size(), fragments.size() + 2);
  BOOST_TEST(joined_content(payloads) == fragments[0] + fragments[1] + fragments[2]);
  for (const json::value& payload : payloads) {
    BOOST_TEST(payload.at("object").as_string() == "chat.completion.chunk");
    BOOST_TEST(payload.at("id").as_string() == "chatcmpl-mock");
  }
  const auto& finish = payloads[fragments.size()].at("choices").as_array();
  BOOST_REQUIRE_EQUAL(finish.size(), 1u);
  BOOST_TEST(finish[0].at("finish_reason").as_string() == "stop");
  BOOST_TEST(payloads[0].at("choices").as_array()[0].at("finish_reason").is_null());

  const json::value& usage_chunk = payloads.back();
  BOOST_TEST(usage_chunk.at("choices").as_array().empty());
  BOOST_TEST(usage_chunk.at("usage").at("completion_tokens").to_number<int>() == 3);
  BOOST_TEST(usage_chunk.at("usage").at("total_tokens").to_number<int>() == 15);
}

BOOST_AUTO_TEST_CASE(split_utf8_keeps_characters_whole) {
  const std::string text = "aé日🙂👍🏽z";
  for (std::size_t max_bytes = 1; max_bytes <= 9; ++max_bytes) {
    BOOST_TEST_CONTEXT("max_bytes " << max_bytes) {
      const auto fragments = grok::test::split_utf8(text, max_bytes);
      std::string joined;
      for (const std::string& fragment : fragments) {
        BOOST_TEST(grok::test::is_valid_utf8(fragment));
        BOOST_TEST(!fragment.empty());
        // Only a single character longer than the limit may exceed it.
        BOOST_TEST((fragment.size() <= max_bytes || grok::test::split_utf8(fragment, 1).size() == 1));
        joined += fragment;
      }
      BOOST_TEST(joined == text);
    }
  }
  BOOST_TEST(!grok::test::is_valid_utf8("\xC0\xAF"));     // overlong '/'
  BOOST_TEST(!grok::test::is_valid_utf8("\xED\xA0\x80")); // surrogate
  BOOST_TEST(!grok::test::is_valid_utf8("\xE6\x97"));     // cut short
}

BOOST_AUTO_TEST_CASE(run_child_captures_large_output_and_stdin) {
  // 300 KB each way is far above a pipe's 64 KiB buffer, so serving the
  // pipes one after another would deadlock.
  const std::string input(300'000, 'i');
  auto options = shell("cat; head -c 300000 /dev/zero | tr '\\0' e >&2; exit 3");
  options.stdin_data = input;
  const auto result = grok::test::run_child(options);

  BOOST_TEST((result.exit_code == 3), result.describe());
  BOOST_TEST(!result.timed_out);
  BOOST_TEST(result.stdout_text == input);
  BOOST_TEST(result.stderr_text == std::string(300'000, 'e'));
}

BOOST_AUTO_TEST_CASE(run_child_passes_exactly_the_environment) {
  grok::test::child_options options;
  options.executable = "/usr/bin/env";
  options.environment = {{"GROK_ONLY", "1"}};
  const auto result = grok::test::run_child(options);

  BOOST_TEST((result.exit_code == 0), result.describe());
  BOOST_TEST(result.stdout_text == "GROK_ONLY=1\n");
}

BOOST_AUTO_TEST_CASE(run_child_kills_on_timeout) {
  auto options = shell("echo started; exec sleep 30");
  options.timeout = 300ms;
  const auto result = grok::test::run_child(options);

  BOOST_TEST(result.timed_out);
  BOOST_TEST((result.term_signal == SIGKILL), result.describe());
  BOOST_TEST(result.stdout_text == "started\n");
  BOOST_TEST(grok::test::milliseconds_between(result.started, result.finished) < 5000);
}

BOOST_AUTO_TEST_CASE(run_child_interrupts_after_output) {
  auto options = shell("echo ready; exec sleep 30");
  options.interrupt_after_stdout_bytes = 6;
  const auto result = grok::test::run_child(options);

  BOOST_TEST(result.interrupted);
  BOOST_TEST(!result.timed_out);
  BOOST_TEST((result.term_signal == SIGINT), result.describe());
}

BOOST_AUTO_TEST_CASE(run_child_timestamps_each_read) {
  // The child's own pause is what the test measures, not a wait for it.
  const auto result = grok::test::run_child(shell("echo a; sleep 0.3; echo b"));

  BOOST_TEST((result.exit_code == 0), result.describe());
  BOOST_TEST(result.stdout_text == "a\nb\n");
  BOOST_REQUIRE_EQUAL(result.stdout_reads.size(), 2u);
  BOOST_TEST(grok::test::milliseconds_between(result.stdout_reads[0].time, result.stdout_reads[1].time) >= 250);
}

BOOST_AUTO_TEST_CASE(run_child_reports_a_missing_executable) {
  grok::test::child_options options;
  options.executable = "/nonexistent/grok-test-binary";
  BOOST_CHECK_THROW(grok::test::run_child(options), std::system_error);
}

BOOST_AUTO_TEST_CASE(mock_llm_streams_chat_completions) {
  grok::test::clean_network_env clean;
  grok::test::temp_dir folder;
  const std::string reply = "Hello, 世界! Streaming 🙂 works.";
  const auto reply_file = folder.path() / "reply.txt";
  const auto log_file = folder.path() / "requests.jsonl";
  std::ofstream(reply_file) << reply;

  grok::test::child_options options;
  options.executable = GROK_MOCK_LLM_PATH;
  options.arguments = {"--port", "0", "--reply-file", reply_file.string(), "--chunk-bytes", "4",
                       "--requests", "2", "--log", log_file.string()};
  options.timeout = 20s;
  std::promise<std::uint16_t> port_promise;
  std::string banner;
  bool port_sent = false;
  options.on_stdout = [&](std::string_view bytes) {
    banner.append(bytes);
    const auto line_end = banner.find('\n');
    if (port_sent || line_end == std::string::npos)
      return;
    port_sent = true;
    const std::string prefix = "listening on 127.0.0.1:";
    if (banner.rfind(prefix, 0) == 0)
      port_promise.set_value(static_cast<std::uint16_t>(std::stoi(banner.substr(prefix.size(), line_end))));
    else
      port_promise.set_value(0);
  };
  auto child = std::async(std::launch::async, [&] { return grok::test::run_child(options); });

  auto port_future = port_promise.get_future();
  BOOST_REQUIRE(port_future.wait_for(10s) == std::future_status::ready);
  const std::uint16_t port = port_future.get();
  BOOST_REQUIRE_NE(port, 0);
  const std::string base = "http://127.0.0.1:" + std::to_string(port) + "/v1";

  grok::sdk::net::http_request chat;
  chat.url = base + "/chat/completions";
  chat.headers = {{"Authorization", "Bearer dummy-key"}, {"Content-Type", "application/json"}};
  chat.body = R"({"model":"grok-test","stream":true,"messages":[{"role":"user","content":"hi"}]})";
  grok::test::recording_handler chat_handler;
  const auto chat_outcome = grok::test::perform(chat, grok::test::fast_options(), chat_handler);
  BOOST_TEST(!chat_outcome.error, chat_outcome.message);
  bool saw_done = false;
  const auto payloads = parse_sse_payloads(chat_handler.body, saw_done);
  BOOST_TEST(saw_done);
  BOOST_TEST(joined_content(payloads) == reply);
  BOOST_REQUIRE(!payloads.empty());
  BOOST_TEST(payloads.front().at("model").as_string() == "grok-test");

  grok::test::recording_handler models_handler;
  const auto models_outcome =
      grok::test::perform(grok::test::get_request(base + "/models"), grok::test::fast_options(), models_handler);
  BOOST_TEST(!models_outcome.error, models_outcome.message);
  BOOST_TEST(json::parse(models_handler.body).at("data").as_array()[0].at("id").as_string() == "mock-model");

  const auto result = child.get();
  BOOST_TEST((result.exit_code == 0), result.describe() << "\n" << result.stderr_text);

  std::ifstream log(log_file);
  std::vector<json::value> lines;
  for (std::string line; std::getline(log, line);)
    lines.push_back(json::parse(line));
  BOOST_REQUIRE_EQUAL(lines.size(), 2u);
  BOOST_TEST(lines[0].at("method").as_string() == "POST");
  BOOST_TEST(lines[0].at("target").as_string() == "/v1/chat/completions");
  BOOST_TEST(lines[0].at("body").as_string() == chat.body);
  BOOST_TEST(lines[1].at("method").as_string() == "GET");
}

BOOST_AUTO_TEST_CASE(mock_llm_answers_scripted_status) {
  grok::test::clean_network_env clean;
  grok::test::child_options options;
  options.executable = GROK_MOCK_LLM_PATH;
  options.arguments = {"--status", "429", "--requests", "1"};
  std::promise<std::uint16_t> port_promise;
  std::string banner;
  options.on_stdout = [&](std::string_view bytes) {
    const bool had_line = banner.find('\n') != std::string::npos;
    banner.append(bytes);
    if (!had_line && banner.find('\n') != std::string::npos)
      port_promise.set_value(static_cast<std::uint16_t>(std::stoi(banner.substr(banner.rfind(':') + 1))));
  };
  auto child = std::async(std::launch::async, [&] { return grok::test::run_child(options); });
  auto port_future = port_promise.get_future();
  BOOST_REQUIRE(port_future.wait_for(10s) == std::future_status::ready);

  grok::sdk::net::http_request chat;
  chat.url = "http://127.0.0.1:" + std::to_string(port_future.get()) + "/v1/chat/completions";
  chat.body = R"({"model":"m","messages":[]})";
  auto http_options = grok::test::fast_options();
  http_options.retry.max_retries = 0;
  grok::test::recording_handler handler;
  const auto outcome = grok::test::perform(chat, http_options, handler);

  BOOST_TEST(outcome.status == 429u);
  const json::value body = json::parse(outcome.body);
  BOOST_TEST(body.at("error").at("code").as_string() == "rate_limit_exceeded");
  const auto result = child.get();
  BOOST_TEST((result.exit_code == 0), result.describe() << "\n" << result.stderr_text);
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: MIT
/// \file
/// Sessions, context files, /explain and replay, end to end.
#include "grok_runner.hpp"
#include "mock_http_server.hpp"

#include <grok/sdk/files.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sys/stat.h>

using namespace grok::test;
namespace json = boost::json;

namespace {

const std::string dummy_key = "xai-dummy-session-key-0123456789abcdef";

scripted_response answer(const std::string& text) {
  scripted_response response;
  response.headers = {{"Content-Type", "text/event-stream"}};
  response.pieces.push_back({openai_sse_body({text}), std::chrono::milliseconds(0)});
  return response;
}

grok_runner runner_for(const mock_http_server& server) {
  grok_runner grok;
  grok.environment["XAI_BASE_URL"] = server.base_url() + "/v1";
  grok.environment["XAI_API_KEY"] = dummy_key;
  return grok;
}

std::string read_all(const std::filesystem::path& path) {
  std::error_code error;
  return grok::sdk::read_file(path, error).value_or("");
}

/// The recorded answer's text: every "content" delta of the recording.
std::string recorded_text(const std::filesystem::path& recording) {
  std::string text;
  std::istringstream lines(read_all(recording));
  std::string line;
  while (std::getline(lines, line)) {
    const auto object = json::parse(line).as_object();
    if (object.at("type").as_string() != "bytes")
      continue;
    std::istringstream events(std::string(object.at("data").as_string()));
    std::string event;
    while (std::getline(events, event)) {
      if (!event.starts_with("data: {"))
        continue;
      const auto chunk = json::parse(event.substr(6)).as_object();
      for (const auto& choice : chunk.at("choices").as_array()) {
        const auto& delta = choice.as_object().at("delta").as_object();
        if (const auto* content = delta.if_contains("content"); content && content->is_string())
          text += content->as_string();
      }
    }
  }
  return text;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sessions)

BOOST_AUTO_TEST_CASE(session_file_is_private_and_keyless) {
  mock_http_server server;
  server.enqueue(answer("first answer"));
  auto grok = runner_for(server);
  auto result = grok.run({"-p", "remember this"});
  BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);

  const auto folder = grok.home() / ".grok" / "sessions";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    files.push_back(entry.path());
  BOOST_TEST_REQUIRE(files.size() == 1u);

  struct stat info {};
  BOOST_TEST(::stat(files[0].c_str(), &info) == 0);
  BOOST_TEST((info.st_mode & 0777) == 0600u);
  BOOST_TEST(::stat(folder.c_str(), &info) == 0);
  BOOST_TEST((info.st_mode & 0777) == 0700u);

  const std::string content = read_all(files[0]);
  BOOST_TEST(content.find(dummy_key) == std::string::npos);
  const auto session = json::parse(content).as_object();
  BOOST_TEST(session.at("model").as_string() == "grok-4");
  BOOST_TEST(session.at("messages").as_array().size() == 2u);

  const std::string id(session.at("id").as_string());
  auto listing = grok.run({"/resume"});
  BOOST_TEST(listing.exit_code.value_or(-1) == 0);
  BOOST_TEST(listing.stdout_text.find(id) != std::string::npos, listing.stdout_text);
  BOOST_TEST(listing.stdout_text.find("remember this") != std::string::npos, listing.stdout_text);

  auto resumed = grok.run({"/resume", id.substr(0, 8)});
  BOOST_TEST(resumed.exit_code.value_or(-1) == 0, resumed.describe() << resumed.stderr_text);
  BOOST_TEST(resumed.stderr_text.find("resumed session " + id + " with 2 messages") != std::string::npos,
             resumed.stderr_text);

  auto missing = grok.run({"/resume", "no-such-session"});
  BOOST_TEST(missing.exit_code.value_or(-1) == 1, missing.describe());
}

BOOST_AUTO_TEST_CASE(context_files_reach_the_model) {
  mock_http_server server;
  server.enqueue(answer("ok"));
  auto grok = runner_for(server);
  std::ofstream(grok.workspace() / "GROK.md") << "Always answer in haiku.\n";
  std::ofstream(grok.workspace() / "AGENTS.md") << "Run make test before committing.\n";
  std::ofstream(grok.home() / "GROK.md") << "The user prefers short answers.\n";
  auto result = grok.run({"-p", "hi"});
  BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);

  const auto requests = server.requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  const auto body = json::parse(requests[0].body).as_object();
  const auto& first = body.at("messages").as_array().front().as_object();
  BOOST_TEST(first.at("role").as_string() == "system");
  const std::string context(first.at("content").as_string());
  BOOST_TEST(context.find("Always answer in haiku.") != std::string::npos, context);
  BOOST_TEST(context.find("Run make test before committing.") != std::string::npos, context);
  BOOST_TEST(context.find("The user prefers short answers.") != std::string::npos, context);
}

BOOST_AUTO_TEST_CASE(explain_sends_file_content) {
  mock_http_server server;
  server.enqueue(answer("It prints a greeting."));
  auto grok = runner_for(server);
  std::ofstream(grok.workspace() / "hello.py") << "print('hello')\n";
  auto result = grok.run({"/explain", "hello.py"});
  BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  BOOST_TEST(result.stdout_text == "It prints a greeting.");
  const auto body = json::parse(server.requests().at(0).body).as_object();
  const std::string prompt(body.at("messages").as_array().back().as_object().at("content").as_string());
  BOOST_TEST(prompt.find("```python\nprint('hello')\n```") != std::string::npos, prompt);

  std::ofstream(grok.workspace() / "blob.bin", std::ios::binary) << std::string("\x7f" "ELF\0\0", 6);
  auto binary = grok.run({"/explain", "blob.bin"});
  BOOST_TEST(binary.exit_code.value_or(-1) == 1, binary.describe());
  BOOST_TEST(binary.stderr_text.find("binary") != std::string::npos, binary.stderr_text);
  BOOST_TEST(server.request_count() == 1u);
}

BOOST_AUTO_TEST_CASE(replay_plays_the_sample_recording) {
  const std::filesystem::path sample = GROK_TEST_SAMPLE_PROJECT;
  const auto recording = sample / "recordings" / "explain-lru-cache.jsonl";
  grok_runner grok;
  grok.environment["GROK_REPLAY_FILE"] = recording.string();
  grok.environment["GROK_REPLAY_SPEED"] = "0";
  child_options& options = grok.extra;
  options.working_directory = sample;
  auto result = grok.run({"--provider", "replay", "/explain", "src/lru_cache.hpp"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  BOOST_TEST(!result.stdout_text.empty());
  BOOST_TEST(result.stdout_text == recorded_text(recording));
  // The prompt matches the recorded one, so there is no mismatch warning.
  BOOST_TEST(result.stderr_text.empty(), result.stderr_text);
}

BOOST_AUTO_TEST_CASE(record_then_replay_matches) {
  mock_http_server server;
  server.enqueue(answer("recorded 世界 answer"));
  auto grok = runner_for(server);
  const auto recording = grok.workspace() / "exchange.jsonl";
  grok.environment["GROK_RECORD_FILE"] = recording.string();
  auto live = grok.run({"-p", "hi"});
  BOOST_TEST_REQUIRE(live.exit_code.value_or(-1) == 0, live.describe() << live.stderr_text);
  BOOST_TEST(read_all(recording).find(dummy_key) == std::string::npos);

  grok.environment.erase("GROK_RECORD_FILE");
  grok.environment["GROK_REPLAY_FILE"] = recording.string();
  auto replayed = grok.run({"--provider", "replay", "-p", "hi"});
  BOOST_TEST(replayed.exit_code.value_or(-1) == 0, replayed.describe() << replayed.stderr_text);
  BOOST_TEST(replayed.stdout_text == live.stdout_text);
}

BOOST_AUTO_TEST_SUITE_END()

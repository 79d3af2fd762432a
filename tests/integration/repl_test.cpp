// SPDX-License-Identifier: MIT
/// \file
/// The interactive prompt on a real pseudo-terminal: commands, a streamed
/// answer, Ctrl-C during streaming, and /exit.
#include "grok_runner.hpp"
#include "mock_http_server.hpp"
#include "terminal_session.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>


using namespace grok::test;
using namespace std::chrono_literals;

namespace {

scripted_response slow_stream(const std::vector<std::string>& fragments, std::chrono::milliseconds gap) {
  scripted_response response;
  response.headers = {{"Content-Type", "text/event-stream"}};
  response.chunked = true;
  for (const auto& event : openai_sse_events(fragments))
    response.pieces.push_back({event, gap});
  return response;
}

/// grok's environment for a terminal session against `server`.
std::map<std::string, std::string> terminal_environment(const grok_runner& grok, const mock_http_server& server) {
  auto environment = grok.environment;
  environment["XAI_BASE_URL"] = server.base_url() + "/v1";
  environment["XAI_API_KEY"] = "xai-dummy-repl-key-0123456789abcdef";
  environment["TERM"] = "xterm";
  return environment;
}

} // namespace

BOOST_AUTO_TEST_SUITE(repl)

BOOST_AUTO_TEST_CASE(prompt_answers_and_exits) {
  mock_http_server server;
  server.enqueue(slow_stream({"first ", "answer"}, 10ms));
  grok_runner grok;
  const auto environment = terminal_environment(grok, server);

  terminal_session session(grok_executable(), {}, environment, grok.workspace());
  BOOST_TEST_REQUIRE(session.wait_for("grok> "), session.screen());
  session.type("/help\r");
  BOOST_TEST(session.wait_for("/explain <file or code>"), session.screen());
  BOOST_TEST_REQUIRE(session.wait_for("grok> "), session.screen());
  session.type("hello there\r");
  BOOST_TEST(session.wait_for("first answer"), session.screen());
  BOOST_TEST_REQUIRE(session.wait_for("grok> "), session.screen());
  session.type("/exit\r");
  BOOST_TEST(session.wait_exit() == 0, session.screen());
  BOOST_TEST(std::filesystem::exists(grok.home() / ".grok" / "history"));
}

BOOST_AUTO_TEST_CASE(ctrl_c_at_prompt_clears_line) {
  mock_http_server server;
  server.enqueue(slow_stream({"still here"}, 0ms));
  grok_runner grok;
  const auto environment = terminal_environment(grok, server);

  terminal_session session(grok_executable(), {}, environment, grok.workspace());
  BOOST_TEST_REQUIRE(session.wait_for("grok> "), session.screen());
  session.type("half typed");
  BOOST_TEST_REQUIRE(session.wait_for("half typed"), session.screen());
  session.type("\x03");
  BOOST_TEST_REQUIRE(session.wait_for("grok> "), session.screen());
  session.type("\x03"); // twice on an empty line: grok must still be there
  BOOST_TEST_REQUIRE(session.wait_for("grok> "), session.screen());
  session.type("are you there\r");
  BOOST_TEST(session.wait_for("still here"), session.screen());
  BOOST_TEST_REQUIRE(session.wait_for("grok> "), session.screen());
  const auto requests = server.requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(requests[0].body.find("half typed") == std::string::npos, "the discarded line was sent");
  session.type("/exit\r");
  BOOST_TEST(session.wait_exit() == 0, session.screen());
}

BOOST_AUTO_TEST_CASE(ctrl_c_returns_to_prompt) {
  mock_http_server server;
  std::vector<std::string> words;
  for (int i = 0; i < 100; ++i)
    words.push_back("w" + std::to_string(i) + " ");
  server.enqueue(slow_stream(words, 100ms));
  server.enqueue(slow_stream({"second answer"}, 0ms));
  grok_runner grok;
  const auto environment = terminal_environment(grok, server);

  terminal_session session(grok_executable(), {}, environment, grok.workspace());
  BOOST_TEST_REQUIRE(session.wait_for("grok> "), session.screen());
  session.type("count slowly\r");
  BOOST_TEST_REQUIRE(session.wait_for("w2 "), session.screen());
  session.type("\x03"); // Ctrl-C: the terminal sends SIGINT to grok
  BOOST_TEST(session.wait_for("interrupted"), session.screen());
  BOOST_TEST_REQUIRE(session.wait_for("grok> "), session.screen());
  BOOST_TEST(session.screen().find("w90 ") == std::string::npos, "the stream was not stopped");

  // The prompt still works after an interrupted answer.
  session.type("again\r");
  BOOST_TEST(session.wait_for("second answer"), session.screen());
  BOOST_TEST_REQUIRE(session.wait_for("grok> "), session.screen());
  session.type("\x04"); // Ctrl-D
  BOOST_TEST(session.wait_exit() == 0, session.screen());
}

BOOST_AUTO_TEST_SUITE_END()

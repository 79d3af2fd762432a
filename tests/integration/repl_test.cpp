// SPDX-License-Identifier: MIT
/// \file
/// The interactive prompt on a real pseudo-terminal: commands, a streamed
/// answer, Ctrl-C during streaming, and /exit.
#include "grok_runner.hpp"
#include "mock_http_server.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <cstring>

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace grok::test;
using namespace std::chrono_literals;

namespace {

/// grok running on the slave side of a pseudo-terminal.
class terminal_session {
public:
  explicit terminal_session(const std::map<std::string, std::string>& environment,
                            const std::filesystem::path& folder) {
    std::vector<std::string> env_strings;
    for (const auto& [name, value] : environment)
      env_strings.push_back(name + "=" + value);
    winsize size{};
    size.ws_row = 40;
    size.ws_col = 120;
    pid_ = ::forkpty(&master_, nullptr, nullptr, &size);
    BOOST_TEST_REQUIRE(pid_ >= 0, "forkpty failed: " << std::strerror(errno));
    if (pid_ == 0) {
      std::vector<char*> envp;
      for (auto& s : env_strings)
        envp.push_back(s.data());
      envp.push_back(nullptr);
      if (::chdir(folder.c_str()) != 0)
        ::_exit(126);
      const std::string program = grok_executable().string();
      char* argv[] = {const_cast<char*>(program.c_str()), nullptr};
      ::execve(program.c_str(), argv, envp.data());
      ::_exit(127);
    }
  }

  ~terminal_session() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0)
      ::close(master_);
  }

  void type(std::string_view keys) { BOOST_TEST_REQUIRE(::write(master_, keys.data(), keys.size()) == static_cast<ssize_t>(keys.size())); }

  /// Reads until `text` appeared in the output since the last call, or the
  /// timeout passed. Returns whether it appeared.
  bool wait_for(std::string_view text, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const auto at = screen_.find(text, consumed_); at != std::string::npos) {
        consumed_ = at + text.size();
        return true;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return false;
      pollfd poll_fd{master_, POLLIN, 0};
      if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0)
        continue;
      char buffer[4096];
      const ssize_t n = ::read(master_, buffer, sizeof buffer);
      if (n <= 0)
        return false;
      screen_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  /// Waits for grok to exit and returns its exit code (-1 on a signal or
  /// timeout).
  int wait_exit(std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      wait_for("\x01\x02\x03", 50ms); // drain output so grok never blocks on the terminal
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
    }
    return -1;
  }

  const std::string& screen() const { return screen_; }

private:
  pid_t pid_ = -1;
  int master_ = -1;
  bool exited_ = false;
  std::string screen_;
  std::size_t consumed_ = 0;
};

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

  terminal_session session(environment, grok.workspace());
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

  terminal_session session(environment, grok.workspace());
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

  terminal_session session(environment, grok.workspace());
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

// SPDX-License-Identifier: MIT
/// \file
/// /config and /keys set on a pseudo-terminal, and /config without one.
#include "keystore_fixture.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstring>

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace grok::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

/// grok on the slave side of a pseudo-terminal.
class terminal_grok {
public:
  terminal_grok(const keystore_home& home, const std::vector<std::string>& arguments) {
    std::vector<std::string> environment_strings;
    for (const auto& [name, value] : home.environment)
      environment_strings.push_back(name + "=" + value);
    std::vector<std::string> argument_strings{grok_executable().string()};
    argument_strings.insert(argument_strings.end(), arguments.begin(), arguments.end());
    std::vector<char*> envp;
    for (auto& entry : environment_strings)
      envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::vector<char*> argv;
    for (auto& argument : argument_strings)
      argv.push_back(argument.data());
    argv.push_back(nullptr);
    const std::string folder = home.workspace().string();

    winsize size{};
    size.ws_row = 40;
    size.ws_col = 200;
    pid_ = ::forkpty(&terminal_, nullptr, nullptr, &size);
    BOOST_TEST_REQUIRE(pid_ >= 0, "forkpty failed: " << std::strerror(errno));
    if (pid_ == 0) {
      if (::chdir(folder.c_str()) != 0)
        ::_exit(126);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
  }

  ~terminal_grok() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (terminal_ >= 0)
      ::close(terminal_);
  }

  terminal_grok(const terminal_grok&) = delete;
  terminal_grok& operator=(const terminal_grok&) = delete;

  void type(std::string_view keys) {
    BOOST_TEST_REQUIRE(::write(terminal_, keys.data(), keys.size()) == static_cast<ssize_t>(keys.size()));
  }

  /// Reads until `text` appears after what earlier calls matched, or 10 s
  /// pass. Returns whether it appeared.
  bool wait_for(std::string_view text) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      if (const auto at = screen_.find(text, matched_); at != std::string::npos) {
        matched_ = at + text.size();
        return true;
      }
      if (!read_some(deadline))
        return false;
    }
  }

  /// Reads the rest of the output and returns the exit code, or -1.
  int wait_exit() {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (read_some(deadline)) {
    }
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_)
      return -1;
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  const std::string& screen() const { return screen_; }

private:
  /// Appends what the terminal has; false at its end or the deadline.
  bool read_some(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd ready{terminal_, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0)
      return false;
    char buffer[4096];
    const ssize_t got = ::read(terminal_, buffer, sizeof buffer);
    if (got <= 0)
      return false; // EIO once the slave side is closed
    screen_.append(buffer, static_cast<std::size_t>(got));
    return true;
  }

  pid_t pid_ = -1;
  int terminal_ = -1;
  bool exited_ = false;
  std::string screen_;
  std::size_t matched_ = 0;
};

} // namespace

BOOST_AUTO_TEST_SUITE(keys)

BOOST_AUTO_TEST_CASE(config_needs_a_terminal) {
  keystore_home home;
  auto result = home.run({"/config"}, std::string("KSCONFIGKEY1234567890\n"));
  BOOST_TEST(result.exit_code.value_or(-1) == 3, result.describe());
  BOOST_TEST(result.stderr_text.find("/config asks questions, so it needs a terminal") != std::string::npos,
             result.stderr_text);
  BOOST_TEST(!std::filesystem::exists(home.credentials()));
  BOOST_TEST(!std::filesystem::exists(home.grok_home() / "config.json"));
}

BOOST_AUTO_TEST_CASE(config_stores_key_model_and_folder) {
  keystore_home home;
  home.use_passphrase("correct horse battery staple");
  home.write_config("{\"provider\": \"xai\", \"plugins\": {\"sessions\": {}}}\n");
  std::filesystem::create_directories(home.workspace() / "project");
  const std::string key = dummy_key("KSCONFIG");

  terminal_grok grok(home, {"/config"});
  BOOST_TEST_REQUIRE(grok.wait_for("API key for xai"), grok.screen());
  grok.type(key + "\r");
  BOOST_TEST_REQUIRE(grok.wait_for("Default model ["), grok.screen());
  grok.type("grok-3-mini\r");
  BOOST_TEST_REQUIRE(grok.wait_for("Working folder ["), grok.screen());
  grok.type("project\r");
  BOOST_TEST(grok.wait_exit() == 0, grok.screen());
  BOOST_TEST(grok.screen().find(key) == std::string::npos, "the key was echoed:\n" << grok.screen());

  const std::string config_text = read_text(home.grok_home() / "config.json");
  BOOST_TEST(config_text.find(key) == std::string::npos, config_text);
  const auto config = json::parse(config_text).as_object();
  BOOST_TEST(config.at("model").as_string() == "grok-3-mini");
  BOOST_TEST(config.at("provider").as_string() == "xai");
  BOOST_TEST(config.contains("plugins"));
  BOOST_TEST(config.at("working_folder").as_string() ==
             std::filesystem::canonical(home.workspace() / "project").string());

  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai encrypted file (passphrase) ..." + key.substr(key.size() - 4),
             status.stdout_text);
}

BOOST_AUTO_TEST_CASE(terminal_set_asks_new_passphrase_twice) {
  keystore_home home;
  const std::string key = dummy_key("KSTERMINAL");
  const std::string passphrase = "typed passphrase 42";
  {
    terminal_grok grok(home, {"/keys", "set", "xai"});
    BOOST_TEST_REQUIRE(grok.wait_for("API key for xai"), grok.screen());
    grok.type(key + "\r");
    BOOST_TEST_REQUIRE(grok.wait_for("New passphrase for ~/.grok/credentials.enc (at least 8 characters): "),
                       grok.screen());
    grok.type(passphrase + "\r");
    BOOST_TEST_REQUIRE(grok.wait_for("Repeat the passphrase: "), grok.screen());
    grok.type(passphrase + "\r");
    BOOST_TEST(grok.wait_exit() == 0, grok.screen());
    BOOST_TEST(grok.screen().find(key) == std::string::npos, "the key was echoed:\n" << grok.screen());
    BOOST_TEST(grok.screen().find(passphrase) == std::string::npos, "the passphrase was echoed:\n" << grok.screen());
  }
  home.use_passphrase(passphrase);
  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai encrypted file (passphrase) ..." + key.substr(key.size() - 4),
             status.stdout_text);

  // Two different passphrases for a new file store nothing.
  keystore_home other;
  terminal_grok grok(other, {"/keys", "set", "xai"});
  BOOST_TEST_REQUIRE(grok.wait_for("API key for xai"), grok.screen());
  grok.type(key + "\r");
  BOOST_TEST_REQUIRE(grok.wait_for("New passphrase"), grok.screen());
  grok.type(passphrase + "\r");
  BOOST_TEST_REQUIRE(grok.wait_for("Repeat the passphrase: "), grok.screen());
  grok.type("something else\r");
  BOOST_TEST(grok.wait_exit() == 1, grok.screen());
  BOOST_TEST(grok.screen().find("the two passphrases differ") != std::string::npos, grok.screen());
  BOOST_TEST(!std::filesystem::exists(other.credentials()));
}

BOOST_AUTO_TEST_SUITE_END()

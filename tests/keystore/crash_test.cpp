// SPDX-License-Identifier: MIT
/// \file
/// Saves that are killed part-way or run at the same time never leave an
/// unreadable file or lose a key.
#include "keystore_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <array>
#include <csignal>

#include <poll.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace grok::test;

namespace {

const std::string passphrase = "correct horse battery staple";

/// A moment of a save, seen through inotify on GROK_HOME.
struct kill_point {
  const char* description;
  std::uint32_t mask;
  bool temporary; ///< the event names the temporary file, else the file named below
  const char* name;
};

/// In the order a save passes them: the lock is opened before the scrypt
/// derivation, then the temporary file is created, written, closed and
/// renamed over credentials.enc.
constexpr std::array<kill_point, 5> kill_points{{
    {"lock opened, before the key derivation", IN_OPEN, false, "credentials.lock"},
    {"temporary file created", IN_CREATE, true, ""},
    {"temporary file written", IN_MODIFY, true, ""},
    {"temporary file closed", IN_CLOSE_WRITE, true, ""},
    {"renamed over credentials.enc", IN_MOVED_TO, false, "credentials.enc"},
}};

/// Blocks until an inotify event on `fd` matches `point`, for at most 20 s.
bool wait_for_event(int fd, const kill_point& point) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  alignas(inotify_event) char buffer[8192];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0)
      continue;
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    for (ssize_t at = 0; got > 0 && at < got;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      const std::string name = event->len > 0 ? event->name : "";
      const bool name_matches = point.temporary ? name.rfind(".credentials.enc.tmp-", 0) == 0 : name == point.name;
      if ((event->mask & point.mask) != 0 && name_matches)
        return true;
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
}

std::string suffix(const std::string& key) { return "..." + key.substr(key.size() - 4); }

} // namespace

BOOST_AUTO_TEST_SUITE(keys)

BOOST_AUTO_TEST_CASE(sigkill_during_save_leaves_valid_file) {
  for (const auto& point : kill_points) {
    BOOST_TEST_CONTEXT("kill at: " << point.description) {
      keystore_home home;
      home.use_passphrase(passphrase);
      const std::string first = dummy_key("KSKILLxai");
      home.store_key("xai", first);

      const int watch = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
      BOOST_TEST_REQUIRE(watch >= 0);
      BOOST_TEST_REQUIRE(::inotify_add_watch(watch, home.grok_home().c_str(),
                                             IN_OPEN | IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO) >= 0);
      const std::string second = dummy_key("KSKILLopenai");
      background_grok save(home, {"/keys", "set", "openai"}, second + "\n");
      const bool seen = wait_for_event(watch, point);
      ::kill(save.pid(), SIGKILL);
      const int status = save.wait();
      ::close(watch);
      BOOST_TEST(seen);
      if (&point == &kill_points.front())
        BOOST_TEST((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL), "the save ended before the kill");

      // The file is the old one or the new one, and decrypts either way.
      auto after = home.run({"/keys", "status"});
      BOOST_TEST(after.exit_code.value_or(-1) == 0, after.stderr_text);
      BOOST_TEST(status_row(after.stdout_text, "xai") == "xai encrypted file (passphrase) " + suffix(first),
                 after.stdout_text);
      const std::string openai = status_row(after.stdout_text, "openai");
      BOOST_TEST((openai == "openai none" || openai == "openai encrypted file (passphrase) " + suffix(second)), openai);

      // The next save removes a temporary file that the killed one left.
      home.store_key("anthropic", dummy_key("KSKILLanthropic"));
      for (const auto& file : files_under(home.grok_home()))
        BOOST_TEST(file.filename().string().find(".tmp-") == std::string::npos, file);
    }
  }
}

BOOST_AUTO_TEST_CASE(concurrent_saves_keep_both_keys) {
  keystore_home home;
  home.use_passphrase(passphrase);
  std::vector<std::pair<std::string, std::string>> stored;
  // The first round creates the file; the later ones update it.
  const std::vector<std::pair<std::string, std::string>> rounds{
      {"xai", "openai"}, {"anthropic", "daytona"}, {"xai", "daytona"}};
  for (const auto& [first_provider, second_provider] : rounds) {
    const std::string first_key = dummy_key("KSRACE");
    const std::string second_key = dummy_key("KSRACE");
    background_grok first(home, {"/keys", "set", first_provider}, first_key + "\n");
    background_grok second(home, {"/keys", "set", second_provider}, second_key + "\n");
    const int first_status = first.wait();
    const int second_status = second.wait();
    BOOST_TEST((WIFEXITED(first_status) && WEXITSTATUS(first_status) == 0), first.stderr_text());
    BOOST_TEST((WIFEXITED(second_status) && WEXITSTATUS(second_status) == 0), second.stderr_text());
    std::erase_if(stored, [&](const auto& entry) {
      return entry.first == first_provider || entry.first == second_provider;
    });
    stored.emplace_back(first_provider, first_key);
    stored.emplace_back(second_provider, second_key);

    auto status = home.run({"/keys", "status"});
    BOOST_TEST(status.exit_code.value_or(-1) == 0, status.stderr_text);
    for (const auto& [provider, key] : stored)
      BOOST_TEST(status_row(status.stdout_text, provider) == provider + " encrypted file (passphrase) " + suffix(key),
                 status.stdout_text);
  }
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: MIT
/// \file
/// A stored key reaches the provider's server and nothing else: no file
/// under the home folder or workspace, no output at --verbose, and not the
/// command line or environment of the running grok.
#include "keystore_fixture.hpp"
#include "mock_http_server.hpp"

#include <boost/test/unit_test.hpp>

#include <future>

#include <sys/wait.h>

using namespace grok::test;

namespace {

/// Returns where `key` or its hex form occurs in `text`, or "" when it
/// does not.
std::string find_key(const std::string& text, const std::string& key) {
  if (text.find(key) != std::string::npos)
    return "the key";
  if (text.find(hex_of(key)) != std::string::npos)
    return "the key in hex";
  return {};
}

/// Reads /proc/<pid>/<entry>; returns nothing when the process is gone.
std::optional<std::string> read_proc(pid_t pid, const char* entry) {
  try {
    return read_text("/proc/" + std::to_string(pid) + "/" + entry);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(keys)

BOOST_AUTO_TEST_CASE(key_never_leaks_outside_the_request) {
  const std::string key = dummy_key("KSLEAK");
  keystore_home home;
  home.use_passphrase("correct horse battery staple");
  std::vector<std::pair<std::string, std::string>> outputs;
  const auto keep = [&](const std::string& what, const child_result& result) {
    outputs.emplace_back(what + " stdout", result.stdout_text);
    outputs.emplace_back(what + " stderr", result.stderr_text);
  };

  auto set = home.run({"--verbose", "/keys", "set", "xai"}, key + "\n");
  BOOST_TEST_REQUIRE(set.exit_code.value_or(-1) == 0, set.stderr_text);
  keep("/keys set", set);
  keep("/keys list", home.run({"--verbose", "/keys", "list"}));
  keep("/keys status", home.run({"--verbose", "/keys", "status"}));

  // The server delays its response until the test has read /proc, so grok is
  // certainly running with the key loaded while it is inspected.
  mock_http_server server;
  std::promise<void> release;
  auto released = release.get_future().share();
  server.set_responder([released](const recorded_request&) {
    released.wait();
    scripted_response response;
    response.headers = {{"Content-Type", "text/event-stream"}};
    response.pieces.push_back({openai_sse_body({"fine, ", "thanks"}), std::chrono::milliseconds(0)});
    return response;
  });
  struct release_guard {
    std::promise<void>& promise;
    bool done = false;
    void now() {
      if (!done)
        promise.set_value();
      done = true;
    }
    ~release_guard() { now(); }
  } guard{release};

  home.environment["XAI_BASE_URL"] = server.base_url() + "/v1";
  background_grok prompt(home, {"--verbose", "-p", "how are you?"});
  std::size_t proc_reads = 0;
  bool request_seen = false;
  while (!request_seen) {
    request_seen = server.wait_for_requests(1, std::chrono::milliseconds(20));
    for (const char* entry : {"cmdline", "environ"}) {
      if (auto text = read_proc(prompt.pid(), entry)) {
        ++proc_reads;
        BOOST_TEST(find_key(*text, key).empty(), "/proc/" << prompt.pid() << "/" << entry);
      }
    }
    BOOST_TEST_REQUIRE(::waitpid(prompt.pid(), nullptr, WNOHANG) == 0, "grok ended before its request arrived");
  }
  BOOST_TEST(proc_reads >= 2u, "could not read /proc of grok; run the test as the same user or root");
  guard.now();
  const int status = prompt.wait();
  BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0), prompt.stderr_text());
  outputs.emplace_back("prompt stdout", prompt.stdout_text());
  outputs.emplace_back("prompt stderr", prompt.stderr_text());
  BOOST_TEST(prompt.stdout_text() == "fine, thanks");
  BOOST_TEST(prompt.stderr_text().find("grok debug") != std::string::npos, "--verbose printed no log lines");

  // The key went where it belongs: the Authorization header.
  const auto requests = server.requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(requests.front().header("Authorization") == "Bearer " + key);
  BOOST_TEST(find_key(requests.front().body, key).empty());

  keep("/history", home.run({"--verbose", "/history"}));
  keep("/keys remove", home.run({"--verbose", "/keys", "remove", "xai"}));

  for (const auto& [what, text] : outputs)
    BOOST_TEST(find_key(text, key).empty(), what << " contains " << find_key(text, key));
  std::size_t files = 0;
  for (const auto* folder : {&home.home(), &home.workspace()}) {
    for (const auto& file : files_under(*folder)) {
      ++files;
      BOOST_TEST(find_key(read_text(file), key).empty(), file << " contains " << find_key(read_text(file), key));
    }
  }
  // The session file was written, so the search covered it.
  BOOST_TEST(std::filesystem::exists(home.grok_home() / "sessions"));
  BOOST_TEST(files >= 4u);
}

BOOST_AUTO_TEST_SUITE_END()

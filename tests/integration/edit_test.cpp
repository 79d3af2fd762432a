// SPDX-License-Identifier: MIT
/// \file
/// The edit pipeline end to end: /edit against a mock model, /undo, path
/// checks, transactions, lost-update protection and crash safety.
#include "grok_runner.hpp"
#include "mock_http_server.hpp"

#include <grok/sdk/files.hpp>

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <random>
#include <thread>

#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace grok::test;
using namespace std::chrono_literals;

namespace {

scripted_response reply(const std::string& text, std::chrono::milliseconds head_delay = 0ms) {
  scripted_response response;
  response.headers = {{"Content-Type", "text/event-stream"}};
  response.head_delay = head_delay;
  response.pieces.push_back({openai_sse_body(split_utf8(text, 16)), 0ms});
  return response;
}

std::string read_all(const std::filesystem::path& path) {
  std::error_code error;
  return grok::sdk::read_file(path, error).value_or("<missing>");
}

void write(const std::filesystem::path& path, std::string_view content) {
  std::ofstream(path, std::ios::binary) << content;
}

grok_runner runner_for(const mock_http_server& server) {
  grok_runner grok;
  grok.environment["XAI_BASE_URL"] = server.base_url() + "/v1";
  grok.environment["XAI_API_KEY"] = "xai-dummy-edit-key-0123456789abcdef";
  return grok;
}

const std::string tab_block = "<<<<<<< SEARCH\n\treturn 0;\n=======\n\tputs(\"hi\");\n\treturn 0;\n>>>>>>> REPLACE\n";

} // namespace

BOOST_AUTO_TEST_SUITE(edit_pipeline)

BOOST_AUTO_TEST_CASE(edit_keeps_crlf_and_undo_restores) {
  mock_http_server server;
  server.enqueue(reply("Change:\n" + tab_block));
  auto grok = runner_for(server);
  const auto file = grok.workspace() / "main.c";
  const std::string original = "int main() {\r\n\treturn 0;\r\n}";
  write(file, original);

  auto edited = grok.run({"--yes", "/edit", "main.c", "print hi"});
  BOOST_TEST(edited.exit_code.value_or(-1) == 0, edited.describe() << edited.stderr_text);
  BOOST_TEST(read_all(file) == "int main() {\r\n\tputs(\"hi\");\r\n\treturn 0;\r\n}");

  auto undone = grok.run({"--yes", "/undo"});
  BOOST_TEST(undone.exit_code.value_or(-1) == 0, undone.describe() << undone.stderr_text);
  BOOST_TEST(read_all(file) == original);

  auto nothing = grok.run({"--yes", "/undo"});
  BOOST_TEST(nothing.exit_code.value_or(-1) == 0);
  BOOST_TEST(nothing.stderr_text.find("nothing to undo") != std::string::npos, nothing.stderr_text);
}

BOOST_AUTO_TEST_CASE(without_yes_nothing_is_written) {
  mock_http_server server;
  server.enqueue(reply(tab_block));
  auto grok = runner_for(server);
  const auto file = grok.workspace() / "main.c";
  write(file, "int main() {\n\treturn 0;\n}\n");
  auto result = grok.run({"/edit", "main.c", "print hi"}, std::string());
  BOOST_TEST(result.exit_code.value_or(-1) == 3, result.describe() << result.stderr_text);
  BOOST_TEST(read_all(file) == "int main() {\n\treturn 0;\n}\n");
}

BOOST_AUTO_TEST_CASE(spaces_for_tabs_are_rejected) {
  mock_http_server server;
  server.enqueue(reply("<<<<<<< SEARCH\n    return 0;\n=======\n    return 1;\n>>>>>>> REPLACE\n"));
  auto grok = runner_for(server);
  const auto file = grok.workspace() / "main.c";
  write(file, "int main() {\n\treturn 0;\n}\n");
  auto result = grok.run({"--yes", "/edit", "main.c", "return 1"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(result.stderr_text.find("the file indents with tabs and the block with spaces") != std::string::npos,
             result.stderr_text);
  BOOST_TEST(read_all(file) == "int main() {\n\treturn 0;\n}\n");
}

BOOST_AUTO_TEST_CASE(file_changed_during_answer_is_kept) {
  mock_http_server server;
  server.enqueue(reply(tab_block, 600ms));
  auto grok = runner_for(server);
  const auto file = grok.workspace() / "main.c";
  write(file, "int main() {\n\treturn 0;\n}\n");

  // The user saves the file while the model is still answering.
  std::thread user([&] {
    if (server.wait_for_requests(1, 10s))
      write(file, "int main() {\n\treturn 0; /* mine */\n}\n");
  });
  auto result = grok.run({"--yes", "/edit", "main.c", "print hi"});
  user.join();
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe() << result.stderr_text);
  BOOST_TEST(read_all(file) == "int main() {\n\treturn 0; /* mine */\n}\n");
  BOOST_TEST((result.stderr_text.find("changed on disk") != std::string::npos ||
              result.stderr_text.find("does not match") != std::string::npos),
             result.stderr_text);
}

BOOST_AUTO_TEST_CASE(whole_file_reply_creates_file) {
  mock_http_server server;
  server.enqueue(reply("```python\nprint('new')\n```\n"));
  auto grok = runner_for(server);
  auto result = grok.run({"--yes", "/edit", "tool.py", "write a tool"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  BOOST_TEST(read_all(grok.workspace() / "tool.py") == "print('new')\n");
}

BOOST_AUTO_TEST_CASE(paths_outside_workspace_are_rejected) {
  grok_runner grok;
  const std::string plugins = fixture_plugin_folder().string();
  temp_dir outside;
  write(outside.path() / "secret.txt", "outside\n");

  // A sibling folder whose name extends the workspace's name.
  const auto sibling = std::filesystem::path(grok.workspace().string() + "2");
  std::filesystem::create_directories(sibling);
  write(sibling / "x.txt", "sibling\n");
  std::filesystem::create_symlink(outside.path() / "secret.txt", grok.workspace() / "link.txt");
  std::filesystem::create_symlink(sibling, grok.workspace() / "sib");

  struct case_row {
    std::string path;
    std::string expected_message;
  };
  const std::vector<case_row> cases{
      {"../" + grok.workspace().filename().string() + "2/x.txt", "contains '..'"},
      {(outside.path() / "secret.txt").string(), "is absolute"},
      {"link.txt", "outside the workspace"},
      {"sib/x.txt", "outside the workspace"},
  };
  for (const auto& row : cases) {
    auto result = grok.run({"--yes", "--plugin-dir", plugins, "/fixture-write", row.path, "5", "z"});
    BOOST_TEST(result.exit_code.value_or(-1) == 1, row.path << ": " << result.describe());
    BOOST_TEST(result.stderr_text.find(row.expected_message) != std::string::npos, row.path << ": " << result.stderr_text);
  }
  BOOST_TEST(read_all(outside.path() / "secret.txt") == "outside\n");
  BOOST_TEST(read_all(sibling / "x.txt") == "sibling\n");
  std::filesystem::remove_all(sibling);

  // A link that stays inside the workspace is followed.
  write(grok.workspace() / "real.txt", "real\n");
  std::filesystem::create_symlink(grok.workspace() / "real.txt", grok.workspace() / "inside.txt");
  auto inside = grok.run({"--yes", "--plugin-dir", plugins, "/fixture-write", "inside.txt", "3", "k"});
  BOOST_TEST(inside.exit_code.value_or(-1) == 0, inside.describe() << inside.stderr_text);
  BOOST_TEST(read_all(grok.workspace() / "real.txt") == "kkk");
  BOOST_TEST(std::filesystem::is_symlink(grok.workspace() / "inside.txt"));
}

BOOST_AUTO_TEST_CASE(outside_file_never_reaches_model) {
  mock_http_server server;
  auto grok = runner_for(server);
  temp_dir outside;
  write(outside.path() / "private.txt", "do not send\n");
  std::filesystem::create_symlink(outside.path() / "private.txt", grok.workspace() / "link.txt");
  for (const std::string& path : std::vector<std::string>{"../private.txt", (outside.path() / "private.txt").string(),
                                                          "link.txt"}) {
    auto result = grok.run({"--yes", "/edit", path, "change it"});
    BOOST_TEST(result.exit_code.value_or(-1) == 1, path << ": " << result.describe());
    BOOST_TEST(result.stderr_text.find("workspace") != std::string::npos, path << ": " << result.stderr_text);
  }
  BOOST_TEST(server.request_count() == 0u, "a file outside the workspace was sent to the model");
}

BOOST_AUTO_TEST_CASE(protected_and_read_only_files_are_kept) {
  grok_runner grok;
  const std::string plugins = fixture_plugin_folder().string();
  std::filesystem::create_directories(grok.workspace() / ".git" / "hooks");
  std::filesystem::create_directories(grok.workspace() / ".grok");
  for (const std::string path : {".git/hooks/pre-commit", ".grok/config.json"}) {
    auto result = grok.run({"--yes", "--plugin-dir", plugins, "/fixture-write", path, "5", "z"});
    BOOST_TEST(result.exit_code.value_or(-1) == 1, path << ": " << result.describe());
    BOOST_TEST(result.stderr_text.find("which grok does not change") != std::string::npos, result.stderr_text);
    BOOST_TEST(!std::filesystem::exists(grok.workspace() / path));
  }

  const auto locked = grok.workspace() / "locked.txt";
  write(locked, "keep\n");
  std::filesystem::permissions(locked, std::filesystem::perms(0444));
  auto result = grok.run({"--yes", "--plugin-dir", plugins, "/fixture-write", "locked.txt", "3", "x"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(result.stderr_text.find("read-only (mode 444)") != std::string::npos, result.stderr_text);
  BOOST_TEST(read_all(locked) == "keep\n");
}

BOOST_AUTO_TEST_CASE(change_set_is_all_or_nothing) {
  grok_runner grok;
  const std::string plugins = fixture_plugin_folder().string();
  write(grok.workspace() / "a.txt", "a\n");
  auto result = grok.run({"--yes", "--plugin-dir", plugins, "/fixture-write-two", "a.txt", "../escape.txt"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(read_all(grok.workspace() / "a.txt") == "a\n");

  auto both = grok.run({"--yes", "--plugin-dir", plugins, "/fixture-write-two", "a.txt", "dir/b.txt"});
  BOOST_TEST(both.exit_code.value_or(-1) == 0, both.describe() << both.stderr_text);
  BOOST_TEST(read_all(grok.workspace() / "a.txt") == "first changed\n");
  BOOST_TEST(read_all(grok.workspace() / "dir" / "b.txt") == "second changed\n");
}

BOOST_AUTO_TEST_CASE(refused_set_prints_every_diff) {
  grok_runner grok;
  write(grok.workspace() / "a.txt", "a\n");
  write(grok.workspace() / "b.txt", "b\n");
  auto result = grok.run({"--plugin-dir", fixture_plugin_folder().string(), "/fixture-write-two", "a.txt", "b.txt"},
                         std::string());
  BOOST_TEST(result.exit_code.value_or(-1) == 3, result.describe() << result.stderr_text);
  BOOST_TEST(result.stdout_text.find("+first changed") != std::string::npos, result.stdout_text);
  BOOST_TEST(result.stdout_text.find("+second changed") != std::string::npos, result.stdout_text);
  BOOST_TEST(read_all(grok.workspace() / "a.txt") == "a\n");
  BOOST_TEST(read_all(grok.workspace() / "b.txt") == "b\n");
}

BOOST_AUTO_TEST_CASE(mode_is_kept) {
  grok_runner grok;
  const auto file = grok.workspace() / "run.sh";
  write(file, "#!/bin/sh\n");
  std::filesystem::permissions(file, std::filesystem::perms(0750));
  auto result = grok.run({"--yes", "--plugin-dir", fixture_plugin_folder().string(), "/fixture-write", "run.sh", "4", "s"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  BOOST_TEST(static_cast<int>(std::filesystem::status(file).permissions()) == 0750);
}

BOOST_AUTO_TEST_CASE(sigkill_leaves_old_or_new_file) {
  grok_runner grok;
  const auto file = grok.workspace() / "big.txt";
  constexpr std::size_t old_size = 8 * 1024 * 1024;
  constexpr std::size_t new_size = 12 * 1024 * 1024;
  write(file, std::string(old_size, 'a'));

  std::vector<std::string> env_strings;
  for (const auto& [name, value] : grok.environment)
    env_strings.push_back(name + "=" + value);
  const std::string program = grok_executable().string();
  const std::string plugins = fixture_plugin_folder().string();

  std::mt19937 random(20261204);
  std::uniform_int_distribution<int> delay_us(0, 120'000);
  std::size_t saw_old = 0;
  std::size_t saw_new = 0;
  for (int round = 0; round < 50; ++round) {
    // Alternate the target so every round really writes.
    const char fill = (round % 2 == 0) ? 'b' : 'a';
    const std::string size = std::to_string(fill == 'b' ? new_size : old_size);
    const std::string fill_text(1, fill);
    const pid_t child = ::fork();
    if (child == 0) {
      std::vector<char*> envp;
      for (auto& s : env_strings)
        envp.push_back(s.data());
      envp.push_back(nullptr);
      if (::chdir(grok.workspace().c_str()) != 0)
        ::_exit(126);
      const char* argv[] = {program.c_str(), "--yes", "--plugin-dir", plugins.c_str(), "/fixture-write",
                            "big.txt", size.c_str(), fill_text.c_str(), nullptr};
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execve(program.c_str(), const_cast<char* const*>(argv), envp.data());
      ::_exit(127);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);

    const std::string content = read_all(file);
    const bool all_a = content.size() == old_size && content.find_first_not_of('a') == std::string::npos;
    const bool all_b = content.size() == new_size && content.find_first_not_of('b') == std::string::npos;
    BOOST_TEST_REQUIRE((all_a || all_b), "round " << round << ": torn file of " << content.size() << " bytes");
    saw_old += all_a ? 1 : 0;
    saw_new += all_b ? 1 : 0;
  }
  BOOST_TEST_MESSAGE("old after kill: " << saw_old << ", new: " << saw_new);
}

BOOST_AUTO_TEST_SUITE_END()

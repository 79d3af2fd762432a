// SPDX-License-Identifier: MIT
/// \file
/// End-to-end checks of the diff-preview plugin: grok runs in pipe mode
/// with the fixture plugin that proposes a change through the host's edit
/// pipeline.
#define BOOST_TEST_MODULE grok_diff_preview
#include "grok_runner.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

using grok::test::fixture_plugin_folder;
using grok::test::grok_runner;

namespace {

const std::string expected_preview = "--- a/notes.txt\n"
                                     "+++ b/notes.txt\n"
                                     "@@ -1,3 +1,3 @@\n"
                                     " one\n"
                                     "-two\n"
                                     "+TWO\n"
                                     " three\n"
                                     "notes.txt: 1 line added, 1 line removed\n";

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

} // namespace

BOOST_AUTO_TEST_SUITE(diff_preview)

BOOST_AUTO_TEST_CASE(pipe_without_yes_refuses) {
  grok_runner grok;
  write_text(grok.workspace() / "notes.txt", "one\ntwo\nthree\n");
  const auto result =
      grok.run({"--plugin-dir", fixture_plugin_folder().string(), "/fixture-propose", "notes.txt", "one\\nTWO\\nthree"});

  BOOST_TEST(result.exit_code.value_or(-1) == 3, result.describe() << "\n" << result.stderr_text);
  BOOST_TEST(result.stdout_text.find(expected_preview) != std::string::npos,
             "stdout lacks the preview:\n" << result.stdout_text);
  BOOST_TEST(result.stderr_text.find("run grok with --yes to apply it") != std::string::npos, result.stderr_text);
  BOOST_TEST(read_text(grok.workspace() / "notes.txt") == "one\ntwo\nthree\n");
}

BOOST_AUTO_TEST_CASE(pipe_with_yes_applies) {
  grok_runner grok;
  write_text(grok.workspace() / "notes.txt", "one\ntwo\nthree\n");
  const auto result = grok.run(
      {"--yes", "--plugin-dir", fixture_plugin_folder().string(), "/fixture-propose", "notes.txt", "one\\nTWO\\nthree"});

  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << "\n" << result.stderr_text);
  BOOST_TEST(result.stdout_text.find(expected_preview) != std::string::npos,
             "stdout lacks the preview:\n" << result.stdout_text);
  BOOST_TEST(read_text(grok.workspace() / "notes.txt") == "one\nTWO\nthree\n");
}

BOOST_AUTO_TEST_CASE(long_diff_is_cut) {
  grok_runner grok;
  std::filesystem::create_directories(grok.workspace() / ".grok");
  write_text(grok.workspace() / ".grok" / "config.json", R"({"plugins": {"diff-preview": {"max_lines": 5}}})");
  write_text(grok.workspace() / "notes.txt", "1\n2\n3\n4\n5\n6\n7\n8\n");
  const auto result =
      grok.run({"--yes", "--plugin-dir", fixture_plugin_folder().string(), "/fixture-propose", "notes.txt", "x"});

  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << "\n" << result.stderr_text);
  const std::string expected = "--- a/notes.txt\n"
                               "+++ b/notes.txt\n"
                               "@@ -1,8 +1 @@\n"
                               "-1\n"
                               "-2\n"
                               "... 7 more lines of the diff (21 bytes) left out\n"
                               "... diffs are cut at 5 lines or 65536 bytes; set plugins.diff-preview.max_lines and "
                               "max_bytes to 0 in .grok/config.json to see them whole\n"
                               "notes.txt: 1 line added, 8 lines removed\n";
  BOOST_TEST(result.stdout_text.find(expected) != std::string::npos, "stdout:\n" << result.stdout_text);
  BOOST_TEST(read_text(grok.workspace() / "notes.txt") == "x\n");
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: MIT
/// \file
/// Plugin loading: the refusal line for each broken fixture plugin, and
/// that the host keeps working with everything else.
#include "grok_runner.hpp"

#include <grok/sdk/version.hpp>

#include <boost/test/unit_test.hpp>

using grok::test::fixture_plugin_folder;
using grok::test::grok_runner;

namespace {

std::string fixture(const std::string& name) { return (fixture_plugin_folder() / (name + ".so")).string(); }

const std::string host_sdk =
    std::to_string(GROK_SDK_VERSION_MAJOR) + "." + std::to_string(GROK_SDK_VERSION_MINOR);

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return lines;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& candidate : lines_of(text))
    if (candidate == line)
      return true;
  return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(loader)

BOOST_AUTO_TEST_CASE(refusal_lines_are_exact) {
  grok_runner grok;
  const auto result = grok.run({"--plugin-dir", fixture_plugin_folder().string(), "/plugins"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << "\n" << result.stderr_text);

  const int major = GROK_SDK_VERSION_MAJOR;
  const int minor = GROK_SDK_VERSION_MINOR;
  const std::string older = std::to_string(major - 1);
  for (const std::string& version : std::vector<std::string>{older + ".0", older + ".9", std::to_string(major + 1) + ".0"}) {
    std::string id = "fixture-sdk-" + version;
    id[id.find('.')] = '-';
    const std::string expected = "grok: error: plugin refused: " + fixture(id) + " (" + id +
                                 " 0.1.0) was built against SDK " + version +
                                 ", but this grok provides SDK " + host_sdk +
                                 "; rebuild the plugin against SDK " + host_sdk;
    BOOST_TEST(has_line(result.stderr_text, expected), "missing line: " << expected << "\nstderr:\n"
                                                                         << result.stderr_text);
  }
  for (int newer : {minor + 1, minor + 7}) {
    const std::string version = std::to_string(major) + "." + std::to_string(newer);
    const std::string id = "fixture-sdk-" + std::to_string(major) + "-" + std::to_string(newer);
    const std::string expected = "grok: error: plugin refused: " + fixture(id) + " (" + id +
                                 " 0.1.0) was built against SDK " + version +
                                 ", newer than this grok's SDK " + host_sdk +
                                 "; update grok or rebuild the plugin against SDK " + host_sdk;
    BOOST_TEST(has_line(result.stderr_text, expected), "missing line: " << expected);
  }

  const std::string wrong_key = "grok: error: plugin refused: " + fixture("fixture-wrong-key") +
                                " (fixture-wrong-key 0.1.0) was built with msvc-19/msvc-stl/boost-108100, "
                                "but this grok was built with " GROK_SDK_BUILD_KEY
                                "; rebuild the plugin with the same compiler, C++ library and Boost";
  BOOST_TEST(has_line(result.stderr_text, wrong_key), "missing line: " << wrong_key);

  const std::string no_factory = "grok: error: plugin failed to start: " + fixture("fixture-no-factory") +
                                 " (fixture-no-factory 0.1.0): factory symbol 'fixture_missing_factory' "
                                 "not found; export it with GROK_PLUGIN";
  BOOST_TEST(has_line(result.stderr_text, no_factory), "missing line: " << no_factory);

  const std::string throwing = "grok: error: plugin failed to start: " + fixture("fixture-throwing-factory") +
                               " (fixture-throwing-factory 0.1.0): the factory threw: fixture factory failure";
  BOOST_TEST(has_line(result.stderr_text, throwing), "missing line: " << throwing);

  const std::string start_threw = "grok: error: plugin failed to start: " + fixture("fixture-throwing-start") +
                                  " (fixture-throwing-start 0.1.0): start threw: fixture start failure";
  BOOST_TEST(has_line(result.stderr_text, start_threw), "missing line: " << start_threw);

  const std::string duplicate = "grok: error: plugin failed to start: " + fixture("fixture-duplicate-command") +
                                " (fixture-duplicate-command 0.1.0): command '/explain' is already "
                                "registered by plugin 'explain'; rename the command or disable one of the "
                                "two plugins";
  BOOST_TEST(has_line(result.stderr_text, duplicate), "missing line: " << duplicate);

  const std::string not_plugin = "grok: error: plugin refused: " + fixture("fixture-not-a-plugin") +
                                 " has no grok_plugin_entry symbol, so it is not a grok plugin; remove it "
                                 "from the plugin folder";
  BOOST_TEST(has_line(result.stderr_text, not_plugin), "missing line: " << not_plugin);

  // Exactly one line per broken fixture, and nothing else on stderr.
  BOOST_TEST(lines_of(result.stderr_text).size() == 11u, result.stderr_text);
}

BOOST_AUTO_TEST_CASE(plugins_listing_shows_states) {
  grok_runner grok;
  const auto result = grok.run({"--plugin-dir", fixture_plugin_folder().string(), "/plugins"});
  const std::string& out = result.stdout_text;
  for (const std::string& id : std::vector<std::string>{"explain", "provider-openai", "provider-replay", "sessions",
                                "context-files", "disclaimer", "fixture-good"}) {
    bool loaded = false;
    for (const auto& line : lines_of(out))
      loaded = loaded || (line.starts_with(id + " ") && line.find(" loaded ") != std::string::npos);
    BOOST_TEST(loaded, id << " is not listed as loaded:\n" << out);
  }
  BOOST_TEST(out.find("refused-version") != std::string::npos, out);
  BOOST_TEST(out.find("refused-build-key") != std::string::npos, out);
  BOOST_TEST(out.find("failed-to-start") != std::string::npos, out);
  BOOST_TEST(out.find("1.0.0") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(host_works_beside_refused_plugins) {
  grok_runner grok;
  const std::string folder = fixture_plugin_folder().string();

  auto echo = grok.run({"--plugin-dir", folder, "/fixture-echo", "hello", "plugins"});
  BOOST_TEST(echo.exit_code.value_or(-1) == 0, echo.describe() << echo.stderr_text);
  BOOST_TEST(echo.stdout_text == "hello plugins\n");

  auto timer = grok.run({"--plugin-dir", folder, "/fixture-timer"});
  BOOST_TEST(timer.exit_code.value_or(-1) == 0, timer.describe());
  BOOST_TEST(timer.stdout_text == "timer fired on the host io_context\n");

  // The same-version fixture loads; the failed start removed its command.
  auto same = grok.run({"--plugin-dir", folder, "/fixture-sdk-" + host_sdk.substr(0, host_sdk.find('.')) +
                                                    "-" + host_sdk.substr(host_sdk.find('.') + 1)});
  BOOST_TEST(same.exit_code.value_or(-1) == 0, same.describe() << same.stderr_text);
  auto half = grok.run({"--plugin-dir", folder, "/fixture-half-started"});
  BOOST_TEST(half.exit_code.value_or(-1) == 2, half.describe());
  BOOST_TEST(half.stderr_text.find("unknown command '/fixture-half-started'") != std::string::npos);

  // /explain still belongs to the explain plugin.
  auto help = grok.run({"--plugin-dir", folder, "/help"});
  std::size_t explains = 0;
  for (const auto& line : lines_of(help.stdout_text))
    explains += line.starts_with("  /explain ") ? 1 : 0;
  BOOST_TEST(explains == 1u, help.stdout_text);
}

BOOST_AUTO_TEST_CASE(disabled_plugin_is_not_loaded) {
  grok_runner grok;
  grok.write_config(R"({"disabled_plugins": ["explain"]})");
  auto help = grok.run({"/help"});
  BOOST_TEST(help.stdout_text.find("/explain") == std::string::npos, help.stdout_text);
  auto plugins = grok.run({"/plugins"});
  BOOST_TEST(plugins.stdout_text.find("disabled") != std::string::npos, plugins.stdout_text);
  auto explain = grok.run({"/explain", "x"});
  BOOST_TEST(explain.exit_code.value_or(-1) == 2, explain.describe());
}

BOOST_AUTO_TEST_CASE(invalid_config_names_file_and_position) {
  grok_runner grok;
  grok.write_config("{\n  \"model\": \"grok-4\"\n  \"provider\": \"xai\"\n}\n");
  auto result = grok.run({"/help"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  const std::string file = (grok.home() / ".grok" / "config.json").string();
  BOOST_TEST(result.stderr_text.find("invalid JSON in " + file + " at line 3, column 3") != std::string::npos,
             result.stderr_text);
  BOOST_TEST(result.stdout_text.empty());
}

BOOST_AUTO_TEST_CASE(wrong_config_type_is_named) {
  grok_runner grok;
  grok.write_config(R"({"model": 4})");
  auto result = grok.run({"/help"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  const std::string file = (grok.home() / ".grok" / "config.json").string();
  BOOST_TEST(result.stderr_text.find("invalid configuration in " + file +
                                     ": configuration key 'model' must be a string, found 4") != std::string::npos,
             result.stderr_text);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_two) {
  grok_runner grok;
  auto unknown = grok.run({"--frobnicate"});
  BOOST_TEST(unknown.exit_code.value_or(-1) == 2, unknown.describe());
  BOOST_TEST(unknown.stderr_text == "grok: error: unknown option '--frobnicate'; see grok --help\n");
  auto format = grok.run({"--output-format", "xml", "hi"});
  BOOST_TEST(format.exit_code.value_or(-1) == 2, format.describe());
  auto version = grok.run({"--version"});
  BOOST_TEST(version.exit_code.value_or(-1) == 0);
  BOOST_TEST(version.stdout_text.starts_with("grok " GROK_SDK_VERSION_STRING));
}

BOOST_AUTO_TEST_SUITE_END()

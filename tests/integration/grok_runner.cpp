// SPDX-License-Identifier: MIT
/// \file
/// The grok child-process runner for integration tests.
#include "grok_runner.hpp"

#include <fstream>

namespace grok::test {

std::filesystem::path grok_executable() { return GROK_TEST_EXECUTABLE; }

std::filesystem::path fixture_plugin_folder() { return GROK_TEST_FIXTURE_PLUGINS; }

grok_runner::grok_runner() {
  // A minimal, predictable environment: no keys, no proxies, no colour.
  environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  environment["HOME"] = home_->path().string();
  environment["GROK_HOME"] = (home_->path() / ".grok").string();
  environment["LANG"] = "C.UTF-8";
  environment["TERM"] = "dumb";
  std::filesystem::create_directories(home_->path() / ".grok");
  std::ofstream(home_->path() / ".grok" / "first-run-notice-shown") << "test\n";
}

child_result grok_runner::run(const std::vector<std::string>& arguments,
                              std::optional<std::string> stdin_data) {
  child_options options = extra;
  options.executable = grok_executable();
  options.arguments = arguments;
  options.environment = environment;
  options.stdin_data = std::move(stdin_data);
  if (!options.working_directory)
    options.working_directory = workspace_->path();
  return run_child(options);
}

child_result grok_runner::shell(const std::string& script) {
  child_options options = extra;
  options.executable = "/bin/sh";
  options.arguments = {"-c", script};
  options.environment = environment;
  options.environment["GROK"] = grok_executable().string();
  options.working_directory = workspace_->path();
  return run_child(options);
}

void grok_runner::write_config(const std::string& json_text) {
  std::ofstream(home_->path() / ".grok" / "config.json") << json_text;
}

} // namespace grok::test

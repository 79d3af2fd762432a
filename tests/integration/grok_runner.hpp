// SPDX-License-Identifier: MIT
/// \file
/// Runs the built grok executable as a child process in a private
/// GROK_HOME and workspace, for the integration tests.
#pragma once

#include "child_process.hpp"
#include "test_pki.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace grok::test {

/// A private GROK_HOME and workspace with a minimal environment. The
/// first-run notice is marked as shown so stderr holds only what a test
/// provokes.
class grok_runner {
public:
  grok_runner();

  /// Runs grok with `arguments` and `stdin_data` (none: /dev/null).
  child_result run(const std::vector<std::string>& arguments,
                   std::optional<std::string> stdin_data = std::nullopt);

  /// Runs `/bin/sh -c script` with the same environment; "$GROK" is grok.
  child_result shell(const std::string& script);

  /// Writes $GROK_HOME/config.json.
  void write_config(const std::string& json_text);

  std::map<std::string, std::string> environment;
  child_options extra; ///< timeout and interrupt settings for the next run
  const std::filesystem::path& home() const { return home_->path(); }
  const std::filesystem::path& workspace() const { return workspace_->path(); }

private:
  std::unique_ptr<temp_dir> home_ = std::make_unique<temp_dir>();
  std::unique_ptr<temp_dir> workspace_ = std::make_unique<temp_dir>();
};

/// The grok executable under test.
std::filesystem::path grok_executable();

/// The folder of the loader's fixture plugins.
std::filesystem::path fixture_plugin_folder();

} // namespace grok::test

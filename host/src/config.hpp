// SPDX-License-Identifier: MIT
/// \file
/// Configuration layers: built-in defaults, the user's config.json, the
/// workspace's .grok/config.json, environment variables and flags, merged
/// so that later layers win.
#pragma once

#include "options.hpp"

#include <boost/json/value.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace grok::host {

/// The folders grok uses: its data folder, the home folder and the workspace.
struct locations {
  std::filesystem::path grok_home; ///< $GROK_HOME or ~/.grok
  std::filesystem::path home;      ///< the user's home folder
  std::filesystem::path workspace; ///< the current folder
};

/// Finds the locations from the environment. Throws std::runtime_error
/// when neither HOME nor the password database names a home folder.
locations find_locations();

/// The merged configuration.
struct configuration {
  boost::json::object merged;
  std::vector<std::filesystem::path> files_read;

  std::string provider;                     ///< never empty after load
  std::string model;                        ///< empty: the provider's default
  std::vector<std::string> plugin_dirs;
  std::vector<std::string> enabled_plugins; ///< empty: all
  std::vector<std::string> disabled_plugins;
  std::vector<std::string> warnings; ///< settings ignored while loading, one sentence each
};

/// Loads every layer. On failure returns false and sets `error` to one
/// line naming the file, the line and column where that applies, and the
/// fix; nothing is modified.
bool load_configuration(const locations& where, const options& flags, configuration& out,
                        std::string& error);

/// Parses JSON text (comments and trailing commas allowed) into `out`.
/// On failure sets `error` to "line L, column C: reason".
bool parse_json_text(std::string_view text, boost::json::value& out, std::string& error);

} // namespace grok::host

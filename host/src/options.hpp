// SPDX-License-Identifier: MIT
/// \file
/// The command line of grok.
#pragma once

#include <grok/sdk/console.hpp>

#include <optional>
#include <string>
#include <vector>

namespace grok::host {

/// Parsed command-line options. Unset optionals fall back to configuration.
struct options {
  bool help = false;
  bool version = false;
  bool print = false; ///< -p: pipeline mode even on a terminal
  bool yes = false;
  bool no_colour = false;
  bool verbose = false;
  std::optional<std::string> provider;
  std::optional<std::string> model;
  std::optional<sdk::output_format> format;
  std::vector<std::string> plugin_dirs;
  std::vector<std::string> words; ///< the prompt or the command and its arguments
};

/// The result of parsing: options, or a usage error message.
struct parse_result {
  options parsed;
  std::string error; ///< empty on success
};

/// The usage error for an API key given as an argument.
extern const char* const key_on_command_line;

/// Parses `argv` (without the program name). [any-thread]
parse_result parse_options(const std::vector<std::string>& arguments);

/// The text of `grok --help`.
std::string usage_text();

} // namespace grok::host

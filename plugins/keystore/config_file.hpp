// SPDX-License-Identifier: MIT
/// \file
/// Reading and rewriting grok's user configuration file,
/// $GROK_HOME/config.json, keeping every key the plugin does not change.
#pragma once

#include <boost/json/object.hpp>

#include <filesystem>
#include <string>

namespace grok::keystore {

/// The user configuration file as read.
struct config_document {
  bool exists = false;
  std::string text;            ///< the bytes read
  boost::json::object object;  ///< the top-level object; empty when the file is missing
  bool has_comments = false;   ///< comments or trailing commas, which a rewrite drops
};

/// Reads `path` as grok's host does (comments and trailing commas
/// allowed). Throws keystore_error when it cannot be read, is not valid
/// JSON or its top level is not an object.
config_document read_config(const std::filesystem::path& path);

/// Writes `object` to `path` as indented JSON with
/// grok::sdk::write_file_atomically (mode 0600). Throws keystore_error.
void write_config(const std::filesystem::path& path, const boost::json::object& object);

} // namespace grok::keystore

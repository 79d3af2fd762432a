// SPDX-License-Identifier: MIT
/// \file
/// Loading and merging the configuration layers.
#include "config.hpp"

#include <grok/sdk/files.hpp>

#include <boost/json.hpp>

#include <cstdlib>
#include <stdexcept>

#include <pwd.h>
#include <unistd.h>

namespace grok::host {
namespace json = boost::json;

namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

/// Line and column (both from 1, columns in bytes) of byte `offset`.
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

/// Merges `layer` into `base`: objects merge key by key, everything else
/// (arrays included) is replaced.
void merge_into(json::object& base, const json::object& layer) {
  for (const auto& [key, value] : layer) {
    auto* existing = base.if_contains(key);
    if (existing && existing->is_object() && value.is_object())
      merge_into(existing->get_object(), value.get_object());
    else
      base[key] = value;
  }
}

bool read_string_list(const json::object& merged, std::string_view key,
                      std::vector<std::string>& out, std::string& error) {
  const auto* value = merged.if_contains(key);
  if (value == nullptr)
    return true;
  if (!value->is_array()) {
    error = "configuration key '" + std::string(key) + "' must be an array of strings";
    return false;
  }
  for (const auto& item : value->get_array()) {
    if (!item.is_string()) {
      error = "configuration key '" + std::string(key) + "' must contain only strings, found " +
              json::serialize(item);
      return false;
    }
    out.emplace_back(item.get_string());
  }
  return true;
}

bool read_string(const json::object& merged, std::string_view key, std::string& out,
                 std::string& error) {
  const auto* value = merged.if_contains(key);
  if (value == nullptr || value->is_null())
    return true;
  if (!value->is_string()) {
    error = "configuration key '" + std::string(key) + "' must be a string, found " +
            json::serialize(*value);
    return false;
  }
  out = value->get_string();
  return true;
}

/// Reads one configuration file into `layer`. A missing file is an empty
/// layer; anything else that fails is an error naming the file.
bool read_layer(const std::filesystem::path& path, json::object& layer, bool& found,
                std::string& error) {
  found = false;
  std::error_code io_error;
  auto text = sdk::read_file(path, io_error);
  if (!text) {
    if (io_error == std::errc::no_such_file_or_directory)
      return true;
    error = "cannot read " + path.string() + ": " + io_error.message();
    return false;
  }
  found = true;

  json::value value;
  std::string parse_error;
  if (!parse_json_text(*text, value, parse_error)) {
    error = "invalid JSON in " + path.string() + " at " + parse_error +
            "; fix the file or move it aside";
    return false;
  }
  if (!value.is_object()) {
    error = "invalid configuration in " + path.string() +
            ": the top level must be a JSON object ({ ... })";
    return false;
  }
  layer = std::move(value.get_object());
  // Check the types here, where the file is known, so an error names it.
  std::string ignored_text;
  std::vector<std::string> ignored_list;
  std::string type_error;
  if (!read_string(layer, "provider", ignored_text, type_error) ||
      !read_string(layer, "model", ignored_text, type_error) ||
      !read_string_list(layer, "plugin_dirs", ignored_list, type_error) ||
      !read_string_list(layer, "enabled_plugins", ignored_list, type_error) ||
      !read_string_list(layer, "disabled_plugins", ignored_list, type_error)) {
    error = "invalid configuration in " + path.string() + ": " + type_error;
    return false;
  }
  return true;
}

} // namespace

locations find_locations() {
  locations where;
  std::string home = env_or_empty("HOME");
  if (home.empty()) {
    if (const passwd* entry = ::getpwuid(::getuid()); entry && entry->pw_dir)
      home = entry->pw_dir;
  }
  if (home.empty())
    throw std::runtime_error("cannot find the home folder: HOME is not set and the password "
                             "database has no entry; set HOME or GROK_HOME");
  where.home = home;

  const std::string grok_home = env_or_empty("GROK_HOME");
  where.grok_home = grok_home.empty() ? where.home / ".grok" : std::filesystem::path(grok_home);

  std::error_code error;
  where.workspace = std::filesystem::current_path(error);
  if (error)
    throw std::runtime_error("cannot determine the current folder: " + error.message());
  return where;
}

bool parse_json_text(std::string_view text, json::value& out, std::string& error) {
  json::parse_options parse_options;
  parse_options.allow_comments = true;
  parse_options.allow_trailing_commas = true;

  json::stream_parser parser({}, parse_options);
  boost::system::error_code ec;
  const std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec)
    parser.finish(ec);
  if (ec) {
    const auto [line, column] = line_and_column(text, consumed);
    error = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
            ec.message();
    return false;
  }
  if (consumed < text.size()) {
    // write_some stops after one complete value; anything but whitespace
    // after it is an error.
    const auto rest = text.substr(consumed);
    const auto extra = rest.find_first_not_of(" \t\r\n");
    if (extra != std::string_view::npos) {
      const auto [line, column] = line_and_column(text, consumed + extra);
      error = "line " + std::to_string(line) + ", column " + std::to_string(column) +
              ": unexpected text after the JSON value";
      return false;
    }
  }
  out = parser.release();
  return true;
}

/// Removes from a workspace's configuration what a cloned repository must
/// not decide for the user: folders of native plugins to load, where API
/// keys are sent (base_url, api_key_env), and how keys are stored.
void remove_untrusted_settings(json::object& layer, const std::filesystem::path& path,
                               std::vector<std::string>& warnings) {
  const std::string suffix = " in " + path.string() + " was ignored: a project's configuration may not " +
                             "load native code or decide where API keys go; set it in your own ~/.grok/config.json";
  if (layer.erase("plugin_dirs") != 0)
    warnings.push_back("plugin_dirs" + suffix);
  auto* plugins = layer.if_contains("plugins");
  if (plugins == nullptr || !plugins->is_object())
    return;
  auto& by_plugin = plugins->get_object();
  if (by_plugin.erase("keystore") != 0)
    warnings.push_back("plugins.keystore" + suffix);
  for (auto& [plugin_id, settings] : by_plugin) {
    if (!settings.is_object())
      continue;
    for (auto& [name, value] : settings.get_object()) {
      if (!value.is_object())
        continue;
      for (std::string_view key : {"base_url", "api_key_env"}) {
        if (value.get_object().erase(key) != 0)
          warnings.push_back("plugins." + std::string(plugin_id) + "." + std::string(name) + "." +
                             std::string(key) + suffix);
      }
    }
  }
}

bool load_configuration(const locations& where, const options& flags, configuration& out,
                        std::string& error) {
  configuration result;
  result.merged = json::object{{"provider", "xai"}};

  const std::filesystem::path layers[] = {where.grok_home / "config.json",
                                          where.workspace / ".grok" / "config.json"};
  for (const auto& path : layers) {
    json::object layer;
    bool found = false;
    if (!read_layer(path, layer, found, error))
      return false;
    if (found && &path != &layers[0])
      remove_untrusted_settings(layer, path, result.warnings);
    if (found) {
      merge_into(result.merged, layer);
      result.files_read.push_back(path);
    }
  }

  if (auto provider = env_or_empty("GROK_PROVIDER"); !provider.empty())
    result.merged["provider"] = provider;
  if (auto model = env_or_empty("GROK_MODEL"); !model.empty())
    result.merged["model"] = model;
  if (flags.provider)
    result.merged["provider"] = *flags.provider;
  if (flags.model)
    result.merged["model"] = *flags.model;

  if (!read_string(result.merged, "provider", result.provider, error) ||
      !read_string(result.merged, "model", result.model, error) ||
      !read_string_list(result.merged, "plugin_dirs", result.plugin_dirs, error) ||
      !read_string_list(result.merged, "enabled_plugins", result.enabled_plugins, error) ||
      !read_string_list(result.merged, "disabled_plugins", result.disabled_plugins, error))
    return false;
  if (const auto* backup = result.merged.if_contains("backup_edits"); backup && !backup->is_bool()) {
    error = "configuration key 'backup_edits' must be true or false, found " + json::serialize(*backup);
    return false;
  }
  if (const auto* plugins = result.merged.if_contains("plugins"); plugins && !plugins->is_object()) {
    error = "configuration key 'plugins' must be an object of per-plugin settings, found " +
            json::serialize(*plugins);
    return false;
  }
  if (result.provider.empty()) {
    error = "configuration key 'provider' is empty; set it to a provider id such as xai";
    return false;
  }
  result.plugin_dirs.insert(result.plugin_dirs.end(), flags.plugin_dirs.begin(),
                            flags.plugin_dirs.end());
  out = std::move(result);
  return true;
}

} // namespace grok::host

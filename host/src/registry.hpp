// SPDX-License-Identifier: MIT
/// \file
/// What plugins registered: commands, providers, services and hooks, each
/// with the plugin that registered it and a reference that keeps the
/// plugin's library loaded while the entry exists.
#pragma once

#include <grok/sdk/hooks.hpp>
#include <grok/sdk/host.hpp>

#include <boost/dll/shared_library.hpp>

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace grok::host {

using library_ref = std::shared_ptr<boost::dll::shared_library>;

struct command_entry {
  std::string plugin_id;
  sdk::command_spec spec;
  library_ref library;
};

struct provider_entry {
  std::string plugin_id;
  std::shared_ptr<sdk::provider> instance;
  library_ref library;
};

struct service_entry {
  std::string plugin_id;
  std::shared_ptr<void> instance;
  library_ref library;
};

using hook_function = std::variant<sdk::pre_edit_hook, sdk::post_write_hook, sdk::pre_run_hook,
                                   sdk::post_run_hook, sdk::pre_prompt_hook,
                                   sdk::post_response_hook, sdk::session_hook>;

struct hook_entry {
  sdk::hook_point point = sdk::hook_point::invalid;
  int priority = 0;
  std::string plugin_id;
  hook_function function;
  library_ref library;
};

/// All registrations, keyed for lookup. Hooks are kept sorted by
/// (priority, plugin id, registration order).
struct registry {
  std::map<std::string, command_entry, std::less<>> commands;
  std::map<std::string, provider_entry, std::less<>> providers;
  std::map<std::string, service_entry, std::less<>> services;
  std::vector<hook_entry> hooks;

  /// Removes everything `plugin_id` registered.
  void remove_plugin(const std::string& plugin_id);

  /// Inserts a hook at its place in the run order.
  void add_hook(hook_entry entry);

  /// Drops every entry. Called before plugins are stopped and unloaded.
  void clear();
};

} // namespace grok::host

// SPDX-License-Identifier: MIT
/// \file
/// The application: loads plugins, keeps their registrations, dispatches
/// commands and hooks, and runs prompts through providers.
#pragma once

#include "config.hpp"
#include "console.hpp"
#include "logging.hpp"
#include "options.hpp"
#include "registry.hpp"

#include <grok/sdk/descriptor.h>
#include <grok/sdk/host.hpp>
#include <grok/sdk/plugin.hpp>

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace grok::host {

/// The states a discovered plugin can be in, as `grok /plugins` lists them.
enum class plugin_state {
  invalid = 0,
  started,
  refused_version,
  refused_build_key,
  refused_not_a_plugin,
  refused_duplicate_id,
  failed_to_open,
  failed_to_start,
  disabled,
};

/// Returns the state's name as listed ("refused-version").
std::string_view to_string(plugin_state state) noexcept;

class plugin_host;

/// One discovered plugin file.
struct plugin_record {
  std::filesystem::path file;
  std::string id;
  std::string version;
  std::string summary;
  std::string sdk_version; ///< "1.0" as the plugin declared it
  plugin_state state = plugin_state::invalid;
  std::string problem; ///< the refusal or failure line, when not started

  library_ref library;
  std::unique_ptr<plugin_host> host_object;
  std::unique_ptr<sdk::plugin> instance;

  /// Registrations of the plugin, for `grok /plugins`.
  std::vector<std::string> registered;
};

/// The whole program after option parsing.
class application {
public:
  application(options flags, locations where, configuration config, console_settings console);
  ~application();

  application(const application&) = delete;
  application& operator=(const application&) = delete;

  /// Runs the mode the options and terminals call for and returns the exit
  /// code.
  int run();

  // Services for plugin_host and the REPL.
  console_impl& console() noexcept { return console_; }
  boost::asio::io_context& io() noexcept { return *io_; }
  const locations& where() const noexcept { return where_; }
  const configuration& config() const noexcept { return config_; }
  const boost::json::value& config_value() const noexcept { return config_value_; }
  const log_filter& filter() const noexcept { return filter_; }
  registry& registrations() noexcept { return registry_; }
  sdk::conversation& conversation() noexcept { return conversation_; }
  void replace_conversation(sdk::conversation next);
  void select_model(std::string_view model);
  std::vector<std::string> provider_ids() const;
  void request_exit() noexcept { exit_requested_ = true; }
  bool exit_requested() const noexcept { return exit_requested_; }

  /// Applies a change set through the edit pipeline.
  sdk::change_result apply_changes(sdk::change_set changes);

  /// Sends one user message and streams the answer.
  sdk::exit_status send_user_message(std::string text);

  /// Runs a line typed at the prompt or given on the command line: a slash
  /// command, or a prompt for the model.
  sdk::exit_status execute(std::string_view line);

  /// Names of all commands, built-in and registered, sorted.
  std::vector<std::string> command_names() const;

private:
  void discover_and_load();
  void load_plugin_file(const std::filesystem::path& file);
  bool check_descriptor(plugin_record& record, const grok_plugin_descriptor& descriptor);
  void start_plugin(plugin_record& record, const grok_plugin_descriptor& descriptor);
  void refuse(plugin_record& record, plugin_state state, std::string line);
  void stop_plugins() noexcept;

  void run_session_hooks(sdk::hook_point point);
  sdk::exit_status execute_command(std::string_view name, std::string_view arguments);
  sdk::exit_status show_help();
  sdk::exit_status show_plugins();
  int run_repl();

  std::string current_provider_id() const;
  std::string current_model(const sdk::provider& provider) const;

  options flags_;
  locations where_;
  configuration config_;
  boost::json::value config_value_;
  console_impl console_;
  log_filter filter_;
  source_logger log_;
  // Destroyed after the plugins stop and before their libraries unload:
  // services that plugin code adds to it (a timer's, say) have vtables in
  // the plugin.
  std::unique_ptr<boost::asio::io_context> io_ = std::make_unique<boost::asio::io_context>();
  registry registry_;
  std::vector<std::unique_ptr<plugin_record>> plugins_;
  sdk::conversation conversation_;
  bool exit_requested_ = false;
  bool interactive_ = false;
  sdk::chat_result last_result_;
  std::string last_model_; ///< the model of the latest request, for the json result
};

} // namespace grok::host

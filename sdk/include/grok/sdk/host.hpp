// SPDX-License-Identifier: MIT
/// \file
/// The `host` interface a plugin receives when it starts.
///
/// Thread tags used throughout the SDK:
/// - [io-thread]: call only on the thread that runs the host's io_context,
///   which is the thread that called the plugin's `start`, command handlers
///   and hooks.
/// - [any-thread]: safe from any thread.
/// - [start-only]: [io-thread], and only inside `plugin::start`; later calls
///   return `errc::registration_closed`.
#pragma once

#include <grok/sdk/chat.hpp>
#include <grok/sdk/console.hpp>
#include <grok/sdk/export.hpp>
#include <grok/sdk/hooks.hpp>
#include <grok/sdk/log.hpp>
#include <grok/sdk/version.hpp>

#include <boost/json/fwd.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace grok::sdk {

/// Process exit codes, fixed for every mode. (Zero means success here, as
/// the operating system requires.)
enum class exit_status : int {
  success = 0,
  failure = 1,
  usage_error = 2,
  refused = 3, ///< vetoed or declined
  interrupted = 130,
};

/// A slash command.
struct command_spec {
  std::string name;    ///< with the slash: "/explain"
  std::string summary; ///< one line for /help
  std::string usage;   ///< "/explain <file or code>"
  /// Runs the command with everything after the name, trimmed. [io-thread]
  std::function<exit_status(std::string_view arguments)> handler;
};

/// The conversation of the current session.
struct conversation {
  std::string id; ///< a UUID
  std::string provider;
  std::string model;
  std::string created_utc; ///< RFC 3339
  std::vector<chat_message> messages;
};

/// A change set: proposals that are applied together or not at all.
struct change_set {
  std::vector<edit_proposal> proposals;
  std::string description; ///< one line for prompts and logs: "/edit main.cpp: add logging"
  std::string origin;      ///< copied into proposals that have none
};

/// The outcome of `host::apply_changes`.
struct change_result {
  enum class status {
    invalid = 0,
    applied,   ///< every proposal was written
    unchanged, ///< every proposal left its file as it was; nothing was written
    refused,   ///< a pre-edit hook vetoed or the user declined; nothing was written
    conflict,  ///< a file changed since it was read; nothing was written
    rejected,  ///< a path or proposal is invalid; nothing was written
    failed,    ///< writing or a post-write hook failed; every file was restored
  };
  status outcome = status::invalid;
  std::string message; ///< one line for the user when not applied
  std::string change_set_id;
  std::vector<applied_edit> applied;
};

/// The host's services for one plugin. Each plugin gets its own `host` object,
/// so every registration is recorded with the plugin that made it. The
/// object stays valid until the plugin's `stop` returns.
class GROK_SDK_INTERFACE host {
public:
  virtual ~host();

  /// The id of the plugin this object belongs to. [any-thread]
  virtual std::string_view plugin_id() const noexcept = 0;

  /// The SDK version the host was built with. [any-thread]
  virtual sdk_version host_sdk_version() const noexcept = 0;

  /// grok's data folder: `$GROK_HOME`, or `~/.grok`. [any-thread]
  virtual const std::filesystem::path& grok_home() const noexcept = 0;

  /// The workspace root: the folder grok was started in. [any-thread]
  virtual const std::filesystem::path& workspace_root() const noexcept = 0;

  // Registration. Each returns an error and records the failure: a plugin
  // with a rejected registration is stopped and marked failed-to-start
  // after `start` returns, and its other registrations are removed.

  /// Registers a slash command. Rejects an empty or slash-less name, a
  /// missing handler, and a name another plugin registered. [start-only]
  virtual std::error_code register_command(command_spec spec) = 0;

  /// Registers a provider under `provider->id()`. [start-only]
  virtual std::error_code register_provider(std::shared_ptr<provider> instance) = 0;

  /// Offers a service to other plugins under a revisioned id such as
  /// "grok.keystore/1". [start-only]
  virtual std::error_code register_service(std::string_view id, std::shared_ptr<void> service) = 0;

  /// Adds a hook. Lower priorities run first; ties run in plugin-id order.
  /// [start-only]
  virtual std::error_code add_hook(int priority, pre_edit_hook hook) = 0;
  virtual std::error_code add_hook(int priority, post_write_hook hook) = 0;
  virtual std::error_code add_hook(int priority, pre_run_hook hook) = 0;
  virtual std::error_code add_hook(int priority, post_run_hook hook) = 0;
  virtual std::error_code add_hook(int priority, pre_prompt_hook hook) = 0;
  virtual std::error_code add_hook(int priority, post_response_hook hook) = 0;
  /// Adds a session-start (`point == hook_point::session_start`) or
  /// session-end hook. [start-only]
  virtual std::error_code add_session_hook(hook_point point, int priority, session_hook hook) = 0;

  /// Returns the service registered under `id`, or null when no loaded
  /// plugin offers it. Absence is normal: the team may have disabled the
  /// plugin. [io-thread]
  virtual std::shared_ptr<void> find_service(std::string_view id) const = 0;

  /// Typed form of `find_service`. The caller names the interface that the
  /// id's revision promises.
  template <class Service> std::shared_ptr<Service> find(std::string_view id) const {
    return std::static_pointer_cast<Service>(find_service(id));
  }

  /// This plugin's settings: the `plugins.<id>` object of the merged
  /// configuration, or an empty object. [io-thread]
  virtual const boost::json::object& settings() const noexcept = 0;

  /// A value of the merged configuration by JSON Pointer ("/model"), or
  /// null when absent. [io-thread]
  virtual const boost::json::value* setting(std::string_view json_pointer) const noexcept = 0;

  /// The console for output and questions. [io-thread]
  virtual console& ui() noexcept = 0;

  /// This plugin's logger. [any-thread]
  virtual logger& log() noexcept = 0;

  /// The io_context that drives network and timers. Include
  /// <boost/asio/io_context.hpp> to use it. [io-thread]
  virtual boost::asio::io_context& io_context() noexcept = 0;

  /// The current conversation. [io-thread]
  virtual conversation& current_conversation() noexcept = 0;

  /// Replaces the current conversation (for /new and /resume). An empty
  /// provider or model is filled with the configured one. [io-thread]
  virtual void replace_conversation(conversation next) = 0;

  /// Sends `text` as a user message through pre-prompt hooks and the
  /// current provider, streams the answer to the console, runs
  /// post-response hooks and appends both messages to the conversation.
  /// Returns when the answer is complete, has failed, or the user pressed
  /// Ctrl-C (`exit_status::interrupted`). [io-thread]
  virtual exit_status send_user_message(std::string text) = 0;

  /// Applies a change set through the edit pipeline: resolves each path
  /// inside the workspace, checks the expected content, runs pre-edit hooks
  /// (diff preview and confirmation among them), writes every file
  /// atomically, then runs post-write hooks. All proposals are applied or
  /// none. [io-thread]
  virtual change_result apply_changes(change_set changes) = 0;

  /// Resolves `relative` inside the workspace by the rules of
  /// `apply_changes` (no absolute paths, no "..", symbolic links followed
  /// and the result inside the root). Returns the canonical path, or an
  /// empty path and sets `error` to a sentence naming the path and the
  /// reason. Check a path this way before sending the file to a model.
  /// [io-thread]
  virtual std::filesystem::path resolve_workspace_path(const std::filesystem::path& relative,
                                                       std::string& error) const = 0;

  /// Switches the model of the current conversation. [io-thread]
  virtual void select_model(std::string_view model) = 0;

  /// Ids of the registered providers, sorted. [io-thread]
  virtual std::vector<std::string> provider_ids() const = 0;

  /// Ends the REPL after the current command. [io-thread]
  virtual void request_exit() noexcept = 0;
};

} // namespace grok::sdk

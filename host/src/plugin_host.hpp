// SPDX-License-Identifier: MIT
/// \file
/// The `sdk::host` object each plugin receives: it forwards to the
/// application and records every registration under the plugin's id.
#pragma once

#include "application.hpp"

#include <grok/sdk/error.hpp>

namespace grok::host {

class plugin_host final : public sdk::host {
public:
  plugin_host(application& app, plugin_record& record);

  /// Closes registration; later calls return errc::registration_closed.
  void close_registration() noexcept { open_ = false; }

  /// The first registration this plugin made that was rejected, as a
  /// sentence, or empty.
  const std::string& rejection() const noexcept { return rejection_; }

  std::string_view plugin_id() const noexcept override { return record_.id; }
  sdk::sdk_version host_sdk_version() const noexcept override { return sdk::compiled_sdk_version; }
  const std::filesystem::path& grok_home() const noexcept override { return app_.where().grok_home; }
  const std::filesystem::path& workspace_root() const noexcept override {
    return app_.where().workspace;
  }

  std::error_code register_command(sdk::command_spec spec) override;
  std::error_code register_provider(std::shared_ptr<sdk::provider> instance) override;
  std::error_code register_service(std::string_view id, std::shared_ptr<void> service) override;
  std::error_code add_hook(int priority, sdk::pre_edit_hook hook) override;
  std::error_code add_hook(int priority, sdk::post_write_hook hook) override;
  std::error_code add_hook(int priority, sdk::pre_run_hook hook) override;
  std::error_code add_hook(int priority, sdk::post_run_hook hook) override;
  std::error_code add_hook(int priority, sdk::pre_prompt_hook hook) override;
  std::error_code add_hook(int priority, sdk::post_response_hook hook) override;
  std::error_code add_session_hook(sdk::hook_point point, int priority,
                                   sdk::session_hook hook) override;

  std::shared_ptr<void> find_service(std::string_view id) const override;
  const boost::json::object& settings() const noexcept override;
  const boost::json::value* setting(std::string_view json_pointer) const noexcept override;
  sdk::console& ui() noexcept override { return app_.console(); }
  sdk::logger& log() noexcept override { return log_; }
  boost::asio::io_context& io_context() noexcept override { return app_.io(); }
  sdk::conversation& current_conversation() noexcept override { return app_.conversation(); }
  void replace_conversation(sdk::conversation next) override;
  sdk::exit_status send_user_message(std::string text) override;
  sdk::change_result apply_changes(sdk::change_set changes) override {
    return app_.apply_changes(std::move(changes));
  }
  std::filesystem::path resolve_workspace_path(const std::filesystem::path& relative,
                                               std::string& error) const override;
  void select_model(std::string_view model) override { app_.select_model(model); }
  std::vector<std::string> provider_ids() const override { return app_.provider_ids(); }
  void request_exit() noexcept override { app_.request_exit(); }

private:
  std::error_code check_open(std::string_view what);
  std::error_code reject(sdk::errc code, std::string sentence);
  std::error_code add_any_hook(sdk::hook_point point, int priority, hook_function function);

  application& app_;
  plugin_record& record_;
  source_logger log_;
  bool open_ = true;
  std::string rejection_;
};

} // namespace grok::host

// SPDX-License-Identifier: MIT
/// \file
/// Registration checks and forwarding for each plugin.
#include "plugin_host.hpp"

#include "edit_pipeline.hpp"

#include <grok/sdk/error.hpp>

#include <boost/json.hpp>

namespace grok::host {
namespace {

bool valid_command_name(std::string_view name) {
  if (name.size() < 2 || name.front() != '/')
    return false;
  for (char c : name.substr(1)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok)
      return false;
  }
  return true;
}

} // namespace

plugin_host::plugin_host(application& app, plugin_record& record)
    : app_(app), record_(record), log_(record.id, app.filter(), app.console()) {}

std::error_code plugin_host::reject(sdk::errc code, std::string sentence) {
  if (rejection_.empty())
    rejection_ = std::move(sentence);
  return code;
}

std::error_code plugin_host::check_open(std::string_view what) {
  if (open_)
    return {};
  log_.error(sdk::log_category::misbehaving,
             std::string("registered ") + std::string(what) +
                 " after start returned; registration is only allowed inside start");
  return sdk::errc::registration_closed;
}

std::error_code plugin_host::register_command(sdk::command_spec spec) {
  if (auto error = check_open("a command"))
    return error;
  if (!valid_command_name(spec.name))
    return reject(sdk::errc::invalid_argument,
                  "command name '" + spec.name +
                      "' is invalid; use '/' followed by lower-case letters, digits, '-' or '_'");
  if (!spec.handler)
    return reject(sdk::errc::invalid_argument, "command '" + spec.name + "' has no handler");
  if (spec.summary.empty())
    return reject(sdk::errc::invalid_argument, "command '" + spec.name + "' has no summary");
  if (spec.name == "/help" || spec.name == "/plugins")
    return reject(sdk::errc::duplicate_registration,
                  "command '" + spec.name + "' is built into grok; choose another name");

  auto& commands = app_.registrations().commands;
  if (auto existing = commands.find(spec.name); existing != commands.end())
    return reject(sdk::errc::duplicate_registration,
                  "command '" + spec.name + "' is already registered by plugin '" +
                      existing->second.plugin_id +
                      "'; rename the command or disable one of the two plugins");
  if (spec.usage.empty())
    spec.usage = spec.name;
  record_.registered.push_back("command " + spec.name);
  const std::string name = spec.name;
  commands.emplace(name, command_entry{record_.id, std::move(spec), record_.library});
  return {};
}

std::error_code plugin_host::register_provider(std::shared_ptr<sdk::provider> instance) {
  if (auto error = check_open("a provider"))
    return error;
  if (!instance)
    return reject(sdk::errc::invalid_argument, "register_provider was given a null provider");
  std::string id(instance->id());
  if (id.empty())
    return reject(sdk::errc::invalid_argument, "a provider has an empty id");
  auto& providers = app_.registrations().providers;
  if (auto existing = providers.find(id); existing != providers.end())
    return reject(sdk::errc::duplicate_registration,
                  "provider '" + id + "' is already registered by plugin '" +
                      existing->second.plugin_id + "'; disable one of the two plugins");
  record_.registered.push_back("provider " + id);
  providers.emplace(id, provider_entry{record_.id, std::move(instance), record_.library});
  return {};
}

std::error_code plugin_host::register_service(std::string_view id, std::shared_ptr<void> service) {
  if (auto error = check_open("a service"))
    return error;
  if (id.empty() || id.find('/') == std::string_view::npos || !service)
    return reject(sdk::errc::invalid_argument,
                  "service id '" + std::string(id) +
                      "' is invalid or the service is null; use 'name/revision', such as "
                      "'grok.keystore/1'");
  auto& services = app_.registrations().services;
  if (auto existing = services.find(id); existing != services.end())
    return reject(sdk::errc::duplicate_registration,
                  "service '" + std::string(id) + "' is already registered by plugin '" +
                      existing->second.plugin_id + "'; disable one of the two plugins");
  record_.registered.push_back("service " + std::string(id));
  services.emplace(std::string(id), service_entry{record_.id, std::move(service), record_.library});
  return {};
}

std::error_code plugin_host::add_any_hook(sdk::hook_point point, int priority,
                                          hook_function function) {
  if (auto error = check_open("a hook"))
    return error;
  const bool empty = std::visit([](const auto& f) { return !static_cast<bool>(f); }, function);
  if (empty)
    return reject(sdk::errc::invalid_argument,
                  "a " + std::string(sdk::to_string(point)) + " hook has no function");
  record_.registered.push_back("hook " + std::string(sdk::to_string(point)));
  app_.registrations().add_hook(
      hook_entry{point, priority, record_.id, std::move(function), record_.library});
  return {};
}

std::error_code plugin_host::add_hook(int priority, sdk::pre_edit_hook hook) {
  return add_any_hook(sdk::hook_point::pre_edit, priority, std::move(hook));
}
std::error_code plugin_host::add_hook(int priority, sdk::post_write_hook hook) {
  return add_any_hook(sdk::hook_point::post_write, priority, std::move(hook));
}
std::error_code plugin_host::add_hook(int priority, sdk::pre_run_hook hook) {
  return add_any_hook(sdk::hook_point::pre_run, priority, std::move(hook));
}
std::error_code plugin_host::add_hook(int priority, sdk::post_run_hook hook) {
  return add_any_hook(sdk::hook_point::post_run, priority, std::move(hook));
}
std::error_code plugin_host::add_hook(int priority, sdk::pre_prompt_hook hook) {
  return add_any_hook(sdk::hook_point::pre_prompt, priority, std::move(hook));
}
std::error_code plugin_host::add_hook(int priority, sdk::post_response_hook hook) {
  return add_any_hook(sdk::hook_point::post_response, priority, std::move(hook));
}
std::error_code plugin_host::add_session_hook(sdk::hook_point point, int priority,
                                              sdk::session_hook hook) {
  if (point != sdk::hook_point::session_start && point != sdk::hook_point::session_end)
    return reject(sdk::errc::invalid_argument,
                  "add_session_hook was given hook point '" + std::string(sdk::to_string(point)) +
                      "'; use session-start or session-end");
  return add_any_hook(point, priority, std::move(hook));
}

std::shared_ptr<void> plugin_host::find_service(std::string_view id) const {
  const auto& services = app_.registrations().services;
  auto found = services.find(std::string(id));
  if (found == services.end())
    return nullptr;
  // The returned pointer shares ownership with the library reference, so
  // the providing plugin's code stays loaded while the caller holds it.
  auto holder = std::make_shared<std::pair<library_ref, std::shared_ptr<void>>>(
      found->second.library, found->second.instance);
  return std::shared_ptr<void>(holder, holder->second.get());
}

const boost::json::object& plugin_host::settings() const noexcept {
  static const boost::json::object empty;
  const auto* plugins = app_.config().merged.if_contains("plugins");
  if (plugins == nullptr || !plugins->is_object())
    return empty;
  const auto* mine = plugins->get_object().if_contains(record_.id);
  if (mine == nullptr || !mine->is_object())
    return empty;
  return mine->get_object();
}

const boost::json::value* plugin_host::setting(std::string_view json_pointer) const noexcept {
  boost::system::error_code error;
  const boost::json::value* result = app_.config_value().find_pointer(json_pointer, error);
  return error ? nullptr : result;
}

std::filesystem::path plugin_host::resolve_workspace_path(const std::filesystem::path& relative,
                                                          std::string& error) const {
  error.clear();
  std::error_code io_error;
  const auto root = std::filesystem::canonical(app_.where().workspace, io_error);
  if (io_error) {
    error = "cannot resolve the workspace " + app_.where().workspace.string() + ": " + io_error.message();
    return {};
  }
  return resolve_inside(root, relative, error);
}

void plugin_host::replace_conversation(sdk::conversation next) {
  app_.replace_conversation(std::move(next));
}

sdk::exit_status plugin_host::send_user_message(std::string text) {
  return app_.send_user_message(std::move(text));
}

} // namespace grok::host

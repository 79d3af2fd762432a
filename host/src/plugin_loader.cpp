// SPDX-License-Identifier: MIT
/// \file
/// Plugin discovery, the load checks, start and stop.
#include "application.hpp"
#include "plugin_host.hpp"

#include <grok/sdk/version.hpp>

#include <boost/dll/runtime_symbol_info.hpp>

#include <algorithm>
#include <cstring>
#include <set>

namespace grok::host {
namespace {

/// Copies a fixed-size descriptor field that may lack its terminator.
std::string field_text(const char* field, std::size_t size) {
  return std::string(field, ::strnlen(field, size));
}

std::string version_text(unsigned major, unsigned minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

/// The folders searched for plugins, in order: next to the executable
/// (<prefix>/lib/grok/plugins, which is also the build tree's layout),
/// the user's ~/.grok/plugins, folders named in the configuration, and
/// --plugin-dir folders.
std::vector<std::filesystem::path> plugin_folders(const locations& where,
                                                  const configuration& config) {
  std::vector<std::filesystem::path> folders;
  std::error_code error;
  const auto executable = boost::dll::program_location(error);
  if (!error)
    folders.push_back(executable.parent_path().parent_path() / "lib" / "grok" / "plugins");
  folders.push_back(where.grok_home / "plugins");
  for (const auto& folder : config.plugin_dirs)
    folders.emplace_back(folder);
  return folders;
}

} // namespace

std::string_view to_string(plugin_state state) noexcept {
  switch (state) {
  case plugin_state::started: return "loaded";
  case plugin_state::refused_version: return "refused-version";
  case plugin_state::refused_build_key: return "refused-build-key";
  case plugin_state::refused_not_a_plugin: return "refused-not-a-plugin";
  case plugin_state::refused_duplicate_id: return "refused-duplicate-id";
  case plugin_state::failed_to_open: return "failed-to-open";
  case plugin_state::failed_to_start: return "failed-to-start";
  case plugin_state::disabled: return "disabled";
  case plugin_state::invalid: break;
  }
  return "invalid";
}

void application::discover_and_load() {
  std::set<std::filesystem::path> seen;
  for (const auto& folder : plugin_folders(where_, config_)) {
    std::error_code error;
    if (!std::filesystem::is_directory(folder, error))
      continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
      if (entry.path().extension() == ".so" && entry.is_regular_file(error))
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      const auto canonical = std::filesystem::weakly_canonical(file, error);
      if (!seen.insert(error ? file : canonical).second)
        continue;
      load_plugin_file(file);
    }
  }
}

void application::refuse(plugin_record& record, plugin_state state, std::string line) {
  record.state = state;
  record.problem = line;
  record.instance.reset();
  record.host_object.reset();
  record.library.reset();
  console_.error(line);
}

void application::load_plugin_file(const std::filesystem::path& file) {
  auto owned = std::make_unique<plugin_record>();
  plugin_record& record = *owned;
  plugins_.push_back(std::move(owned));
  record.file = file;
  const std::string where = file.string();

  // NOTE: a library that crashes (a signal, not an exception) in its static
  // initialisers during dlopen takes grok down; only a separate loader
  // process could contain that.
  try {
    record.library = std::make_shared<boost::dll::shared_library>(
        file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    refuse(record, plugin_state::failed_to_open,
           "plugin failed to open: " + where + ": " + e.what() +
               "; check that the file is a shared library built for this system");
    return;
  }

  if (!record.library->has(GROK_PLUGIN_DESCRIPTOR_SYMBOL)) {
    refuse(record, plugin_state::refused_not_a_plugin,
           "plugin refused: " + where + " has no " GROK_PLUGIN_DESCRIPTOR_SYMBOL
           " symbol, so it is not a grok plugin; remove it from the plugin folder");
    return;
  }
  const auto& descriptor =
      record.library->get<const grok_plugin_descriptor>(GROK_PLUGIN_DESCRIPTOR_SYMBOL);
  if (!check_descriptor(record, descriptor))
    return;
  start_plugin(record, descriptor);
}

bool application::check_descriptor(plugin_record& record,
                                   const grok_plugin_descriptor& descriptor) {
  const std::string where = record.file.string();

  // Fields beyond struct_size belong to a layout this plugin predates.
  if (descriptor.struct_size < offsetof(grok_plugin_descriptor, factory_symbol) + GROK_PLUGIN_SYMBOL_SIZE) {
    refuse(record, plugin_state::refused_not_a_plugin,
           "plugin refused: " + where + " has a descriptor of " +
               std::to_string(descriptor.struct_size) + " bytes, smaller than SDK 1.0's " +
               std::to_string(sizeof(grok_plugin_descriptor)) + "; rebuild it against SDK " +
               version_text(GROK_SDK_VERSION_MAJOR, GROK_SDK_VERSION_MINOR));
    return false;
  }

  record.id = field_text(descriptor.id, sizeof descriptor.id);
  record.version = field_text(descriptor.version, sizeof descriptor.version);
  record.summary = field_text(descriptor.summary, sizeof descriptor.summary);
  record.sdk_version = version_text(descriptor.sdk_major, descriptor.sdk_minor);
  const std::string host_sdk = version_text(GROK_SDK_VERSION_MAJOR, GROK_SDK_VERSION_MINOR);
  const std::string named = where + " (" + record.id + " " + record.version + ")";

  if (descriptor.sdk_major != GROK_SDK_VERSION_MAJOR) {
    refuse(record, plugin_state::refused_version,
           "plugin refused: " + named + " was built against SDK " + record.sdk_version +
               ", but this grok provides SDK " + host_sdk + "; rebuild the plugin against SDK " +
               host_sdk);
    return false;
  }
  if (descriptor.sdk_minor > GROK_SDK_VERSION_MINOR) {
    refuse(record, plugin_state::refused_version,
           "plugin refused: " + named + " was built against SDK " + record.sdk_version +
               ", newer than this grok's SDK " + host_sdk +
               "; update grok or rebuild the plugin against SDK " + host_sdk);
    return false;
  }
  const std::string build_key = field_text(descriptor.build_key, sizeof descriptor.build_key);
  if (build_key != GROK_SDK_BUILD_KEY) {
    refuse(record, plugin_state::refused_build_key,
           "plugin refused: " + named + " was built with " + build_key +
               ", but this grok was built with " GROK_SDK_BUILD_KEY
               "; rebuild the plugin with the same compiler, C++ library and Boost");
    return false;
  }
  if (record.id.empty()) {
    refuse(record, plugin_state::refused_not_a_plugin,
           "plugin refused: " + where + " has an empty id in its descriptor; set one in GROK_PLUGIN");
    return false;
  }
  for (const auto& other : plugins_) {
    if (other.get() != &record && other->id == record.id &&
        other->state == plugin_state::started) {
      refuse(record, plugin_state::refused_duplicate_id,
             "plugin refused: " + named + " has the same id as the plugin already loaded from " +
                 other->file.string() + "; remove one of the two files");
      return false;
    }
  }

  const auto& enabled = config_.enabled_plugins;
  const auto& disabled = config_.disabled_plugins;
  const bool off = (!enabled.empty() && std::find(enabled.begin(), enabled.end(), record.id) == enabled.end()) ||
                   std::find(disabled.begin(), disabled.end(), record.id) != disabled.end();
  if (off) {
    record.state = plugin_state::disabled;
    record.problem = "disabled by the configuration (enabled_plugins / disabled_plugins)";
    record.library.reset();
    log_.info(sdk::log_category::plugin, "plugin " + record.id + " is disabled by the configuration");
    return false;
  }
  return true;
}

void application::start_plugin(plugin_record& record, const grok_plugin_descriptor& descriptor) {
  const std::string named = record.file.string() + " (" + record.id + " " + record.version + ")";
  const std::string factory_name =
      field_text(descriptor.factory_symbol, sizeof descriptor.factory_symbol);

  if (factory_name.empty() || !record.library->has(factory_name)) {
    refuse(record, plugin_state::failed_to_start,
           "plugin failed to start: " + named + ": factory symbol '" + factory_name +
               "' not found; export it with GROK_PLUGIN");
    return;
  }
  auto& factory = record.library->get<sdk::plugin_factory>(factory_name);

  try {
    record.instance.reset(factory());
  } catch (const std::exception& e) {
    refuse(record, plugin_state::failed_to_start,
           "plugin failed to start: " + named + ": the factory threw: " + e.what());
    return;
  } catch (...) {
    refuse(record, plugin_state::failed_to_start,
           "plugin failed to start: " + named + ": the factory threw an unknown exception");
    return;
  }
  if (!record.instance) {
    refuse(record, plugin_state::failed_to_start,
           "plugin failed to start: " + named + ": the factory returned no plugin");
    return;
  }

  record.host_object = std::make_unique<plugin_host>(*this, record);
  std::string failure;
  try {
    record.instance->start(*record.host_object);
  } catch (const std::exception& e) {
    failure = std::string("start threw: ") + e.what();
  } catch (...) {
    failure = "start threw an unknown exception";
  }
  record.host_object->close_registration();
  if (failure.empty())
    failure = record.host_object->rejection();

  if (!failure.empty()) {
    registry_.remove_plugin(record.id);
    record.registered.clear();
    try {
      record.instance->stop();
    } catch (...) {
    }
    refuse(record, plugin_state::failed_to_start, "plugin failed to start: " + named + ": " + failure);
    return;
  }
  record.state = plugin_state::started;
  log_.debug(sdk::log_category::plugin, "started " + named);
}

void application::stop_plugins() noexcept {
  // Registrations hold references into plugin code; drop them first, then
  // stop and destroy the plugins in reverse load order, then unload.
  registry_.clear();
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
    plugin_record& record = **it;
    if (record.instance) {
      try {
        record.instance->stop();
      } catch (...) {
        log_.error(sdk::log_category::misbehaving, "plugin " + record.id + " threw from stop");
      }
      record.instance.reset();
    }
    record.host_object.reset();
  }
  io_.reset();
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it)
    (*it)->library.reset();
}

} // namespace grok::host

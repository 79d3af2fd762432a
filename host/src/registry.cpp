// SPDX-License-Identifier: MIT
/// \file
/// The registry of plugin registrations.
#include "registry.hpp"

#include <algorithm>

namespace grok::host {

void registry::remove_plugin(const std::string& plugin_id) {
  std::erase_if(commands, [&](const auto& item) { return item.second.plugin_id == plugin_id; });
  std::erase_if(providers, [&](const auto& item) { return item.second.plugin_id == plugin_id; });
  std::erase_if(services, [&](const auto& item) { return item.second.plugin_id == plugin_id; });
  std::erase_if(hooks, [&](const hook_entry& entry) { return entry.plugin_id == plugin_id; });
}

void registry::add_hook(hook_entry entry) {
  // upper_bound keeps registration order among equal keys.
  auto position = std::upper_bound(hooks.begin(), hooks.end(), entry,
                                   [](const hook_entry& a, const hook_entry& b) {
                                     if (a.priority != b.priority)
                                       return a.priority < b.priority;
                                     return a.plugin_id < b.plugin_id;
                                   });
  hooks.insert(position, std::move(entry));
}

void registry::clear() {
  hooks.clear();
  services.clear();
  providers.clear();
  commands.clear();
}

} // namespace grok::host

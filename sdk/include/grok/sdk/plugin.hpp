// SPDX-License-Identifier: MIT
/// \file
/// The plugin base class and the macro that exports a plugin's descriptor
/// and factory.
#pragma once

#include <grok/sdk/descriptor.h>
#include <grok/sdk/export.hpp>
#include <grok/sdk/host.hpp>
#include <grok/sdk/version.hpp>

namespace grok::sdk {

/// A loaded plugin. The host creates it through the factory, calls `start`
/// once, and calls `stop` once before it destroys the object and unloads
/// the library.
///
/// Rules for plugin authors: no static constructors with side effects (they
/// run at load time, before any version check); register only inside
/// `start`; never let an exception leave `start`, `stop`, a hook or a
/// handler (the host catches it and treats it as a failure of the plugin).
class GROK_SDK_INTERFACE plugin {
public:
  virtual ~plugin();

  /// Registers what the plugin provides. `h` stays valid until `stop`
  /// returns. [io-thread]
  virtual void start(host& h) = 0;

  /// Releases resources. Called in reverse load order. [io-thread]
  virtual void stop() noexcept {}
};

/// The factory's signature. It returns a new object owned by the caller,
/// or null on failure.
using plugin_factory = plugin* ();

} // namespace grok::sdk

/// The factory symbol name that GROK_PLUGIN exports.
#define GROK_PLUGIN_FACTORY_SYMBOL "grok_plugin_create"

/// Exports a plugin's descriptor and its factory. Use once per plugin, at
/// namespace scope, with string literals:
///
///     GROK_PLUGIN("explain", "1.0.0", "The /explain command", explain_plugin)
///
/// `type` must be default-constructible and derive from grok::sdk::plugin.
#define GROK_PLUGIN(id_literal, version_literal, summary_literal, type)                             \
  GROK_PLUGIN_EXPORT constinit const grok_plugin_descriptor grok_plugin_entry{                      \
      sizeof(grok_plugin_descriptor),                                                               \
      GROK_SDK_VERSION_MAJOR,                                                                       \
      GROK_SDK_VERSION_MINOR,                                                                       \
      GROK_SDK_VERSION_PATCH,                                                                       \
      0,                                                                                            \
      GROK_SDK_BUILD_KEY,                                                                           \
      id_literal,                                                                                   \
      version_literal,                                                                              \
      summary_literal,                                                                              \
      GROK_PLUGIN_FACTORY_SYMBOL};                                                                  \
  GROK_PLUGIN_EXPORT ::grok::sdk::plugin* grok_plugin_create() {                                    \
    try {                                                                                           \
      return new type();                                                                            \
    } catch (...) {                                                                                 \
      return nullptr;                                                                               \
    }                                                                                               \
  }

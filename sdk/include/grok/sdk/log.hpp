// SPDX-License-Identifier: MIT
/// \file
/// Levelled, categorised logging. The host prefixes every line with the
/// plugin id and redacts secrets before a line reaches any sink.
#pragma once

#include <grok/sdk/export.hpp>

#include <string>
#include <string_view>

namespace grok::sdk {

/// Log levels, from most to least severe.
///
/// - error: an operation failed and the user must act or retry.
/// - warning: something unexpected happened and work continues.
/// - info: starts, stops and retries of long operations.
/// - debug: details for diagnosing a problem (requests, timings, decisions).
/// - trace: wire-level detail. Never contains secrets either.
///
/// By default errors and warnings are shown. `--verbose` shows every level of
/// every category. `GROK_LOG=net,plugin` shows every level of the listed
/// categories; `GROK_LOG=all` shows everything.
enum class log_level { invalid = 0, error, warning, info, debug, trace };

/// Category names used by the host and the bundled plugins. Plugins may
/// use their own category names.
namespace log_category {
inline constexpr std::string_view plugin = "plugin";  ///< loading, starting, registering
inline constexpr std::string_view misbehaving = "misbehaving"; ///< contract violations
inline constexpr std::string_view net = "net";        ///< HTTP, TLS, proxies, retries
inline constexpr std::string_view config = "config";  ///< configuration layers
inline constexpr std::string_view session = "session";
inline constexpr std::string_view provider = "provider";
} // namespace log_category

/// A log sink. The host gives each plugin its own, which adds the plugin id.
class GROK_SDK_INTERFACE logger {
public:
  virtual ~logger();

  /// Returns true if a message at `level` in `category` would be written.
  /// Use it to skip building expensive messages. [any-thread]
  virtual bool enabled(log_level level, std::string_view category) const noexcept = 0;

  /// Writes one message. Secrets known to the host and common API key
  /// patterns are redacted before output. Never throws. [any-thread]
  virtual void write(log_level level, std::string_view category, std::string_view message) noexcept = 0;

  void error(std::string_view category, std::string_view message) noexcept {
    write(log_level::error, category, message);
  }
  void warning(std::string_view category, std::string_view message) noexcept {
    write(log_level::warning, category, message);
  }
  void info(std::string_view category, std::string_view message) noexcept {
    write(log_level::info, category, message);
  }
  void debug(std::string_view category, std::string_view message) noexcept {
    write(log_level::debug, category, message);
  }
  void trace(std::string_view category, std::string_view message) noexcept {
    write(log_level::trace, category, message);
  }
};

/// Returns `text` with every known secret and every substring that looks
/// like an API key or a bearer token replaced by "[REDACTED]". [any-thread]
GROK_SDK_API std::string redact_secrets(std::string_view text);

/// Adds `secret` to the process-wide list that `redact_secrets` removes,
/// and makes the process non-dumpable (no core dump, no ptrace attach by
/// other processes of the user). Values shorter than 8 bytes are not
/// listed, because they would redact ordinary words. [any-thread]
GROK_SDK_API void register_secret(std::string_view secret);

} // namespace grok::sdk

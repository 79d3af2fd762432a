// SPDX-License-Identifier: MIT
/// \file
/// API keys in the OS keyring through libsecret (the freedesktop Secret
/// Service), one item per provider with the attributes service=grok-cli
/// and provider=<id>, and a time limit on every call.
#pragma once

#include "keystore_common.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grok::keystore {

/// The keyring items of grok. Every call blocks for at most `timeout`,
/// then fails with keystore_error. After a timeout or a failure to reach
/// the Secret Service, later calls fail at once with the same message, so
/// one run waits only once.
class secret_service {
public:
  explicit secret_service(std::chrono::milliseconds timeout = std::chrono::seconds(3));
  ~secret_service();
  secret_service(const secret_service&) = delete;
  secret_service& operator=(const secret_service&) = delete;

  /// True when DBUS_SESSION_BUS_ADDRESS is set and not empty. Without it
  /// no call is made, because libsecret would try to start a bus (D-Bus
  /// autolaunch) instead of failing.
  static bool session_bus_available();

  /// Returns the key stored for `provider`, or nothing.
  std::optional<secret_string> lookup(std::string_view provider);

  /// Stores `key` for `provider` in the default collection, replacing an
  /// earlier one.
  void store(std::string_view provider, std::string_view key);

  /// Removes the key for `provider`; returns whether one was there.
  bool remove(std::string_view provider);

  /// Returns the providers with an item, sorted, without reading secrets.
  std::vector<std::string> providers();

  /// Disconnects from the Secret Service if a call connected.
  void disconnect() noexcept;

private:
  void require_available() const;

  std::chrono::milliseconds timeout_;
  std::string broken_; ///< set after a timeout or an unreachable service
  bool used_ = false;
};

} // namespace grok::keystore

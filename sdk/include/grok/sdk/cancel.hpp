// SPDX-License-Identifier: MIT
/// \file
/// Cooperative cancellation shared between the host and long operations.
#pragma once

#include <grok/sdk/export.hpp>

#include <functional>
#include <memory>

namespace grok::sdk {

/// A handle to a cancellation flag. Copies share the flag. The host cancels
/// the token of the current operation when the user presses Ctrl-C.
class GROK_SDK_API cancel_token {
public:
  /// Creates a token with its own flag, not cancelled.
  cancel_token();

  /// Cancels the token and runs the registered callbacks once, on the
  /// calling thread. Later calls do nothing. [any-thread]
  void cancel();

  /// Returns true once `cancel()` has been called. [any-thread]
  bool cancelled() const noexcept;

  /// Registers `callback` to run on cancellation, or at once if the token is
  /// already cancelled. Returns an id for `remove_callback`. The callback
  /// must not throw. [any-thread]
  int on_cancel(std::function<void()> callback);

  /// Removes a callback registered with `on_cancel`; unknown ids are
  /// ignored. [any-thread]
  void remove_callback(int id);

private:
  struct state;
  std::shared_ptr<state> state_;
};

} // namespace grok::sdk

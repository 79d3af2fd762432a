// SPDX-License-Identifier: MIT
/// \file
/// The keystore service, "grok.keystore/1": where providers get API keys.
/// The keystore plugin offers it; without that plugin, providers read
/// their environment variable only.
#pragma once

#include <grok/sdk/export.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace grok::sdk {

/// The service id and revision of `keystore`.
inline constexpr std::string_view keystore_service_id = "grok.keystore/1";

/// Where a key came from, in precedence order: the first source that has
/// a key wins.
enum class key_source {
  invalid = 0,
  this_run,       ///< given for one run only (a file or file descriptor)
  environment,    ///< the provider's environment variable, such as XAI_API_KEY
  keyring,        ///< the OS keyring (Secret Service)
  encrypted_file, ///< ~/.grok/credentials.enc
  plain_config,   ///< a plain-text apiKey in config.json that could not be moved into the store yet
};

/// A key and where it came from.
struct resolved_key {
  std::string value;
  key_source source = key_source::invalid;
};

/// Looks up API keys. Every call is [io-thread].
class GROK_SDK_INTERFACE keystore {
public:
  virtual ~keystore();

  /// Returns the key for `provider` ("xai", "openai", "anthropic",
  /// "daytona", ...) from the first source in precedence order that has
  /// one, or nothing when no source has one. `environment_variable` names
  /// the provider's variable. When a source exists but cannot be read (a
  /// wrong passphrase, a tampered file), returns nothing and sets `error`
  /// and `message` (one line naming the source and the fix). The returned
  /// value is registered with `register_secret`.
  virtual std::optional<resolved_key> find_key(std::string_view provider,
                                               std::string_view environment_variable,
                                               std::error_code& error, std::string& message) = 0;
};

} // namespace grok::sdk

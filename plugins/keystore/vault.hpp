// SPDX-License-Identifier: MIT
/// \file
/// The grok.keystore/1 service: finds a provider's key in precedence order
/// and stores keys in the OS keyring or in credentials.enc.
#pragma once

#include "credential_file.hpp"
#include "keystore_common.hpp"
#include "secret_service.hpp"

#include <grok/sdk/host.hpp>
#include <grok/sdk/keystore.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grok::keystore {

/// Store that /keys set writes to, chosen by `plugins.keystore.protection`.
enum class protection_mode { passphrase, keyring, machine_key };

/// Returns the setting's spelling: "passphrase", "keyring" or "machine-key".
std::string_view to_string(protection_mode mode);

/// Label of the machine-key mode, naming the one threat it protects against.
inline constexpr std::string_view machine_key_label =
    "machine key: protects only against the credential file being copied elsewhere";

/// A key and where it was found.
struct found_key {
  secret_string value;
  sdk::key_source source = sdk::key_source::invalid;
  std::string origin; ///< "GROK_API_KEY_FILE", "XAI_API_KEY", "keyring", "encrypted file (passphrase)"
};

/// The providers with a stored key.
struct stored_keys {
  std::vector<std::string> keyring;
  std::string keyring_problem; ///< why the keyring could not be listed, or empty
  std::vector<std::string> file;
  std::optional<file_protection> file_protection_kind; ///< set when credentials.enc exists
};

/// The keystore service. Every function is [io-thread].
class key_vault final : public sdk::keystore {
public:
  explicit key_vault(sdk::host& host);

  std::optional<sdk::resolved_key> find_key(std::string_view provider, std::string_view environment_variable,
                                            std::error_code& error, std::string& message) override;

  /// Finds the key for `provider` in precedence order: a key given for
  /// this run (GROK_API_KEY_FILE or GROK_API_KEY_FD), the environment
  /// variable, the OS keyring, credentials.enc. Throws keystore_error when
  /// a source that has a key cannot be read.
  std::optional<found_key> resolve(std::string_view provider, std::string_view environment_variable);

  /// The configured protection mode. Throws keystore_error for an invalid
  /// setting.
  protection_mode mode() const;

  /// Names the store of `mode` for messages.
  std::string describe_store(protection_mode mode) const;

  /// Stores `key` for `provider` in the store of the configured mode.
  void store(std::string_view provider, std::string_view key);

  /// Removes the key for `provider` from the keyring and from
  /// credentials.enc. Returns the places it was removed from.
  std::vector<std::string> remove(std::string_view provider);

  /// Lists the stored providers without reading any key.
  stored_keys list();

  /// Moves a plain-text `apiKey` from $GROK_HOME/config.json into the
  /// store, once per run. Problems become warnings, and the plain file is
  /// changed only after the key is stored.
  void migrate_plain_key() noexcept;

  /// Writes `model` and `working_folder` (each when not empty) into
  /// $GROK_HOME/config.json under the credentials lock, keeping every
  /// other key. Returns true when the file had comments, which the
  /// rewrite dropped. Throws keystore_error.
  bool update_config(const std::string& model, const std::string& working_folder);

  /// The encrypted file.
  std::filesystem::path credentials_path() const { return host_.grok_home() / "credentials.enc"; }

  /// Releases the keyring connection. Called from the plugin's stop.
  void stop() noexcept { keyring_.disconnect(); }

private:
  std::optional<found_key> this_run_key();
  std::optional<found_key> read_this_run_key();
  std::optional<secret_string> open_from(const credential_file& file, std::string_view provider);
  std::optional<credential_file> load_file();
  void store_in_file(std::string_view provider, std::string_view key, file_protection wanted);
  bool remove_from_file(std::string_view provider);
  void check_protection(const file_header& header, file_protection wanted) const;
  const data_key& data_key_for(const file_header& header, bool creating);
  const secret_string& passphrase(bool creating);
  data_key load_machine_key(bool create);
  [[noreturn]] void fail_decryption(const file_header& header) const;
  std::optional<secret_string> stored_in(protection_mode mode, std::string_view provider);
  void rewrite_config_without_key(const secret_string& key);
  void ensure_home();

  sdk::host& host_;
  secret_service keyring_;
  bool keyring_warned_ = false;

  bool this_run_read_ = false;
  std::optional<found_key> this_run_;
  std::string this_run_error_;

  std::optional<secret_string> passphrase_;
  std::string derived_for_header_; ///< header text that `derived_` belongs to
  std::optional<data_key> derived_;

  bool migration_done_ = false;
  /// A plain-text apiKey whose move into the store failed; used last, so
  /// a set-up that worked before the upgrade keeps working.
  std::optional<secret_string> unmigrated_key_;
};

} // namespace grok::keystore

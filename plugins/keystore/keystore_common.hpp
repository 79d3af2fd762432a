// SPDX-License-Identifier: MIT
/// \file
/// Shared pieces of the keystore plugin: its error type, a string that
/// wipes itself, and checks of API keys and provider names.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace grok::keystore {

/// A failure the user must see. The message names the file, setting or
/// variable involved and the fix, and never contains a key or passphrase.
class keystore_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A string holding a key or passphrase. Its memory is overwritten with
/// zeros when it is destroyed or reassigned, so fewer copies of a secret
/// linger in freed memory. Moves wipe the source as well.
class secret_string {
public:
  secret_string() = default;
  explicit secret_string(std::string_view text);
  secret_string(const secret_string& other);
  secret_string(secret_string&& other) noexcept;
  secret_string& operator=(const secret_string& other);
  secret_string& operator=(secret_string&& other) noexcept;
  ~secret_string();

  /// Returns a string of `size` zero bytes, to be filled through data().
  static secret_string filled(std::size_t size);

  std::string_view view() const noexcept { return value_; }
  char* data() noexcept { return value_.data(); }
  const std::string& str() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }
  std::size_t size() const noexcept { return value_.size(); }

  /// Overwrites the contents with zeros and makes the string empty.
  void wipe() noexcept;

private:
  std::string value_;
};

/// Maximum length of an API key, in bytes.
inline constexpr std::size_t max_api_key_bytes = 4096;

/// Checks a key typed or read for a provider. Returns an empty string when
/// it is acceptable, else a sentence that says what is wrong (without the
/// key) and how to fix it. `origin` names where the key came from, such as
/// "the key read from standard input".
std::string check_api_key(std::string_view key, std::string_view origin);

/// True for provider ids the store accepts: 1 to 64 characters of
/// lower-case letters, digits, '.', '_' and '-', starting with a letter or
/// a digit.
bool is_valid_provider_name(std::string_view name);

/// Returns `path` with the home folder replaced by "~", for messages.
std::string display_path(const std::filesystem::path& path);

/// Returns the first line of `text` without its line ending.
std::string_view first_line(std::string_view text);

/// Returns "...wxyz": the last four characters of `key`, or "..." alone
/// when the key is shorter than 16 characters, because four characters of
/// a short key reveal too much of it.
std::string key_suffix(std::string_view key);

} // namespace grok::keystore

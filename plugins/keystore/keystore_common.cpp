// SPDX-License-Identifier: MIT
/// \file
/// Wiping strings, key and name checks, and path display for the keystore
/// plugin.
#include "keystore_common.hpp"

#include <openssl/crypto.h>

#include <cstdlib>

namespace grok::keystore {

secret_string::secret_string(std::string_view text) { value_.assign(text); }

secret_string secret_string::filled(std::size_t size) {
  secret_string result;
  result.value_.resize(size);
  return result;
}

secret_string::secret_string(const secret_string& other) : value_(other.value_) {}

secret_string::secret_string(secret_string&& other) noexcept : value_(std::move(other.value_)) {
  // A short string is copied out of the source's inline buffer, so the
  // bytes left there are wiped too.
  other.wipe();
}

secret_string& secret_string::operator=(const secret_string& other) {
  if (this != &other) {
    wipe();
    value_ = other.value_;
  }
  return *this;
}

secret_string& secret_string::operator=(secret_string&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

secret_string::~secret_string() { wipe(); }

void secret_string::wipe() noexcept {
  // Cover the whole buffer, including bytes past the end that an earlier,
  // longer value used.
  value_.resize(value_.capacity());
  OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

std::string check_api_key(std::string_view key, std::string_view origin) {
  if (key.empty())
    return std::string(origin) + " is empty; give the provider's API key";
  if (key.size() > max_api_key_bytes)
    return std::string(origin) + " is longer than " + std::to_string(max_api_key_bytes) +
           " bytes; give the API key alone";
  for (std::size_t i = 0; i < key.size(); ++i) {
    const auto byte = static_cast<unsigned char>(key[i]);
    if (byte <= 0x20 || byte >= 0x7F)
      return std::string(origin) + " contains a space, a control character or a non-ASCII byte at position " +
             std::to_string(i + 1) + "; give the API key alone, exactly as the provider issued it";
  }
  return {};
}

bool is_valid_provider_name(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alphanumeric = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alphanumeric && (i == 0 || (c != '.' && c != '_' && c != '-')))
      return false;
  }
  return true;
}

std::string display_path(const std::filesystem::path& path) {
  const char* home = std::getenv("HOME");
  const std::string text = path.string();
  if (home == nullptr || *home == '\0')
    return text;
  std::string prefix = home;
  while (prefix.size() > 1 && prefix.back() == '/')
    prefix.pop_back();
  if (text.size() > prefix.size() && text.compare(0, prefix.size(), prefix) == 0 && text[prefix.size()] == '/')
    return "~" + text.substr(prefix.size());
  return text;
}

std::string_view first_line(std::string_view text) {
  const auto end = text.find('\n');
  std::string_view line = text.substr(0, end);
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  return line;
}

std::string key_suffix(std::string_view key) {
  if (key.size() < 16)
    return "...";
  return "..." + std::string(key.substr(key.size() - 4));
}

} // namespace grok::keystore

// SPDX-License-Identifier: MIT
/// \file
/// Checkpoint keys with OpenSSL 3: random generation, forward evolution,
/// HMAC-SHA256 through EVP_MAC, and the key file format.
#include "audit_key.hpp"

#include <grok/sdk/files.hpp>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cerrno>
#include <charconv>
#include <memory>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace grok::audit {

namespace {

constexpr std::string_view key_file_header = "grok-audit-key/1";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string to_hex_text(const unsigned char* bytes, std::size_t count) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  text.reserve(count * 2);
  for (std::size_t i = 0; i < count; ++i) {
    text.push_back(digits[bytes[i] >> 4]);
    text.push_back(digits[bytes[i] & 0x0F]);
  }
  return text;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' ||
                           text.front() == '\r'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return value;
}

struct mac_deleter {
  void operator()(EVP_MAC* mac) const noexcept { EVP_MAC_free(mac); }
  void operator()(EVP_MAC_CTX* context) const noexcept { EVP_MAC_CTX_free(context); }
};

} // namespace

secret_key::secret_key(const secret_key& other) : bytes_(other.bytes_) {}

secret_key& secret_key::operator=(const secret_key& other) {
  if (this != &other)
    bytes_ = other.bytes_;
  return *this;
}

secret_key::~secret_key() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

secret_key secret_key::random() {
  secret_key key;
  if (RAND_priv_bytes(key.bytes_.data(), static_cast<int>(key.bytes_.size())) != 1)
    throw std::runtime_error("OpenSSL could not generate a random key (RAND_priv_bytes failed)");
  return key;
}

std::optional<secret_key> secret_key::from_hex(std::string_view text) {
  text = trim(text);
  if (text.size() != size * 2)
    return std::nullopt;
  secret_key key;
  for (std::size_t i = 0; i < size; ++i) {
    const int high = hex_value(text[2 * i]);
    const int low = hex_value(text[2 * i + 1]);
    if (high < 0 || low < 0)
      return std::nullopt;
    key.bytes_[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return key;
}

std::string secret_key::to_hex() const { return to_hex_text(bytes_.data(), bytes_.size()); }

secret_key secret_key::evolved() const {
  std::array<unsigned char, key_evolution_label.size() + size> input{};
  std::copy(key_evolution_label.begin(), key_evolution_label.end(), input.begin());
  std::copy(bytes_.begin(), bytes_.end(), input.begin() + static_cast<std::ptrdiff_t>(key_evolution_label.size()));
  secret_key next;
  unsigned int length = 0;
  const bool ok = EVP_Digest(input.data(), input.size(), next.bytes_.data(), &length, EVP_sha256(), nullptr) == 1;
  OPENSSL_cleanse(input.data(), input.size());
  if (!ok || length != size)
    throw std::runtime_error("OpenSSL could not compute SHA-256 for the key evolution");
  return next;
}

std::string secret_key::hmac_hex(std::string_view message) const {
  std::unique_ptr<EVP_MAC, mac_deleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac)
    throw std::runtime_error("OpenSSL has no HMAC implementation (EVP_MAC_fetch failed)");
  std::unique_ptr<EVP_MAC_CTX, mac_deleter> context(EVP_MAC_CTX_new(mac.get()));
  char digest_name[] = "SHA256";
  const OSSL_PARAM parameters[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0), OSSL_PARAM_construct_end()};
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t length = 0;
  const bool ok = context && EVP_MAC_init(context.get(), bytes_.data(), bytes_.size(), parameters) == 1 &&
                  EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(message.data()),
                                 message.size()) == 1 &&
                  EVP_MAC_final(context.get(), out.data(), &length, out.size()) == 1;
  if (!ok)
    throw std::runtime_error("OpenSSL could not compute HMAC-SHA256");
  return to_hex_text(out.data(), length);
}

void wipe(std::string& text) noexcept {
  if (!text.empty())
    OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}

bool equal_constant_time(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<key_state> read_key_file(const std::filesystem::path& path, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    error = std::error_code(errno, std::system_category()).message();
    return std::nullopt;
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    error = "not a regular file";
    return std::nullopt;
  }
  if ((info.st_mode & 077) != 0 || info.st_uid != ::geteuid()) {
    ::close(fd);
    error = "readable or writable by other users, or owned by another user; it must be yours with mode 0600";
    return std::nullopt;
  }
  // The file is a few lines; 512 bytes leaves room and bounds the read.
  std::array<char, 512> buffer{};
  std::size_t filled = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data() + filled, buffer.size() - filled);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    filled += static_cast<std::size_t>(n);
    if (filled == buffer.size())
      break;
  }
  ::close(fd);

  std::string_view text(buffer.data(), filled);
  key_state state;
  bool have_key = false;
  bool have_epoch = false;
  bool have_checkpoint = false;
  bool header_ok = false;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    if (line_number == 1) {
      header_ok = line == key_file_header;
      continue;
    }
    const auto space = line.find(' ');
    const std::string_view name = line.substr(0, space);
    const std::string_view value = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    if (name == "key") {
      if (auto key = secret_key::from_hex(value)) {
        state.key = *key;
        have_key = true;
      }
    } else if (name == "epoch") {
      if (auto number = parse_number(value)) {
        state.epoch = *number;
        have_epoch = true;
      }
    } else if (name == "checkpoint_seq") {
      if (auto number = parse_number(value)) {
        state.checkpoint_seq = *number;
        have_checkpoint = true;
      }
    }
  }
  OPENSSL_cleanse(buffer.data(), buffer.size());
  if (!header_ok || !have_key || !have_epoch || !have_checkpoint) {
    error = "not a valid key file (expected the lines \"grok-audit-key/1\", \"epoch N\", "
            "\"checkpoint_seq N\" and \"key\" with 64 hex digits)";
    return std::nullopt;
  }
  return state;
}

std::string write_key_file(const std::filesystem::path& path, const key_state& state) {
  std::string key_hex = state.key.to_hex();
  // Reserved up front so that no reallocation leaves a copy of the key in
  // freed memory.
  std::string text;
  text.reserve(256);
  text.append(key_file_header);
  text.append("\nepoch ");
  text.append(std::to_string(state.epoch));
  text.append("\ncheckpoint_seq ");
  text.append(std::to_string(state.checkpoint_seq));
  text.append("\nkey ");
  text.append(key_hex);
  text.append("\n");
  wipe(key_hex);
  const std::error_code error = sdk::write_file_atomically(path, text);
  wipe(text);
  return error ? error.message() : std::string();
}

} // namespace grok::audit

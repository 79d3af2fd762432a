// SPDX-License-Identifier: MIT
/// \file
/// Checkpoint key material: a 32-byte key that is wiped from memory when it
/// goes away, its forward evolution, HMAC-SHA256, and the key file.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace grok::audit {

/// The label hashed in front of a key to derive the next epoch's key.
inline constexpr std::string_view key_evolution_label = "grok-audit-key-evolution";

/// A 32-byte key. Copies are allowed so that a verifier can keep the seed,
/// and every copy is overwritten when it is destroyed or assigned over.
class secret_key {
public:
  static constexpr std::size_t size = 32;

  secret_key() = default;
  secret_key(const secret_key& other);
  secret_key& operator=(const secret_key& other);
  ~secret_key();

  /// Returns a key from OpenSSL's private random generator, which the
  /// operating system seeds. Throws std::runtime_error when it fails.
  static secret_key random();

  /// Parses 64 hex digits (either case, surrounding spaces ignored).
  /// Returns nothing for any other text.
  static std::optional<secret_key> from_hex(std::string_view text);

  /// Returns the key as 64 lower-case hex digits. The caller must wipe the
  /// string with `wipe` when done.
  std::string to_hex() const;

  /// Returns key_{e+1} = SHA-256(key_evolution_label || key_e).
  secret_key evolved() const;

  /// Returns HMAC-SHA256 of `message` under this key, as lower-case hex.
  std::string hmac_hex(std::string_view message) const;

  const unsigned char* data() const noexcept { return bytes_.data(); }

private:
  std::array<unsigned char, size> bytes_{};
};

/// Overwrites the bytes of `text` with zeros in a way the compiler cannot
/// remove, then clears it.
void wipe(std::string& text) noexcept;

/// Compares two strings in time that depends only on their lengths.
bool equal_constant_time(std::string_view a, std::string_view b) noexcept;

/// The contents of `$GROK_HOME/audit/key`: the current key, its epoch, and
/// the seq of the last checkpoint.
struct key_state {
  secret_key key;
  std::uint64_t epoch = 0;
  std::uint64_t checkpoint_seq = 0; ///< 0 before the first checkpoint
};

/// Reads the key file. On failure returns nothing and sets `error` to a
/// reason without the path.
std::optional<key_state> read_key_file(const std::filesystem::path& path, std::string& error);

/// Writes the key file atomically with mode 0600. Returns a reason without
/// the path, or an empty string on success.
std::string write_key_file(const std::filesystem::path& path, const key_state& state);

} // namespace grok::audit

// SPDX-License-Identifier: MIT
/// \file
/// The format and cryptography of credentials.enc: a text header that
/// names the key derivation, then one AES-256-GCM record per provider.
///
/// The file is UTF-8 text with '\n' line endings:
///
///     grok-credentials 1
///     kdf scrypt n=131072 r=8 p=1 salt=<32 hex digits>
///     record xai nonce=<24 hex digits> data=<hex> tag=<32 hex digits>
///
/// The second line is `kdf machine-key` when the data key is the random
/// key in machine.key. The header is the first two lines, newlines
/// included. Each record is sealed with a fresh random 96-bit nonce and a
/// 128-bit tag, and its additional authenticated data is the header bytes
/// followed by the record's name, so a record cannot be moved to another
/// provider's line or another file's header.
#pragma once

#include "keystore_common.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grok::keystore {

/// The source of a file's data key.
enum class file_protection { passphrase, machine_key };

/// scrypt parameters as stored in the header.
struct scrypt_parameters {
  std::uint64_t n = 0; ///< CPU and memory cost, a power of two
  std::uint32_t r = 0; ///< block size
  std::uint32_t p = 0; ///< parallelism
  std::string salt;    ///< raw bytes
};

/// Parameters of new files: N = 2^17, r = 8, p = 1 (128 MiB, a few
/// hundred milliseconds) and a 16-byte salt.
inline constexpr std::uint64_t default_scrypt_n = std::uint64_t{1} << 17;
inline constexpr std::uint32_t default_scrypt_r = 8;
inline constexpr std::uint32_t default_scrypt_p = 1;
inline constexpr std::size_t default_salt_bytes = 16;

/// The memory scrypt may use, also passed to OpenSSL as maxmem. Headers
/// that need more are rejected before the derivation runs.
inline constexpr std::uint64_t scrypt_max_memory = std::uint64_t{256} << 20;

inline constexpr std::size_t data_key_bytes = 32;
inline constexpr std::size_t nonce_bytes = 12;
inline constexpr std::size_t tag_bytes = 16;

/// The parsed header and its exact bytes.
struct file_header {
  file_protection protection = file_protection::passphrase;
  scrypt_parameters scrypt; ///< set when `protection` is passphrase
  std::string text;         ///< the first two lines, as authenticated
};

/// One provider's key, encrypted.
struct sealed_record {
  std::string name;
  std::string nonce;      ///< raw bytes
  std::string ciphertext; ///< raw bytes
  std::string tag;        ///< raw bytes
};

/// A whole credentials file.
struct credential_file {
  file_header header;
  std::vector<sealed_record> records;

  /// Returns the record named `name`, or null.
  const sealed_record* find(std::string_view name) const;
};

/// A 256-bit AES key, wiped on destruction.
class data_key {
public:
  data_key() = default;
  data_key(const data_key& other) = default;
  data_key& operator=(const data_key& other) = default;
  ~data_key();

  unsigned char* data() noexcept { return bytes_.data(); }
  const unsigned char* data() const noexcept { return bytes_.data(); }

private:
  std::array<unsigned char, data_key_bytes> bytes_{};
};

/// Returns a header for a new passphrase file with a random salt.
file_header new_passphrase_header();

/// Returns the header of a new machine-key file.
file_header new_machine_key_header();

/// Parses a file and range-checks its header, without any cryptography.
/// Throws keystore_error with a message that names the line and what is
/// wrong, to be prefixed with the file name.
credential_file parse_credential_file(std::string_view text);

/// Returns the text of `file`.
std::string serialize_credential_file(const credential_file& file);

/// Derives the data key from a passphrase with scrypt. Throws
/// keystore_error when OpenSSL fails.
data_key derive_passphrase_key(const scrypt_parameters& parameters, std::string_view passphrase);

/// Encrypts `plaintext` as the record `name` of a file with `header`.
sealed_record seal_record(const file_header& header, std::string_view name, const data_key& key,
                          std::string_view plaintext);

/// Decrypts `record`. Returns nothing when the tag does not match: a wrong
/// key, or a modified header, name, nonce, ciphertext or tag.
std::optional<secret_string> open_record(const file_header& header, const sealed_record& record,
                                         const data_key& key);

/// Fills `size` bytes with output of the OpenSSL random generator. Throws
/// keystore_error when it fails.
void random_bytes(unsigned char* out, std::size_t size);

} // namespace grok::keystore

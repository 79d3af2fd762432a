// SPDX-License-Identifier: MIT
/// \file
/// Parsing, writing, key derivation and AES-256-GCM sealing of
/// credentials.enc records.
#include "credential_file.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <set>

namespace grok::keystore {
namespace {

constexpr std::string_view magic_line = "grok-credentials 1";
constexpr std::string_view magic_word = "grok-credentials ";
constexpr std::size_t max_ciphertext_bytes = max_api_key_bytes;

struct cipher_context_deleter {
  void operator()(EVP_CIPHER_CTX* context) const noexcept { EVP_CIPHER_CTX_free(context); }
};
using cipher_context = std::unique_ptr<EVP_CIPHER_CTX, cipher_context_deleter>;

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    text.push_back(digits[byte >> 4]);
    text.push_back(digits[byte & 0x0F]);
  }
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/// Throws keystore_error("line N: ...").
[[noreturn]] void fail(std::size_t line, const std::string& problem) {
  throw keystore_error("line " + std::to_string(line) + ": " + problem);
}

std::string from_hex(std::string_view text, std::size_t line, std::string_view field) {
  if (text.size() % 2 != 0)
    fail(line, std::string(field) + " has an odd number of hex digits");
  std::string bytes;
  bytes.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);
    if (high < 0 || low < 0)
      fail(line, std::string(field) + " is not lower-case hex");
    bytes.push_back(static_cast<char>((high << 4) | low));
  }
  return bytes;
}

/// Splits a line at single spaces.
std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  for (;;) {
    const auto space = line.find(' ', start);
    words.push_back(line.substr(start, space - start));
    if (space == std::string_view::npos)
      break;
    start = space + 1;
  }
  return words;
}

/// Returns the value of `word` when it is "<name>=<value>".
std::string_view field_value(std::string_view word, std::string_view name, std::size_t line) {
  if (word.size() <= name.size() || word.substr(0, name.size()) != name || word[name.size()] != '=')
    fail(line, "expected the field " + std::string(name) + "=..., found '" + std::string(word.substr(0, 40)) + "'");
  return word.substr(name.size() + 1);
}

std::uint64_t parse_number(std::string_view text, std::size_t line, std::string_view field) {
  std::uint64_t value = 0;
  const bool digits_only = !text.empty() && text.size() <= 19 &&
                           text.find_first_not_of("0123456789") == std::string_view::npos &&
                           (text.size() == 1 || text.front() != '0');
  if (!digits_only || std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc())
    fail(line, std::string(field) + " is not a decimal number without leading zeros");
  return value;
}

/// Checks the scrypt parameters before anything is derived from them, so a
/// modified header cannot make grok allocate gigabytes or spin for hours.
void check_scrypt_ranges(const scrypt_parameters& s, std::size_t line) {
  constexpr std::uint64_t min_n = std::uint64_t{1} << 14;
  constexpr std::uint64_t max_n = std::uint64_t{1} << 20;
  if (s.n < min_n || s.n > max_n || (s.n & (s.n - 1)) != 0)
    fail(line, "scrypt n=" + std::to_string(s.n) + " is out of range; it must be a power of two from " +
                   std::to_string(min_n) + " (2^14) to " + std::to_string(max_n) + " (2^20)");
  if (s.r < 1 || s.r > 32)
    fail(line, "scrypt r=" + std::to_string(s.r) + " is out of range; it must be from 1 to 32");
  if (s.p < 1 || s.p > 16)
    fail(line, "scrypt p=" + std::to_string(s.p) + " is out of range; it must be from 1 to 16");
  if (s.salt.size() < 16 || s.salt.size() > 64)
    fail(line, "the scrypt salt is " + std::to_string(s.salt.size()) +
                   " bytes; it must be from 16 to 64 bytes");
  // OpenSSL needs 128 * r * (N + p + 2) bytes.
  const std::uint64_t memory = 128 * std::uint64_t{s.r} * (s.n + s.p + 2);
  if (memory > scrypt_max_memory)
    fail(line, "scrypt n=" + std::to_string(s.n) + " r=" + std::to_string(s.r) + " needs " +
                   std::to_string(memory >> 20) + " MiB of memory, more than the limit of " +
                   std::to_string(scrypt_max_memory >> 20) + " MiB");
}

file_header parse_header(std::string_view line1, std::string_view line2, std::string_view text) {
  if (line1 != magic_line) {
    if (line1.substr(0, magic_word.size()) == magic_word)
      fail(1, "format version '" + std::string(line1.substr(magic_word.size(), 20)) +
                  "' is not supported; this grok reads version 1, so a newer grok wrote the file");
    fail(1, "not a grok credentials file (the first line is not '" + std::string(magic_line) + "')");
  }
  file_header header;
  header.text = std::string(text);
  const auto words = split_words(line2);
  if (words.size() < 2 || words[0] != "kdf")
    fail(2, "expected 'kdf scrypt ...' or 'kdf machine-key'");
  if (words[1] == "machine-key") {
    if (words.size() != 2)
      fail(2, "'kdf machine-key' takes no parameters");
    header.protection = file_protection::machine_key;
    return header;
  }
  if (words[1] != "scrypt")
    fail(2, "unknown key derivation '" + std::string(words[1].substr(0, 40)) +
                "'; this grok knows scrypt and machine-key");
  if (words.size() != 6)
    fail(2, "'kdf scrypt' needs exactly the fields n=, r=, p= and salt=");
  header.protection = file_protection::passphrase;
  auto& s = header.scrypt;
  s.n = parse_number(field_value(words[2], "n", 2), 2, "scrypt n");
  const auto r = parse_number(field_value(words[3], "r", 2), 2, "scrypt r");
  const auto p = parse_number(field_value(words[4], "p", 2), 2, "scrypt p");
  // Clamp before narrowing so that a huge value is reported as out of range.
  s.r = static_cast<std::uint32_t>(std::min<std::uint64_t>(r, UINT32_MAX));
  s.p = static_cast<std::uint32_t>(std::min<std::uint64_t>(p, UINT32_MAX));
  s.salt = from_hex(field_value(words[5], "salt", 2), 2, "the scrypt salt");
  check_scrypt_ranges(s, 2);
  return header;
}

sealed_record parse_record(std::string_view line, std::size_t number) {
  const auto words = split_words(line);
  if (words.size() != 5 || words[0] != "record")
    fail(number, "expected 'record <provider> nonce=... data=... tag=...'");
  sealed_record record;
  record.name = std::string(words[1]);
  if (!is_valid_provider_name(record.name))
    fail(number, "invalid provider name '" + record.name.substr(0, 64) + "'");
  const std::string label = "record '" + record.name + "'";
  record.nonce = from_hex(field_value(words[2], "nonce", number), number, "the nonce of " + label);
  record.ciphertext = from_hex(field_value(words[3], "data", number), number, "the data of " + label);
  record.tag = from_hex(field_value(words[4], "tag", number), number, "the tag of " + label);
  if (record.nonce.size() != nonce_bytes)
    fail(number, "the nonce of " + label + " is " + std::to_string(record.nonce.size()) +
                     " bytes; it must be " + std::to_string(nonce_bytes));
  if (record.tag.size() != tag_bytes)
    fail(number, "the tag of " + label + " is " + std::to_string(record.tag.size()) +
                     " bytes; it must be " + std::to_string(tag_bytes) + " (a shortened tag is not accepted)");
  if (record.ciphertext.empty() || record.ciphertext.size() > max_ciphertext_bytes)
    fail(number, "the data of " + label + " is " + std::to_string(record.ciphertext.size()) +
                     " bytes; it must be from 1 to " + std::to_string(max_ciphertext_bytes));
  return record;
}

std::string additional_data(const file_header& header, std::string_view name) {
  std::string aad = header.text;
  aad.append(name);
  return aad;
}

cipher_context new_gcm_context(bool encrypt, const data_key& key, std::string_view nonce) {
  cipher_context context(EVP_CIPHER_CTX_new());
  const auto* iv = reinterpret_cast<const unsigned char*>(nonce.data());
  const bool ok =
      context &&
      EVP_CipherInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt ? 1 : 0) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) == 1 &&
      EVP_CipherInit_ex(context.get(), nullptr, nullptr, key.data(), iv, encrypt ? 1 : 0) == 1;
  if (!ok)
    throw keystore_error("OpenSSL could not set up AES-256-GCM; check the OpenSSL 3 installation");
  return context;
}

} // namespace

const sealed_record* credential_file::find(std::string_view name) const {
  for (const auto& record : records)
    if (record.name == name)
      return &record;
  return nullptr;
}

data_key::~data_key() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

void random_bytes(unsigned char* out, std::size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1)
    throw keystore_error("the OpenSSL random generator failed; check that /dev/urandom is readable");
}

file_header new_passphrase_header() {
  file_header header;
  header.protection = file_protection::passphrase;
  header.scrypt.n = default_scrypt_n;
  header.scrypt.r = default_scrypt_r;
  header.scrypt.p = default_scrypt_p;
  header.scrypt.salt.resize(default_salt_bytes);
  random_bytes(reinterpret_cast<unsigned char*>(header.scrypt.salt.data()), header.scrypt.salt.size());
  header.text = std::string(magic_line) + "\nkdf scrypt n=" + std::to_string(header.scrypt.n) +
                " r=" + std::to_string(header.scrypt.r) + " p=" + std::to_string(header.scrypt.p) +
                " salt=" + to_hex(header.scrypt.salt) + "\n";
  return header;
}

file_header new_machine_key_header() {
  file_header header;
  header.protection = file_protection::machine_key;
  header.text = std::string(magic_line) + "\nkdf machine-key\n";
  return header;
}

credential_file parse_credential_file(std::string_view text) {
  if (text.empty())
    fail(1, "the file is empty");
  if (text.back() != '\n')
    fail(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1,
         "the file ends in the middle of a line, so it was cut short");

  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text.size();) {
    const auto end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (lines.size() < 2)
    fail(lines.size() + 1, "the header is incomplete; it needs the 'grok-credentials' and 'kdf' lines");

  credential_file file;
  const std::size_t header_size = lines[0].size() + lines[1].size() + 2;
  file.header = parse_header(lines[0], lines[1], text.substr(0, header_size));

  std::set<std::string, std::less<>> names;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    auto record = parse_record(lines[i], i + 1);
    if (!names.insert(record.name).second)
      fail(i + 1, "a second record for '" + record.name + "'");
    file.records.push_back(std::move(record));
  }
  return file;
}

std::string serialize_credential_file(const credential_file& file) {
  std::string text = file.header.text;
  for (const auto& record : file.records)
    text += "record " + record.name + " nonce=" + to_hex(record.nonce) + " data=" + to_hex(record.ciphertext) +
            " tag=" + to_hex(record.tag) + "\n";
  return text;
}

data_key derive_passphrase_key(const scrypt_parameters& parameters, std::string_view passphrase) {
  data_key key;
  const int ok = EVP_PBE_scrypt(passphrase.data(), passphrase.size(),
                                reinterpret_cast<const unsigned char*>(parameters.salt.data()),
                                parameters.salt.size(), parameters.n, parameters.r, parameters.p,
                                scrypt_max_memory, key.data(), data_key_bytes);
  if (ok != 1)
    throw keystore_error("OpenSSL scrypt failed with n=" + std::to_string(parameters.n) + " r=" +
                         std::to_string(parameters.r) + " p=" + std::to_string(parameters.p) +
                         "; check that " + std::to_string(scrypt_max_memory >> 20) + " MiB of memory are available");
  return key;
}

sealed_record seal_record(const file_header& header, std::string_view name, const data_key& key,
                          std::string_view plaintext) {
  sealed_record record;
  record.name = std::string(name);
  record.nonce.resize(nonce_bytes);
  random_bytes(reinterpret_cast<unsigned char*>(record.nonce.data()), nonce_bytes);

  auto context = new_gcm_context(true, key, record.nonce);
  const std::string aad = additional_data(header, name);
  record.ciphertext.resize(plaintext.size());
  record.tag.resize(tag_bytes);
  int length = 0;
  int tail = 0;
  auto* out = reinterpret_cast<unsigned char*>(record.ciphertext.data());
  const bool ok =
      EVP_EncryptUpdate(context.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(context.get(), out, &length, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(context.get(), out + length, &tail) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_bytes), record.tag.data()) == 1;
  if (!ok || static_cast<std::size_t>(length + tail) != plaintext.size())
    throw keystore_error("OpenSSL AES-256-GCM encryption failed; check the OpenSSL 3 installation");
  return record;
}

std::optional<secret_string> open_record(const file_header& header, const sealed_record& record,
                                         const data_key& key) {
  if (record.nonce.size() != nonce_bytes || record.tag.size() != tag_bytes)
    return std::nullopt;
  auto context = new_gcm_context(false, key, record.nonce);
  const std::string aad = additional_data(header, record.name);
  auto plaintext = secret_string::filled(record.ciphertext.size());
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  std::string tag = record.tag;
  int length = 0;
  int tail = 0;
  const bool ok =
      EVP_DecryptUpdate(context.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(context.get(), out, &length, reinterpret_cast<const unsigned char*>(record.ciphertext.data()),
                        static_cast<int>(record.ciphertext.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_bytes), tag.data()) == 1 &&
      EVP_DecryptFinal_ex(context.get(), out + length, &tail) == 1;
  if (!ok)
    return std::nullopt;
  return plaintext;
}

} // namespace grok::keystore

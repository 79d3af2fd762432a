// SPDX-License-Identifier: MIT
/// \file
/// Test certificate authorities and server certificates, generated at test
/// time with the OpenSSL 3 C API and written as PEM files.
#pragma once

#include <openssl/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace grok::test {

/// Frees OpenSSL objects held in std::unique_ptr.
struct openssl_deleter {
  void operator()(EVP_PKEY* key) const noexcept;
  void operator()(X509* certificate) const noexcept;
};

/// PEM files of a server certificate and its private key.
struct server_credentials {
  std::filesystem::path certificate;
  std::filesystem::path private_key;
};

/// A self-signed CA (basicConstraints CA:TRUE, keyUsage keyCertSign) with a
/// new P-256 key, valid from one hour ago for 30 days. Each instance is
/// unrelated to every other, so a second one serves as an untrusted CA.
class test_certificate_authority {
public:
  explicit test_certificate_authority(std::string common_name = "grok test CA");

  /// Writes the CA certificate as PEM to `file` and returns `file`.
  std::filesystem::path write_certificate(const std::filesystem::path& file) const;

  /// Writes the CA certificate into `folder` under the name OpenSSL looks
  /// up in a certificate directory (subject hash, ".0"), as `openssl rehash`
  /// does, so that `folder` works as SSL_CERT_DIR. Returns the file.
  std::filesystem::path write_hashed_certificate(const std::filesystem::path& folder) const;

  /// Issues a server certificate (P-256 key, extendedKeyUsage serverAuth)
  /// for `subject_alt_names`, each "DNS:name" or "IP:address", and writes
  /// it and its key as PEM to the given files. Throws std::runtime_error
  /// with OpenSSL's reason when a name is malformed.
  server_credentials issue_server_certificate(const std::vector<std::string>& subject_alt_names,
                                              const std::filesystem::path& certificate_file,
                                              const std::filesystem::path& key_file) const;

private:
  std::unique_ptr<EVP_PKEY, openssl_deleter> key_;
  std::unique_ptr<X509, openssl_deleter> certificate_;
};

/// The PEM files of a CA and of a server certificate that it signed.
struct test_pki {
  std::filesystem::path ca_certificate;
  std::filesystem::path server_certificate;
  std::filesystem::path server_key;
};

/// Creates a new CA and a server certificate for `subject_alt_names` in
/// `folder`, as NAME-ca.pem, NAME-server.pem and NAME-server-key.pem.
test_pki generate_test_pki(const std::filesystem::path& folder, const std::vector<std::string>& subject_alt_names,
                           std::string_view name = "test");

/// A new empty folder under the system's temporary folder, removed with its
/// contents on destruction.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();

  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

private:
  std::filesystem::path path_;
};

} // namespace grok::test

// SPDX-License-Identifier: MIT
/// \file
/// Generation of test CAs and server certificates with OpenSSL 3.
#include "test_pki.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace grok::test {

namespace {

using key_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter>;
using certificate_ptr = std::unique_ptr<X509, openssl_deleter>;

/// Throws std::runtime_error naming `step` and the oldest OpenSSL error.
[[noreturn]] void throw_openssl_error(const std::string& step) {
  std::string reason = "unknown reason";
  if (const unsigned long code = ERR_get_error(); code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    reason = text;
  }
  ERR_clear_error();
  throw std::runtime_error("test_pki: " + step + " failed: " + reason);
}

void check(int result, const std::string& step) {
  if (result <= 0)
    throw_openssl_error(step);
}

key_ptr generate_p256_key() {
  key_ptr key(EVP_EC_gen("P-256"));
  if (!key)
    throw_openssl_error("generating a P-256 key");
  return key;
}

/// Sets a random positive 64-bit serial number, so that certificates from
/// different runs never share one.
void set_random_serial(X509* certificate) {
  unsigned char bytes[8];
  check(RAND_bytes(bytes, sizeof bytes), "RAND_bytes");
  bytes[0] &= 0x7F;
  std::unique_ptr<BIGNUM, decltype(&BN_free)> number(BN_bin2bn(bytes, sizeof bytes, nullptr), BN_free);
  if (!number || !BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(certificate)))
    throw_openssl_error("setting the serial number");
}

void set_common_name(X509_NAME* name, const std::string& common_name) {
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0),
        "setting the common name");
}

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (!extension)
    throw_openssl_error(std::string("building the extension ") + OBJ_nid2sn(nid) + "=" + value);
  const int added = X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
  check(added, std::string("adding the extension ") + OBJ_nid2sn(nid));
}

/// Creates a v3 certificate for `key`, valid from one hour ago (to absorb
/// clock differences) for 30 days, with the issuer and extensions left to
/// the caller.
certificate_ptr new_certificate(EVP_PKEY* key, const std::string& common_name) {
  certificate_ptr certificate(X509_new());
  if (!certificate)
    throw_openssl_error("X509_new");
  check(X509_set_version(certificate.get(), X509_VERSION_3), "X509_set_version");
  set_random_serial(certificate.get());
  if (!X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -60 * 60) ||
      !X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 30L * 24 * 60 * 60))
    throw_openssl_error("setting the validity period");
  check(X509_set_pubkey(certificate.get(), key), "X509_set_pubkey");
  set_common_name(X509_get_subject_name(certificate.get()), common_name);
  return certificate;
}

std::unique_ptr<BIO, decltype(&BIO_free_all)> open_for_writing(const std::filesystem::path& file) {
  std::unique_ptr<BIO, decltype(&BIO_free_all)> bio(BIO_new_file(file.c_str(), "w"), BIO_free_all);
  if (!bio)
    throw std::system_error(errno, std::generic_category(), "test_pki: could not create " + file.string());
  return bio;
}

void write_certificate_pem(X509* certificate, const std::filesystem::path& file) {
  auto bio = open_for_writing(file);
  check(PEM_write_bio_X509(bio.get(), certificate), "writing the certificate " + file.string());
}

void write_key_pem(EVP_PKEY* key, const std::filesystem::path& file) {
  auto bio = open_for_writing(file);
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
        "writing the private key " + file.string());
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string joined;
  for (const std::string& item : items) {
    if (!joined.empty())
      joined += separator;
    joined += item;
  }
  return joined;
}

} // namespace

void openssl_deleter::operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }

void openssl_deleter::operator()(X509* certificate) const noexcept { X509_free(certificate); }

test_certificate_authority::test_certificate_authority(std::string common_name)
    : key_(generate_p256_key()), certificate_(new_certificate(key_.get(), common_name)) {
  X509* certificate = certificate_.get();
  check(X509_set_issuer_name(certificate, X509_get_subject_name(certificate)), "X509_set_issuer_name");
  add_extension(certificate, certificate, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(certificate, certificate, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(certificate, certificate, NID_subject_key_identifier, "hash");
  check(X509_sign(certificate, key_.get(), EVP_sha256()), "signing the CA certificate");
}

std::filesystem::path test_certificate_authority::write_certificate(const std::filesystem::path& file) const {
  write_certificate_pem(certificate_.get(), file);
  return file;
}

std::filesystem::path test_certificate_authority::write_hashed_certificate(const std::filesystem::path& folder) const {
  char name[16];
  std::snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(certificate_.get()));
  return write_certificate(folder / name);
}

server_credentials test_certificate_authority::issue_server_certificate(
    const std::vector<std::string>& subject_alt_names, const std::filesystem::path& certificate_file,
    const std::filesystem::path& key_file) const {
  if (subject_alt_names.empty())
    throw std::invalid_argument("test_pki: a server certificate needs at least one subject alternative name");

  const key_ptr key = generate_p256_key();
  // The first name doubles as the common name; clients ignore it when
  // subjectAltName is present.
  const std::string& first = subject_alt_names.front();
  const std::string common_name = first.substr(first.find(':') + 1);
  const certificate_ptr certificate = new_certificate(key.get(), common_name);
  check(X509_set_issuer_name(certificate.get(), X509_get_subject_name(certificate_.get())),
        "X509_set_issuer_name");

  add_extension(certificate.get(), certificate_.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(certificate.get(), certificate_.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(certificate.get(), certificate_.get(), NID_ext_key_usage, "serverAuth");
  add_extension(certificate.get(), certificate_.get(), NID_subject_alt_name, join(subject_alt_names, ","));
  add_extension(certificate.get(), certificate_.get(), NID_subject_key_identifier, "hash");
  add_extension(certificate.get(), certificate_.get(), NID_authority_key_identifier, "keyid:always");
  check(X509_sign(certificate.get(), key_.get(), EVP_sha256()), "signing the server certificate");

  write_certificate_pem(certificate.get(), certificate_file);
  write_key_pem(key.get(), key_file);
  return {certificate_file, key_file};
}

test_pki generate_test_pki(const std::filesystem::path& folder, const std::vector<std::string>& subject_alt_names,
                           std::string_view name) {
  const std::string prefix(name);
  const test_certificate_authority authority(prefix + " CA");
  test_pki files;
  files.ca_certificate = authority.write_certificate(folder / (prefix + "-ca.pem"));
  const server_credentials server = authority.issue_server_certificate(
      subject_alt_names, folder / (prefix + "-server.pem"), folder / (prefix + "-server-key.pem"));
  files.server_certificate = server.certificate;
  files.server_key = server.private_key;
  return files;
}

temp_dir::temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "grok-test-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    throw std::system_error(errno, std::generic_category(), "temp_dir: mkdtemp failed for " + pattern);
  path_ = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

} // namespace grok::test

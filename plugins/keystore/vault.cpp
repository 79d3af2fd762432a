// SPDX-License-Identifier: MIT
/// \file
/// Key lookup in precedence order, storage in the keyring or the encrypted
/// file, and the migration of a plain-text apiKey.
#include "vault.hpp"

#include "config_file.hpp"
#include "private_files.hpp"

#include <grok/sdk/error.hpp>
#include <grok/sdk/files.hpp>
#include <grok/sdk/log.hpp>

#include <boost/json.hpp>

#include <openssl/crypto.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace grok::keystore {
namespace json = boost::json;

namespace {

constexpr std::size_t max_credentials_bytes = 1 << 20;
constexpr std::size_t max_key_file_bytes = 64 * 1024;
constexpr std::size_t min_new_passphrase_bytes = 8;

/// The provider whose key the original tool kept as a plain `apiKey`.
constexpr std::string_view plain_key_provider = "xai";

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

/// Reads the first line of a key file named by GROK_API_KEY_FILE or
/// GROK_PASSPHRASE_FILE. Throws keystore_error naming the variable.
secret_string read_first_line(const std::string& path, const char* variable) {
  std::error_code error;
  auto text = sdk::read_file(path, error);
  if (!text)
    throw keystore_error("cannot read " + path + " (named by " + variable + "): " + error.message() +
                         "; fix the path or unset " + variable);
  secret_string content(*text);
  OPENSSL_cleanse(text->data(), text->size());
  if (content.size() > max_key_file_bytes)
    throw keystore_error(path + " (named by " + std::string(variable) + ") is larger than " +
                         std::to_string(max_key_file_bytes) + " bytes; it must hold one line");
  return secret_string(first_line(content.view()));
}

/// Reads all of descriptor `fd` and closes it.
secret_string read_descriptor(int fd) {
  secret_string content;
  std::string buffer(4096, '\0');
  std::string collected;
  for (;;) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      const int error = errno;
      ::close(fd);
      throw keystore_error("cannot read descriptor " + std::to_string(fd) + " named by GROK_API_KEY_FD: " +
                           std::generic_category().message(error) + "; open the key file on it, as in "
                           "'grok ... 3<keyfile' with GROK_API_KEY_FD=3");
    }
    if (got == 0)
      break;
    collected.append(buffer.data(), static_cast<std::size_t>(got));
    if (collected.size() > max_key_file_bytes)
      break;
  }
  ::close(fd);
  content = secret_string(first_line(collected));
  OPENSSL_cleanse(collected.data(), collected.size());
  OPENSSL_cleanse(buffer.data(), buffer.size());
  return content;
}

std::string protection_label(file_protection protection) {
  return protection == file_protection::passphrase ? "passphrase" : std::string(machine_key_label);
}

} // namespace

std::string_view to_string(protection_mode mode) {
  switch (mode) {
  case protection_mode::passphrase: return "passphrase";
  case protection_mode::keyring: return "keyring";
  case protection_mode::machine_key: return "machine-key";
  }
  return "passphrase";
}

key_vault::key_vault(sdk::host& host) : host_(host) {}

protection_mode key_vault::mode() const {
  const auto* setting = host_.settings().if_contains("protection");
  if (setting == nullptr || setting->is_null())
    return secret_service::session_bus_available() ? protection_mode::keyring : protection_mode::passphrase;
  if (setting->is_string()) {
    const std::string_view value = setting->get_string();
    if (value == "passphrase")
      return protection_mode::passphrase;
    if (value == "keyring")
      return protection_mode::keyring;
    if (value == "machine-key")
      return protection_mode::machine_key;
  }
  throw keystore_error("plugins.keystore.protection is " + json::serialize(*setting) +
                       "; set it to \"passphrase\", \"keyring\" or \"machine-key\"");
}

std::string key_vault::describe_store(protection_mode mode) const {
  switch (mode) {
  case protection_mode::keyring:
    return "the OS keyring (Secret Service)";
  case protection_mode::passphrase:
    return "the encrypted file " + display_path(credentials_path()) + " (passphrase)";
  case protection_mode::machine_key:
    return "the encrypted file " + display_path(credentials_path()) + " (" + std::string(machine_key_label) + ")";
  }
  return {};
}

std::optional<sdk::resolved_key> key_vault::find_key(std::string_view provider,
                                                     std::string_view environment_variable,
                                                     std::error_code& error, std::string& message) {
  error.clear();
  message.clear();
  try {
    migrate_plain_key();
    auto found = resolve(provider, environment_variable);
    if (!found)
      return std::nullopt;
    sdk::register_secret(found->value.view());
    return sdk::resolved_key{found->value.str(), found->source};
  } catch (const keystore_error& e) {
    error = sdk::errc::io_failed;
    message = e.what();
  } catch (const std::exception& e) {
    error = sdk::errc::io_failed;
    message = std::string("the keystore failed: ") + e.what();
  }
  return std::nullopt;
}

std::optional<found_key> key_vault::resolve(std::string_view provider, std::string_view environment_variable) {
  if (auto run_key = this_run_key())
    return run_key;

  if (!environment_variable.empty()) {
    const std::string name(environment_variable);
    if (const char* value = std::getenv(name.c_str()); value != nullptr && *value != '\0') {
      sdk::register_secret(value);
      return found_key{secret_string(value), sdk::key_source::environment, name};
    }
  }
  if (!is_valid_provider_name(provider))
    return std::nullopt;

  if (secret_service::session_bus_available()) {
    try {
      if (auto value = keyring_.lookup(provider)) {
        sdk::register_secret(value->view());
        return found_key{std::move(*value), sdk::key_source::keyring, "keyring"};
      }
    } catch (const keystore_error& e) {
      // The keyring is the chosen store: its failure ends the lookup.
      if (mode() == protection_mode::keyring)
        throw;
      if (!keyring_warned_)
        host_.ui().warning(std::string(e.what()) + " (grok goes on without the keyring)");
      keyring_warned_ = true;
    }
  }

  auto file = load_file();
  auto value = file ? open_from(*file, provider) : std::nullopt;
  if (!value) {
    if (unmigrated_key_ && provider == plain_key_provider) {
      sdk::register_secret(unmigrated_key_->view());
      return found_key{*unmigrated_key_, sdk::key_source::plain_config, "plain-text apiKey in config.json (not moved yet)"};
    }
    return std::nullopt;
  }
  sdk::register_secret(value->view());
  return found_key{std::move(*value), sdk::key_source::encrypted_file,
                   "encrypted file (" + protection_label(file->header.protection) + ")"};
}

// NOTE: a key for this run is returned for whichever provider asks, so with
// --provider openai a key meant for xAI goes to OpenAI. Naming the provider
// in the file or variable would prevent that.
std::optional<found_key> key_vault::this_run_key() {
  if (!this_run_error_.empty())
    throw keystore_error(this_run_error_);
  if (this_run_read_)
    return this_run_;
  this_run_read_ = true;
  try {
    this_run_ = read_this_run_key();
  } catch (const keystore_error& e) {
    // The descriptor can be read only once, so later calls repeat the error.
    this_run_error_ = e.what();
    throw;
  }
  return this_run_;
}

std::optional<found_key> key_vault::read_this_run_key() {

  const std::string file = env_or_empty("GROK_API_KEY_FILE");
  const std::string descriptor = env_or_empty("GROK_API_KEY_FD");
  if (!file.empty() && !descriptor.empty())
    throw keystore_error("both GROK_API_KEY_FILE and GROK_API_KEY_FD are set; set only one of them");

  std::string origin;
  secret_string value;
  if (!file.empty()) {
    origin = "GROK_API_KEY_FILE";
    value = read_first_line(file, "GROK_API_KEY_FILE");
  } else if (!descriptor.empty()) {
    origin = "GROK_API_KEY_FD";
    int fd = -1;
    const auto [end, parse_error] = std::from_chars(descriptor.data(), descriptor.data() + descriptor.size(), fd);
    if (parse_error != std::errc() || end != descriptor.data() + descriptor.size() || fd < 3)
      throw keystore_error("GROK_API_KEY_FD is '" + descriptor +
                           "'; set it to the number of an open descriptor from 3 up, as in "
                           "'grok ... 3<keyfile' with GROK_API_KEY_FD=3");
    // Only a descriptor the caller opened for grok may be read and closed.
    // Descriptors grok opens itself (sockets, epoll) carry FD_CLOEXEC.
    const int flags = ::fcntl(fd, F_GETFD);
    struct stat info {};
    const bool inherited = flags >= 0 && (flags & FD_CLOEXEC) == 0 && ::fstat(fd, &info) == 0 &&
                           (S_ISREG(info.st_mode) || S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode));
    if (!inherited)
      throw keystore_error("GROK_API_KEY_FD is " + descriptor +
                           ", which is not a file or pipe opened for grok; open the key file on it, as in "
                           "'grok ... 3<keyfile' with GROK_API_KEY_FD=3");
    value = read_descriptor(fd);
  } else {
    return std::nullopt;
  }
  if (auto problem = check_api_key(value.view(), "the key given by " + origin); !problem.empty())
    throw keystore_error(problem);
  sdk::register_secret(value.view());
  return found_key{std::move(value), sdk::key_source::this_run, origin};
}

void key_vault::ensure_home() {
  if (auto error = sdk::ensure_private_folder(host_.grok_home()))
    throw keystore_error("cannot use " + display_path(host_.grok_home()) + " for keys: " + error.message() +
                         "; it must be a folder of the user running grok (not a link)");
}

std::optional<credential_file> key_vault::load_file() {
  const auto path = credentials_path();
  const auto read = read_private_file(path, max_credentials_bytes);
  if (!read.exists)
    return std::nullopt;
  try {
    return parse_credential_file(read.content);
  } catch (const keystore_error& e) {
    throw keystore_error("cannot read " + display_path(path) + ": " + e.what() +
                         ". The file was modified or damaged; restore it from a backup, or delete it and "
                         "store the keys again with grok /keys set");
  }
}

void key_vault::fail_decryption(const file_header& header) const {
  if (header.protection == file_protection::passphrase)
    throw keystore_error("cannot decrypt " + display_path(credentials_path()) +
                         ": wrong passphrase or the file was modified");
  throw keystore_error("cannot decrypt " + display_path(credentials_path()) +
                       ": wrong machine key or the file was modified");
}

std::optional<secret_string> key_vault::open_from(const credential_file& file, std::string_view provider) {
  const auto* record = file.find(provider);
  if (record == nullptr)
    return std::nullopt;
  auto value = open_record(file.header, *record, data_key_for(file.header, false));
  if (!value)
    fail_decryption(file.header);
  return value;
}

const secret_string& key_vault::passphrase(bool creating) {
  if (passphrase_)
    return *passphrase_;
  const std::string shown = display_path(credentials_path());
  secret_string value;

  if (const std::string file = env_or_empty("GROK_PASSPHRASE_FILE"); !file.empty()) {
    value = read_first_line(file, "GROK_PASSPHRASE_FILE");
    if (value.empty())
      throw keystore_error("the first line of " + file + " (named by GROK_PASSPHRASE_FILE) is empty; write the "
                           "passphrase on it");
  } else {
    auto& ui = host_.ui();
    const std::string prompt = creating ? "New passphrase for " + shown + " (at least " +
                                              std::to_string(min_new_passphrase_bytes) + " characters): "
                                        : "Passphrase for " + shown + ": ";
    auto answer = ui.ask_secret(prompt);
    if (!answer)
      throw keystore_error(shown + " is protected by a passphrase, and none was given; set GROK_PASSPHRASE_FILE "
                           "to a file whose first line is the passphrase, or run grok on a terminal");
    value = secret_string(*answer);
    OPENSSL_cleanse(answer->data(), answer->size());
    if (value.empty())
      throw keystore_error("the passphrase is empty; type the passphrase of " + shown);
    // Say so before asking for the repetition, not after.
    if (creating && value.size() < min_new_passphrase_bytes)
      throw keystore_error("the new passphrase has " + std::to_string(value.size()) + " characters; use at least " +
                           std::to_string(min_new_passphrase_bytes));
    if (creating && ui.interactive()) {
      auto repeated = ui.ask_secret("Repeat the passphrase: ");
      const bool same = repeated && *repeated == value.view();
      if (repeated)
        OPENSSL_cleanse(repeated->data(), repeated->size());
      if (!same)
        throw keystore_error("the two passphrases differ; run the command again");
    }
  }
  if (creating && value.size() < min_new_passphrase_bytes)
    throw keystore_error("the new passphrase has " + std::to_string(value.size()) + " characters; use at least " +
                         std::to_string(min_new_passphrase_bytes));
  sdk::register_secret(value.view());
  passphrase_ = std::move(value);
  return *passphrase_;
}

data_key key_vault::load_machine_key(bool create) {
  const auto path = host_.grok_home() / "machine.key";
  auto read = read_private_file(path, 4096);
  if (!read.exists && create) {
    std::string bytes(data_key_bytes, '\0');
    random_bytes(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size());
    const auto error = sdk::write_file_atomically(path, bytes);
    read.content = bytes;
    read.exists = true;
    OPENSSL_cleanse(bytes.data(), bytes.size());
    if (error)
      throw keystore_error("cannot write " + display_path(path) + ": " + error.message());
  }
  if (!read.exists)
    throw keystore_error(display_path(credentials_path()) + " is protected by the machine key, but " +
                         display_path(path) + " is missing; restore it from a backup, or delete the credentials "
                         "file and store the keys again");
  if (read.content.size() != data_key_bytes)
    throw keystore_error(display_path(path) + " is " + std::to_string(read.content.size()) + " bytes; it must be " +
                         std::to_string(data_key_bytes) + ". Restore it from a backup");
  data_key key;
  std::copy(read.content.begin(), read.content.end(), key.data());
  OPENSSL_cleanse(read.content.data(), read.content.size());
  return key;
}

const data_key& key_vault::data_key_for(const file_header& header, bool creating) {
  if (derived_ && derived_for_header_ == header.text)
    return *derived_;
  if (header.protection == file_protection::passphrase) {
    const secret_string& secret = passphrase(creating);
    host_.log().debug("keystore", "deriving the data key with scrypt n=" + std::to_string(header.scrypt.n) +
                                      " r=" + std::to_string(header.scrypt.r) + " p=" +
                                      std::to_string(header.scrypt.p));
    derived_ = derive_passphrase_key(header.scrypt, secret.view());
  } else {
    derived_ = load_machine_key(creating);
  }
  derived_for_header_ = header.text;
  return *derived_;
}

void key_vault::check_protection(const file_header& header, file_protection wanted) const {
  if (header.protection == wanted)
    return;
  const bool has_passphrase = header.protection == file_protection::passphrase;
  throw keystore_error(display_path(credentials_path()) + " is protected by " +
                       (has_passphrase ? "a passphrase" : "the machine key") +
                       ", but plugins.keystore.protection is \"" +
                       (wanted == file_protection::passphrase ? "passphrase" : "machine-key") +
                       "\"; set the setting to \"" + (has_passphrase ? "passphrase" : "machine-key") +
                       "\", or remove every stored key with grok /keys remove PROVIDER before switching");
}

void key_vault::store(std::string_view provider, std::string_view key) {
  if (!is_valid_provider_name(provider))
    throw keystore_error("invalid provider '" + std::string(provider) +
                         "'; use lower-case letters, digits, '.', '_' and '-', such as xai");
  if (auto problem = check_api_key(key, "the key"); !problem.empty())
    throw keystore_error(problem);
  const protection_mode chosen = mode();
  // The keyring mode stores each key as its own Secret Service item, so
  // desktop tools and secret-tool see it; credentials.enc is not used then.
  if (chosen == protection_mode::keyring) {
    keyring_.store(provider, key);
    return;
  }
  store_in_file(provider, key,
                chosen == protection_mode::passphrase ? file_protection::passphrase : file_protection::machine_key);
}

void key_vault::store_in_file(std::string_view provider, std::string_view key, file_protection wanted) {
  ensure_home();
  // Look first without the lock, so that a passphrase is asked for before
  // the lock is taken and never while another grok waits for it.
  auto before = load_file();
  if (before)
    check_protection(before->header, wanted);
  if (wanted == file_protection::passphrase)
    (void)passphrase(!before);

  credentials_lock lock(host_.grok_home());
  auto current = load_file();
  credential_file updated;
  std::vector<std::pair<std::string, secret_string>> keys;
  if (current) {
    check_protection(current->header, wanted);
    updated.header = current->header;
    const data_key& data = data_key_for(updated.header, false);
    for (const auto& record : current->records) {
      auto value = open_record(updated.header, record, data);
      if (!value)
        fail_decryption(updated.header);
      keys.emplace_back(record.name, std::move(*value));
    }
  } else {
    updated.header = wanted == file_protection::passphrase ? new_passphrase_header() : new_machine_key_header();
  }
  const data_key& data = data_key_for(updated.header, true);

  bool replaced = false;
  for (auto& [name, value] : keys) {
    if (name == provider) {
      value = secret_string(key);
      replaced = true;
    }
  }
  if (!replaced)
    keys.emplace_back(std::string(provider), secret_string(key));
  for (const auto& [name, value] : keys)
    updated.records.push_back(seal_record(updated.header, name, data, value.view()));

  remove_stale_temporaries(host_.grok_home(), "credentials.enc");
  if (auto error = sdk::write_file_atomically(credentials_path(), serialize_credential_file(updated)))
    throw keystore_error("cannot write " + display_path(credentials_path()) + ": " + error.message() +
                         "; the previous file is unchanged");
}

bool key_vault::remove_from_file(std::string_view provider) {
  auto before = load_file();
  if (!before || before->find(provider) == nullptr)
    return false;
  // Only someone who can open the record may remove it: a wrong passphrase
  // fails here, before the lock is taken, and the file stays as it was.
  (void)open_from(*before, provider);
  credentials_lock lock(host_.grok_home());
  auto current = load_file();
  if (!current || current->find(provider) == nullptr)
    return false;
  std::erase_if(current->records, [&](const sealed_record& record) { return record.name == provider; });
  remove_stale_temporaries(host_.grok_home(), "credentials.enc");
  if (current->records.empty()) {
    remove_file_durably(credentials_path());
    return true;
  }
  if (auto error = sdk::write_file_atomically(credentials_path(), serialize_credential_file(*current)))
    throw keystore_error("cannot write " + display_path(credentials_path()) + ": " + error.message() +
                         "; the previous file is unchanged");
  return true;
}

std::vector<std::string> key_vault::remove(std::string_view provider) {
  if (!is_valid_provider_name(provider))
    throw keystore_error("invalid provider '" + std::string(provider) +
                         "'; use lower-case letters, digits, '.', '_' and '-', such as xai");
  std::vector<std::string> removed_from;
  if (secret_service::session_bus_available()) {
    try {
      if (keyring_.remove(provider))
        removed_from.push_back("the OS keyring");
    } catch (const keystore_error& e) {
      if (mode() == protection_mode::keyring)
        throw;
      host_.ui().warning(std::string(e.what()) + " (grok goes on without the keyring)");
    }
  }
  if (remove_from_file(provider))
    removed_from.push_back(display_path(credentials_path()));
  return removed_from;
}

stored_keys key_vault::list() {
  stored_keys keys;
  if (secret_service::session_bus_available()) {
    try {
      keys.keyring = keyring_.providers();
    } catch (const keystore_error& e) {
      keys.keyring_problem = e.what();
    }
  }
  if (auto file = load_file()) {
    keys.file_protection_kind = file->header.protection;
    for (const auto& record : file->records)
      keys.file.push_back(record.name);
  }
  return keys;
}

std::optional<secret_string> key_vault::stored_in(protection_mode chosen, std::string_view provider) {
  if (chosen == protection_mode::keyring)
    return keyring_.lookup(provider);
  auto file = load_file();
  if (!file)
    return std::nullopt;
  return open_from(*file, provider);
}

void key_vault::migrate_plain_key() noexcept {
  if (migration_done_)
    return;
  migration_done_ = true;
  const auto path = host_.grok_home() / "config.json";
  auto& ui = host_.ui();
  try {
    const auto document = read_config(path);
    const auto* value = document.object.if_contains("apiKey");
    if (value == nullptr)
      return;
    if (!value->is_string()) {
      ui.warning("apiKey in " + display_path(path) + " is not a string, so grok cannot move it into the key "
                 "store; remove it and store the key with grok /keys set xai");
      return;
    }
    const secret_string key(value->get_string());
    sdk::register_secret(key.view());
    if (auto problem = check_api_key(key.view(), "apiKey in " + display_path(path)); !problem.empty()) {
      ui.warning(problem + "; grok leaves it in place. Remove it and store the key with grok /keys set xai");
      return;
    }

    const protection_mode chosen = mode();
    const std::string target = describe_store(chosen);
    auto existing = stored_in(chosen, plain_key_provider);
    if (existing && existing->view() != key.view()) {
      ui.warning("apiKey in " + display_path(path) + " differs from the key for xai already in " + target +
                 ", so grok leaves both as they are; delete apiKey from " + display_path(path) +
                 " by hand, or replace the stored key with grok /keys set xai");
      return;
    }
    if (!existing)
      store(plain_key_provider, key.view());
    rewrite_config_without_key(key);
    ui.notice("moved the plain-text API key (apiKey) from " + display_path(path) + " into " + target +
              (document.has_comments ? "; the rewritten file no longer has its comments" : "") +
              ". grok reads the key from there from now on");
  } catch (const std::exception& e) {
    ui.warning("could not move the plain-text apiKey from " + display_path(path) + " into the key store: " +
               e.what() + ". The key stays in that file, and is used from there, until this works");
    try {
      const auto document = read_config(path);
      if (const auto* value = document.object.if_contains("apiKey"); value && value->is_string())
        unmigrated_key_ = secret_string(value->get_string());
    } catch (...) {
      // The file cannot be read again; there is no key to fall back on.
    }
  }
}

void key_vault::rewrite_config_without_key(const secret_string& key) {
  ensure_home();
  const auto path = host_.grok_home() / "config.json";
  credentials_lock lock(host_.grok_home());
  auto document = read_config(path);
  const auto* value = document.object.if_contains("apiKey");
  // Another grok may have migrated or changed the file meanwhile.
  if (value == nullptr || !value->is_string() || value->get_string() != key.view())
    return;
  document.object.erase("apiKey");
  write_config(path, document.object);
}

bool key_vault::update_config(const std::string& model, const std::string& working_folder) {
  ensure_home();
  const auto path = host_.grok_home() / "config.json";
  credentials_lock lock(host_.grok_home());
  auto document = read_config(path);
  if (!model.empty())
    document.object["model"] = model;
  if (!working_folder.empty())
    document.object["working_folder"] = working_folder;
  write_config(path, document.object);
  return document.has_comments;
}

} // namespace grok::keystore

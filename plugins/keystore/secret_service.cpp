// SPDX-License-Identifier: MIT
/// \file
/// libsecret calls for the keyring items of grok, each cancelled by a
/// timer thread when it runs past its time limit.
#include "secret_service.hpp"

#include <libsecret/secret.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace grok::keystore {
namespace {

/// Items match on the attributes alone (SECRET_SCHEMA_DONT_MATCH_NAME), so
/// an item stored by hand with `secret-tool store --label=... service
/// grok-cli provider xai` is found too.
const SecretSchema api_key_schema = {
    "org.grok-cli.ApiKey",
    SECRET_SCHEMA_DONT_MATCH_NAME,
    {{"service", SECRET_SCHEMA_ATTRIBUTE_STRING},
     {"provider", SECRET_SCHEMA_ATTRIBUTE_STRING},
     {nullptr, SECRET_SCHEMA_ATTRIBUTE_STRING}},
};

constexpr const char* service_attribute = "grok-cli";

/// Cancels a GCancellable from a second thread when the call it guards
/// has not finished in time. The libsecret sync calls return
/// G_IO_ERROR_CANCELLED promptly once it is cancelled, also while they
/// wait for the bus connection.
class call_deadline {
public:
  explicit call_deadline(std::chrono::milliseconds limit) : cancellable_(g_cancellable_new()) {
    timer_ = std::thread([this, limit] {
      std::unique_lock lock(mutex_);
      if (!finished_changed_.wait_for(lock, limit, [this] { return finished_; })) {
        expired_ = true;
        g_cancellable_cancel(cancellable_);
      }
    });
  }

  ~call_deadline() {
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
    }
    finished_changed_.notify_one();
    timer_.join();
    g_object_unref(cancellable_);
  }

  call_deadline(const call_deadline&) = delete;
  call_deadline& operator=(const call_deadline&) = delete;

  GCancellable* cancellable() const noexcept { return cancellable_; }
  bool expired() const noexcept { return expired_; }

private:
  GCancellable* cancellable_;
  std::mutex mutex_;
  std::condition_variable finished_changed_;
  bool finished_ = false;
  std::atomic<bool> expired_ = false;
  std::thread timer_;
};

/// Frees a GError when it goes out of scope.
struct error_holder {
  GError* error = nullptr;
  ~error_holder() {
    if (error != nullptr)
      g_error_free(error);
  }
};

} // namespace

secret_service::secret_service(std::chrono::milliseconds timeout) : timeout_(timeout) {}

secret_service::~secret_service() { disconnect(); }

bool secret_service::session_bus_available() {
  const char* address = std::getenv("DBUS_SESSION_BUS_ADDRESS");
  return address != nullptr && *address != '\0';
}

void secret_service::require_available() const {
  if (!session_bus_available())
    throw keystore_error("the OS keyring needs a D-Bus session bus, but DBUS_SESSION_BUS_ADDRESS is not set; "
                         "run grok inside a desktop session, or set plugins.keystore.protection to "
                         "\"passphrase\"");
  if (!broken_.empty())
    throw keystore_error(broken_);
}

namespace {

/// Turns a failed call into keystore_error and records in `broken` the
/// failures that later calls would repeat (a timeout, no service).
[[noreturn]] void fail_call(const char* action, const call_deadline& deadline, const GError* error,
                            std::chrono::milliseconds timeout, std::string& broken) {
  std::string message;
  if (deadline.expired()) {
    const std::string limit = timeout.count() % 1000 == 0 ? std::to_string(timeout.count() / 1000) + " seconds"
                                                           : std::to_string(timeout.count()) + " ms";
    message = "the OS keyring did not answer within " + limit + " while grok tried to " + action +
              "; unlock the keyring (it may be waiting for a password prompt) or set "
              "plugins.keystore.protection to \"passphrase\"";
    broken = message;
  } else {
    message = std::string("the OS keyring failed to ") + action + ": " +
              (error != nullptr ? error->message : "unknown error") +
              "; check that a Secret Service (gnome-keyring, KeePassXC) runs in this session, or set "
              "plugins.keystore.protection to \"passphrase\"";
    if (error != nullptr && (error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR))
      broken = message;
  }
  throw keystore_error(message);
}

} // namespace

std::optional<secret_string> secret_service::lookup(std::string_view provider) {
  require_available();
  used_ = true;
  const std::string name(provider);
  call_deadline deadline(timeout_);
  error_holder error;
  gchar* value = secret_password_lookup_sync(&api_key_schema, deadline.cancellable(), &error.error, "service",
                                             service_attribute, "provider", name.c_str(), nullptr);
  if (error.error != nullptr || deadline.expired()) {
    if (value != nullptr)
      secret_password_free(value);
    fail_call("look up a key", deadline, error.error, timeout_, broken_);
  }
  if (value == nullptr)
    return std::nullopt;
  secret_string key(value);
  secret_password_free(value); // overwrites the copy libsecret made
  return key;
}

void secret_service::store(std::string_view provider, std::string_view key) {
  require_available();
  used_ = true;
  const std::string name(provider);
  const secret_string password(key); // NUL-terminated copy for the C API
  const std::string label = "grok-cli API key for " + name;
  call_deadline deadline(timeout_);
  error_holder error;
  const gboolean stored = secret_password_store_sync(
      &api_key_schema, SECRET_COLLECTION_DEFAULT, label.c_str(), password.str().c_str(), deadline.cancellable(),
      &error.error, "service", service_attribute, "provider", name.c_str(), nullptr);
  if (!stored || error.error != nullptr || deadline.expired())
    fail_call("store a key", deadline, error.error, timeout_, broken_);
}

bool secret_service::remove(std::string_view provider) {
  require_available();
  used_ = true;
  const std::string name(provider);
  call_deadline deadline(timeout_);
  error_holder error;
  const gboolean removed = secret_password_clear_sync(&api_key_schema, deadline.cancellable(), &error.error,
                                                      "service", service_attribute, "provider", name.c_str(),
                                                      nullptr);
  if (error.error != nullptr || deadline.expired())
    fail_call("remove a key", deadline, error.error, timeout_, broken_);
  return removed != FALSE;
}

std::vector<std::string> secret_service::providers() {
  require_available();
  used_ = true;
  call_deadline deadline(timeout_);
  error_holder error;
  // SECRET_SEARCH_ALL without SECRET_SEARCH_UNLOCK or LOAD_SECRETS: only
  // the attributes are read, so no secret leaves the keyring here.
  GList* items = secret_password_search_sync(&api_key_schema, SECRET_SEARCH_ALL, deadline.cancellable(),
                                             &error.error, "service", service_attribute, nullptr);
  if (error.error != nullptr || deadline.expired()) {
    g_list_free_full(items, g_object_unref);
    fail_call("list the stored keys", deadline, error.error, timeout_, broken_);
  }
  std::vector<std::string> names;
  for (GList* item = items; item != nullptr; item = item->next) {
    GHashTable* attributes = secret_retrievable_get_attributes(SECRET_RETRIEVABLE(item->data));
    if (attributes == nullptr)
      continue;
    const auto* provider = static_cast<const char*>(g_hash_table_lookup(attributes, "provider"));
    if (provider != nullptr && is_valid_provider_name(provider))
      names.emplace_back(provider);
    g_hash_table_unref(attributes);
  }
  g_list_free_full(items, g_object_unref);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

void secret_service::disconnect() noexcept {
  if (used_) {
    secret_service_disconnect();
    used_ = false;
  }
}

} // namespace grok::keystore

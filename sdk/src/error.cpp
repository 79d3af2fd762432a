// SPDX-License-Identifier: MIT
/// \file
/// The "grok.sdk" error category.
#include <grok/sdk/error.hpp>

namespace grok::sdk {
namespace {

class sdk_error_category final : public std::error_category {
public:
  const char* name() const noexcept override { return "grok.sdk"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
    case errc::invalid_argument: return "invalid argument";
    case errc::invalid_url: return "invalid URL";
    case errc::unsupported_scheme: return "unsupported URL scheme";
    case errc::name_resolution_failed: return "host name lookup failed";
    case errc::connection_refused: return "connection refused";
    case errc::network_unreachable: return "network unreachable";
    case errc::connect_timeout: return "connect timed out";
    case errc::headers_timeout: return "timed out waiting for response headers";
    case errc::idle_timeout: return "timed out waiting for more of the response";
    case errc::tls_handshake_failed: return "TLS handshake failed";
    case errc::tls_verification_failed: return "TLS certificate verification failed";
    case errc::proxy_failed: return "proxy connection failed";
    case errc::connection_lost: return "connection lost";
    case errc::stream_truncated: return "response stream ended before its end marker";
    case errc::http_status: return "server returned an error status";
    case errc::invalid_response: return "invalid response";
    case errc::cancelled: return "cancelled";
    case errc::missing_api_key: return "missing API key";
    case errc::registration_closed: return "registration is only allowed during plugin start";
    case errc::duplicate_registration: return "already registered";
    case errc::io_failed: return "file input/output failed";
    }
    return "unknown grok.sdk error";
  }
};

} // namespace

const std::error_category& sdk_category() noexcept {
  static const sdk_error_category category;
  return category;
}

} // namespace grok::sdk

// SPDX-License-Identifier: MIT
/// \file
/// The SDK's error codes and their `std::error_category`, named "grok.sdk".
#pragma once

#include <grok/sdk/export.hpp>

#include <string>
#include <system_error>

namespace grok::sdk {

/// Error conditions reported by SDK functions and by providers. Zero is
/// reserved: a default `std::error_code` means success.
enum class errc {
  invalid_argument = 1,
  invalid_url,
  unsupported_scheme,
  name_resolution_failed,
  connection_refused,
  network_unreachable,
  connect_timeout,
  headers_timeout,
  idle_timeout,
  tls_handshake_failed,
  tls_verification_failed,
  proxy_failed,
  connection_lost,
  stream_truncated,
  http_status,
  invalid_response,
  cancelled,
  missing_api_key,
  registration_closed,
  duplicate_registration,
  io_failed,
};

/// The category of `errc`. Its name is "grok.sdk". [any-thread]
GROK_SDK_API const std::error_category& sdk_category() noexcept;

/// Makes an error code of `sdk_category()`. [any-thread]
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), sdk_category()};
}

} // namespace grok::sdk

template <> struct std::is_error_code_enum<grok::sdk::errc> : std::true_type {};

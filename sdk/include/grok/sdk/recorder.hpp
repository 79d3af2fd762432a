// SPDX-License-Identifier: MIT
/// \file
/// The wire recorder service, "grok.wire-recorder/1": providers hand it
/// the raw bytes of each response so that an exchange can be replayed
/// offline through the same parsing path.
#pragma once

#include <grok/sdk/export.hpp>

#include <memory>
#include <string_view>
#include <system_error>

namespace grok::sdk {

/// The service id and revision of `wire_recorder`.
inline constexpr std::string_view wire_recorder_service_id = "grok.wire-recorder/1";

/// The names of the wire formats a recording can hold.
namespace wire_format {
inline constexpr std::string_view openai_chat = "openai-chat-sse"; ///< Chat Completions SSE
}

/// Records one exchange. Every call is [io-thread].
class GROK_SDK_INTERFACE wire_recording {
public:
  virtual ~wire_recording();

  /// The response head: status and Content-Type.
  virtual void response(unsigned status, std::string_view content_type) = 0;

  /// The next piece of the body, exactly as read from the connection.
  virtual void body(std::string_view bytes) = 0;

  /// The exchange is over; `error` is empty when the body was complete.
  virtual void end(std::error_code error) = 0;
};

/// Starts recordings. Absent unless a plugin offers it.
class GROK_SDK_INTERFACE wire_recorder {
public:
  virtual ~wire_recorder();

  /// Returns a recording for one exchange, or null when recording is off.
  /// `request_json` is the request body; it must contain no credentials.
  /// [io-thread]
  virtual std::unique_ptr<wire_recording> begin(std::string_view provider_id,
                                                std::string_view wire_format,
                                                std::string_view request_json) = 0;
};

} // namespace grok::sdk

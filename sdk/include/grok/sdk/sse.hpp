// SPDX-License-Identifier: MIT
/// \file
/// An incremental parser for Server-Sent Events (the `text/event-stream`
/// format of the WHATWG HTML specification).
#pragma once

#include <grok/sdk/export.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace grok::sdk {

/// One dispatched event.
struct sse_event {
  std::string event; ///< the `event:` field; empty when absent (the spec's "message")
  std::string data;  ///< `data:` lines joined with "\n"
  std::string id;    ///< the last event id seen so far
};

/// Parses a byte stream fed in pieces of any size. Lines may end with LF,
/// CRLF or a lone CR, even when CR and LF arrive in different pieces. A
/// leading UTF-8 byte order mark is skipped. Lines starting with ':' are
/// comments. One space after the field's colon is removed. `retry:` and
/// unknown fields are ignored. An event is dispatched at an empty line if
/// it has data.
///
/// Unlike the specification, which drops an unterminated final event,
/// `finish` dispatches it: servers commonly omit the last blank line, and
/// losing the final event (often the end marker) would turn a complete
/// answer into a truncated one.
class GROK_SDK_API sse_parser {
public:
  using handler = std::function<void(const sse_event&)>;

  /// Parses `bytes` and calls `on_event` for each complete event.
  void feed(std::string_view bytes, const handler& on_event);

  /// Ends the stream: dispatches a pending event that lacks its final empty
  /// line, then resets the parser.
  void finish(const handler& on_event);

private:
  void process_line(std::string_view line, const handler& on_event);
  void dispatch(const handler& on_event);

  std::string line_;
  sse_event pending_;
  bool has_data_ = false;
  bool last_was_cr_ = false;
  bool at_start_ = true;
};

} // namespace grok::sdk

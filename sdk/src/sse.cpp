// SPDX-License-Identifier: MIT
/// \file
/// The Server-Sent Events parser.
#include <grok/sdk/sse.hpp>

namespace grok::sdk {

void sse_parser::feed(std::string_view bytes, const handler& on_event) {
  if (at_start_ && !bytes.empty()) {
    // The byte order mark may itself arrive in pieces; wait for 3 bytes.
    line_.append(bytes);
    if (line_.size() < 3 && std::string_view("\xEF\xBB\xBF").starts_with(line_))
      return;
    at_start_ = false;
    std::string buffered;
    buffered.swap(line_);
    std::string_view rest = buffered;
    if (rest.starts_with("\xEF\xBB\xBF"))
      rest.remove_prefix(3);
    feed(rest, on_event);
    return;
  }

  std::size_t start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c != '\n' && c != '\r')
      continue;
    // An LF right after a CR completes a CRLF that was already handled,
    // possibly in an earlier piece.
    if (c == '\n' && last_was_cr_ && i == start && line_.empty()) {
      last_was_cr_ = false;
      start = i + 1;
      continue;
    }
    line_.append(bytes.substr(start, i - start));
    process_line(line_, on_event);
    line_.clear();
    last_was_cr_ = (c == '\r');
    start = i + 1;
  }
  if (start < bytes.size()) {
    line_.append(bytes.substr(start));
    last_was_cr_ = false;
  }
}

void sse_parser::finish(const handler& on_event) {
  if (at_start_ && !line_.empty()) {
    // Fewer than three bytes arrived, all of them a prefix of a byte
    // order mark: nothing to parse.
    line_.clear();
  }
  if (!line_.empty()) {
    process_line(line_, on_event);
    line_.clear();
  }
  dispatch(on_event);
  pending_ = {};
  has_data_ = false;
  last_was_cr_ = false;
  at_start_ = true;
}

void sse_parser::process_line(std::string_view line, const handler& on_event) {
  if (line.empty()) {
    dispatch(on_event);
    return;
  }
  if (line.front() == ':')
    return;

  std::string_view field = line;
  std::string_view value;
  if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
  }

  if (field == "data") {
    if (has_data_)
      pending_.data.push_back('\n');
    pending_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    pending_.event.assign(value);
  } else if (field == "id") {
    // The specification ignores ids that contain NUL.
    if (value.find('\0') == std::string_view::npos)
      pending_.id.assign(value);
  }
}

void sse_parser::dispatch(const handler& on_event) {
  if (has_data_)
    on_event(pending_);
  // The last event id persists across events; the rest is per event.
  pending_.event.clear();
  pending_.data.clear();
  has_data_ = false;
}

} // namespace grok::sdk

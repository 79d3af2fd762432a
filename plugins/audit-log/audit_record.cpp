// SPDX-License-Identifier: MIT
/// \file
/// Canonical serialisation and strict parsing of audit log records.
#include "audit_record.hpp"

#include <grok/sdk/files.hpp>
#include <grok/sdk/utf8.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <set>

namespace grok::audit {
namespace json = boost::json;

namespace {

/// Builds canonical JSON text member by member. Each member is written in
/// the order of the calls, so the caller fixes the key order.
class canonical_writer {
public:
  canonical_writer() { text_.push_back('{'); }

  void string(std::string_view key, std::string_view value) {
    begin(key);
    append_string(value);
  }

  void optional_string(std::string_view key, const std::optional<std::string>& value) {
    begin(key);
    if (value)
      append_string(*value);
    else
      text_.append("null");
  }

  void number(std::string_view key, std::uint64_t value) {
    begin(key);
    text_.append(std::to_string(value));
  }

  /// Returns the text with the closing brace.
  std::string finish() && {
    text_.push_back('}');
    return std::move(text_);
  }

private:
  void begin(std::string_view key) {
    if (text_.size() > 1)
      text_.push_back(',');
    append_string(key);
    text_.push_back(':');
  }

  void append_string(std::string_view value) {
    static constexpr char hex_digits[] = "0123456789abcdef";
    text_.push_back('"');
    for (const char c : value) {
      const auto byte = static_cast<unsigned char>(c);
      switch (c) {
      case '"':
        text_.append("\\\"");
        break;
      case '\\':
        text_.append("\\\\");
        break;
      case '\b':
        text_.append("\\b");
        break;
      case '\f':
        text_.append("\\f");
        break;
      case '\n':
        text_.append("\\n");
        break;
      case '\r':
        text_.append("\\r");
        break;
      case '\t':
        text_.append("\\t");
        break;
      default:
        if (byte < 0x20) {
          text_.append("\\u00");
          text_.push_back(hex_digits[byte >> 4]);
          text_.push_back(hex_digits[byte & 0x0F]);
        } else {
          text_.push_back(c);
        }
      }
    }
    text_.push_back('"');
  }

  std::string text_;
};

void write_body(canonical_writer& out, const record& r) {
  if (r.type == record_type::change) {
    out.string("type", "change");
    out.number("seq", r.seq);
    out.string("time", r.time);
    out.number("uid", r.uid);
    out.optional_string("user", r.user);
    out.string("session", r.session);
    out.string("change_set", r.change_set);
    out.string("origin", r.origin);
    out.string("action", r.action);
    out.string("path", r.path);
    if (r.new_path)
      out.string("new_path", *r.new_path);
    out.optional_string("sha256_before", r.sha256_before);
    out.optional_string("sha256_after", r.sha256_after);
    out.string("diff", r.diff);
  } else {
    out.string("type", "checkpoint");
    out.number("seq", r.seq);
    out.string("time", r.time);
    out.number("through_seq", r.through_seq);
    out.string("through_hash", r.through_hash);
    out.number("epoch", r.epoch);
    out.string("mac", r.mac);
  }
  out.string("prev", r.prev);
}

/// Reads the members of one parsed object and records the first problem.
class field_reader {
public:
  explicit field_reader(const json::object& object) : object_(object) {}

  std::string string(std::string_view key) {
    const auto* value = find(key);
    if (value == nullptr)
      return {};
    if (!value->is_string()) {
      fail("member \"" + std::string(key) + "\" is not a string");
      return {};
    }
    return std::string(value->get_string());
  }

  std::optional<std::string> string_or_null(std::string_view key) {
    const auto* value = find(key);
    if (value == nullptr || value->is_null())
      return std::nullopt;
    if (!value->is_string()) {
      fail("member \"" + std::string(key) + "\" is neither a string nor null");
      return std::nullopt;
    }
    return std::string(value->get_string());
  }

  std::uint64_t number(std::string_view key) {
    const auto* value = find(key);
    if (value == nullptr)
      return 0;
    if (value->is_uint64())
      return value->get_uint64();
    if (value->is_int64() && value->get_int64() >= 0)
      return static_cast<std::uint64_t>(value->get_int64());
    fail("member \"" + std::string(key) + "\" is not a non-negative integer");
    return 0;
  }

  void hash(std::string_view key, const std::string& value) {
    if (error_.empty() && !is_sha256_hex(value))
      fail("member \"" + std::string(key) + "\" is not 64 lower-case hex digits");
  }

  void fail(std::string message) {
    if (error_.empty())
      error_ = std::move(message);
  }

  const std::string& error() const { return error_; }

private:
  const json::value* find(std::string_view key) {
    const auto* value = object_.if_contains(key);
    if (value == nullptr)
      fail("member \"" + std::string(key) + "\" is missing");
    return value;
  }

  const json::object& object_;
  std::string error_;
};

const std::set<std::string_view> change_keys{"type",   "seq",  "time",     "uid",           "user",
                                             "session", "change_set", "origin", "action", "path",
                                             "sha256_before", "sha256_after", "diff", "prev", "hash"};
const std::set<std::string_view> checkpoint_keys{"type", "seq", "time", "through_seq", "through_hash",
                                                 "epoch", "mac", "prev", "hash"};

} // namespace

std::string canonical_text(const record& r) {
  canonical_writer out;
  write_body(out, r);
  return std::move(out).finish();
}

std::string compute_hash(const record& r) { return sdk::sha256_hex(canonical_text(r)); }

std::string checkpoint_mac_input(const record& r) {
  canonical_writer out;
  out.string("type", "checkpoint");
  out.number("seq", r.seq);
  out.string("time", r.time);
  out.number("through_seq", r.through_seq);
  out.string("through_hash", r.through_hash);
  out.number("epoch", r.epoch);
  return std::move(out).finish();
}

std::string serialize_line(const record& r) {
  std::string line = canonical_text(r);
  line.pop_back(); // the closing brace
  line.append(",\"hash\":\"");
  line.append(r.hash);
  line.append("\"}\n");
  return line;
}

parsed_record parse_record(std::string_view line) {
  parsed_record result;
  json::error_code parse_error;
  const json::value value = json::parse(line, parse_error);
  if (parse_error) {
    result.json_invalid = true;
    result.error = "not valid JSON (" + parse_error.message() + ")";
    return result;
  }
  if (!value.is_object()) {
    result.error = "not a JSON object";
    return result;
  }
  const auto& object = value.get_object();
  field_reader fields(object);
  record r;

  const std::string type = fields.string("type");
  if (!fields.error().empty()) {
    result.error = fields.error();
    return result;
  }
  if (type != "change" && type != "checkpoint") {
    result.error = "unknown record type \"" + type + "\"";
    return result;
  }
  r.type = type == "change" ? record_type::change : record_type::checkpoint;

  // Members outside the hashed set would be unprotected, so none are
  // allowed. new_path is allowed, and required, only for a rename.
  const auto& allowed = r.type == record_type::change ? change_keys : checkpoint_keys;
  for (const auto& member : object) {
    const std::string_view key = member.key();
    const bool rename_target = r.type == record_type::change && key == "new_path";
    if (!allowed.contains(key) && !rename_target) {
      result.error = "unexpected member \"" + std::string(key) + "\"";
      return result;
    }
  }

  r.seq = fields.number("seq");
  r.time = fields.string("time");
  if (r.type == record_type::change) {
    r.uid = fields.number("uid");
    r.user = fields.string_or_null("user");
    r.session = fields.string("session");
    r.change_set = fields.string("change_set");
    r.origin = fields.string("origin");
    r.action = fields.string("action");
    r.path = fields.string("path");
    r.sha256_before = fields.string_or_null("sha256_before");
    r.sha256_after = fields.string_or_null("sha256_after");
    r.diff = fields.string("diff");
    if (!is_action(r.action))
      fields.fail("unknown action \"" + r.action + "\"");
    if (r.action == "rename")
      r.new_path = fields.string("new_path");
    else if (object.contains("new_path"))
      fields.fail("member \"new_path\" appears in a record whose action is not rename");
    if (r.sha256_before)
      fields.hash("sha256_before", *r.sha256_before);
    if (r.sha256_after)
      fields.hash("sha256_after", *r.sha256_after);
  } else {
    r.through_seq = fields.number("through_seq");
    r.through_hash = fields.string("through_hash");
    r.epoch = fields.number("epoch");
    r.mac = fields.string("mac");
    fields.hash("through_hash", r.through_hash);
    fields.hash("mac", r.mac);
  }
  r.prev = fields.string("prev");
  r.hash = fields.string("hash");
  fields.hash("prev", r.prev);
  fields.hash("hash", r.hash);
  if (fields.error().empty() && r.seq == 0)
    fields.fail("seq is 0; sequence numbers start at 1");

  if (!fields.error().empty()) {
    result.error = fields.error();
    return result;
  }
  result.value = std::move(r);
  return result;
}

std::string to_valid_utf8(std::string_view text) {
  if (sdk::is_valid_utf8(text))
    return std::string(text);
  std::string out;
  sdk::utf8_decoder decoder;
  decoder.decode(text, out);
  decoder.finish(out);
  return out;
}

bool is_action(std::string_view text) noexcept {
  return text == "create" || text == "modify" || text == "delete" || text == "rename";
}

bool is_sha256_hex(std::string_view text) noexcept {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

} // namespace grok::audit

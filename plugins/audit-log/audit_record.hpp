// SPDX-License-Identifier: MIT
/// \file
/// Audit log records: their fields, the canonical serialisation that their
/// hashes cover, and strict parsing of a log line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace grok::audit {

/// The `prev` of the first record: 64 zero hex digits.
inline constexpr std::string_view genesis_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// The two kinds of record in the chain.
enum class record_type { change, checkpoint };

/// One line of the audit log. Change fields are set for change records
/// and checkpoint fields for checkpoints; `seq`, `time`, `prev` and `hash`
/// belong to both.
struct record {
  record_type type = record_type::change;
  std::uint64_t seq = 0;
  std::string time; ///< UTC, RFC 3339

  // Change records.
  std::uint64_t uid = 0;
  std::optional<std::string> user; ///< null when the password database has no entry
  std::string session;
  std::string change_set;
  std::string origin;
  std::string action; ///< create, modify, delete or rename
  std::string path;   ///< canonical absolute path
  std::optional<std::string> new_path;      ///< rename target; present only for rename
  std::optional<std::string> sha256_before; ///< null for create
  std::optional<std::string> sha256_after;  ///< null for delete
  std::string diff;

  // Checkpoints.
  std::uint64_t through_seq = 0;
  std::string through_hash;
  std::uint64_t epoch = 0;
  std::string mac; ///< HMAC-SHA256 of `checkpoint_mac_input`, hex

  std::string prev;
  std::string hash;
};

/// Returns the canonical JSON text of `r` without its `hash` member. Keys
/// come in the fixed order of `docs/audit-log.md`, with no spaces. Strings
/// escape only `"`, `\` and control characters (as \b \f \n \r \t or
/// \u00xx), and integers are plain decimal. The hash of a record is the
/// SHA-256 of exactly these bytes.
std::string canonical_text(const record& r);

/// Returns the lower-case hex SHA-256 of `canonical_text(r)`.
std::string compute_hash(const record& r);

/// Returns the bytes a checkpoint's MAC covers: the canonical JSON of
/// type, seq, time, through_seq, through_hash and epoch.
std::string checkpoint_mac_input(const record& r);

/// Returns the log line of `r`: its canonical text with `"hash"` appended
/// as the last member, and a newline.
std::string serialize_line(const record& r);

/// The outcome of parsing one line.
struct parsed_record {
  std::optional<record> value;
  bool json_invalid = false; ///< the line is not JSON at all (as opposed to a malformed record)
  std::string error;         ///< set when `value` is empty
};

/// Parses one line (without its newline) strictly: a JSON object with
/// exactly the members of its type, each of the right JSON type, hashes
/// as 64 lower-case hex digits and `seq` at least 1. Member order is free,
/// because the hash is recomputed from the parsed values.
parsed_record parse_record(std::string_view line);

/// Returns `text` with every invalid UTF-8 sequence replaced by U+FFFD, so
/// that it can be stored in a JSON string.
std::string to_valid_utf8(std::string_view text);

/// True when `text` is an action name of `sdk::to_string(edit_action)`:
/// create, modify, delete or rename.
bool is_action(std::string_view text) noexcept;

/// True when `text` is 64 lower-case hex digits.
bool is_sha256_hex(std::string_view text) noexcept;

} // namespace grok::audit

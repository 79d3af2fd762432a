// SPDX-License-Identifier: MIT
/// \file
/// Verification of an audit log (hash chain, checkpoint MACs, anchor) and
/// reading its records for display.
#pragma once

#include "audit_key.hpp"
#include "audit_log.hpp"
#include "audit_record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace grok::audit {

/// The outcome of a verification: `verified`, or the first problem found.
enum class finding {
  verified,
  no_log,          ///< neither the log nor the anchor exists
  log_missing,     ///< the anchor exists but the log does not
  unreadable,      ///< the log cannot be opened or read
  malformed,       ///< a line before the end is not a valid record
  edited,          ///< a record does not match its hash
  deleted,         ///< seq skips numbers that appear nowhere in the log
  inserted,        ///< a seq appears twice, or prev does not chain
  reordered,       ///< seq goes back, or a skipped seq appears later
  bad_checkpoint,  ///< a checkpoint's fields do not fit its place in the chain
  bad_mac,         ///< a checkpoint's MAC does not match (checked only with the seed)
  truncated,       ///< the anchor records more records than the log holds
  rolled_back,     ///< the record the anchor names has another hash
  anchor_missing,  ///< the log has records but there is no anchor
  anchor_invalid,  ///< the anchor cannot be read or parsed
};

/// Returns the finding's name for messages and tests ("edited").
std::string_view to_string(finding value) noexcept;

/// The result of a verification, with a report for people.
struct verify_report {
  finding result = finding::verified;
  std::uint64_t records = 0;          ///< complete records in the log
  std::uint64_t verified_through = 0; ///< seq of the last record that passed every check
  std::optional<std::uint64_t> bad_line;       ///< 1-based line of the first bad record
  std::optional<std::uint64_t> last_checkpoint; ///< seq of the last good checkpoint
  std::uint64_t checkpoints = 0;                ///< good checkpoints
  bool authenticated = false;                   ///< MACs were checked with a seed
  std::optional<std::uint64_t> uncovered_from;  ///< first record after the last checkpoint
  bool torn_tail = false;                       ///< the log ends in a line cut short by a crash
  std::vector<std::string> lines;               ///< the report, one sentence a line

  bool verified() const noexcept { return result == finding::verified; }
};

/// Verifies the log in `paths` under a shared lock. With `seed` (key_0),
/// every checkpoint MAC is checked; without, checkpoints are checked for
/// their place in the chain only.
verify_report verify_log(const log_paths& paths, const secret_key* seed);

/// The readable records of a log, for display. Lines that do not parse are
/// skipped and counted in `skipped_lines`.
struct log_contents {
  std::vector<record> records;
  std::uint64_t skipped_lines = 0;
  std::string error; ///< set when the log cannot be read at all
};

/// Reads every record of the log in `paths` under a shared lock, without
/// verifying the chain.
log_contents read_log(const log_paths& paths);

} // namespace grok::audit

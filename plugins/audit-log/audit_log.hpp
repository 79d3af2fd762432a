// SPDX-License-Identifier: MIT
/// \file
/// Appending to the audit log: one locked, synced write per change set,
/// with checkpoints, key evolution and the anchor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace grok::audit {

/// The default number of change records between two checkpoints.
inline constexpr std::uint64_t default_checkpoint_every = 64;

/// The files of one audit folder.
struct log_paths {
  std::filesystem::path folder; ///< 0700
  std::filesystem::path log;    ///< log.jsonl, 0600
  std::filesystem::path key;    ///< key, 0600: current key, epoch, last checkpoint seq
  std::filesystem::path anchor; ///< anchor, 0600: seq and hash of the last record

  /// Returns the paths inside `folder` (normally `$GROK_HOME/audit`).
  static log_paths in(const std::filesystem::path& folder);
};

/// The author of a change: the real uid and its name in the password
/// database.
struct identity {
  std::uint64_t uid = 0;
  std::optional<std::string> user; ///< none when the database has no entry
};

/// Returns the real uid (`getuid`) and its name from `getpwuid_r`.
identity current_identity();

/// One change to record.
struct change_entry {
  std::string action; ///< create, modify, delete or rename
  std::string path;   ///< canonical absolute path
  std::optional<std::string> new_path; ///< rename target
  std::optional<std::string> sha256_before;
  std::optional<std::string> sha256_after;
  std::string diff; ///< already capped and redacted
};

/// The changes of one change set, recorded together.
struct change_batch {
  std::string session;
  std::string change_set;
  std::string origin;
  identity who;
  std::vector<change_entry> entries;
};

/// The result of an append.
struct append_outcome {
  /// Empty on success, else "cannot append to the audit log PATH: reason".
  std::string error;
  std::uint64_t first_seq = 0; ///< 0 when nothing was appended
  std::uint64_t last_seq = 0;
  std::vector<std::uint64_t> checkpoint_seqs;
  /// key_0 in hex, set only by the append that created the log. The caller
  /// shows it to the user once and then wipes it.
  std::optional<std::string> new_seed_hex;
  std::vector<std::string> warnings; ///< problems that did not stop the append

  bool ok() const noexcept { return error.empty(); }
};

/// The anchor: where the log ended after the last append.
struct anchor_state {
  std::uint64_t seq = 0;
  std::string hash;
};

/// Reads the anchor. Returns nothing with an empty `error` when the file
/// does not exist, and nothing with a reason when it cannot be read.
std::optional<anchor_state> read_anchor(const std::filesystem::path& path, std::string& error);

/// Appends records to one audit folder. Safe to use from many processes at
/// once, because every append keeps an exclusive `flock` on the log from
/// reading its tail to syncing the new records and the anchor.
class log_writer {
public:
  /// `checkpoint_every` below 1 is treated as 1.
  log_writer(const std::filesystem::path& folder, std::uint64_t checkpoint_every);

  /// Appends one change record per entry, and a checkpoint whenever
  /// `checkpoint_every` change records have followed the last one. Creates
  /// the folder, the log and key_0 when the log does not exist yet.
  append_outcome append(const change_batch& batch);

  /// Appends a checkpoint when the log's last record is a change record.
  /// Does nothing when there is no log or it already ends in a checkpoint.
  append_outcome checkpoint_if_uncovered();

  const log_paths& paths() const noexcept { return paths_; }

private:
  append_outcome write_records(const change_batch* batch);

  log_paths paths_;
  std::uint64_t checkpoint_every_;
};

} // namespace grok::audit

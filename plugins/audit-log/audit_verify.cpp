// SPDX-License-Identifier: MIT
/// \file
/// Walks the audit log record by record and reports the first break in the
/// chain, a bad checkpoint, or a mismatch with the anchor.
#include "audit_verify.hpp"

#include <cerrno>
#include <map>
#include <stdexcept>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace grok::audit {
namespace fs = std::filesystem;

namespace {

/// The maximum number of key evolutions between two checkpoints. Real
/// logs skip an epoch only when an append fails after its key was evolved,
/// so a larger jump is damage and would only cost time.
constexpr std::uint64_t max_epoch_jump = 1'000'000;

std::string errno_text(int error) { return std::error_code(error, std::system_category()).message(); }

/// The log and the anchor as one consistent pair.
struct snapshot {
  std::optional<std::string> log; ///< none when the log does not exist
  std::optional<anchor_state> anchor;
  std::string anchor_error; ///< set when the anchor exists but cannot be read
};

/// Reads the whole log, and the anchor, under a shared lock on the log, so
/// no append is half seen and the anchor belongs to the same moment.
/// Throws std::runtime_error with a reason when the log cannot be read.
snapshot read_locked(const log_paths& paths) {
  snapshot result;
  int fd = ::open(paths.log.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) {
    // A first append may create the log and the anchor between the open
    // and the anchor read, so an anchor without a log is checked twice.
    result.anchor = read_anchor(paths.anchor, result.anchor_error);
    if (!result.anchor && result.anchor_error.empty())
      return result;
    fd = ::open(paths.log.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT)
      return result;
    result = {};
  }
  if (fd < 0)
    throw std::runtime_error(errno_text(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw std::runtime_error("it is not a regular file");
  }
  while (::flock(fd, LOCK_SH) != 0) {
    if (errno != EINTR) {
      const int error = errno;
      ::close(fd);
      throw std::runtime_error("cannot lock it: " + errno_text(error));
    }
  }
  std::string data;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw std::runtime_error(errno_text(error));
    }
    if (n == 0)
      break;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  result.log = std::move(data);
  result.anchor = read_anchor(paths.anchor, result.anchor_error);
  ::close(fd);
  return result;
}

/// One line of the log with its parse result.
struct log_line {
  std::uint64_t number = 0; ///< 1-based
  parsed_record parsed;
};

/// The complete lines of a log, and whether it ends in a torn line.
struct split_log {
  std::vector<log_line> lines;
  bool torn = false;
  std::uint64_t torn_line = 0;
};

/// Splits and parses the log. A last line without a newline, or a last
/// line that is not JSON at all, is what an interrupted append leaves and
/// is set apart as torn.
split_log split_and_parse(std::string_view data) {
  split_log result;
  std::uint64_t number = 0;
  while (!data.empty()) {
    ++number;
    const auto end = data.find('\n');
    if (end == std::string_view::npos) {
      result.torn = true;
      result.torn_line = number;
      break;
    }
    result.lines.push_back({number, parse_record(data.substr(0, end))});
    data.remove_prefix(end + 1);
  }
  if (!result.torn && !result.lines.empty() && result.lines.back().parsed.json_invalid) {
    result.torn = true;
    result.torn_line = result.lines.back().number;
    result.lines.pop_back();
  }
  return result;
}

std::string range_text(std::uint64_t first, std::uint64_t last) {
  return first == last ? "record " + std::to_string(first)
                       : "records " + std::to_string(first) + "-" + std::to_string(last);
}

std::string at_line(const log_line& line, const record& r) {
  return "record " + std::to_string(r.seq) + " (line " + std::to_string(line.number) + ")";
}

/// Walks the chain and fills `report` up to the first problem.
void check_chain(const split_log& log, const secret_key* seed, verify_report& report) {
  std::map<std::uint64_t, std::uint64_t> line_of_seq; // seq -> first line holding it
  for (const auto& line : log.lines)
    if (line.parsed.value)
      line_of_seq.emplace(line.parsed.value->seq, line.number);

  std::optional<secret_key> key;
  if (seed != nullptr)
    key = *seed;
  std::uint64_t key_epoch = 0;
  std::optional<std::uint64_t> last_epoch;
  std::uint64_t expected = 1;
  std::string prev(genesis_hash);

  auto problem = [&](finding kind, const log_line& line, std::string text) {
    report.result = kind;
    report.bad_line = line.number;
    report.lines.push_back("NOT verified: " + text);
  };

  for (const auto& line : log.lines) {
    if (!line.parsed.value) {
      problem(finding::malformed, line,
              "line " + std::to_string(line.number) + " is not a valid record (" + line.parsed.error +
                  "), so it was edited or inserted");
      return;
    }
    const record& r = *line.parsed.value;
    if (compute_hash(r) != r.hash) {
      problem(finding::edited, line, at_line(line, r) + " was edited: its hash does not match its content");
      return;
    }
    if (r.seq != expected) {
      const std::uint64_t previous = expected - 1;
      if (r.seq == previous && previous > 0) {
        problem(finding::inserted, line,
                "seq " + std::to_string(r.seq) + " appears twice (lines " + std::to_string(line_of_seq[r.seq]) +
                    " and " + std::to_string(line.number) + "), so a record was inserted");
      } else if (r.seq < expected) {
        problem(finding::reordered, line,
                "seq goes back from " + std::to_string(previous) + " to " + std::to_string(r.seq) + " at line " +
                    std::to_string(line.number) + ", so records were reordered");
      } else if (auto later = line_of_seq.find(expected);
                 later != line_of_seq.end() && later->second > line.number) {
        problem(finding::reordered, line,
                "line " + std::to_string(line.number) + " holds record " + std::to_string(r.seq) + " where record " +
                    std::to_string(expected) + " belongs, and record " + std::to_string(expected) +
                    " comes later at line " + std::to_string(later->second) + ", so records were reordered");
      } else {
        problem(finding::deleted, line,
                range_text(expected, r.seq - 1) + " before line " + std::to_string(line.number) +
                    (r.seq - expected == 1 ? " is" : " are") + " missing, so records were deleted");
      }
      return;
    }
    if (r.prev != prev) {
      problem(finding::inserted, line,
              at_line(line, r) + " does not chain to the record before it (its prev is not the hash of " +
                  (r.seq == 1 ? std::string("the start of the log") : "record " + std::to_string(r.seq - 1)) +
                  "), so a record was inserted or replaced");
      return;
    }
    if (r.type == record_type::checkpoint) {
      if (r.through_seq + 1 != r.seq || r.through_hash != r.prev) {
        problem(finding::bad_checkpoint, line,
                "checkpoint " + at_line(line, r) + " claims to cover record " + std::to_string(r.through_seq) +
                    " with another hash than the record before it, so it was forged or moved");
        return;
      }
      if (last_epoch && r.epoch <= *last_epoch) {
        problem(finding::bad_checkpoint, line,
                "checkpoint " + at_line(line, r) + " has epoch " + std::to_string(r.epoch) +
                    ", not above the previous checkpoint's epoch " + std::to_string(*last_epoch) +
                    ", so it was forged or replayed");
        return;
      }
      if (key) {
        if (r.epoch - key_epoch > max_epoch_jump) {
          problem(finding::bad_checkpoint, line,
                  "checkpoint " + at_line(line, r) + " jumps to epoch " + std::to_string(r.epoch) +
                      ", more than " + std::to_string(max_epoch_jump) + " epochs ahead, so it was forged");
          return;
        }
        while (key_epoch < r.epoch) {
          *key = key->evolved();
          ++key_epoch;
        }
        if (!equal_constant_time(key->hmac_hex(checkpoint_mac_input(r)), r.mac)) {
          problem(finding::bad_mac, line,
                  "the MAC of checkpoint " + at_line(line, r) + ", epoch " + std::to_string(r.epoch) +
                      ", does not match, so the checkpoint was forged or changed (or the seed is not this log's)");
          return;
        }
        *key = key->evolved();
        ++key_epoch;
      }
      last_epoch = r.epoch;
      report.last_checkpoint = r.seq;
      ++report.checkpoints;
    }
    prev = r.hash;
    expected = r.seq + 1;
    report.verified_through = r.seq;
  }
}

/// Compares the verified chain with the anchor. Only called when the whole
/// chain passed, so record N is at index N-1.
void check_anchor(const log_paths& paths, const snapshot& files, const split_log& log, verify_report& report) {
  const std::string& error = files.anchor_error;
  const auto& anchor = files.anchor;
  const std::uint64_t last = report.verified_through;
  if (!error.empty()) {
    report.result = finding::anchor_invalid;
    report.lines.push_back("NOT verified: cannot read the anchor " + paths.anchor.string() + " (" + error +
                           "), so truncation of the log cannot be ruled out");
    return;
  }
  if (!anchor) {
    if (last == 0)
      return;
    report.result = finding::anchor_missing;
    report.lines.push_back("NOT verified: the anchor " + paths.anchor.string() +
                           " is missing, so truncation of the log cannot be ruled out (the next append writes "
                           "a new anchor)");
    return;
  }
  if (anchor->seq > last) {
    report.result = finding::truncated;
    report.lines.push_back("NOT verified: the log ends at record " + std::to_string(last) + ", but the anchor " +
                           paths.anchor.string() + " records " + std::to_string(anchor->seq) +
                           " records, so the log was truncated or rolled back (" +
                           range_text(last + 1, anchor->seq) + (anchor->seq > last + 1 ? " are" : " is") +
                           " missing)");
    return;
  }
  if (anchor->seq == 0) {
    report.result = finding::anchor_invalid;
    report.lines.push_back("NOT verified: the anchor " + paths.anchor.string() + " records seq 0, which no log has");
    return;
  }
  const record& named = *log.lines[anchor->seq - 1].parsed.value;
  if (named.hash != anchor->hash) {
    report.result = finding::rolled_back;
    report.lines.push_back("NOT verified: record " + std::to_string(anchor->seq) +
                           " has another hash than the anchor records, so the log was rolled back and rewritten "
                           "from that record on");
    return;
  }
  if (anchor->seq < last)
    report.lines.push_back("note: the anchor records record " + std::to_string(anchor->seq) + " while the log goes on to " +
                           std::to_string(last) + "; an append interrupted between its two writes leaves this");
}

} // namespace

std::string_view to_string(finding value) noexcept {
  switch (value) {
  case finding::verified:
    return "verified";
  case finding::no_log:
    return "no-log";
  case finding::log_missing:
    return "log-missing";
  case finding::unreadable:
    return "unreadable";
  case finding::malformed:
    return "malformed";
  case finding::edited:
    return "edited";
  case finding::deleted:
    return "deleted";
  case finding::inserted:
    return "inserted";
  case finding::reordered:
    return "reordered";
  case finding::bad_checkpoint:
    return "bad-checkpoint";
  case finding::bad_mac:
    return "bad-mac";
  case finding::truncated:
    return "truncated";
  case finding::rolled_back:
    return "rolled-back";
  case finding::anchor_missing:
    return "anchor-missing";
  case finding::anchor_invalid:
    return "anchor-invalid";
  }
  return "unknown";
}

verify_report verify_log(const log_paths& paths, const secret_key* seed) {
  verify_report report;
  snapshot files;
  try {
    files = read_locked(paths);
  } catch (const std::exception& e) {
    report.result = finding::unreadable;
    report.lines.push_back("NOT verified: cannot read the audit log " + paths.log.string() + ": " + e.what());
    return report;
  }
  if (!files.log) {
    if (files.anchor || !files.anchor_error.empty()) {
      report.result = finding::log_missing;
      report.lines.push_back("NOT verified: the audit log " + paths.log.string() +
                             " is missing, but the anchor " + paths.anchor.string() +
                             " exists, so the log was deleted");
    } else {
      report.result = finding::no_log;
      report.lines.push_back("NOT verified: there is no audit log at " + paths.log.string() +
                             " and no anchor; either no file change was recorded yet, or both were deleted");
    }
    return report;
  }

  const split_log log = split_and_parse(*files.log);
  report.records = log.lines.size();
  report.torn_tail = log.torn;
  report.authenticated = seed != nullptr;

  check_chain(log, seed, report);
  if (report.verified())
    check_anchor(paths, files, log, report);

  if (report.verified()) {
    const std::uint64_t last = report.verified_through;
    std::string summary = last == 0 ? "verified: the log has no records yet"
                                    : "verified through record " + std::to_string(last);
    if (report.last_checkpoint)
      summary += "; checkpoint " + std::to_string(*report.last_checkpoint) + " covers records 1-" +
                 std::to_string(*report.last_checkpoint);
    report.lines.insert(report.lines.begin(), summary);
    if (seed != nullptr)
      report.lines.push_back("all " + std::to_string(report.checkpoints) +
                             " checkpoint MACs were authenticated with the seed");
    else if (report.checkpoints > 0 || last > 0)
      report.lines.push_back("checkpoints were NOT authenticated because no seed was given (pass it as "
                             "an argument, in GROK_AUDIT_SEED, or at the prompt); without it, anyone who "
                             "can write the log could have rewritten the whole chain");
  } else if (report.verified_through > 0) {
    report.lines.push_back(range_text(1, report.verified_through) + " before the problem passed every check");
  }

  const std::uint64_t covered = report.last_checkpoint.value_or(0);
  if (report.verified_through > covered) {
    report.uncovered_from = covered + 1;
    report.lines.push_back(range_text(covered + 1, report.verified_through) +
                           (report.verified_through > covered + 1
                                ? " come after the last checkpoint; they are chained but not authenticated"
                                : " comes after the last checkpoint; it is chained but not authenticated"));
  }
  // A torn last line looks like a crash only when the anchor does not say
  // that a complete record stood there: then it is part of a truncation.
  if (log.torn && report.result == finding::truncated)
    report.lines.push_back("line " + std::to_string(log.torn_line) +
                           " at the end of the log is incomplete, but the anchor shows that its record had been "
                           "written whole: the log was cut, not torn by a crash");
  else if (log.torn)
    report.lines.push_back("line " + std::to_string(log.torn_line) +
                           " at the end of the log is incomplete: an append was cut short by a crash. This is "
                           "not tampering; that record was never completed, and the next append moves the line "
                           "aside");
  return report;
}

log_contents read_log(const log_paths& paths) {
  log_contents contents;
  snapshot files;
  try {
    files = read_locked(paths);
  } catch (const std::exception& e) {
    contents.error = "cannot read the audit log " + paths.log.string() + ": " + e.what();
    return contents;
  }
  if (!files.log)
    return contents;
  split_log log = split_and_parse(*files.log);
  for (auto& line : log.lines) {
    if (line.parsed.value)
      contents.records.push_back(std::move(*line.parsed.value));
    else
      ++contents.skipped_lines;
  }
  return contents;
}

} // namespace grok::audit

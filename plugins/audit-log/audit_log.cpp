// SPDX-License-Identifier: MIT
/// \file
/// The audit log writer: locking, reading the tail, building and syncing
/// records, checkpoints with key evolution, and the anchor.
#include "audit_log.hpp"

#include "audit_key.hpp"
#include "audit_record.hpp"

#include <grok/sdk/files.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace grok::audit {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

/// The maximum length of the last line the writer looks for. A record
/// contains a diff of at most a few dozen KiB after JSON escaping, so a
/// longer line is damage.
constexpr off_t max_tail_scan_bytes = 16 << 20;

std::string errno_text(int error) { return std::error_code(error, std::system_category()).message(); }

/// Both descriptors of a log that this process holds an exclusive lock on.
/// The lock is released when the write descriptor is closed.
class locked_log {
public:
  locked_log() = default;
  locked_log(const locked_log&) = delete;
  locked_log& operator=(const locked_log&) = delete;
  ~locked_log() {
    if (read_fd_ >= 0)
      ::close(read_fd_);
    if (write_fd_ >= 0)
      ::close(write_fd_);
  }

  /// Opens (creating when missing) and locks `path`. Returns a reason on
  /// failure.
  std::string open(const fs::path& path) {
    write_fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (write_fd_ < 0) {
      const int error = errno;
      if (error == ELOOP)
        return "it is a symbolic link; the audit log must be a regular file";
      return errno_text(error);
    }
    struct stat info {};
    if (::fstat(write_fd_, &info) != 0)
      return errno_text(errno);
    if (!S_ISREG(info.st_mode))
      return "it is not a regular file";
    if (info.st_uid != ::geteuid())
      return "it is owned by uid " + std::to_string(info.st_uid) + ", not by this user";
    if ((info.st_mode & 07777) != 0600 && ::fchmod(write_fd_, 0600) != 0)
      return "cannot set its mode to 0600: " + errno_text(errno);

    while (::flock(write_fd_, LOCK_EX) != 0) {
      if (errno != EINTR)
        return "cannot lock it: " + errno_text(errno);
    }

    // A second descriptor for reading the tail. It must name the same file
    // that is locked, not one put in its place meanwhile.
    read_fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat read_info {};
    if (read_fd_ < 0 || ::fstat(read_fd_, &read_info) != 0)
      return "cannot open it for reading: " + errno_text(errno);
    if (read_info.st_dev != info.st_dev || read_info.st_ino != info.st_ino)
      return "it was replaced by another file while it was being opened";
    return {};
  }

  int write_fd() const noexcept { return write_fd_; }
  int read_fd() const noexcept { return read_fd_; }

private:
  int write_fd_ = -1;
  int read_fd_ = -1;
};

/// Reads bytes [begin, end) of `fd`. Throws std::runtime_error on failure.
std::string read_range(int fd, off_t begin, off_t end) {
  std::string data(static_cast<std::size_t>(end - begin), '\0');
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pread(fd, data.data() + done, data.size() - done, begin + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw std::runtime_error("cannot read it: " + errno_text(errno));
    if (n == 0)
      throw std::runtime_error("it became shorter while it was read");
    done += static_cast<std::size_t>(n);
  }
  return data;
}

/// Returns the offset of the last newline before `end`, or -1 when there
/// is none. Reads backwards in blocks. Throws when the scan passes
/// max_tail_scan_bytes.
off_t last_newline_before(int fd, off_t end) {
  constexpr off_t block = 65536;
  off_t position = end;
  while (position > 0) {
    if (end - position > max_tail_scan_bytes)
      throw std::runtime_error("its last line is longer than " + std::to_string(max_tail_scan_bytes) +
                               " bytes, which no record is; run grok /audit verify");
    const off_t begin = std::max<off_t>(0, position - block);
    const std::string data = read_range(fd, begin, position);
    const auto found = data.rfind('\n');
    if (found != std::string::npos)
      return begin + static_cast<off_t>(found);
    position = begin;
  }
  return -1;
}

/// The end of the log: its last complete line and any bytes after it.
struct tail_info {
  off_t line_begin = 0;        ///< offset of the last complete line
  off_t line_end = -1;         ///< offset of its newline; -1 when there is no complete line
  off_t incomplete_begin = 0;  ///< bytes from here to the end have no newline
};

tail_info locate_tail(int fd, off_t size) {
  tail_info tail;
  tail.line_end = last_newline_before(fd, size);
  tail.incomplete_begin = tail.line_end + 1;
  if (tail.line_end >= 0)
    tail.line_begin = last_newline_before(fd, tail.line_end) + 1;
  return tail;
}

std::string file_stamp() {
  std::string stamp = sdk::utc_now_rfc3339();
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  return stamp;
}

std::string anchor_text(std::uint64_t seq, const std::string& hash) {
  return json::serialize(json::object{{"seq", seq}, {"hash", hash}, {"time", sdk::utc_now_rfc3339()}}) + "\n";
}

bool write_everything(int fd, std::string_view data, int& error) {
  while (!data.empty()) {
    // One write normally carries the whole change set; the loop only
    // continues after a short write.
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      error = n < 0 ? errno : EIO;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// Returns why `entry` cannot be recorded as a valid record, or an empty
/// string. Records that verify would reject are never written.
std::string check_entry(const change_entry& entry) {
  if (!is_action(entry.action))
    return "unknown action \"" + entry.action + "\"; expected create, modify, delete or rename";
  if (entry.path.empty())
    return "the path is empty";
  if (entry.new_path.has_value() != (entry.action == "rename"))
    return "a rename needs new_path, and only a rename may have one";
  for (const auto* hash : {&entry.sha256_before, &entry.sha256_after})
    if (*hash && !is_sha256_hex(**hash))
      return "a content hash is not 64 lower-case hex digits";
  return {};
}

} // namespace

log_paths log_paths::in(const fs::path& folder) {
  return {folder, folder / "log.jsonl", folder / "key", folder / "anchor"};
}

identity current_identity() {
  identity who;
  const uid_t uid = ::getuid();
  who.uid = uid;
  long suggested = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(suggested > 0 ? static_cast<std::size_t>(suggested) : 16384);
  struct passwd entry {};
  struct passwd* found = nullptr;
  for (;;) {
    const int error = ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found);
    if (error == ERANGE && buffer.size() < (1U << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    break;
  }
  if (found != nullptr && found->pw_name != nullptr)
    who.user = to_valid_utf8(found->pw_name);
  return who;
}

std::optional<anchor_state> read_anchor(const fs::path& path, std::string& error) {
  error.clear();
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0 && errno == ENOENT)
    return std::nullopt;
  std::error_code io_error;
  const auto text = sdk::read_file(path, io_error);
  if (!text) {
    error = io_error.message();
    return std::nullopt;
  }
  json::error_code parse_error;
  const auto value = json::parse(*text, parse_error);
  const json::object* object = parse_error ? nullptr : value.if_object();
  const json::value* seq = object ? object->if_contains("seq") : nullptr;
  const json::value* hash = object ? object->if_contains("hash") : nullptr;
  if (seq == nullptr || hash == nullptr || !(seq->is_uint64() || (seq->is_int64() && seq->get_int64() >= 0)) ||
      !hash->is_string() || !is_sha256_hex(hash->get_string())) {
    error = "not a valid anchor (expected a JSON object with \"seq\" and a 64-digit hex \"hash\")";
    return std::nullopt;
  }
  anchor_state anchor;
  anchor.seq = seq->is_uint64() ? seq->get_uint64() : static_cast<std::uint64_t>(seq->get_int64());
  anchor.hash = std::string(hash->get_string());
  return anchor;
}

log_writer::log_writer(const fs::path& folder, std::uint64_t checkpoint_every)
    : paths_(log_paths::in(folder)), checkpoint_every_(std::max<std::uint64_t>(1, checkpoint_every)) {}

append_outcome log_writer::append(const change_batch& batch) { return write_records(&batch); }

append_outcome log_writer::checkpoint_if_uncovered() {
  struct stat info {};
  if (::lstat(paths_.log.c_str(), &info) != 0 && errno == ENOENT)
    return {};
  return write_records(nullptr);
}

append_outcome log_writer::write_records(const change_batch* batch) {
  append_outcome outcome;
  const std::string shown = paths_.log.string();
  auto fail = [&](const std::string& reason) {
    append_outcome failed;
    failed.error = "cannot append to the audit log " + shown + ": " + reason;
    failed.warnings = std::move(outcome.warnings);
    if (outcome.new_seed_hex)
      wipe(*outcome.new_seed_hex);
    return failed;
  };

  try {
    if (batch != nullptr) {
      for (std::size_t i = 0; i < batch->entries.size(); ++i)
        if (auto problem = check_entry(batch->entries[i]); !problem.empty())
          return fail("change " + std::to_string(i + 1) + " of change set " + batch->change_set + " (" +
                      batch->entries[i].path + ") is invalid: " + problem);
    }
    if (const auto error = sdk::ensure_private_folder(paths_.folder))
      return fail("cannot use the folder " + paths_.folder.string() + " (" + error.message() +
                  "); it must be a folder owned by this user, not a symbolic link");

    locked_log log;
    if (auto reason = log.open(paths_.log); !reason.empty())
      return fail(reason);

    struct stat info {};
    if (::fstat(log.write_fd(), &info) != 0)
      return fail(errno_text(errno));
    off_t size = info.st_size;

    // 1. Find the last record. A crash during an append can leave an
    //    incomplete or unparsable last line. Such a line is moved aside, so
    //    the chain continues from the last complete record.
    std::optional<record> last;
    for (int repairs = 0; size > 0 && !last; ++repairs) {
      const tail_info tail = locate_tail(log.read_fd(), size);
      off_t cut = -1;
      if (tail.incomplete_begin < size) {
        cut = tail.incomplete_begin;
      } else {
        const std::string line = read_range(log.read_fd(), tail.line_begin, tail.line_end);
        auto parsed = parse_record(line);
        if (parsed.value) {
          last = std::move(parsed.value);
          break;
        }
        if (!parsed.json_invalid)
          return fail("its last line (at byte " + std::to_string(tail.line_begin) + ") is not a valid record (" +
                      parsed.error + "); run grok /audit verify");
        cut = tail.line_begin;
      }
      if (repairs == 1)
        return fail("its last two lines are both damaged; run grok /audit verify");
      const fs::path aside = paths_.folder / ("torn-" + file_stamp() + ".fragment");
      const std::string fragment = read_range(log.read_fd(), cut, size);
      if (const auto error = sdk::write_file_atomically(aside, fragment))
        return fail("it ends with an incomplete line that could not be moved to " + aside.string() + ": " +
                    error.message());
      if (::ftruncate(log.write_fd(), cut) != 0)
        return fail("cannot remove its incomplete last line: " + errno_text(errno));
      outcome.warnings.push_back("the audit log " + shown + " ended with an incomplete line of " +
                                 std::to_string(size - cut) +
                                 " bytes, left by an append that a crash interrupted; it was moved to " +
                                 aside.string());
      size = cut;
    }

    // 2. Check the last record against itself and the anchor, or start a
    //    new log with a new key_0.
    std::string anchor_error;
    const auto anchor = read_anchor(paths_.anchor, anchor_error);
    if (!anchor_error.empty())
      return fail("cannot read the anchor " + paths_.anchor.string() + ": " + anchor_error);

    key_state keys;
    std::uint64_t seq = 0;
    std::string prev(genesis_hash);
    std::uint64_t since_checkpoint = 0;
    if (!last) {
      if (batch == nullptr)
        return outcome;
      if (anchor && anchor->seq > 0)
        return fail("the log is empty, but the anchor " + paths_.anchor.string() + " records " +
                    std::to_string(anchor->seq) + " records, so the log was truncated or replaced. Run grok "
                    "/audit verify, then move the folder " + paths_.folder.string() + " aside to start a new log");
      keys.key = secret_key::random();
      if (auto reason = write_key_file(paths_.key, keys); !reason.empty())
        return fail("cannot write the key file " + paths_.key.string() + ": " + reason);
      outcome.new_seed_hex = keys.key.to_hex();
    } else {
      if (compute_hash(*last) != last->hash)
        return fail("its last record (seq " + std::to_string(last->seq) +
                    ") does not match its hash, so the log was changed; run grok /audit verify");
      if (anchor && anchor->seq > last->seq)
        return fail("it ends at record " + std::to_string(last->seq) + ", but the anchor " + paths_.anchor.string() +
                    " records " + std::to_string(anchor->seq) +
                    " records, so the log was truncated or rolled back; run grok /audit verify");
      if (anchor && anchor->seq == last->seq && anchor->hash != last->hash)
        return fail("the hash of its last record " + std::to_string(last->seq) + " differs from the one in the anchor " +
                    paths_.anchor.string() + ", so the log was replaced or rolled back; run grok /audit verify");
      if (batch == nullptr && last->type == record_type::checkpoint)
        return outcome;
      std::string key_error;
      auto stored = read_key_file(paths_.key, key_error);
      if (!stored)
        return fail("cannot read the key file " + paths_.key.string() + " (" + key_error +
                    "); checkpoints need it. If it is lost, move the folder " + paths_.folder.string() +
                    " aside to start a new log");
      keys = std::move(*stored);
      seq = last->seq;
      prev = last->hash;
      if (last->type == record_type::change && last->seq > keys.checkpoint_seq)
        since_checkpoint = last->seq - keys.checkpoint_seq;
    }

    // 3. Build the new lines. Each checkpoint's key is evolved away as
    //    soon as its MAC is computed.
    std::string data;
    std::uint64_t checkpoints = 0;
    auto add = [&](record r) {
      r.seq = ++seq;
      r.prev = prev;
      r.hash = compute_hash(r);
      prev = r.hash;
      data += serialize_line(r);
      if (outcome.first_seq == 0)
        outcome.first_seq = r.seq;
      outcome.last_seq = r.seq;
    };
    auto add_checkpoint = [&] {
      record checkpoint;
      checkpoint.type = record_type::checkpoint;
      checkpoint.seq = seq + 1;
      checkpoint.time = sdk::utc_now_rfc3339();
      checkpoint.through_seq = seq;
      checkpoint.through_hash = prev;
      checkpoint.epoch = keys.epoch;
      checkpoint.mac = keys.key.hmac_hex(checkpoint_mac_input(checkpoint));
      keys.key = keys.key.evolved();
      keys.epoch += 1;
      keys.checkpoint_seq = checkpoint.seq;
      add(std::move(checkpoint));
      outcome.checkpoint_seqs.push_back(seq);
      ++checkpoints;
      since_checkpoint = 0;
    };
    if (batch != nullptr) {
      for (const auto& entry : batch->entries) {
        record change;
        change.type = record_type::change;
        change.time = sdk::utc_now_rfc3339();
        change.uid = batch->who.uid;
        change.user = batch->who.user;
        change.session = to_valid_utf8(batch->session);
        change.change_set = to_valid_utf8(batch->change_set);
        change.origin = to_valid_utf8(batch->origin);
        change.action = entry.action;
        change.path = to_valid_utf8(entry.path);
        if (entry.new_path)
          change.new_path = to_valid_utf8(*entry.new_path);
        change.sha256_before = entry.sha256_before;
        change.sha256_after = entry.sha256_after;
        change.diff = to_valid_utf8(entry.diff);
        add(std::move(change));
        if (++since_checkpoint >= checkpoint_every_)
          add_checkpoint();
      }
    } else {
      add_checkpoint();
    }
    if (data.empty())
      return outcome;

    // 4. The evolved key replaces the old one before the checkpoints are
    //    written, so no key that signed a written checkpoint stays on disk.
    //    A failed append after this only skips epochs, which verify allows.
    if (checkpoints > 0) {
      if (auto reason = write_key_file(paths_.key, keys); !reason.empty())
        return fail("cannot write the key file " + paths_.key.string() + ": " + reason);
    }

    // 5. One write, then fdatasync. On failure the partial bytes are cut
    //    off again so no torn record is left behind.
    int write_error = 0;
    if (!write_everything(log.write_fd(), data, write_error)) {
      (void)::ftruncate(log.write_fd(), size);
      return fail(errno_text(write_error));
    }
    if (::fdatasync(log.write_fd()) != 0) {
      const int error = errno;
      (void)::ftruncate(log.write_fd(), size);
      return fail("fdatasync failed: " + errno_text(error));
    }

    // 6. The anchor, still under the lock so anchors never go backwards.
    if (const auto error = sdk::write_file_atomically(paths_.anchor, anchor_text(seq, prev)))
      outcome.warnings.push_back("could not update the audit anchor " + paths_.anchor.string() + ": " +
                                 error.message() + "; /audit verify will report that the anchor lags behind the log");
    return outcome;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

} // namespace grok::audit

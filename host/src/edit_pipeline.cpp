// SPDX-License-Identifier: MIT
/// \file
/// Path resolution, checks, hooks, atomic writes and rollback for change
/// sets.
#include "edit_pipeline.hpp"

#include "console.hpp"
#include "registry.hpp"

#include <grok/sdk/files.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace grok::host {
namespace fs = std::filesystem;

namespace {

using status = sdk::change_result::status;

std::string errno_text(int error) { return std::error_code(error, std::system_category()).message(); }

/// True when `path` is `root` itself or lies below it, compared component
/// by component (a plain string prefix would accept /w/app2 for /w/app).
bool is_within(const fs::path& root, const fs::path& path) {
  auto r = root.begin();
  auto p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (r->empty() && std::next(r) == root.end())
      break; // a trailing separator on root
    if (p == path.end() || *r != *p)
      return false;
  }
  return true;
}

/// One proposal after checks, with what rollback needs.
struct prepared {
  sdk::edit_proposal proposal;
  fs::path target;
  fs::path new_target;
  std::string display;
  bool exists = false;
  std::string current;
  mode_t mode = 0644;
  uid_t owner = 0;
  gid_t group = 0;
  bool owner_known = false;
  nlink_t hard_links = 1;
  std::string temporary; ///< the written temporary file awaiting rename
  bool committed = false;
};

std::optional<std::string> read_regular_file(const fs::path& path, struct stat& info, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    error = errno_text(errno);
    return std::nullopt;
  }
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    error = "not a regular file";
    ::close(fd);
    return std::nullopt;
  }
  std::string content;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      error = errno_text(errno);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0)
      break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return content;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void sync_folder(const fs::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

mode_t current_umask() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

/// Writes `content` to a new temporary file beside `target`, with `mode`
/// (and owner when known), synced. Returns its path, or empty and sets
/// `error`.
std::string write_temporary(const fs::path& target, std::string_view content, mode_t mode,
                            const prepared* owner_from, std::string& error) {
  std::string leaf = ".";
  leaf += target.filename().string();
  leaf += ".grok-XXXXXX";
  std::string name = (target.parent_path() / leaf).string();
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    error = "cannot create a temporary file beside " + target.string() + ": " + errno_text(errno);
    return {};
  }
  bool ok = ::fchmod(fd, mode) == 0;
  if (ok && owner_from != nullptr && owner_from->owner_known)
    (void)::fchown(fd, owner_from->owner, owner_from->group); // keeps the owner when allowed
  ok = ok && write_all(fd, content) && ::fsync(fd) == 0;
  const int saved = errno;
  if (::close(fd) != 0)
    ok = false;
  if (!ok) {
    ::unlink(name.c_str());
    error = "cannot write " + target.string() + ": " + errno_text(saved);
    return {};
  }
  return name;
}

/// Renames without replacing an existing file (for create and rename).
bool rename_no_replace(const fs::path& from, const fs::path& to) {
  return ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0;
}

} // namespace

fs::path resolve_inside(const fs::path& root, const fs::path& relative, std::string& error) {
  const std::string given = relative.string();
  if (relative.empty()) {
    error = "the path is empty";
    return {};
  }
  if (relative.is_absolute()) {
    error = "path '" + given + "' is absolute; give a path relative to the workspace root " + root.string();
    return {};
  }

  for (const auto& part : relative) {
    if (part == "..") {
      error = "path '" + given + "' contains '..'; only paths inside the workspace can be changed";
      return {};
    }
  }

  std::error_code io_error;
  const fs::path resolved = fs::weakly_canonical(root / relative, io_error);
  if (io_error) {
    error = "cannot resolve path '" + given + "': " + io_error.message();
    return {};
  }

  if (!is_within(root, resolved) || resolved == root) {
    error = "path '" + given + "' resolves to " + resolved.string() + ", outside the workspace " +
            root.string() + " (through a symbolic link); only files inside the workspace can be changed";
    return {};
  }

  // grok's own project settings and git's metadata (hooks run code) are
  // never written by a model or plugin.
  const fs::path inside = resolved.lexically_relative(root);
  const auto first = *inside.begin();
  if (first == ".grok" || first == ".git") {
    error = "path '" + given + "' is inside " + first.string() +
            "/, which grok does not change: edit it yourself if the change is wanted";
    return {};
  }
  return resolved;
}

edit_pipeline::edit_pipeline(const fs::path& workspace, registry& hooks, console_impl& console,
                             fs::path backup_folder, std::string session_id)
    : workspace_(workspace), hooks_(hooks), console_(console), backup_folder_(std::move(backup_folder)),
      session_id_(std::move(session_id)) {}

namespace {

/// Checks one proposal and reads what it changes. Returns an empty string
/// on success, or the message, with `outcome` set.
std::string prepare(const fs::path& root, prepared& item, std::set<fs::path>& targets, status& outcome) {
  outcome = status::rejected;
  const auto action = item.proposal.action;
  if (action == sdk::edit_action::invalid)
    return "a proposal for '" + item.proposal.path.string() + "' has no action";

  std::string error;
  item.target = resolve_inside(root, item.proposal.path, error);
  if (!error.empty())
    return error;
  item.display = item.target.lexically_relative(root).string();
  if (!targets.insert(item.target).second)
    return "the change set changes " + item.display + " twice; combine the changes into one";
  if (action == sdk::edit_action::rename) {
    item.new_target = resolve_inside(root, item.proposal.new_path, error);
    if (!error.empty())
      return error;
    if (!targets.insert(item.new_target).second)
      return "the change set uses " + item.new_target.lexically_relative(root).string() + " twice";
  }

  struct stat info {};
  item.exists = ::lstat(item.target.c_str(), &info) == 0;
  if (item.exists && !S_ISREG(info.st_mode))
    return item.display + " is not a regular file; grok changes regular files only";

  outcome = status::conflict;
  if (action == sdk::edit_action::create) {
    if (item.exists)
      return item.display + " already exists; nothing was written. Run the command again so the change is based on the current file";
    item.mode = 0666 & ~current_umask();
    return {};
  }
  if (!item.exists)
    return item.display + " no longer exists; nothing was written";

  std::string read_error;
  auto content = read_regular_file(item.target, info, read_error);
  if (!content) {
    outcome = status::failed;
    return "cannot read " + item.display + ": " + read_error;
  }
  // Replacing the file by rename would ignore its own write permission.
  if ((info.st_mode & S_IWUSR) == 0) {
    outcome = status::rejected;
    return item.display + " is read-only (mode " + std::to_string((info.st_mode >> 6) & 7) +
           std::to_string((info.st_mode >> 3) & 7) + std::to_string(info.st_mode & 7) +
           "); make it writable first if the change is wanted";
  }
  item.hard_links = info.st_nlink;
  item.current = std::move(*content);
  item.mode = info.st_mode & 07777;
  item.owner = info.st_uid;
  item.group = info.st_gid;
  item.owner_known = true;

  const auto& expected = item.proposal.expected_content;
  if (!expected && item.proposal.expected_sha256.empty()) {
    outcome = status::rejected;
    return "the proposal for " + item.display +
           " gives no expected content; a change must name the version of the file it is based on";
  }
  const bool matches = expected ? *expected == item.current
                                : item.proposal.expected_sha256 == sdk::sha256_hex(item.current);
  if (!matches)
    return item.display + " changed on disk since it was read; nothing was written. Run the command "
                          "again so the change is based on the current file";
  if (action == sdk::edit_action::rename && ::lstat(item.new_target.c_str(), &info) == 0)
    return item.new_target.lexically_relative(root).string() + " already exists; nothing was renamed";
  return {};
}

/// Restores the files of committed items to their previous state, newest
/// first. Returns the paths that could not be restored.
std::vector<std::string> roll_back(std::vector<prepared>& items) {
  std::vector<std::string> failures;
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    prepared& item = *it;
    if (!item.committed)
      continue;
    bool ok = true;
    switch (item.proposal.action) {
    case sdk::edit_action::create:
      ok = ::unlink(item.target.c_str()) == 0;
      break;
    case sdk::edit_action::modify:
    case sdk::edit_action::remove: {
      std::string error;
      const auto temporary = write_temporary(item.target, item.current, item.mode, &item, error);
      ok = !temporary.empty() && ::rename(temporary.c_str(), item.target.c_str()) == 0;
      break;
    }
    case sdk::edit_action::rename:
      ok = rename_no_replace(item.new_target, item.target);
      break;
    case sdk::edit_action::invalid:
      break;
    }
    if (ok) {
      item.committed = false;
      sync_folder(item.target.parent_path());
    } else {
      failures.push_back(item.display);
    }
  }
  return failures;
}

void remove_temporaries(std::vector<prepared>& items) {
  for (auto& item : items) {
    if (!item.temporary.empty() && !item.committed)
      ::unlink(item.temporary.c_str());
    item.temporary.clear();
  }
}

} // namespace

sdk::change_result edit_pipeline::apply(sdk::change_set changes) {
  sdk::change_result result;
  result.change_set_id = sdk::new_uuid();
  auto finish = [&](status outcome, std::string message) {
    result.outcome = outcome;
    result.message = std::move(message);
    if (outcome != status::applied)
      result.applied.clear();
    return result;
  };
  if (changes.proposals.empty())
    return finish(status::rejected, "the change set is empty");

  std::error_code io_error;
  const fs::path root = fs::canonical(workspace_, io_error);
  if (io_error)
    return finish(status::rejected, "cannot resolve the workspace " + workspace_.string() + ": " + io_error.message());

  // 1. Resolve every path inside the workspace and check that each file
  //    still has the content the proposal was based on.
  std::vector<prepared> items;
  std::set<fs::path> targets;
  for (auto& proposal : changes.proposals) {
    prepared item;
    item.proposal = std::move(proposal);
    if (item.proposal.origin.empty())
      item.proposal.origin = changes.origin;
    status outcome = status::invalid;
    if (auto message = prepare(root, item, targets, outcome); !message.empty())
      return finish(outcome, message);
    items.push_back(std::move(item));
  }

  // 2. Pre-edit hooks, in order; any veto or failure rejects the whole set.
  //    Without a terminal no question is asked, so the hooks still see the rest
  //    of the set after a veto: a refused run prints every diff.
  std::optional<sdk::verdict> first_veto;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (first_veto && console_.interactive())
      break;
    prepared& item = items[i];
    for (auto& entry : hooks_.hooks) {
      if (entry.point != sdk::hook_point::pre_edit)
        continue;
      sdk::edit_context context{item.proposal, item.current, item.display, i, items.size(),
                                result.change_set_id, changes.description};
      sdk::verdict verdict;
      try {
        verdict = std::get<sdk::pre_edit_hook>(entry.function)(context);
      } catch (const std::exception& e) {
        verdict = sdk::verdict::veto("plugin '" + entry.plugin_id + "' failed in pre-edit: " + e.what());
      } catch (...) {
        verdict = sdk::verdict::veto("plugin '" + entry.plugin_id + "' failed in pre-edit");
      }
      if (!verdict.allowed) {
        if (verdict.reason.empty())
          verdict.reason = "the change was refused by plugin '" + entry.plugin_id + "'";
        if (!first_veto)
          first_veto = std::move(verdict);
        break;
      }
    }
  }
  if (first_veto)
    return finish(status::refused, first_veto->reason);

  // Fail closed: with no pre-edit hook (the diff preview disabled, say),
  // the host asks for confirmation itself.
  const bool any_pre_edit = std::any_of(hooks_.hooks.begin(), hooks_.hooks.end(), [](const hook_entry& entry) {
    return entry.point == sdk::hook_point::pre_edit;
  });
  if (!any_pre_edit) {
    std::string files;
    for (const auto& item : items)
      files += (files.empty() ? "" : ", ") + item.display;
    const auto answer = console_.confirm("Apply " + std::string(changes.description.empty() ? "the change" : changes.description) +
                                         " (" + files + ")?");
    if (answer != sdk::confirmation::yes && answer != sdk::confirmation::all)
      return finish(status::refused, "the change was declined; nothing was written");
  }

  const bool all_unchanged = std::all_of(items.begin(), items.end(), [](const prepared& item) {
    return item.proposal.action == sdk::edit_action::modify && item.proposal.new_content == item.current;
  });
  if (all_unchanged)
    return finish(status::unchanged, "the change leaves every file as it is; nothing was written");

  for (const auto& item : items)
    if (item.hard_links > 1 && item.proposal.action == sdk::edit_action::modify)
      console_.warning(item.display + " has " + std::to_string(item.hard_links) +
                       " hard links; the change replaces this name only, the other names keep the old content");

  // 3. Write every new content to a synced temporary file beside its target.
  for (auto& item : items) {
    const auto action = item.proposal.action;
    if (action != sdk::edit_action::create && action != sdk::edit_action::modify)
      continue;
    if (action == sdk::edit_action::create) {
      fs::create_directories(item.target.parent_path(), io_error);
      if (io_error) {
        remove_temporaries(items);
        return finish(status::failed, "cannot create the folder of " + item.display + ": " + io_error.message());
      }
    }
    std::string error;
    item.temporary = write_temporary(item.target, item.proposal.new_content, item.mode,
                                     item.owner_known ? &item : nullptr, error);
    if (item.temporary.empty()) {
      remove_temporaries(items);
      return finish(status::failed, error + "; nothing was changed");
    }
  }

  // 4. Check again that no other process changed the files meanwhile, and keep
  //    backups when asked.
  for (auto& item : items) {
    if (item.proposal.action == sdk::edit_action::create)
      continue;
    struct stat info {};
    std::string error;
    auto now = read_regular_file(item.target, info, error);
    if (!now || *now != item.current) {
      remove_temporaries(items);
      return finish(status::conflict, item.display + " changed on disk while the change was prepared; nothing was written");
    }
    if (!backup_folder_.empty()) {
      const fs::path backup = backup_folder_ / result.change_set_id / item.display;
      fs::create_directories(backup.parent_path(), io_error);
      if (io_error || sdk::write_file_atomically(backup, item.current)) {
        remove_temporaries(items);
        return finish(status::failed, "cannot write the backup of " + item.display + " to " + backup.string() + "; nothing was changed");
      }
    }
  }

  // 5. Commit: each rename or unlink is atomic on its own; a failure
  //    restores the ones already made.
  for (auto& item : items) {
    bool ok = false;
    switch (item.proposal.action) {
    case sdk::edit_action::create:
      ok = rename_no_replace(item.temporary, item.target);
      break;
    case sdk::edit_action::modify:
      ok = ::rename(item.temporary.c_str(), item.target.c_str()) == 0;
      break;
    case sdk::edit_action::remove:
      ok = ::unlink(item.target.c_str()) == 0;
      break;
    case sdk::edit_action::rename:
      ok = rename_no_replace(item.target, item.new_target);
      break;
    case sdk::edit_action::invalid:
      break;
    }
    if (!ok) {
      const std::string reason = errno_text(errno);
      remove_temporaries(items);
      const auto unrestored = roll_back(items);
      std::string message = "writing " + item.display + " failed: " + reason + "; the change set was undone";
      for (const auto& path : unrestored)
        message += "; could not restore " + path;
      return finish(status::failed, message);
    }
    item.committed = true;
    item.temporary.clear();
  }
  std::set<fs::path> folders;
  for (const auto& item : items) {
    folders.insert(item.target.parent_path());
    if (!item.new_target.empty())
      folders.insert(item.new_target.parent_path());
  }
  for (const auto& folder : folders)
    sync_folder(folder);

  // 6. Post-write hooks see the whole set; a veto undoes it.
  sdk::applied_change_set written;
  written.id = result.change_set_id;
  written.description = changes.description;
  written.origin = changes.origin;
  written.session_id = session_id_;
  for (const auto& item : items) {
    sdk::applied_edit edit;
    edit.action = item.proposal.action;
    edit.path = item.target;
    edit.new_path = item.new_target;
    edit.display_path = item.display;
    if (item.proposal.action != sdk::edit_action::create) {
      edit.sha256_before = sdk::sha256_hex(item.current);
      edit.old_content = item.current;
    }
    if (item.proposal.action == sdk::edit_action::create || item.proposal.action == sdk::edit_action::modify) {
      edit.new_content = item.proposal.new_content;
      edit.sha256_after = sdk::sha256_hex(edit.new_content);
    } else if (item.proposal.action == sdk::edit_action::rename) {
      edit.sha256_after = edit.sha256_before;
    }
    written.edits.push_back(std::move(edit));
  }
  for (auto& entry : hooks_.hooks) {
    if (entry.point != sdk::hook_point::post_write)
      continue;
    sdk::verdict verdict;
    try {
      verdict = std::get<sdk::post_write_hook>(entry.function)(written);
    } catch (const std::exception& e) {
      console_.error("plugin '" + entry.plugin_id + "' failed in post-write: " + e.what());
      continue;
    } catch (...) {
      console_.error("plugin '" + entry.plugin_id + "' failed in post-write");
      continue;
    }
    if (!verdict.allowed) {
      const auto unrestored = roll_back(items);
      std::string message = "the change was undone because plugin '" + entry.plugin_id +
                            "' could not record it: " + verdict.reason;
      for (const auto& path : unrestored)
        message += "; could not restore " + path;
      return finish(status::failed, message);
    }
  }

  result.applied = std::move(written.edits);
  return finish(status::applied, {});
}

} // namespace grok::host

// SPDX-License-Identifier: MIT
/// \file
/// The audit-log plugin: records every applied change set in the audit
/// log, checkpoints it at exit, and provides /audit verify and /audit log.
#include "audit_key.hpp"
#include "audit_log.hpp"
#include "audit_verify.hpp"

#include <grok/sdk/diff.hpp>
#include <grok/sdk/files.hpp>
#include <grok/sdk/plugin.hpp>

#include <boost/json.hpp>

#include <cstdlib>
#include <optional>
#include <sstream>

namespace {

using namespace grok;
namespace fs = std::filesystem;
namespace json = boost::json;

/// Diffs longer than this are cut; the hashes still cover the real content.
constexpr std::size_t max_diff_bytes = 16 * 1024;

/// Post-write priority: after every post-write hook with a lower priority
/// (no bundled plugin uses one this high), so that a later hook's veto
/// cannot undo a change that the log already records.
constexpr int record_priority = 1'000'000;

/// Largest accepted `checkpoint_every`.
constexpr std::uint64_t max_checkpoint_every = 1'000'000;

bool is_within(const fs::path& root, const fs::path& path) {
  auto r = root.begin();
  auto p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (r->empty() && std::next(r) == root.end())
      break;
    if (p == path.end() || *r != *p)
      return false;
  }
  return true;
}

std::string short_hash(const std::optional<std::string>& hash) {
  return hash ? hash->substr(0, 12) : std::string("-");
}

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos)
    return {};
  const auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

class audit_plugin final : public sdk::plugin {
public:
  void start(sdk::host& host) override {
    host_ = &host;
    folder_ = host.grok_home() / "audit";
    writer_.emplace(folder_, read_checkpoint_every());

    (void)host.add_hook(record_priority,
                        sdk::post_write_hook([this](const sdk::applied_change_set& set) { return record(set); }));
    (void)host.add_hook(0, sdk::pre_edit_hook([this](sdk::edit_context& context) { return guard(context); }));
    (void)host.add_session_hook(sdk::hook_point::session_end, record_priority,
                                [this](const sdk::session_info&) { checkpoint_at_exit(); });
    (void)host.register_command(
        {"/audit", "verify the audit log of file changes, or show it",
         "/audit verify [SEED] | /audit log [--diff] [path]",
         [this](std::string_view arguments) { return run_command(arguments); }});
  }

private:
  std::uint64_t read_checkpoint_every() {
    const auto* value = host_->settings().if_contains("checkpoint_every");
    if (value == nullptr)
      return audit::default_checkpoint_every;
    if (value->is_int64() && value->get_int64() >= 1 &&
        static_cast<std::uint64_t>(value->get_int64()) <= max_checkpoint_every)
      return static_cast<std::uint64_t>(value->get_int64());
    if (value->is_uint64() && value->get_uint64() >= 1 && value->get_uint64() <= max_checkpoint_every)
      return value->get_uint64();
    host_->ui().warning("plugins.audit-log.checkpoint_every is " + json::serialize(*value) +
                        "; it must be a whole number from 1 to " + std::to_string(max_checkpoint_every) +
                        ". Using " + std::to_string(audit::default_checkpoint_every) +
                        " until the configuration is fixed");
    return audit::default_checkpoint_every;
  }

  /// Rejects proposals that would change the audit folder itself, which
  /// happens when GROK_HOME lies inside the workspace.
  sdk::verdict guard(sdk::edit_context& context) {
    std::error_code error;
    const fs::path audit = fs::weakly_canonical(folder_, error);
    if (error)
      return sdk::verdict::allow();
    for (const fs::path* relative : {&context.proposal.path, &context.proposal.new_path}) {
      if (relative->empty())
        continue;
      const fs::path target = fs::weakly_canonical(host_->workspace_root() / *relative, error);
      if (!error && is_within(audit, target))
        return sdk::verdict::veto("grok does not edit its own audit folder " + audit.string() +
                                  "; the audit log may only be appended to by grok itself");
    }
    return sdk::verdict::allow();
  }

  std::string display(const fs::path& path) const {
    const auto& root = host_->workspace_root();
    return is_within(root, path) ? path.lexically_relative(root).string() : path.string();
  }

  std::string diff_of(const sdk::applied_edit& edit) const {
    if (edit.action == sdk::edit_action::rename)
      return {};
    const std::string_view old_text = edit.old_content;
    const std::string_view new_text = edit.new_content;
    if (old_text.find('\0') != std::string_view::npos || new_text.find('\0') != std::string_view::npos)
      return "binary content: " + std::to_string(old_text.size()) + " bytes before, " +
             std::to_string(new_text.size()) + " bytes after\n";
    sdk::unified_diff_options options;
    options.old_label = edit.action == sdk::edit_action::create ? "/dev/null" : "a/" + edit.display_path;
    options.new_label = edit.action == sdk::edit_action::remove ? "/dev/null" : "b/" + edit.display_path;
    options.max_bytes = max_diff_bytes;
    // The record's hashes identify the content, so a diff that cannot be
    // built (std::length_error for billions of lines) does not stop it.
    try {
      return sdk::redact_secrets(sdk::unified_diff(old_text, new_text, options));
    } catch (const std::exception& e) {
      return std::string("no diff: ") + e.what() + "\n";
    }
  }

  sdk::verdict record(const sdk::applied_change_set& set) {
    // The host only reports an exception from a post-write hook and keeps
    // the change, so every failure must become a veto here.
    try {
      audit::change_batch batch;
      batch.session = set.session_id;
      batch.change_set = set.id;
      batch.origin = set.origin;
      batch.who = audit::current_identity();
      for (const auto& edit : set.edits) {
        audit::change_entry entry;
        entry.action = std::string(sdk::to_string(edit.action));
        entry.path = edit.path.string();
        if (edit.action == sdk::edit_action::rename)
          entry.new_path = edit.new_path.string();
        if (!edit.sha256_before.empty())
          entry.sha256_before = edit.sha256_before;
        if (!edit.sha256_after.empty())
          entry.sha256_after = edit.sha256_after;
        entry.diff = diff_of(edit);
        batch.entries.push_back(std::move(entry));
      }
      auto outcome = writer_->append(batch);
      for (const auto& warning : outcome.warnings)
        host_->ui().warning(warning);
      if (!outcome.ok())
        return sdk::verdict::veto(outcome.error);
      appended_ = true;
      if (outcome.new_seed_hex) {
        show_seed(*outcome.new_seed_hex);
        audit::wipe(*outcome.new_seed_hex);
      }
      return sdk::verdict::allow();
    } catch (const std::exception& e) {
      return sdk::verdict::veto("cannot append to the audit log " + writer_->paths().log.string() + ": " + e.what());
    }
  }

  /// Shows key_0 once. It is written nowhere else: not to the log, not to
  /// a file (the key file contains it only until the first checkpoint).
  void show_seed(const std::string& seed_hex) {
    std::string message;
    message.reserve(512);
    message.append("created the audit log ");
    message.append(writer_->paths().log.string());
    message.append(". Its verification seed is ");
    message.append(seed_hex);
    message.append(" . Store it somewhere safe, away from this machine (a password manager, say): it is "
                   "shown only this once, and `grok /audit verify SEED` needs it to authenticate the "
                   "checkpoints of this log.");
    host_->ui().notice(message);
    audit::wipe(message);
  }

  void checkpoint_at_exit() {
    if (!appended_)
      return;
    try {
      auto outcome = writer_->checkpoint_if_uncovered();
      for (const auto& warning : outcome.warnings)
        host_->ui().warning(warning);
      if (!outcome.ok())
        host_->ui().warning("could not write the closing checkpoint: " + outcome.error);
    } catch (const std::exception& e) {
      host_->ui().warning(std::string("could not write the closing checkpoint of the audit log: ") + e.what());
    }
  }

  sdk::exit_status run_command(std::string_view arguments) {
    const std::string text = trim(arguments);
    const auto space = text.find_first_of(" \t");
    const std::string verb = text.substr(0, space);
    const std::string rest = space == std::string::npos ? std::string() : trim(text.substr(space));
    if (verb == "verify")
      return verify(rest);
    if (verb == "log")
      return show_log(rest);
    host_->ui().error("unknown /audit subcommand '" + verb +
                      "'; use /audit verify [SEED] or /audit log [--diff] [path]");
    return sdk::exit_status::usage_error;
  }

  /// Finds the seed: the argument, then GROK_AUDIT_SEED, then a prompt on
  /// a terminal. Returns false after reporting an invalid seed.
  bool find_seed(std::string argument, std::optional<audit::secret_key>& seed) {
    std::string text = std::move(argument);
    std::string source = "the argument";
    if (!text.empty()) {
      host_->ui().warning("a seed on the command line is visible to other users in the process list and "
                          "stays in the shell history; prefer GROK_AUDIT_SEED or the prompt");
    } else if (const char* from_environment = std::getenv("GROK_AUDIT_SEED");
               from_environment != nullptr && *from_environment != '\0') {
      text = from_environment;
      source = "GROK_AUDIT_SEED";
    } else if (host_->ui().interactive()) {
      auto answer = host_->ui().ask_secret("audit log seed (64 hex digits; Enter to check without it): ");
      if (answer) {
        text = std::move(*answer);
        audit::wipe(*answer);
      }
      source = "the seed you typed";
    }
    if (trim(text).empty())
      return true;
    sdk::register_secret(trim(text));
    seed = audit::secret_key::from_hex(text);
    audit::wipe(text);
    if (!seed) {
      host_->ui().error(source + " is not a seed: it must be the 64 hex digits that grok showed when it "
                                 "created the audit log");
      return false;
    }
    return true;
  }

  sdk::exit_status verify(std::string argument) {
    std::optional<audit::secret_key> seed;
    if (!find_seed(std::move(argument), seed))
      return sdk::exit_status::usage_error;
    const auto report = audit::verify_log(writer_->paths(), seed ? &*seed : nullptr);
    std::string text;
    for (const auto& line : report.lines)
      text += line + "\n";
    host_->ui().output(text);
    return report.verified() ? sdk::exit_status::success : sdk::exit_status::failure;
  }

  sdk::exit_status show_log(const std::string& arguments) {
    bool with_diff = false;
    std::string path_text;
    std::istringstream words(arguments);
    std::string word;
    while (words >> word) {
      if (word == "--diff") {
        with_diff = true;
      } else if (path_text.empty()) {
        path_text = word;
      } else {
        host_->ui().error("/audit log takes one path, got '" + path_text + "' and '" + word +
                          "'; use /audit log [--diff] [path]");
        return sdk::exit_status::usage_error;
      }
    }
    std::optional<std::string> wanted;
    if (!path_text.empty()) {
      const fs::path given(path_text);
      std::error_code error;
      const fs::path absolute = given.is_absolute() ? given : host_->workspace_root() / given;
      const fs::path canonical = fs::weakly_canonical(absolute, error);
      wanted = (error ? absolute.lexically_normal() : canonical).string();
    }

    const auto contents = audit::read_log(writer_->paths());
    if (!contents.error.empty()) {
      host_->ui().error(contents.error);
      return sdk::exit_status::failure;
    }
    std::string text;
    std::size_t shown = 0;
    for (const auto& r : contents.records) {
      if (r.type == audit::record_type::checkpoint) {
        if (!wanted)
          text += std::to_string(r.seq) + "  " + r.time + "  checkpoint through record " +
                  std::to_string(r.through_seq) + " (epoch " + std::to_string(r.epoch) + ")\n";
        continue;
      }
      if (wanted && r.path != *wanted && r.new_path.value_or("") != *wanted)
        continue;
      ++shown;
      text += std::to_string(r.seq) + "  " + r.time + "  " + r.action + "  " +
              r.user.value_or("uid " + std::to_string(r.uid)) + "  " + r.origin + "  " + display(r.path);
      if (r.new_path)
        text += " -> " + display(*r.new_path);
      text += "  " + short_hash(r.sha256_before) + " -> " + short_hash(r.sha256_after) + "\n";
      if (with_diff && !r.diff.empty()) {
        text += r.diff;
        if (r.diff.back() != '\n')
          text += "\n";
      }
    }
    if (shown == 0)
      text += wanted ? "no audit records for " + *wanted + "\n" : "no audit records yet\n";
    if (contents.skipped_lines > 0)
      host_->ui().warning(std::to_string(contents.skipped_lines) +
                          " lines of the audit log are not valid records; run grok /audit verify");
    host_->ui().output(text);
    return sdk::exit_status::success;
  }

  sdk::host* host_ = nullptr;
  fs::path folder_;
  std::optional<audit::log_writer> writer_;
  bool appended_ = false;
};

} // namespace

GROK_PLUGIN("audit-log", "1.0.0", "Tamper-evident audit log of every file change", audit_plugin)

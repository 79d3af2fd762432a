// SPDX-License-Identifier: MIT
/// \file
/// The hook points: named places in the host's pipelines where plugins may
/// take part. Hooks of one point run in a stable order: ascending priority,
/// then plugin id.
#pragma once

#include <grok/sdk/chat.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace grok::sdk {

/// The hook points. A thrown exception or a failure in a hook is handled by
/// the policy given next to each point.
enum class hook_point {
  invalid = 0,
  pre_edit,      ///< before a file change is written; failure vetoes (fail closed)
  post_write,    ///< after a change set is durably written; failure is reported, a veto rolls back
  pre_run,       ///< before a command runs; failure vetoes
  post_run,      ///< after a command ran; failure is reported
  pre_prompt,    ///< before a request is sent to a model; failure is reported
  post_response, ///< after a model's answer; failure is reported
  session_start, ///< a REPL or one-shot run begins; failure is reported
  session_end,   ///< a REPL or one-shot run ends; failure is reported
};

/// Returns the hook point's name as used in docs and logs ("pre-edit").
GROK_SDK_API std::string_view to_string(hook_point point) noexcept;

/// A hook's verdict on a proposed action.
struct verdict {
  bool allowed = true;
  std::string reason; ///< required when `allowed` is false

  static verdict allow() { return {}; }
  static verdict veto(std::string why) { return {false, std::move(why)}; }
};

/// The kinds of file change.
enum class edit_action { invalid = 0, create, modify, remove, rename };

/// Returns the action's name as used in logs and the audit log ("modify").
GROK_SDK_API std::string_view to_string(edit_action action) noexcept;

/// A proposed change to one workspace file. Plugins never write workspace
/// files; they propose changes to the host, which checks, confirms and
/// writes them (see `host::apply_changes`).
struct edit_proposal {
  edit_action action = edit_action::invalid;
  /// Relative to the workspace root. Absolute paths, ".." components and
  /// paths that resolve outside the root (through symbolic links too) are
  /// rejected. After resolution the host replaces it with the canonical
  /// absolute path.
  std::filesystem::path path;
  std::filesystem::path new_path; ///< rename target, with the same rules
  /// The content the proposer based its change on. For modify, remove and
  /// rename, this or `expected_sha256` is required: the change is refused
  /// when the file no longer has it (no lost update).
  std::optional<std::string> expected_content;
  std::string expected_sha256; ///< lower-case hex SHA-256 of the expected content
  std::string new_content;     ///< for create and modify; a pre-edit hook may replace it
  std::string origin;          ///< "command:/edit", "plugin:<id>", "tool:<name>"
};

/// A proposal during pre-edit hooks, with what the hook needs to judge it.
struct edit_context {
  edit_proposal& proposal;           ///< hooks may change `new_content`
  std::string_view current_content;  ///< the file as it is now (empty for create)
  std::string_view display_path;     ///< relative to the workspace root
  std::size_t index = 0;             ///< position in the change set
  std::size_t count = 1;             ///< number of proposals in the change set
  std::string_view change_set_id;
  std::string_view description;
};

/// One change as written and synced.
struct applied_edit {
  edit_action action = edit_action::invalid;
  std::filesystem::path path;     ///< canonical absolute path
  std::filesystem::path new_path; ///< rename target, canonical
  std::string display_path;       ///< relative to the workspace root
  std::string sha256_before;      ///< empty for create
  std::string sha256_after;       ///< empty for remove
  std::string old_content;        ///< empty for create
  std::string new_content;        ///< empty for remove
};

/// A change set as written, for post-write hooks.
struct applied_change_set {
  std::string id;
  std::string description;
  std::string origin;
  std::string session_id;
  std::vector<applied_edit> edits;
};

/// A command to run.
struct run_request {
  std::vector<std::string> argv;       ///< used when `shell_line` is empty
  std::string shell_line;
  std::filesystem::path working_directory;
  std::map<std::string, std::string> environment;
  std::chrono::milliseconds time_limit{120000};
  std::uint64_t output_limit_bytes = 1 << 20;
  std::string sandbox;                 ///< a pre-run hook may choose one
  std::string origin;
};

/// The outcome of a run.
struct run_result {
  int exit_code = -1;
  int signal = 0;
  bool timed_out = false;
  std::uint64_t output_bytes = 0;
};

/// The request about to be sent, which a pre-prompt hook may change. Hooks
/// add context as system messages; they are not stored in the session.
struct prompt_context {
  chat_request& request;
  std::string_view provider_id;
  bool first_turn = false;
};

/// A finished answer, for post-response hooks.
struct response_info {
  const chat_request& request;
  std::string_view provider_id;
  std::string_view text;
  const chat_result& result;
};

/// A run of grok, for session-start and session-end hooks.
struct session_info {
  std::string_view session_id;
  bool interactive = false;
};

/// Judges one proposal. A veto rejects the whole change set.
using pre_edit_hook = std::function<verdict(edit_context&)>;
/// Observes a written change set. A veto makes the host restore every file
/// of the set to its previous content, because a record the hook needed
/// (an audit log entry, say) could not be made; the user is told why.
using post_write_hook = std::function<verdict(const applied_change_set&)>;
using pre_run_hook = std::function<verdict(run_request&)>;
using post_run_hook = std::function<void(const run_request&, const run_result&)>;
using pre_prompt_hook = std::function<void(prompt_context&)>;
using post_response_hook = std::function<void(const response_info&)>;
using session_hook = std::function<void(const session_info&)>;

} // namespace grok::sdk

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
  post_write,    ///< after a change is durably written; failure is reported
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

/// A proposed change to one workspace file.
struct edit_proposal {
  edit_action action = edit_action::invalid;
  std::filesystem::path path;          ///< resolved, inside the workspace
  std::filesystem::path new_path;      ///< rename target
  std::optional<std::string> expected_content; ///< what the proposer read
  std::string expected_sha256;         ///< or its hex hash
  std::string new_content;             ///< a pre-edit hook may replace it
  std::string origin;                  ///< "command:/edit", "plugin:<id>", "tool:<name>"
};

/// A change that has been written and synced.
struct applied_edit {
  edit_proposal proposal;
  std::string sha256_before; ///< empty for a created file
  std::string sha256_after;  ///< empty for a removed file
  std::string old_content;
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

/// What a pre-prompt hook may change: the request about to be sent. Hooks
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

using pre_edit_hook = std::function<verdict(edit_proposal&)>;
using post_write_hook = std::function<void(const applied_edit&)>;
using pre_run_hook = std::function<verdict(run_request&)>;
using post_run_hook = std::function<void(const run_request&, const run_result&)>;
using pre_prompt_hook = std::function<void(prompt_context&)>;
using post_response_hook = std::function<void(const response_info&)>;
using session_hook = std::function<void(const session_info&)>;

} // namespace grok::sdk

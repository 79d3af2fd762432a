// SPDX-License-Identifier: MIT
/// \file
/// The console service: the only way a plugin shows output or asks the user
/// anything. The host renders each event for the current mode.
#pragma once

#include <grok/sdk/export.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace grok::sdk {

/// The answer to a confirmation question.
enum class confirmation {
  invalid = 0,
  yes,  ///< apply this one
  no,   ///< skip this one
  all,  ///< apply this one and the rest without asking again
  quit, ///< stop and apply nothing further
};

/// How the host renders output.
///
/// - text on a terminal: colours, a spinner, questions asked interactively.
/// - text in a pipe: answer text on stdout, everything else on stderr, no
///   escape sequences.
/// - json: one object on stdout at the end.
/// - stream-json: one JSON object per line on stdout for each event.
enum class output_format { invalid = 0, text, json, stream_json };

/// The console. Every function is [io-thread] and never throws.
class GROK_SDK_INTERFACE console {
public:
  virtual ~console();

  /// Appends a fragment of the model's answer. Fragments are concatenated
  /// exactly as given; a fragment may end inside a UTF-8 character.
  virtual void answer_text(std::string_view fragment) noexcept = 0;

  /// Appends a fragment of the model's visible reasoning. Shown dimmed on a
  /// terminal, and only with --verbose elsewhere.
  virtual void reasoning_text(std::string_view fragment) noexcept = 0;

  /// Ends the current answer (a newline on a terminal if one is missing).
  virtual void answer_end() noexcept = 0;

  /// Prints the result of a command, such as a listing. It goes to stdout
  /// in text mode and becomes an "output" event in stream-json.
  virtual void output(std::string_view text) noexcept = 0;

  /// Shows a unified diff (on stdout in text mode). On a colour terminal
  /// the host colours it: headers bold, removed lines red, added lines
  /// green, hunk headers cyan. It becomes a "diff" event in stream-json.
  virtual void diff(std::string_view unified_diff) noexcept = 0;

  /// A short informational line for the user (stderr in pipe mode).
  virtual void notice(std::string_view message) noexcept = 0;

  /// A problem the user should know about; work continues.
  virtual void warning(std::string_view message) noexcept = 0;

  /// A failure. The message names what failed, the value, and the fix.
  virtual void error(std::string_view message) noexcept = 0;

  /// Shows or replaces a progress line (a spinner on a terminal). An empty
  /// label clears it.
  virtual void progress(std::string_view label) noexcept = 0;

  /// Returns true when questions can be asked (stdin and stderr are a
  /// terminal and the mode is text).
  virtual bool interactive() const noexcept = 0;

  /// Asks a yes/no/all/quit question. Without a terminal the host answers
  /// `all` when --yes was given and `quit` otherwise, and records that the
  /// action was refused so the run exits with code 3.
  virtual confirmation confirm(std::string_view question) noexcept = 0;

  /// Asks for a line of text. Returns nothing when no terminal is available
  /// or the user cancels (Ctrl-C or Ctrl-D).
  virtual std::optional<std::string> ask_text(std::string_view prompt) noexcept = 0;

  /// Asks for a secret without echo on a terminal. Without a terminal,
  /// reads the next line of a piped standard input instead (so
  /// `printf %s "$KEY" | grok /keys set xai` works). Returns nothing when
  /// neither is available, at end of input, or when the user cancels.
  virtual std::optional<std::string> ask_secret(std::string_view prompt) noexcept = 0;

  /// The output format of this run.
  virtual output_format format() const noexcept = 0;

  /// True when colour and other escape sequences may be written.
  virtual bool colour() const noexcept = 0;
};

} // namespace grok::sdk

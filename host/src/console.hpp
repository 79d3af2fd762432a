// SPDX-License-Identifier: MIT
/// \file
/// The host's console: renders plugin and host events for the current mode
/// and asks questions only when a terminal is there to answer them.
#pragma once

#include <grok/sdk/console.hpp>
#include <grok/sdk/utf8.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace grok::host {

/// Settings of the console for this run.
struct console_settings {
  sdk::output_format format = sdk::output_format::text;
  bool stdin_terminal = false;
  bool stdout_terminal = false;
  bool stderr_terminal = false;
  bool colour = false;      ///< escape sequences allowed
  bool questions = false;   ///< a terminal can answer questions
  bool assume_yes = false;  ///< --yes
  bool show_reasoning = false;
};

/// The console implementation.
class console_impl final : public sdk::console {
public:
  explicit console_impl(console_settings settings);

  void answer_text(std::string_view fragment) noexcept override;
  void reasoning_text(std::string_view fragment) noexcept override;
  void answer_end() noexcept override;
  void output(std::string_view text) noexcept override;
  void diff(std::string_view unified_diff) noexcept override;
  void notice(std::string_view message) noexcept override;
  void warning(std::string_view message) noexcept override;
  void error(std::string_view message) noexcept override;
  void progress(std::string_view label) noexcept override;
  bool interactive() const noexcept override { return settings_.questions; }
  sdk::confirmation confirm(std::string_view question) noexcept override;
  std::optional<std::string> ask_text(std::string_view prompt) noexcept override;
  std::optional<std::string> ask_secret(std::string_view prompt) noexcept override;
  sdk::output_format format() const noexcept override { return settings_.format; }
  bool colour() const noexcept override { return settings_.colour; }

  /// Writes a diagnostic line (already formatted and redacted) to stderr.
  void diagnostic(std::string_view line) noexcept;

  /// True once standard output was closed by its reader (EPIPE).
  bool stdout_closed() const noexcept { return stdout_closed_; }

  /// True once a question was answered with a refusal because no terminal
  /// was there and --yes was not given.
  bool refused() const noexcept { return refused_; }

  /// The answer text of the current turn, for the json result.
  const std::string& answer() const noexcept { return answer_; }

  /// Starts a new turn: clears the collected answer.
  void begin_turn() noexcept;

  /// Prints the final result object in json and stream-json modes; does
  /// nothing in text mode. `result` gets the collected fields added.
  void finish(boost::json::object result) noexcept;

private:
  void write_stdout(std::string_view bytes) noexcept;
  void write_stderr(std::string_view bytes) noexcept;
  void emit_event(boost::json::object event) noexcept;
  void clear_progress() noexcept;
  void stderr_line(std::string_view label, std::string_view colour, std::string_view message) noexcept;

  console_settings settings_;
  bool stdout_closed_ = false;
  bool refused_ = false;
  bool progress_shown_ = false;
  bool answer_open_ = false;
  char last_answer_byte_ = '\n';
  std::string answer_;
  std::string reasoning_;
  std::string outputs_;
  boost::json::array messages_;
  sdk::utf8_decoder answer_decoder_;
  sdk::utf8_decoder reasoning_decoder_;
};

} // namespace grok::host

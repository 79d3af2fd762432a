// SPDX-License-Identifier: MIT
/// \file
/// Rendering of console events for text, json and stream-json output.
#include "console.hpp"

#include <grok/sdk/log.hpp>

#include <boost/json.hpp>

#include <cerrno>
#include <cstdio>
#include <iostream>

#include <termios.h>
#include <unistd.h>

namespace grok::host {
namespace json = boost::json;

namespace {

constexpr std::string_view reset = "\x1b[0m";
constexpr std::string_view dim = "\x1b[2m";
constexpr std::string_view red = "\x1b[31m";
constexpr std::string_view yellow = "\x1b[33m";
constexpr std::string_view green = "\x1b[32m";
constexpr std::string_view cyan = "\x1b[36m";
constexpr std::string_view bold = "\x1b[1m";
constexpr std::string_view clear_line = "\r\x1b[K";

/// Replaces C0 and C1 control characters except tab, newline and carriage
/// return with a visible form, so that text from a model cannot move the
/// cursor, change colours or retitle the user's terminal. `text` holds
/// whole UTF-8 characters.
std::string neutralise_controls(std::string_view text) {
  std::string safe;
  safe.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      safe.append("\\u00");
      static constexpr char digits[] = "0123456789abcdef";
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      safe.push_back(digits[c1 >> 4]);
      safe.push_back(digits[c1 & 0xF]);
      ++i;
    } else if ((byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') || byte == 0x7F) {
      safe.push_back('^');
      safe.push_back(static_cast<char>(byte == 0x7F ? '?' : byte + 0x40));
    } else {
      safe.push_back(static_cast<char>(byte));
    }
  }
  return safe;
}

bool write_all(int fd, std::string_view bytes) noexcept {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

std::optional<std::string> read_line_from_stdin() {
  std::string line;
  if (!std::getline(std::cin, line))
    return std::nullopt;
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  return line;
}

} // namespace

console_impl::console_impl(console_settings settings) : settings_(settings) {}

void console_impl::write_stdout(std::string_view bytes) noexcept {
  if (stdout_closed_ || bytes.empty())
    return;
  if (!write_all(STDOUT_FILENO, bytes) && errno == EPIPE)
    stdout_closed_ = true;
}

void console_impl::write_stderr(std::string_view bytes) noexcept {
  write_all(STDERR_FILENO, bytes);
}

void console_impl::emit_event(json::object event) noexcept {
  try {
    std::string line = json::serialize(event);
    line.push_back('\n');
    write_stdout(line);
  } catch (...) {
    // Serialising can only fail on allocation; the event is dropped.
  }
}

void console_impl::clear_progress() noexcept {
  if (progress_shown_) {
    write_stderr(clear_line);
    progress_shown_ = false;
  }
}

void console_impl::begin_turn() noexcept {
  answer_.clear();
  reasoning_.clear();
  answer_open_ = false;
  last_answer_byte_ = '\n';
}

void console_impl::answer_text(std::string_view fragment) noexcept {
  if (fragment.empty())
    return;
  try {
    answer_open_ = true;
    last_answer_byte_ = fragment.back();
    switch (settings_.format) {
    case sdk::output_format::text:
      clear_progress();
      if (settings_.stdout_terminal) {
        std::string complete;
        answer_decoder_.decode(fragment, complete);
        write_stdout(neutralise_controls(complete));
      } else {
        // Pipes get the bytes exactly as the model sent them.
        write_stdout(fragment);
      }
      answer_.append(fragment);
      break;
    case sdk::output_format::stream_json: {
      std::string complete;
      answer_decoder_.decode(fragment, complete);
      answer_.append(fragment);
      if (!complete.empty())
        emit_event({{"type", "text"}, {"text", complete}});
      break;
    }
    case sdk::output_format::json:
    case sdk::output_format::invalid:
      answer_.append(fragment);
      break;
    }
  } catch (...) {
    // Allocation failure: the fragment is lost, the run goes on.
  }
}

void console_impl::reasoning_text(std::string_view fragment) noexcept {
  if (fragment.empty())
    return;
  try {
    reasoning_.append(fragment);
    if (settings_.format == sdk::output_format::stream_json) {
      std::string complete;
      reasoning_decoder_.decode(fragment, complete);
      if (!complete.empty())
        emit_event({{"type", "reasoning"}, {"text", complete}});
      return;
    }
    if (settings_.format != sdk::output_format::text || !settings_.show_reasoning)
      return;
    clear_progress();
    std::string complete;
    reasoning_decoder_.decode(fragment, complete);
    complete = neutralise_controls(complete);
    if (settings_.colour)
      write_stderr(std::string(dim) + complete + std::string(reset));
    else
      write_stderr(complete);
  } catch (...) {
  }
}

void console_impl::answer_end() noexcept {
  std::string rest;
  answer_decoder_.finish(rest);
  reasoning_decoder_.finish(rest);
  clear_progress();
  if (settings_.format == sdk::output_format::text && answer_open_ && settings_.stdout_terminal &&
      last_answer_byte_ != '\n')
    write_stdout("\n");
  answer_open_ = false;
}

void console_impl::output(std::string_view text) noexcept {
  try {
    switch (settings_.format) {
    case sdk::output_format::text:
      clear_progress();
      write_stdout(settings_.stdout_terminal ? neutralise_controls(text) : std::string(text));
      if (!text.empty() && text.back() != '\n')
        write_stdout("\n");
      break;
    case sdk::output_format::stream_json:
      emit_event({{"type", "output"}, {"text", text}});
      break;
    case sdk::output_format::json:
    case sdk::output_format::invalid:
      outputs_.append(text);
      if (!text.empty() && text.back() != '\n')
        outputs_.push_back('\n');
      break;
    }
  } catch (...) {
  }
}

void console_impl::diff(std::string_view unified_diff) noexcept {
  if (settings_.format != sdk::output_format::text || !settings_.colour) {
    if (settings_.format == sdk::output_format::stream_json) {
      emit_event({{"type", "diff"}, {"text", unified_diff}});
      return;
    }
    output(unified_diff);
    return;
  }
  try {
    clear_progress();
    std::string coloured;
    coloured.reserve(unified_diff.size() + unified_diff.size() / 4);
    bool in_header = true;
    std::string_view rest = unified_diff;
    while (!rest.empty()) {
      const auto newline = rest.find('\n');
      const std::string_view line = rest.substr(0, newline);
      rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
      if (line.starts_with("@@"))
        in_header = false;
      std::string_view colour;
      if (in_header)
        colour = bold;
      else if (line.starts_with("@@"))
        colour = cyan;
      else if (line.starts_with("+"))
        colour = green;
      else if (line.starts_with("-"))
        colour = red;
      else if (line.starts_with("\\") || line.starts_with("..."))
        colour = dim;
      // The content is the model's: neutralise it before adding colours.
      coloured.append(colour);
      coloured.append(neutralise_controls(line));
      if (!colour.empty())
        coloured.append(reset);
      coloured.push_back('\n');
    }
    write_stdout(coloured);
  } catch (...) {
  }
}

void console_impl::stderr_line(std::string_view label, std::string_view colour,
                               std::string_view message) noexcept {
  try {
    clear_progress();
    std::string line;
    const std::string safe = sdk::redact_secrets(neutralise_controls(message));
    if (settings_.colour && !colour.empty()) {
      line.append(colour);
      line.append(label);
      line.append(safe);
      line.append(reset);
    } else {
      if (!settings_.stderr_terminal)
        line.append("grok: ");
      line.append(label);
      line.append(safe);
    }
    line.push_back('\n');
    write_stderr(line);
  } catch (...) {
  }
}

void console_impl::notice(std::string_view message) noexcept {
  if (settings_.format == sdk::output_format::stream_json) {
    emit_event({{"type", "notice"}, {"message", sdk::redact_secrets(message)}});
    return;
  }
  stderr_line("", settings_.colour ? dim : std::string_view(), message);
}

void console_impl::warning(std::string_view message) noexcept {
  if (settings_.format == sdk::output_format::stream_json)
    emit_event({{"type", "warning"}, {"message", sdk::redact_secrets(message)}});
  else if (settings_.format == sdk::output_format::json)
    messages_.push_back(json::object{{"level", "warning"}, {"message", sdk::redact_secrets(message)}});
  stderr_line("warning: ", yellow, message);
}

void console_impl::error(std::string_view message) noexcept {
  if (settings_.format == sdk::output_format::stream_json)
    emit_event({{"type", "error"}, {"message", sdk::redact_secrets(message)}});
  else if (settings_.format == sdk::output_format::json)
    messages_.push_back(json::object{{"level", "error"}, {"message", sdk::redact_secrets(message)}});
  stderr_line("error: ", red, message);
}

void console_impl::diagnostic(std::string_view line) noexcept {
  clear_progress();
  std::string text(line);
  text.push_back('\n');
  write_stderr(text);
}

void console_impl::progress(std::string_view label) noexcept {
  // Spinners and progress lines are for people at a terminal only.
  if (settings_.format != sdk::output_format::text || !settings_.stderr_terminal ||
      !settings_.colour)
    return;
  if (label.empty()) {
    clear_progress();
    return;
  }
  std::string line(clear_line);
  line.append(dim);
  line.append("⠿ ");
  line.append(neutralise_controls(label));
  line.append(reset);
  write_stderr(line);
  progress_shown_ = true;
}

sdk::confirmation console_impl::confirm(std::string_view question) noexcept {
  if (!settings_.questions) {
    if (settings_.assume_yes)
      return sdk::confirmation::all;
    refused_ = true;
    return sdk::confirmation::quit;
  }
  for (;;) {
    clear_progress();
    write_stderr(std::string(question) + " [y]es, [n]o, [a]ll, [q]uit: ");
    auto line = read_line_from_stdin();
    if (!line)
      return sdk::confirmation::quit;
    if (*line == "y" || *line == "yes")
      return sdk::confirmation::yes;
    if (*line == "n" || *line == "no")
      return sdk::confirmation::no;
    if (*line == "a" || *line == "all")
      return sdk::confirmation::all;
    if (*line == "q" || *line == "quit")
      return sdk::confirmation::quit;
    write_stderr("Please answer y, n, a or q.\n");
  }
}

std::optional<std::string> console_impl::ask_text(std::string_view prompt) noexcept {
  if (!settings_.questions)
    return std::nullopt;
  try {
    clear_progress();
    write_stderr(prompt);
    return read_line_from_stdin();
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<std::string> console_impl::ask_secret(std::string_view prompt) noexcept {
  if (!settings_.questions) {
    // `printf %s "$KEY" | grok /keys set xai`: the secret is the first
    // line of a piped standard input.
    if (settings_.stdin_terminal)
      return std::nullopt;
    try {
      return read_line_from_stdin();
    } catch (...) {
      return std::nullopt;
    }
  }
  try {
    clear_progress();
    // Echo goes off before the prompt appears, so a reply typed as soon as
    // the prompt shows is never echoed; TCSANOW keeps what was typed ahead
    // (TCSAFLUSH would drop it).
    termios saved{};
    const bool have_terminal = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (have_terminal) {
      termios silent = saved;
      silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(STDIN_FILENO, TCSANOW, &silent);
    }
    write_stderr(prompt);
    auto line = read_line_from_stdin();
    if (have_terminal)
      ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    write_stderr("\n");
    return line;
  } catch (...) {
    return std::nullopt;
  }
}

void console_impl::finish(json::object result) noexcept {
  try {
    if (settings_.format == sdk::output_format::text || settings_.format == sdk::output_format::invalid)
      return;
    result["type"] = "result";
    if (settings_.format == sdk::output_format::json) {
      result["text"] = answer_;
      if (!reasoning_.empty())
        result["reasoning"] = reasoning_;
      if (!outputs_.empty())
        result["output"] = outputs_;
      if (!messages_.empty())
        result["messages"] = messages_;
    }
    emit_event(std::move(result));
  } catch (...) {
  }
}

} // namespace grok::host

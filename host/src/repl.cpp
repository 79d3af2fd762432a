// SPDX-License-Identifier: MIT
/// \file
/// The interactive prompt, with line editing, history and completion of
/// slash commands through libedit.
#include "application.hpp"

#include <grok/sdk/files.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <csignal>

#include <editline/readline.h>
#include <fcntl.h>
#include <sys/stat.h>

namespace grok::host {
namespace {

/// Set by SIGINT while the prompt waits for a line.
volatile std::sig_atomic_t prompt_interrupted = 0;

void on_prompt_interrupt(int) { prompt_interrupted = 1; }

/// Makes Ctrl-C at the prompt discard the line instead of ending grok.
/// Without SA_RESTART the terminal read fails with EINTR, so readline
/// returns. Installed before every prompt, because a streamed request
/// installs its own SIGINT handler and restores the default afterwards.
void catch_prompt_interrupts() {
  struct sigaction action {};
  action.sa_handler = on_prompt_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  ::sigaction(SIGINT, &action, nullptr);
}

/// The command names offered for completion; set while the REPL runs.
std::vector<std::string>* completion_names = nullptr;

char* next_completion(const char* prefix, int state) {
  static std::size_t index = 0;
  if (state == 0)
    index = 0;
  if (completion_names == nullptr)
    return nullptr;
  const std::size_t length = std::strlen(prefix);
  while (index < completion_names->size()) {
    const std::string& name = (*completion_names)[index++];
    if (name.compare(0, length, prefix) == 0)
      return ::strdup(name.c_str());
  }
  return nullptr;
}

char** complete_command(const char* text, int start, int) {
  // Only the first word is a command name.
  if (start != 0 || text[0] != '/')
    return nullptr;
  return rl_completion_matches(text, next_completion);
}

} // namespace

int application::run_repl() {
  const std::filesystem::path history_file = where_.grok_home / "history";
  if (!sdk::ensure_private_folder(where_.grok_home)) {
    ::read_history(history_file.c_str());
  }
  std::vector<std::string> names = command_names();
  completion_names = &names;
  rl_attempted_completion_function = complete_command;
  rl_readline_name = const_cast<char*>("grok");

  console_.notice("grok " GROK_SDK_VERSION_STRING " - type /help for commands, /exit or Ctrl-D to quit");
  sdk::exit_status last = sdk::exit_status::success;
  while (!exit_requested_) {
    catch_prompt_interrupts();
    prompt_interrupted = 0;
    char* raw = ::readline("grok> ");
    if (prompt_interrupted) {
      // Ctrl-C: drop what was typed and show a new prompt.
      std::free(raw);
      std::fputs("^C\n", stdout);
      std::fflush(stdout);
      continue;
    }
    if (raw == nullptr) {
      // Ctrl-D: end the line the prompt was on.
      std::fputs("\n", stdout);
      std::fflush(stdout);
      break;
    }
    std::string line(raw);
    std::free(raw);

    // A trailing backslash continues the input on the next line.
    while (!line.empty() && line.back() == '\\') {
      line.pop_back();
      line.push_back('\n');
      char* more = ::readline("  ... ");
      if (more == nullptr)
        break;
      line += more;
      std::free(more);
    }
    if (line.find_first_not_of(" \t\n") == std::string::npos)
      continue;

    ::add_history(line.c_str());
    last = execute(line);
  }
  completion_names = nullptr;

  // The history file may hold pasted code; keep it private.
  if (::write_history(history_file.c_str()) == 0)
    ::chmod(history_file.c_str(), 0600);
  return last == sdk::exit_status::interrupted ? 0 : 0;
}

} // namespace grok::host

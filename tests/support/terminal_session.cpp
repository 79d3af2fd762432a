// SPDX-License-Identifier: MIT
/// \file
/// The pseudo-terminal test session.
#include "terminal_session.hpp"

#include <cerrno>
#include <csignal>
#include <system_error>

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

namespace grok::test {

terminal_session::terminal_session(const std::filesystem::path& executable,
                                   const std::vector<std::string>& arguments,
                                   const std::map<std::string, std::string>& environment,
                                   const std::filesystem::path& folder, unsigned short columns) {
  // Everything the child needs is prepared before fork, so the child only
  // calls async-signal-safe functions.
  std::vector<std::string> environment_strings;
  for (const auto& [name, value] : environment)
    environment_strings.push_back(name + "=" + value);
  std::vector<std::string> argument_strings{executable.string()};
  argument_strings.insert(argument_strings.end(), arguments.begin(), arguments.end());
  std::vector<char*> envp;
  for (auto& entry : environment_strings)
    envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (auto& argument : argument_strings)
    argv.push_back(argument.data());
  argv.push_back(nullptr);
  const std::string where = folder.string();

  winsize size{};
  size.ws_row = 40;
  size.ws_col = columns;
  pid_ = ::forkpty(&terminal_, nullptr, nullptr, &size);
  if (pid_ < 0)
    throw std::system_error(errno, std::system_category(), "forkpty failed");
  if (pid_ == 0) {
    if (::chdir(where.c_str()) != 0)
      ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
}

terminal_session::~terminal_session() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (terminal_ >= 0)
    ::close(terminal_);
}

void terminal_session::type(std::string_view keys) {
  while (!keys.empty()) {
    const ssize_t written = ::write(terminal_, keys.data(), keys.size());
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0)
      throw std::system_error(errno, std::system_category(), "writing to the terminal failed");
    keys.remove_prefix(static_cast<std::size_t>(written));
  }
}

bool terminal_session::wait_for(std::string_view text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (const auto at = screen_.find(text, matched_); at != std::string::npos) {
      matched_ = at + text.size();
      return true;
    }
    if (!read_some(deadline))
      return false;
  }
}

int terminal_session::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (read_some(deadline)) {
  }
  if (std::chrono::steady_clock::now() >= deadline)
    ::kill(pid_, SIGKILL);
  int status = 0;
  if (::waitpid(pid_, &status, 0) != pid_)
    return -1;
  exited_ = true;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool terminal_session::read_some(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd ready{terminal_, POLLIN, 0};
    const int polled = ::poll(&ready, 1, static_cast<int>(left.count()));
    if (polled < 0 && errno == EINTR)
      continue;
    if (polled <= 0)
      return false;
    char buffer[4096];
    const ssize_t got = ::read(terminal_, buffer, sizeof buffer);
    if (got <= 0)
      return false;
    screen_.append(buffer, static_cast<std::size_t>(got));
    return true;
  }
}

} // namespace grok::test

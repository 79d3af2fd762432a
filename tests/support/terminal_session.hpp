// SPDX-License-Identifier: MIT
/// \file
/// A program run on the slave side of a pseudo-terminal, for tests of
/// interactive prompts.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace grok::test {

/// A child process whose standard input, output and error are one
/// pseudo-terminal. The destructor kills the child if it is still running.
class terminal_session {
public:
  /// Starts `executable` with `arguments` and exactly `environment`, in
  /// `folder`, on a terminal of 40 rows and `columns` columns. Throws
  /// std::system_error when the terminal or the process cannot be made.
  terminal_session(const std::filesystem::path& executable, const std::vector<std::string>& arguments,
                   const std::map<std::string, std::string>& environment, const std::filesystem::path& folder,
                   unsigned short columns = 120);
  ~terminal_session();

  terminal_session(const terminal_session&) = delete;
  terminal_session& operator=(const terminal_session&) = delete;

  /// Writes `keys` as if typed. Throws std::system_error when the write
  /// fails.
  void type(std::string_view keys);

  /// Reads until `text` appears after what earlier calls matched, or
  /// `timeout` passes. Returns whether it appeared.
  bool wait_for(std::string_view text, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// Reads until the child closes the terminal or `timeout` passes (then
  /// kills it), and returns its exit code: -1 when a signal ended it.
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(20));

  /// Everything the child wrote so far.
  const std::string& screen() const noexcept { return screen_; }

private:
  /// Appends what the terminal has. Returns false at the deadline or when
  /// the child closed the terminal (the read fails with EIO).
  bool read_some(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  int terminal_ = -1;
  bool exited_ = false;
  std::string screen_;
  std::size_t matched_ = 0;
};

} // namespace grok::test

// SPDX-License-Identifier: MIT
/// \file
/// Runs an executable for a test with fork and execve and captures its
/// output.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grok::test {

/// What to run and how.
struct child_options {
  std::filesystem::path executable;               ///< run as given, without a PATH search
  std::vector<std::string> arguments;             ///< argv[1] onwards; argv[0] is `executable`
  std::map<std::string, std::string> environment; ///< the child's whole environment
  std::optional<std::string> stdin_data;          ///< written to a pipe, then closed; /dev/null when empty
  std::optional<std::filesystem::path> working_directory;
  std::chrono::milliseconds timeout{20'000};      ///< then the child gets SIGKILL
  /// Send SIGINT once this many stdout bytes have arrived.
  std::optional<std::size_t> interrupt_after_stdout_bytes;
  /// Called on the thread of run_child with the bytes of each stdout read,
  /// for example to learn a server's port while it runs.
  std::function<void(std::string_view)> on_stdout;
};

/// One read of the child's stdout.
struct output_read {
  std::chrono::steady_clock::time_point time;
  std::size_t bytes = 0;
};

/// How the child ended and what it wrote.
struct child_result {
  std::optional<int> exit_code;   ///< set when the child exited
  std::optional<int> term_signal; ///< set when a signal ended the child
  bool timed_out = false;         ///< the timeout expired and the child got SIGKILL
  bool interrupted = false;       ///< SIGINT was sent after `interrupt_after_stdout_bytes`
  std::string stdout_text;
  std::string stderr_text;
  std::vector<output_read> stdout_reads; ///< each read of stdout, so tests can check output is incremental
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point finished;

  /// "exit code N", "signal N" or "timed out after SIGKILL", for messages.
  std::string describe() const;
};

/// Runs the child to its end and returns its result. Stdin, stdout and
/// stderr are served with poll, so large output in either stream cannot
/// deadlock. Throws std::system_error when the executable cannot be
/// started. The child starts with SIGPIPE and SIGINT at their defaults and
/// no blocked signals.
child_result run_child(const child_options& options);

/// Returns the environment of this process as a map, a base for
/// `child_options::environment`.
std::map<std::string, std::string> current_environment();

} // namespace grok::test

// SPDX-License-Identifier: MIT
/// \file
/// Child processes for tests: fork, execve and a poll loop over the pipes.
#include "child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace grok::test {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), "run_child: " + what);
}

/// Owns a file descriptor.
class file_descriptor {
public:
  file_descriptor() = default;
  explicit file_descriptor(int fd) : fd_(fd) {}
  file_descriptor(file_descriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  file_descriptor& operator=(file_descriptor&& other) noexcept {
    reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~file_descriptor() { reset(); }

  int get() const noexcept { return fd_; }
  bool is_open() const noexcept { return fd_ >= 0; }

  void reset(int fd = -1) noexcept {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = fd;
  }

private:
  int fd_ = -1;
};

struct pipe_pair {
  file_descriptor read_end;
  file_descriptor write_end;
};

pipe_pair make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw_errno("pipe2 failed");
  return {file_descriptor(fds[0]), file_descriptor(fds[1])};
}

void set_non_blocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
    throw_errno("fcntl(O_NONBLOCK) failed");
}

/// Blocks SIGPIPE in the calling thread while it lives, so that writing to
/// the stdin of a child that exited returns EPIPE instead of ending the
/// test process, and discards a SIGPIPE left pending on destruction.
class sigpipe_block {
public:
  sigpipe_block() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &previous_);
  }
  ~sigpipe_block() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    const timespec no_wait{0, 0};
    while (sigtimedwait(&set, nullptr, &no_wait) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }

private:
  sigset_t previous_;
};

/// Runs in the forked child: only async-signal-safe calls until execve.
[[noreturn]] void exec_child(const child_options& options, char* const* argv, char* const* envp, int stdin_fd,
                             int stdout_fd, int stderr_fd, int status_fd) {
  int in = stdin_fd;
  if (in < 0)
    in = ::open("/dev/null", O_RDONLY);
  if (in < 0 || ::dup2(in, STDIN_FILENO) < 0 || ::dup2(stdout_fd, STDOUT_FILENO) < 0 ||
      ::dup2(stderr_fd, STDERR_FILENO) < 0)
    goto failed;
  if (options.working_directory && ::chdir(options.working_directory->c_str()) != 0)
    goto failed;
  // Descriptors such as test servers' sockets must not leak into the child.
  // Kernels before 5.11 lack the flag; the child then inherits them.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
  }
  ::execve(options.executable.c_str(), argv, envp);
failed:
  const int error = errno;
  [[maybe_unused]] const auto written = ::write(status_fd, &error, sizeof error);
  ::_exit(127);
}

/// Reads what is available from `fd` into `text`; closes `fd` at EOF or on
/// an error. Returns the number of bytes read.
std::size_t drain(file_descriptor& fd, std::string& text) {
  std::size_t total = 0;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t read = ::read(fd.get(), buffer, sizeof buffer);
    if (read > 0) {
      text.append(buffer, static_cast<std::size_t>(read));
      total += static_cast<std::size_t>(read);
      continue;
    }
    if (read < 0 && errno == EINTR)
      continue;
    if (read < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return total;
    fd.reset();
    return total;
  }
}

} // namespace

std::string child_result::describe() const {
  if (timed_out)
    return "timed out after SIGKILL";
  if (exit_code)
    return "exit code " + std::to_string(*exit_code);
  if (term_signal)
    return "signal " + std::to_string(*term_signal) + " (" + ::strsignal(*term_signal) + ")";
  return "still running";
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> environment;
  for (char** entry = environ; *entry; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals != std::string_view::npos)
      environment.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return environment;
}

child_result run_child(const child_options& options) {
  std::vector<std::string> argument_strings{options.executable.string()};
  argument_strings.insert(argument_strings.end(), options.arguments.begin(), options.arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : argument_strings)
    argv.push_back(argument.data());
  argv.push_back(nullptr);

  std::vector<std::string> environment_strings;
  for (const auto& [name, value] : options.environment)
    environment_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& entry : environment_strings)
    envp.push_back(entry.data());
  envp.push_back(nullptr);

  pipe_pair out = make_pipe();
  pipe_pair err = make_pipe();
  pipe_pair exec_status = make_pipe();
  std::optional<pipe_pair> in;
  if (options.stdin_data)
    in = make_pipe();

  sigpipe_block block_sigpipe;
  child_result result;
  result.started = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0)
    throw_errno("fork failed");
  if (pid == 0)
    exec_child(options, argv.data(), envp.data(), in ? in->read_end.get() : -1, out.write_end.get(),
               err.write_end.get(), exec_status.write_end.get());

  out.write_end.reset();
  err.write_end.reset();
  exec_status.write_end.reset();
  if (in)
    in->read_end.reset();

  // execve closes the close-on-exec status pipe; a failure writes errno.
  int exec_error = 0;
  ssize_t status_read;
  do {
    status_read = ::read(exec_status.read_end.get(), &exec_error, sizeof exec_error);
  } while (status_read < 0 && errno == EINTR);
  if (status_read == sizeof exec_error) {
    ::waitpid(pid, nullptr, 0);
    errno = exec_error;
    throw_errno("could not execute " + options.executable.string());
  }

  file_descriptor stdin_fd;
  std::string_view pending_stdin;
  if (in) {
    stdin_fd = std::move(in->write_end);
    pending_stdin = *options.stdin_data;
    if (pending_stdin.empty())
      stdin_fd.reset();
    else
      set_non_blocking(stdin_fd.get());
  }
  set_non_blocking(out.read_end.get());
  set_non_blocking(err.read_end.get());

  const auto deadline = result.started + options.timeout;
  std::size_t stdout_bytes = 0;
  while (out.read_end.is_open() || err.read_end.is_open()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      ::kill(pid, SIGKILL);
      result.timed_out = true;
      break;
    }

    std::vector<pollfd> fds;
    if (out.read_end.is_open())
      fds.push_back({out.read_end.get(), POLLIN, 0});
    if (err.read_end.is_open())
      fds.push_back({err.read_end.get(), POLLIN, 0});
    if (stdin_fd.is_open())
      fds.push_back({stdin_fd.get(), POLLOUT, 0});
    const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(remaining.count()));
    if (ready < 0 && errno != EINTR)
      throw_errno("poll failed");
    if (ready <= 0)
      continue;

    for (const pollfd& entry : fds) {
      if (entry.revents == 0)
        continue;
      if (entry.fd == out.read_end.get()) {
        const std::size_t read = drain(out.read_end, result.stdout_text);
        if (read > 0) {
          result.stdout_reads.push_back({std::chrono::steady_clock::now(), read});
          stdout_bytes += read;
          if (options.on_stdout)
            options.on_stdout(std::string_view(result.stdout_text).substr(result.stdout_text.size() - read));
        }
      } else if (entry.fd == err.read_end.get()) {
        drain(err.read_end, result.stderr_text);
      } else if (entry.fd == stdin_fd.get()) {
        const ssize_t written = ::write(stdin_fd.get(), pending_stdin.data(), pending_stdin.size());
        if (written > 0)
          pending_stdin.remove_prefix(static_cast<std::size_t>(written));
        // EPIPE means the child closed its stdin; the rest is dropped.
        if (pending_stdin.empty() || (written < 0 && errno != EAGAIN && errno != EINTR))
          stdin_fd.reset();
      }
    }

    if (options.interrupt_after_stdout_bytes && !result.interrupted &&
        stdout_bytes >= *options.interrupt_after_stdout_bytes) {
      ::kill(pid, SIGINT);
      result.interrupted = true;
    }
  }
  stdin_fd.reset();

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // After a SIGKILL, take what the child wrote before it died.
  if (out.read_end.is_open())
    drain(out.read_end, result.stdout_text);
  if (err.read_end.is_open())
    drain(err.read_end, result.stderr_text);
  result.finished = std::chrono::steady_clock::now();
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.term_signal = WTERMSIG(status);
  return result;
}

} // namespace grok::test

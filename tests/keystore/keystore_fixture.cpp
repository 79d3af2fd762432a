// SPDX-License-Identifier: MIT
/// \file
/// The keystore tests' home folder, background runs and file helpers.
#include "keystore_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <openssl/rand.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace grok::test {

std::filesystem::path grok_executable() { return GROK_TEST_EXECUTABLE; }

keystore_home::keystore_home() {
  environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  environment["HOME"] = home().string();
  environment["GROK_HOME"] = grok_home().string();
  environment["LANG"] = "C.UTF-8";
  environment["TERM"] = "dumb";
  std::filesystem::create_directories(grok_home());
  // The disclaimer plugin prints its notice once per GROK_HOME.
  write_text(grok_home() / "first-run-notice-shown", "test\n");
}

child_result keystore_home::run(const std::vector<std::string>& arguments,
                                std::optional<std::string> stdin_data) const {
  child_options options;
  options.executable = grok_executable();
  options.arguments = arguments;
  options.environment = environment;
  options.stdin_data = std::move(stdin_data);
  options.working_directory = workspace();
  return run_child(options);
}

child_result keystore_home::shell(const std::string& script, std::optional<std::string> stdin_data) const {
  child_options options;
  options.executable = "/bin/sh";
  options.arguments = {"-c", script};
  options.environment = environment;
  options.environment["GROK"] = grok_executable().string();
  options.stdin_data = std::move(stdin_data);
  options.working_directory = workspace();
  return run_child(options);
}

void keystore_home::use_passphrase(const std::string& passphrase) {
  const auto file = home() / "passphrase.txt";
  write_text(file, passphrase + "\n");
  environment["GROK_PASSPHRASE_FILE"] = file.string();
}

void keystore_home::write_config(const std::string& json_text) const {
  write_text(grok_home() / "config.json", json_text);
}

void keystore_home::store_key(const std::string& provider, const std::string& key) const {
  const auto result = run({"/keys", "set", provider}, key);
  BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0,
                     "/keys set " << provider << ": " << result.describe() << "\n" << result.stderr_text);
}

background_grok::background_grok(const keystore_home& home, const std::vector<std::string>& arguments,
                                 const std::string& stdin_data) {
  write_text(output_.path() / "stdin", stdin_data);
  std::vector<std::string> argument_strings{grok_executable().string()};
  argument_strings.insert(argument_strings.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& argument : argument_strings)
    argv.push_back(argument.data());
  argv.push_back(nullptr);
  std::vector<std::string> environment_strings;
  for (const auto& [name, value] : home.environment)
    environment_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : environment_strings)
    envp.push_back(entry.data());
  envp.push_back(nullptr);

  const std::string in = (output_.path() / "stdin").string();
  const std::string out = (output_.path() / "stdout").string();
  const std::string err = (output_.path() / "stderr").string();
  const std::string folder = home.workspace().string();
  pid_ = ::fork();
  if (pid_ < 0)
    throw std::system_error(errno, std::generic_category(), "fork failed");
  if (pid_ == 0) {
    const int in_fd = ::open(in.c_str(), O_RDONLY);
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in_fd < 0 || out_fd < 0 || err_fd < 0 || ::dup2(in_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 ||
        ::dup2(err_fd, 2) < 0 || ::chdir(folder.c_str()) != 0)
      ::_exit(126);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
}

background_grok::~background_grok() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

int background_grok::wait() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  return status;
}

std::string background_grok::stdout_text() const { return read_text(output_.path() / "stdout"); }

std::string background_grok::stderr_text() const { return read_text(output_.path() / "stderr"); }

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "cannot create " + path.string());
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok)
    throw std::runtime_error("cannot write " + path.string());
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot stat " + path.string());
  return info.st_mode & 07777;
}

std::vector<std::filesystem::path> files_under(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder))
    if (entry.is_regular_file())
      files.push_back(entry.path());
  return files;
}

std::string hex_of(const std::string& text) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (char c : text) {
    hex.push_back(digits[static_cast<unsigned char>(c) >> 4]);
    hex.push_back(digits[static_cast<unsigned char>(c) & 0x0F]);
  }
  return hex;
}

std::string dummy_key(const std::string& prefix) {
  unsigned char bytes[12];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return prefix + hex_of(std::string(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string status_row(const std::string& status_output, const std::string& provider) {
  std::istringstream lines(status_output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(provider + " ", 0) != 0)
      continue;
    std::string row;
    for (char c : line)
      if (c != ' ' || row.empty() || row.back() != ' ')
        row.push_back(c);
    return row;
  }
  return {};
}

double seconds_taken(const child_result& result) {
  return std::chrono::duration<double>(result.finished - result.started).count();
}

} // namespace grok::test

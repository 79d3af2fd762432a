// SPDX-License-Identifier: MIT
/// \file
/// Many processes appending to one audit log at once must leave one valid
/// chain with every record whole.
#include "audit_key.hpp"
#include "audit_log.hpp"
#include "audit_record.hpp"
#include "audit_test_helpers.hpp"
#include "audit_verify.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>

#include <sys/wait.h>
#include <unistd.h>

using namespace grok::audit;
using namespace grok::audit::test;
namespace fs = std::filesystem;

namespace {

constexpr int child_count = 20;
constexpr int appends_per_child = 500;

/// A folder on /dev/shm, removed on destruction. Every append calls
/// fdatasync and writes the anchor with fsync. At a few milliseconds per
/// sync on a disk, 10,000 appends in a row would take minutes (an
/// estimate), while tmpfs returns at once. The locking under test is the
/// same on both.
class shm_folder {
public:
  shm_folder() {
    std::string pattern = fs::exists("/dev/shm") ? "/dev/shm/grok-audit-XXXXXX"
                                                 : (fs::temp_directory_path() / "grok-audit-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::system_error(errno, std::generic_category(), "mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~shm_folder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  shm_folder(const shm_folder&) = delete;
  shm_folder& operator=(const shm_folder&) = delete;
  const fs::path& path() const { return path_; }

private:
  fs::path path_;
};

void write_text(int fd, const std::string& text) {
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n <= 0)
      return;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

/// The body of one child: waits until the gate closes, appends `appends`
/// records, reports on `report_fd` ("seed HEX" when it created the log,
/// "error ..." on a failure) and exits without returning into the test
/// framework.
[[noreturn]] void run_child(const fs::path& folder, int child, int appends, int gate_fd, int report_fd) {
  char byte = 0;
  while (::read(gate_fd, &byte, 1) < 0 && errno == EINTR) {
  }
  ::close(gate_fd);
  int status = 0;
  try {
    log_writer writer(folder, default_checkpoint_every);
    for (int i = 0; i < appends; ++i) {
      auto outcome = writer.append(one_change("/w/child" + std::to_string(child) + "/" + std::to_string(i),
                                              "child:" + std::to_string(child)));
      if (!outcome.ok()) {
        write_text(report_fd, "error " + outcome.error + "\n");
        status = 1;
        break;
      }
      if (outcome.new_seed_hex)
        write_text(report_fd, "seed " + *outcome.new_seed_hex + "\n");
    }
  } catch (const std::exception& e) {
    write_text(report_fd, std::string("error ") + e.what() + "\n");
    status = 1;
  }
  ::close(report_fd);
  ::_exit(status);
}

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

/// Forked appenders that wait at a gate until `open_gate` is called.
class appenders {
public:
  appenders(const fs::path& folder, int count, int appends) {
    if (::pipe(gate_) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe failed");
    for (int child = 0; child < count; ++child) {
      int report[2];
      if (::pipe(report) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe failed");
      const pid_t pid = ::fork();
      if (pid < 0)
        throw std::system_error(errno, std::generic_category(), "fork failed");
      if (pid == 0) {
        ::close(gate_[1]);
        ::close(report[0]);
        for (int fd : reports_)
          ::close(fd);
        run_child(folder, child, appends, gate_[0], report[1]);
      }
      ::close(report[1]);
      pids_.push_back(pid);
      reports_.push_back(report[0]);
    }
    ::close(gate_[0]);
  }

  appenders(const appenders&) = delete;
  appenders& operator=(const appenders&) = delete;

  /// Lets the children run to their end if a check stopped the test early.
  ~appenders() {
    open_gate();
    (void)finish();
  }

  /// Lets every child start appending.
  void open_gate() {
    if (gate_[1] >= 0)
      ::close(gate_[1]);
    gate_[1] = -1;
  }

  /// Returns true once every child has exited, without blocking.
  bool all_exited() {
    for (auto& pid : pids_) {
      if (pid == 0)
        continue;
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
          ++failed_;
        pid = 0;
      }
    }
    return std::all_of(pids_.begin(), pids_.end(), [](pid_t pid) { return pid == 0; });
  }

  /// Waits for every child and returns what they reported.
  std::string finish() {
    std::string messages;
    for (int fd : reports_) {
      messages += read_all(fd);
      ::close(fd);
    }
    reports_.clear();
    for (auto& pid : pids_) {
      if (pid == 0)
        continue;
      int status = 0;
      if (::waitpid(pid, &status, 0) == pid && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
        ++failed_;
      pid = 0;
    }
    return messages;
  }

  int failed() const noexcept { return failed_; }

private:
  int gate_[2] = {-1, -1};
  std::vector<pid_t> pids_;
  std::vector<int> reports_;
  int failed_ = 0;
};

} // namespace

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_AUTO_TEST_CASE(twenty_processes_one_chain) {
  shm_folder home;
  const fs::path folder = home.path() / "audit";
  appenders children(folder, child_count, appends_per_child);
  const auto started = std::chrono::steady_clock::now();
  children.open_gate();
  const std::string messages = children.finish();
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST_MESSAGE("20 processes x 500 appends took " << elapsed << " s on " << home.path());
  BOOST_TEST(children.failed() == 0, messages);
  BOOST_TEST(messages.find("error ") == std::string::npos, messages);

  // Exactly one child created the log and got the seed.
  std::optional<secret_key> seed;
  std::size_t seeds = 0;
  for (std::size_t at = messages.find("seed "); at != std::string::npos; at = messages.find("seed ", at + 1)) {
    ++seeds;
    seed = secret_key::from_hex(messages.substr(at + 5, 64));
  }
  BOOST_TEST_REQUIRE(seeds == 1u, messages);
  BOOST_TEST_REQUIRE(seed.has_value());

  const auto report = verify_log(log_paths::in(folder), &*seed);
  BOOST_TEST(report.verified(), report_text(report));

  // Every line is a whole record, and each child's records appear in the
  // order it appended them.
  const auto lines = read_lines(log_paths::in(folder).log);
  std::map<std::string, int> next_index;
  std::uint64_t changes = 0;
  std::uint64_t checkpoints = 0;
  for (const auto& line : lines) {
    const auto parsed = parse_record(line);
    BOOST_TEST_REQUIRE(parsed.value.has_value(), parsed.error << ": " << line.substr(0, 200));
    const record& r = *parsed.value;
    if (r.type == record_type::checkpoint) {
      ++checkpoints;
      continue;
    }
    ++changes;
    const auto slash = r.path.rfind('/');
    const int index = std::stoi(r.path.substr(slash + 1));
    int& expected = next_index[r.origin];
    BOOST_TEST(index == expected, r.origin << " record " << index << " after " << expected - 1);
    expected = index + 1;
  }
  BOOST_TEST(changes == static_cast<std::uint64_t>(child_count * appends_per_child));
  BOOST_TEST(checkpoints == changes / default_checkpoint_every);
  BOOST_TEST(next_index.size() == static_cast<std::size_t>(child_count));
  BOOST_TEST(report.verified_through == changes + checkpoints);
}

BOOST_AUTO_TEST_CASE(verify_during_appends_is_consistent) {
  // verify reads the log and the anchor under a shared lock; without it,
  // an append between the two reads looks like a truncated log.
  shm_folder home;
  const fs::path folder = home.path() / "audit";
  appenders children(folder, 4, 300);
  children.open_gate();
  int verifications = 0;
  std::string unexpected;
  while (!children.all_exited()) {
    const auto report = verify_log(log_paths::in(folder), nullptr);
    ++verifications;
    if (!report.verified() && report.result != finding::no_log)
      unexpected += report_text(report);
  }
  const std::string messages = children.finish();
  BOOST_TEST(children.failed() == 0, messages);
  BOOST_TEST(unexpected.empty(), unexpected);
  BOOST_TEST_MESSAGE(verifications << " verifications ran during the appends");
  const auto report = verify_log(log_paths::in(folder), nullptr);
  BOOST_TEST(report.verified(), report_text(report));
  BOOST_TEST(report.verified_through == 1200u + 1200u / default_checkpoint_every);
}

BOOST_AUTO_TEST_SUITE_END()

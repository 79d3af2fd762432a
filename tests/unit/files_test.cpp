// SPDX-License-Identifier: MIT
/// \file
/// Tests of the file helpers: atomic writes, private folders, UUIDs and
/// timestamps.
#include <grok/sdk/files.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <sys/stat.h>

namespace sdk = grok::sdk;
namespace fs = std::filesystem;

namespace {

/// Sets the process umask for one scope and restores the previous one.
class umask_guard {
public:
  explicit umask_guard(mode_t mask) : previous_(::umask(mask)) {}
  ~umask_guard() { ::umask(previous_); }
  umask_guard(const umask_guard&) = delete;
  umask_guard& operator=(const umask_guard&) = delete;

private:
  mode_t previous_;
};

/// A fresh folder under the system temporary folder, removed afterwards.
struct temporary_folder {
  fs::path path = fs::temp_directory_path() / ("grok-unit-" + sdk::new_uuid());

  temporary_folder() { fs::create_directory(path); }
  ~temporary_folder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

/// Reads the permission bits of `path` without following a symbolic link.
unsigned permission_bits(const fs::path& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0)
    return 0xFFFFFFFFu;
  return info.st_mode & 07777u;
}

std::string read_text(const fs::path& path) {
  std::error_code error;
  const auto content = sdk::read_file(path, error);
  BOOST_TEST_REQUIRE(content.has_value(), "cannot read " << path << ": " << error.message());
  return *content;
}

std::set<std::string> folder_entries(const fs::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder))
    names.insert(entry.path().filename().string());
  return names;
}

std::string octal(unsigned bits) {
  std::ostringstream text;
  text << std::oct << std::setw(4) << std::setfill('0') << bits;
  return text.str();
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(files, temporary_folder)

BOOST_AUTO_TEST_CASE(atomic_write_creates_file) {
  const fs::path file = path / "settings.json";
  const std::error_code error = sdk::write_file_atomically(file, "{\"a\":1}");
  BOOST_TEST(!error, error.message());
  BOOST_TEST(read_text(file) == "{\"a\":1}");
}

BOOST_AUTO_TEST_CASE(atomic_write_mode_0600_under_umask_0) {
  const fs::path file = path / "history";
  {
    const umask_guard mask(0);
    const std::error_code error = sdk::write_file_atomically(file, "x");
    BOOST_TEST_REQUIRE(!error, error.message());
  }
  BOOST_TEST(permission_bits(file) == 0600u, "mode is " << octal(permission_bits(file)));
}

BOOST_AUTO_TEST_CASE(atomic_write_exact_mode) {
  // A umask of 077 must not remove the group and other read bits requested.
  const fs::path file = path / "shared.txt";
  {
    const umask_guard mask(077);
    const auto mode = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                      fs::perms::others_read;
    const std::error_code error = sdk::write_file_atomically(file, "x", mode);
    BOOST_TEST_REQUIRE(!error, error.message());
  }
  BOOST_TEST(permission_bits(file) == 0644u, "mode is " << octal(permission_bits(file)));
}

BOOST_AUTO_TEST_CASE(atomic_write_replaces_content) {
  const fs::path file = path / "session.json";
  BOOST_TEST_REQUIRE(!sdk::write_file_atomically(file, "old content that is longer"));
  fs::permissions(file, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);

  const std::error_code error = sdk::write_file_atomically(file, "new");
  BOOST_TEST(!error, error.message());
  BOOST_TEST(read_text(file) == "new");
  BOOST_TEST(permission_bits(file) == 0600u, "mode is " << octal(permission_bits(file)));
}

BOOST_AUTO_TEST_CASE(atomic_write_empty_data) {
  const fs::path file = path / "empty";
  BOOST_TEST_REQUIRE(!sdk::write_file_atomically(file, "something"));
  BOOST_TEST(!sdk::write_file_atomically(file, ""));
  BOOST_TEST(read_text(file).empty());
}

BOOST_AUTO_TEST_CASE(atomic_write_rejects_symlink) {
  const fs::path target = path / "target.txt";
  const fs::path link = path / "link.txt";
  BOOST_TEST_REQUIRE(!sdk::write_file_atomically(target, "original"));
  fs::create_symlink(target, link);

  const std::error_code error = sdk::write_file_atomically(link, "replaced");
  BOOST_TEST(static_cast<bool>(error), "writing through a symbolic link succeeded");
  BOOST_TEST(fs::is_symlink(fs::symlink_status(link)), "the link was replaced");
  BOOST_TEST(read_text(target) == "original");
}

BOOST_AUTO_TEST_CASE(atomic_write_leaves_no_temporaries) {
  const fs::path file = path / "data.json";
  for (int i = 0; i < 5; ++i)
    BOOST_TEST_REQUIRE(!sdk::write_file_atomically(file, std::to_string(i)));

  const fs::path link = path / "link";
  fs::create_symlink(file, link);
  BOOST_TEST_REQUIRE(static_cast<bool>(sdk::write_file_atomically(link, "x")));

  const std::set<std::string> expected = {"data.json", "link"};
  BOOST_TEST(folder_entries(path) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(atomic_write_missing_folder_fails) {
  const fs::path file = path / "missing" / "file";
  const std::error_code error = sdk::write_file_atomically(file, "x");
  BOOST_TEST(static_cast<bool>(error));
  BOOST_TEST(!fs::exists(file));
}

BOOST_AUTO_TEST_CASE(private_folder_created_0700) {
  const fs::path folder = path / "state" / "grok";
  {
    const umask_guard mask(0);
    const std::error_code error = sdk::ensure_private_folder(folder);
    BOOST_TEST_REQUIRE(!error, error.message());
  }
  BOOST_TEST(fs::is_directory(folder));
  BOOST_TEST(permission_bits(folder) == 0700u, "mode is " << octal(permission_bits(folder)));
}

BOOST_AUTO_TEST_CASE(private_folder_existing_tightened) {
  const fs::path folder = path / "open";
  fs::create_directory(folder);
  fs::permissions(folder, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);

  const std::error_code error = sdk::ensure_private_folder(folder);
  BOOST_TEST(!error, error.message());
  BOOST_TEST(permission_bits(folder) == 0700u, "mode is " << octal(permission_bits(folder)));
}

BOOST_AUTO_TEST_CASE(private_folder_rejects_symlink) {
  const fs::path real = path / "real";
  const fs::path link = path / "link";
  fs::create_directory(real);
  fs::permissions(real, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  fs::create_symlink(real, link);

  const std::error_code error = sdk::ensure_private_folder(link);
  BOOST_TEST(static_cast<bool>(error), "a symbolic link was accepted as a private folder");
  BOOST_TEST(permission_bits(real) == 0750u, "the link's target was changed");
}

BOOST_AUTO_TEST_CASE(private_folder_rejects_file) {
  const fs::path file = path / "plain";
  BOOST_TEST_REQUIRE(!sdk::write_file_atomically(file, "x"));
  BOOST_TEST(static_cast<bool>(sdk::ensure_private_folder(file)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(identifiers)

BOOST_AUTO_TEST_CASE(uuid_is_version_4) {
  // Version nibble 4 and RFC 4122 variant bits 10 (hex digit 8, 9, a or b).
  const std::regex uuid_form("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 100; ++i) {
    const std::string uuid = sdk::new_uuid();
    BOOST_TEST(std::regex_match(uuid, uuid_form), uuid);
  }
}

BOOST_AUTO_TEST_CASE(uuids_are_unique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string uuid = sdk::new_uuid();
    BOOST_TEST(seen.insert(uuid).second, "repeated UUID " << uuid << " after " << i << " calls");
  }
}

BOOST_AUTO_TEST_CASE(timestamp_is_rfc3339_utc) {
  const std::regex timestamp_form(
      R"([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z)");
  const std::string timestamp = sdk::utc_now_rfc3339();
  BOOST_TEST(std::regex_match(timestamp, timestamp_form), timestamp);
}

BOOST_AUTO_TEST_CASE(timestamp_is_current_time) {
  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  const auto before = std::chrono::floor<milliseconds>(system_clock::now());
  const std::string timestamp = sdk::utc_now_rfc3339();
  const auto after = std::chrono::floor<milliseconds>(system_clock::now());

  std::tm fields{};
  int millisecond = -1;
  std::istringstream input(timestamp);
  char dot = 0;
  input >> std::get_time(&fields, "%Y-%m-%dT%H:%M:%S") >> dot >> millisecond;
  BOOST_TEST_REQUIRE(!input.fail(), "cannot parse " << timestamp);
  BOOST_TEST_REQUIRE(dot == '.');

  const auto parsed = system_clock::from_time_t(::timegm(&fields)) + milliseconds(millisecond);
  BOOST_TEST((before <= parsed), timestamp << " is earlier than the call");
  BOOST_TEST((parsed <= after), timestamp << " is later than the call");
}

BOOST_AUTO_TEST_SUITE_END()

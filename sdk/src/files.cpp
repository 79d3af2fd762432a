// SPDX-License-Identifier: MIT
/// \file
/// Atomic writes, private folders, UUIDs and timestamps.
#include <grok/sdk/files.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace grok::sdk {
namespace {

std::error_code last_error() { return {errno, std::system_category()}; }

/// Writes all of `data` to `fd`, retrying short writes and EINTR.
std::error_code write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return last_error();
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return {};
}

std::error_code sync_folder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return last_error();
  std::error_code error;
  if (::fsync(fd) != 0)
    error = last_error();
  ::close(fd);
  return error;
}

} // namespace

std::error_code write_file_atomically(const std::filesystem::path& path, std::string_view data,
                                      std::filesystem::perms mode) {
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0 && S_ISLNK(existing.st_mode))
    return std::make_error_code(std::errc::too_many_symbolic_link_levels);

  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";
  std::string name = ".";
  name += path.filename().string();
  name += ".tmp-XXXXXX";
  std::string temporary = (folder / name).string();
  const int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0)
    return last_error();

  std::error_code error;
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0)
    error = last_error();
  if (!error)
    error = write_all(fd, data);
  if (!error && ::fsync(fd) != 0)
    error = last_error();
  if (::close(fd) != 0 && !error)
    error = last_error();
  if (!error && ::rename(temporary.c_str(), path.c_str()) != 0)
    error = last_error();
  if (error) {
    ::unlink(temporary.c_str());
    return error;
  }
  return sync_folder(folder);
}

std::error_code ensure_private_folder(const std::filesystem::path& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error)
    return error;

  struct stat info {};
  if (::lstat(folder.c_str(), &info) != 0)
    return last_error();
  if (S_ISLNK(info.st_mode))
    return std::make_error_code(std::errc::too_many_symbolic_link_levels);
  if (!S_ISDIR(info.st_mode))
    return std::make_error_code(std::errc::not_a_directory);
  if (info.st_uid != ::geteuid())
    return std::make_error_code(std::errc::permission_denied);
  if ((info.st_mode & 0777) != 0700 && ::chmod(folder.c_str(), 0700) != 0)
    return last_error();
  return {};
}

std::optional<std::string> read_file(const std::filesystem::path& path, std::error_code& error) {
  error.clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = last_error();
    return std::nullopt;
  }
  std::string content;
  std::array<char, 65536> buffer;
  for (;;) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR)
        continue;
      error = last_error();
      ::close(fd);
      return std::nullopt;
    }
    if (got == 0)
      break;
    content.append(buffer.data(), static_cast<std::size_t>(got));
  }
  ::close(fd);
  return content;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL SHA-256 failed");
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  text.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    text.push_back(digits[digest[i] >> 4]);
    text.push_back(digits[digest[i] & 0x0F]);
  }
  return text;
}

std::string new_uuid() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("the OpenSSL random generator failed");
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40); // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant

  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      text.push_back('-');
    text.push_back(digits[bytes[i] >> 4]);
    text.push_back(digits[bytes[i] & 0x0F]);
  }
  return text;
}

std::string utc_now_rfc3339() {
  const auto now = std::chrono::system_clock::now();
  const auto milliseconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(milliseconds));
  return buffer;
}

} // namespace grok::sdk

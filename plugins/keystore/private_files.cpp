// SPDX-License-Identifier: MIT
/// \file
/// Link-refusing reads, the credentials lock and temporary-file clean-up.
#include "private_files.hpp"

#include "keystore_common.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace grok::keystore {
namespace {

std::string errno_text(int error) { return std::generic_category().message(error); }

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

/// Throws unless `info` describes a regular file of the effective user
/// that only the user can access.
void check_private(const std::filesystem::path& path, const struct stat& info) {
  const std::string shown = display_path(path);
  if (!S_ISREG(info.st_mode))
    throw keystore_error(shown + " is not a regular file; move it aside and store the keys again");
  if (info.st_uid != ::geteuid())
    throw keystore_error(shown + " is owned by user id " + std::to_string(info.st_uid) +
                         ", not by the user running grok (id " + std::to_string(::geteuid()) +
                         "); grok does not trust it. Remove it or give it to your user (chown)");
  if ((info.st_mode & 077) != 0)
    throw keystore_error(shown + " has mode " + octal_mode(info.st_mode) +
                         ", so other users may read it; run chmod 600 " + path.string());
}

} // namespace

private_file read_private_file(const std::filesystem::path& path, std::size_t max_bytes) {
  private_file file;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT)
      return file;
    if (error == ELOOP)
      throw keystore_error(display_path(path) +
                           " is a symbolic link; grok does not follow links for key files. Replace the link "
                           "with the file itself");
    throw keystore_error("cannot open " + display_path(path) + ": " + errno_text(error));
  }

  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    throw keystore_error("cannot inspect " + display_path(path) + ": " + errno_text(error));
  }
  try {
    check_private(path, info);
    if (static_cast<std::size_t>(info.st_size) > max_bytes)
      throw keystore_error(display_path(path) + " is " + std::to_string(info.st_size) +
                           " bytes, more than the " + std::to_string(max_bytes) +
                           " bytes a key file may have; it is not a grok key file");
  } catch (...) {
    ::close(fd);
    throw;
  }

  std::array<char, 8192> buffer{};
  for (;;) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      const int error = errno;
      ::close(fd);
      throw keystore_error("cannot read " + display_path(path) + ": " + errno_text(error));
    }
    if (got == 0)
      break;
    file.content.append(buffer.data(), static_cast<std::size_t>(got));
    if (file.content.size() > max_bytes) {
      ::close(fd);
      throw keystore_error(display_path(path) + " grew past " + std::to_string(max_bytes) +
                           " bytes while grok read it; it is not a grok key file");
    }
  }
  ::close(fd);
  file.exists = true;
  return file;
}

credentials_lock::credentials_lock(const std::filesystem::path& folder) {
  const auto path = folder / "credentials.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd_ < 0)
    throw keystore_error("cannot open the lock file " + display_path(path) + ": " + errno_text(errno) +
                         "; check that " + display_path(folder) + " is writable");
  struct stat info {};
  if (::fstat(fd_, &info) != 0 || !S_ISREG(info.st_mode) || info.st_uid != ::geteuid()) {
    ::close(fd_);
    throw keystore_error("the lock file " + display_path(path) +
                         " is not a regular file of the user running grok; remove it");
  }
  // The lock file holds nothing, but 0600 keeps the folder uniform.
  (void)::fchmod(fd_, 0600);
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno != EINTR) {
      const int error = errno;
      ::close(fd_);
      throw keystore_error("cannot lock " + display_path(path) + ": " + errno_text(error));
    }
  }
}

credentials_lock::~credentials_lock() {
  // Closing the descriptor releases the flock.
  ::close(fd_);
}

void remove_stale_temporaries(const std::filesystem::path& folder, std::string_view file_name) {
  const std::string prefix = "." + std::string(file_name) + ".tmp-";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == prefix.size() + 6 && name.compare(0, prefix.size(), prefix) == 0) {
      std::error_code ignored;
      std::filesystem::remove(entry.path(), ignored);
    }
  }
}

void remove_file_durably(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT)
      return;
    throw keystore_error("cannot remove " + display_path(path) + ": " + errno_text(errno));
  }
  const auto folder = path.parent_path();
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

} // namespace grok::keystore

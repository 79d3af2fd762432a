// SPDX-License-Identifier: MIT
/// \file
/// Careful file access for the keystore: reads that refuse links and other
/// users' files, the lock that serialises writers, and clean-up of
/// temporary files left by a killed writer.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace grok::keystore {

/// A file read by read_private_file.
struct private_file {
  bool exists = false;
  std::string content;
};

/// Reads `path` without following a symbolic link. Throws keystore_error
/// unless it is a regular file owned by the effective user, without group
/// or other permissions, and at most `max_bytes` long. A missing file is
/// returned with `exists` false.
private_file read_private_file(const std::filesystem::path& path, std::size_t max_bytes);

/// An exclusive flock on `<folder>/credentials.lock`, held until
/// destruction. Every writer of credentials.enc, machine.key and the
/// plugin's changes to config.json holds it for its whole
/// read-modify-write, so concurrent grok processes never lose each
/// other's changes.
class credentials_lock {
public:
  explicit credentials_lock(const std::filesystem::path& folder);
  ~credentials_lock();
  credentials_lock(const credentials_lock&) = delete;
  credentials_lock& operator=(const credentials_lock&) = delete;

private:
  int fd_ = -1;
};

/// Removes the temporary files that grok::sdk::write_file_atomically names
/// `.<file_name>.tmp-XXXXXX` in `folder`, which a writer killed before its
/// rename leaves behind. Call it only while holding credentials_lock, so
/// no live writer's file is removed.
void remove_stale_temporaries(const std::filesystem::path& folder, std::string_view file_name);

/// Removes `path` and syncs its folder. A missing file is not an error.
/// Throws keystore_error.
void remove_file_durably(const std::filesystem::path& path);

} // namespace grok::keystore

// SPDX-License-Identifier: MIT
/// \file
/// File helpers for grok's own data (sessions, history, settings): atomic
/// writes and private folders. Workspace files are never written this way;
/// they go through the host's edit pipeline.
#pragma once

#include <grok/sdk/export.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace grok::sdk {

/// Writes `data` to `path` so that a reader or a crash sees either the old
/// file or the new one, never a mix: a temporary file in the same folder,
/// fsync, rename over `path`, fsync of the folder. The file gets exactly
/// `mode`, whatever the umask. Refuses to replace a symbolic link. Returns
/// an error and leaves `path` untouched on failure. [any-thread]
GROK_SDK_API std::error_code write_file_atomically(const std::filesystem::path& path,
                                                   std::string_view data,
                                                   std::filesystem::perms mode =
                                                       std::filesystem::perms::owner_read |
                                                       std::filesystem::perms::owner_write);

/// Creates `folder` and its parents when missing and sets it to 0700.
/// Refuses a symbolic link or a folder owned by another user. [any-thread]
GROK_SDK_API std::error_code ensure_private_folder(const std::filesystem::path& folder);

/// Reads a whole file. Returns nothing and sets `error` on failure.
/// [any-thread]
GROK_SDK_API std::optional<std::string> read_file(const std::filesystem::path& path,
                                                  std::error_code& error);

/// Returns the SHA-256 of `data` as 64 lower-case hex digits. [any-thread]
GROK_SDK_API std::string sha256_hex(std::string_view data);

/// Returns a random version 4 UUID in lower-case text form. [any-thread]
GROK_SDK_API std::string new_uuid();

/// Returns the current UTC time as RFC 3339 with milliseconds,
/// "2026-12-04T20:22:18.123Z". [any-thread]
GROK_SDK_API std::string utc_now_rfc3339();

} // namespace grok::sdk

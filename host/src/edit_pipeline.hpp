// SPDX-License-Identifier: MIT
/// \file
/// The edit pipeline: the only code that writes workspace files.
#pragma once

#include <grok/sdk/host.hpp>

#include <filesystem>
#include <functional>
#include <string>

namespace grok::host {

class registry;
class console_impl;

/// Applies change sets: path checks, expected-content checks, pre-edit
/// hooks, atomic writes of every file, post-write hooks, and rollback of
/// the whole set when a step fails.
class edit_pipeline {
public:
  /// `backup_folder` empty: no backups. Otherwise the previous content of
  /// each modified or removed file is copied there first.
  edit_pipeline(const std::filesystem::path& workspace, registry& hooks, console_impl& console,
                std::filesystem::path backup_folder, std::string session_id);

  /// Applies `changes`; see `sdk::host::apply_changes`. [io-thread]
  sdk::change_result apply(sdk::change_set changes);

private:
  std::filesystem::path workspace_;
  registry& hooks_;
  console_impl& console_;
  std::filesystem::path backup_folder_;
  std::string session_id_;
};

/// Resolves `relative` inside `root` (canonical), following symbolic links
/// of the parts that exist. Returns the canonical absolute path, or sets
/// `error` to a sentence naming the path and the reason: an empty or
/// absolute path, a ".." component, or a result outside `root` (which also
/// catches sibling folders that share a prefix, such as /w/app2 for root
/// /w/app). [any-thread]
std::filesystem::path resolve_inside(const std::filesystem::path& root,
                                     const std::filesystem::path& relative, std::string& error);

} // namespace grok::host

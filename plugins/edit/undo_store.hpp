// SPDX-License-Identifier: MIT
/// \file
/// The change sets /undo can revert, kept per workspace in
/// $GROK_HOME/undo/ so that /undo works in a later grok process too.
#pragma once

#include <grok/sdk/hooks.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace grok::edit {

/// One file of a recorded change set, with paths relative to the
/// workspace root.
struct recorded_file {
  sdk::edit_action action = sdk::edit_action::invalid;
  std::string path;
  std::string new_path;
  std::string before;
  std::string after;
};

/// A change set that /undo can revert.
struct recorded_change_set {
  std::string id;
  std::string description;
  std::vector<recorded_file> files;
};

/// The undo stack of one workspace. Keeps the newest 20 change sets; a
/// change set whose contents exceed 8 MiB is not kept.
class undo_store {
public:
  undo_store(std::filesystem::path grok_home, std::filesystem::path workspace);

  /// Records an applied change set. Returns an error sentence, or empty.
  std::string push(const std::string& id, const std::string& description,
                   const std::vector<sdk::applied_edit>& edits);

  /// Returns the newest change set, or nothing. Sets `error` when the
  /// store cannot be read.
  std::optional<recorded_change_set> peek(std::string& error) const;

  /// Removes the newest change set if its id is `id`. Returns an error
  /// sentence, or empty.
  std::string pop(const std::string& id);

private:
  bool load(std::vector<recorded_change_set>& sets, std::string& error) const;
  std::string save(const std::vector<recorded_change_set>& sets) const;

  std::filesystem::path folder_;
  std::filesystem::path file_;
  std::filesystem::path workspace_;
};

} // namespace grok::edit

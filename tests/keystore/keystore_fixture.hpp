// SPDX-License-Identifier: MIT
/// \file
/// A private home, GROK_HOME and workspace for the keystore tests, with
/// helpers to run grok, start it in the background and inspect its files.
#pragma once

#include "child_process.hpp"
#include "test_pki.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace grok::test {

/// The grok executable under test.
std::filesystem::path grok_executable();

/// A home folder with GROK_HOME=$HOME/.grok, a workspace and a minimal
/// environment without keys or a session bus.
class keystore_home {
public:
  keystore_home();

  /// Runs grok with `arguments`; `stdin_data` becomes its standard input
  /// (none: /dev/null).
  child_result run(const std::vector<std::string>& arguments,
                   std::optional<std::string> stdin_data = std::nullopt) const;

  /// Runs `/bin/sh -c script` with the same environment and "$GROK" set to
  /// the grok executable.
  child_result shell(const std::string& script, std::optional<std::string> stdin_data = std::nullopt) const;

  /// Writes `passphrase` to a file outside GROK_HOME and points
  /// GROK_PASSPHRASE_FILE at it.
  void use_passphrase(const std::string& passphrase);

  /// Writes $GROK_HOME/config.json.
  void write_config(const std::string& json_text) const;

  /// Stores `key` for `provider` with /keys set and checks that it worked.
  void store_key(const std::string& provider, const std::string& key) const;

  const std::filesystem::path& home() const { return home_->path(); }
  const std::filesystem::path& workspace() const { return workspace_->path(); }
  std::filesystem::path grok_home() const { return home() / ".grok"; }
  std::filesystem::path credentials() const { return grok_home() / "credentials.enc"; }

  std::map<std::string, std::string> environment;

private:
  std::unique_ptr<temp_dir> home_ = std::make_unique<temp_dir>();
  std::unique_ptr<temp_dir> workspace_ = std::make_unique<temp_dir>();
};

/// grok started in the background, so a test can watch or kill it. Its
/// output goes to files; its standard input is a file with `stdin_data`.
class background_grok {
public:
  background_grok(const keystore_home& home, const std::vector<std::string>& arguments,
                  const std::string& stdin_data = {});
  ~background_grok();
  background_grok(const background_grok&) = delete;
  background_grok& operator=(const background_grok&) = delete;

  pid_t pid() const noexcept { return pid_; }

  /// Waits for the end and returns the waitpid status.
  int wait();

  std::string stdout_text() const;
  std::string stderr_text() const;

private:
  temp_dir output_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

/// Reads a whole file; throws when it cannot be read.
std::string read_text(const std::filesystem::path& path);

/// Writes a whole file with mode 0600.
void write_text(const std::filesystem::path& path, const std::string& text);

/// The permission bits of `path` (not following a link).
unsigned mode_of(const std::filesystem::path& path);

/// Paths of every regular file under `folder`, recursively.
std::vector<std::filesystem::path> files_under(const std::filesystem::path& folder);

/// `text` as lower-case hex.
std::string hex_of(const std::string& text);

/// A dummy key that matches no key pattern of grok's log redaction, so
/// only the keystore's own care keeps it out of output: `prefix` followed
/// by 24 random hex digits.
std::string dummy_key(const std::string& prefix);

/// The line of `/keys status` output that starts with `provider`, with
/// each run of column padding reduced to one space, or "".
std::string status_row(const std::string& status_output, const std::string& provider);

/// Seconds between the start and the end of `result`.
double seconds_taken(const child_result& result);

} // namespace grok::test

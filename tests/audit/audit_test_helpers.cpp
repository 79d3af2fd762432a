// SPDX-License-Identifier: MIT
/// \file
/// Helpers shared by the audit log tests.
#include "audit_test_helpers.hpp"

#include <grok/sdk/files.hpp>

#include <fstream>
#include <sstream>

namespace grok::audit::test {

change_batch one_change(const std::string& path, const std::string& origin) {
  change_batch batch;
  batch.session = "session-test";
  batch.change_set = sdk::new_uuid();
  batch.origin = origin;
  batch.who = current_identity();
  change_entry entry;
  entry.action = "modify";
  entry.path = path;
  entry.sha256_before = sdk::sha256_hex("old " + path);
  entry.sha256_after = sdk::sha256_hex("new " + path);
  entry.diff = "--- a" + path + "\n+++ b" + path + "\n@@ -1 +1 @@\n-old\n+new\n";
  batch.entries.push_back(std::move(entry));
  return batch;
}

std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::vector<std::string> lines;
  std::istringstream stream(read_text(file));
  std::string line;
  while (std::getline(stream, line))
    lines.push_back(line);
  return lines;
}

void write_lines(const std::filesystem::path& file, const std::vector<std::string>& lines) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  for (const auto& line : lines)
    out << line << '\n';
}

std::string report_text(const verify_report& report) {
  std::string text;
  for (const auto& line : report.lines)
    text += line + "\n";
  return text;
}

std::string read_text(const std::filesystem::path& file) {
  std::error_code error;
  return sdk::read_file(file, error).value_or("");
}

} // namespace grok::audit::test

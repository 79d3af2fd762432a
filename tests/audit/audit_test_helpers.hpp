// SPDX-License-Identifier: MIT
/// \file
/// Helpers shared by the audit log tests: batches of changes, reading and
/// rewriting log lines, and searching a verification report.
#pragma once

#include "audit_log.hpp"
#include "audit_verify.hpp"

#include <boost/test/tools/detail/print_helper.hpp>

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

/// Prints optional values in Boost.Test messages ("nullopt" when empty).
template <class T> struct boost::test_tools::tt_detail::print_log_value<std::optional<T>> {
  void operator()(std::ostream& out, const std::optional<T>& value) {
    if (value)
      out << *value;
    else
      out << "nullopt";
  }
};

namespace grok::audit {

/// Prints a finding by name in Boost.Test messages.
inline std::ostream& operator<<(std::ostream& out, finding value) { return out << to_string(value); }

/// Prints a record type by name in Boost.Test messages.
inline std::ostream& operator<<(std::ostream& out, record_type value) {
  return out << (value == record_type::change ? "change" : "checkpoint");
}

} // namespace grok::audit

namespace grok::audit::test {

/// Returns a batch with one modify of `path`, made by this process's user.
change_batch one_change(const std::string& path, const std::string& origin = "test:audit");

/// Returns the lines of `file` without their newlines. A last line without
/// a newline is returned too.
std::vector<std::string> read_lines(const std::filesystem::path& file);

/// Replaces `file` with `lines`, each followed by a newline.
void write_lines(const std::filesystem::path& file, const std::vector<std::string>& lines);

/// Returns the report's lines joined with newlines.
std::string report_text(const verify_report& report);

/// Returns the whole content of `file`, or an empty string.
std::string read_text(const std::filesystem::path& file);

} // namespace grok::audit::test

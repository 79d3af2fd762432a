// SPDX-License-Identifier: MIT
/// \file
/// Line diffs of two texts in the unified format of `diff -u` and `git diff`.
#pragma once

#include <grok/sdk/export.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace grok::sdk {

/// Counts of a line diff.
struct diff_stats {
  std::size_t added = 0;   ///< lines only in the new text
  std::size_t removed = 0; ///< lines only in the old text
  /// Lines of diff text that `max_bytes` or `max_lines` cut off; zero when
  /// the whole diff was returned.
  std::size_t omitted_lines = 0;
};

/// Options for the output of `unified_diff`.
struct unified_diff_options {
  std::size_t context_lines = 3; ///< unchanged lines shown around each change
  std::string old_label = "a";   ///< written after "--- "
  std::string new_label = "b";   ///< written after "+++ "
  /// Maximum bytes of diff text; 0 means no limit. A longer diff is cut
  /// after the last whole line that fits, and one more line follows:
  /// "... N more lines of the diff (B bytes) left out".
  std::size_t max_bytes = 0;
  /// Maximum lines of diff text, headers included; 0 means no limit. Cut
  /// the same way as `max_bytes`; the first limit reached applies.
  std::size_t max_lines = 0;
};

/// Returns the unified diff of `old_text` to `new_text`: "--- " and "+++ "
/// headers, then hunks "@@ -start,count +start,count @@" with context
/// lines (' '), removed lines ('-') and added lines ('+'), as GNU `diff -u`
/// prints them. Lines are compared byte for byte including their line
/// ending, so a CRLF to LF change shows as a changed line. A last line
/// without a newline is followed by "\ No newline at end of file". Returns
/// an empty string when the texts are equal. Fills `stats` when it is not
/// null; its counts cover the whole diff even when the text was cut.
///
/// The edit script has the fewest added plus removed lines unless the
/// inputs are so different that the search gives up early (more than a few
/// hundred changes between two matching lines, or a work budget
/// proportional to the input size); the diff is still correct then, only
/// longer than necessary. Throws std::length_error when the texts have
/// 4,294,967,295 lines or more together. [any-thread]
GROK_SDK_API std::string unified_diff(std::string_view old_text, std::string_view new_text,
                                      const unified_diff_options& options = {},
                                      diff_stats* stats = nullptr);

/// Returns only the counts of added and removed lines of the same diff.
/// Throws like `unified_diff`. [any-thread]
GROK_SDK_API diff_stats diff_line_counts(std::string_view old_text, std::string_view new_text);

} // namespace grok::sdk

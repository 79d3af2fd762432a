// SPDX-License-Identifier: MIT
/// \file
/// Unit tests of the SDK's line diff: exact output for small cases, minimal
/// edit counts, and random round trips through an applier in this file and
/// through GNU patch. The expected texts of the format cases are what GNU
/// diff 3.8 prints with `-u --label a --label b` (`-U0` and `-U1` where the
/// test sets the context); those of the cut cases are grok's own.
#define BOOST_TEST_MODULE grok_diff
#include <grok/sdk/diff.hpp>

#include "child_process.hpp"
#include "test_pki.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

using grok::sdk::diff_line_counts;
using grok::sdk::diff_stats;
using grok::sdk::unified_diff;
using grok::sdk::unified_diff_options;

namespace {

/// Splits `text` into lines that keep their newline.
std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto newline = text.find('\n', start);
    const auto end = newline == std::string_view::npos ? text.size() : newline + 1;
    lines.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::string numbered_lines(int first, int last) {
  std::string text;
  for (int i = first; i <= last; ++i)
    text += std::to_string(i) + "\n";
  return text;
}

/// Parses "start[,count]" of a hunk header.
bool parse_range(std::string_view text, std::size_t& start, std::size_t& count) {
  const auto comma = text.find(',');
  const auto first = text.substr(0, comma);
  if (std::from_chars(first.data(), first.data() + first.size(), start).ec != std::errc())
    return false;
  count = 1;
  if (comma == std::string_view::npos)
    return true;
  const auto second = text.substr(comma + 1);
  return std::from_chars(second.data(), second.data() + second.size(), count).ec == std::errc();
}

/// Applies a unified diff to `old_text` strictly: every hunk must sit at
/// the line its header names, and every context and removed line must
/// match byte for byte. Returns the new text, or nothing with `error` set.
std::optional<std::string> apply_diff(std::string_view old_text, std::string_view diff, std::string& error) {
  const auto old_lines = split_lines(old_text);
  const auto lines = split_lines(diff);
  if (lines.size() < 2 || !lines[0].starts_with("--- ") || !lines[1].starts_with("+++ ")) {
    error = "missing --- and +++ headers";
    return std::nullopt;
  }
  std::string result;
  std::size_t next_old = 0;  // index of the next old line not yet copied
  std::size_t new_lines = 0; // lines in `result`
  std::size_t i = 2;
  while (i < lines.size()) {
    const std::string& header = lines[i];
    const auto plus = header.find(" +");
    const auto tail = header.find(" @@", plus);
    std::size_t old_start = 0, old_count = 0, new_start = 0, new_count = 0;
    if (!header.starts_with("@@ -") || plus == std::string::npos || tail == std::string::npos ||
        !parse_range(std::string_view(header).substr(4, plus - 4), old_start, old_count) ||
        !parse_range(std::string_view(header).substr(plus + 2, tail - plus - 2), new_start, new_count)) {
      error = "invalid hunk header: " + header;
      return std::nullopt;
    }
    const std::size_t hunk_old_begin = old_count == 0 ? old_start : old_start - 1;
    if (hunk_old_begin < next_old || hunk_old_begin > old_lines.size()) {
      error = "hunk out of order or past the end: " + header;
      return std::nullopt;
    }
    const std::size_t new_begin_expected = new_count == 0 ? new_start : new_start - 1;
    for (; next_old < hunk_old_begin; ++next_old, ++new_lines)
      result += old_lines[next_old];
    if (new_lines != new_begin_expected) {
      error = "new start line does not match: " + header;
      return std::nullopt;
    }

    std::size_t old_seen = 0, new_seen = 0;
    for (++i; i < lines.size() && !lines[i].starts_with("@@"); ++i) {
      std::string content = lines[i].substr(1);
      const char marker = lines[i][0];
      if (i + 1 < lines.size() && lines[i + 1] == "\\ No newline at end of file\n") {
        content.pop_back();
        ++i;
      }
      if (marker == ' ' || marker == '-') {
        if (next_old >= old_lines.size() || old_lines[next_old] != content) {
          error = "line " + std::to_string(next_old + 1) + " does not match: " + lines[i];
          return std::nullopt;
        }
        ++next_old;
        ++old_seen;
      }
      if (marker == ' ' || marker == '+') {
        result += content;
        ++new_seen;
        ++new_lines;
      }
      if (marker != ' ' && marker != '-' && marker != '+') {
        error = "invalid hunk line: " + lines[i];
        return std::nullopt;
      }
    }
    if (old_seen != old_count || new_seen != new_count) {
      error = "line counts do not match the header: " + header;
      return std::nullopt;
    }
  }
  for (; next_old < old_lines.size(); ++next_old)
    result += old_lines[next_old];
  return result;
}

/// Returns the length in lines of the longest common subsequence, by
/// dynamic programming, as the reference for minimal edit counts.
std::size_t common_lines(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::size_t> previous(b.size() + 1, 0), current(b.size() + 1, 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j)
      current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : std::max(previous[j], current[j - 1]);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

/// Random texts from a few lines that include a CRLF line, a tab, an empty
/// line and a missing final newline.
class text_maker {
public:
  explicit text_maker(std::uint64_t seed) : random_(seed) {}

  std::string text(std::size_t max_lines, std::size_t alphabet) {
    static const char* const choices[] = {"a\n", "b\n", "c\n", "a\r\n", "\tb\n", "\n", "d d\n", "e\n"};
    alphabet = std::min<std::size_t>(alphabet, std::size(choices));
    const std::size_t count = random_() % (max_lines + 1);
    std::string text;
    for (std::size_t i = 0; i < count; ++i)
      text += choices[random_() % alphabet];
    if (!text.empty() && random_() % 4 == 0)
      text.pop_back();
    return text;
  }

  /// Returns `old_text` with random lines removed, inserted and replaced.
  std::string edited(std::string_view old_text) {
    std::string text;
    for (const auto& line : split_lines(old_text)) {
      const auto kind = random_() % 8;
      if (kind == 0)
        continue;
      if (kind == 1)
        text += "new " + std::to_string(random_() % 5) + "\n";
      if (kind == 2) {
        text += "changed\n";
        continue;
      }
      text += line;
    }
    if (random_() % 5 == 0)
      text += "tail";
    return text;
  }

  std::uint64_t next() { return random_(); }

private:
  std::mt19937_64 random_;
};

std::size_t count_marked(const std::string& diff, char marker) {
  std::size_t count = 0;
  const auto lines = split_lines(diff);
  for (std::size_t i = 2; i < lines.size(); ++i)
    count += lines[i][0] == marker ? 1 : 0;
  return count;
}

/// Returns the first `patch` on PATH, or an empty path.
std::filesystem::path find_patch() {
  const char* path = std::getenv("PATH");
  std::stringstream folders(path != nullptr ? path : "/usr/bin:/bin");
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    const auto candidate = std::filesystem::path(folder) / "patch";
    if (!folder.empty() && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return {};
}

void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(unified)

BOOST_AUTO_TEST_CASE(equal_texts_give_nothing) {
  diff_stats stats{1, 1, 1};
  BOOST_TEST(unified_diff("", "", {}, &stats) == "");
  BOOST_TEST(stats.added == 0u);
  BOOST_TEST(stats.removed == 0u);
  BOOST_TEST(unified_diff("a\nb\n", "a\nb\n", {}, &stats) == "");
  BOOST_TEST(stats.added == 0u);
  BOOST_TEST(unified_diff("no newline", "no newline") == "");
  BOOST_TEST(diff_line_counts("x\n", "x\n").added == 0u);
}

BOOST_AUTO_TEST_CASE(empty_old_text) {
  diff_stats stats;
  BOOST_TEST(unified_diff("", "x\ny\n", {}, &stats) == "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n");
  BOOST_TEST(stats.added == 2u);
  BOOST_TEST(stats.removed == 0u);
  BOOST_TEST(unified_diff("", "x") == "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n");
}

BOOST_AUTO_TEST_CASE(empty_new_text) {
  diff_stats stats;
  BOOST_TEST(unified_diff("x\ny\n", "", {}, &stats) == "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n");
  BOOST_TEST(stats.added == 0u);
  BOOST_TEST(stats.removed == 2u);
}

BOOST_AUTO_TEST_CASE(addition_at_start) {
  BOOST_TEST(unified_diff(numbered_lines(1, 10), "zero\n" + numbered_lines(1, 10)) ==
             "--- a\n+++ b\n@@ -1,3 +1,4 @@\n+zero\n 1\n 2\n 3\n");
}

BOOST_AUTO_TEST_CASE(addition_at_end) {
  BOOST_TEST(unified_diff(numbered_lines(1, 10), numbered_lines(1, 10) + "eleven\n") ==
             "--- a\n+++ b\n@@ -8,3 +8,4 @@\n 8\n 9\n 10\n+eleven\n");
}

BOOST_AUTO_TEST_CASE(removal_at_start) {
  BOOST_TEST(unified_diff(numbered_lines(1, 10), numbered_lines(3, 10)) ==
             "--- a\n+++ b\n@@ -1,5 +1,3 @@\n-1\n-2\n 3\n 4\n 5\n");
}

BOOST_AUTO_TEST_CASE(removal_at_end) {
  BOOST_TEST(unified_diff(numbered_lines(1, 10), numbered_lines(1, 9)) ==
             "--- a\n+++ b\n@@ -7,4 +7,3 @@\n 7\n 8\n 9\n-10\n");
}

BOOST_AUTO_TEST_CASE(old_text_without_final_newline) {
  BOOST_TEST(unified_diff("a\nb\nc", "a\nb\nc\n") ==
             "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n b\n-c\n\\ No newline at end of file\n+c\n");
}

BOOST_AUTO_TEST_CASE(new_text_without_final_newline) {
  BOOST_TEST(unified_diff("a\nb\nc\n", "a\nb\nc") ==
             "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n b\n-c\n+c\n\\ No newline at end of file\n");
}

BOOST_AUTO_TEST_CASE(neither_text_with_final_newline) {
  BOOST_TEST(unified_diff("a\nb\nc", "a\nb\nd") ==
             "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n b\n-c\n\\ No newline at end of file\n"
             "+d\n\\ No newline at end of file\n");
}

BOOST_AUTO_TEST_CASE(missing_newline_outside_context) {
  BOOST_TEST(unified_diff("a\nb\nc\nd\ne\nf", "a\nB\nc\nd\ne\nf") ==
             "--- a\n+++ b\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n");
}

BOOST_AUTO_TEST_CASE(missing_newline_in_context) {
  BOOST_TEST(unified_diff("a\nb\nc", "a\nB\nc") ==
             "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n\\ No newline at end of file\n");
}

BOOST_AUTO_TEST_CASE(crlf_to_lf_is_a_change) {
  diff_stats stats;
  BOOST_TEST(unified_diff("one\r\ntwo\r\nthree\r\n", "one\r\ntwo\nthree\r\n", {}, &stats) ==
             "--- a\n+++ b\n@@ -1,3 +1,3 @@\n one\r\n-two\r\n+two\n three\r\n");
  BOOST_TEST(stats.added == 1u);
  BOOST_TEST(stats.removed == 1u);
}

BOOST_AUTO_TEST_CASE(tabs_kept_as_they_are) {
  BOOST_TEST(unified_diff("int main() {\n\treturn 0;\n}\n", "int main() {\n\tputs(\"hi\");\n\treturn 0;\n}\n") ==
             "--- a\n+++ b\n@@ -1,3 +1,4 @@\n int main() {\n+\tputs(\"hi\");\n \treturn 0;\n }\n");
}

BOOST_AUTO_TEST_CASE(hunks_merge_when_context_overlaps) {
  // Lines 5 and 12 change: six unchanged lines between them fit in two
  // contexts of three, so one hunk covers both.
  std::string changed;
  for (int i = 1; i <= 20; ++i)
    changed += std::to_string(i) + (i == 5 || i == 12 ? "x\n" : "\n");
  BOOST_TEST(unified_diff(numbered_lines(1, 20), changed) ==
             "--- a\n+++ b\n@@ -2,14 +2,14 @@\n 2\n 3\n 4\n-5\n+5x\n 6\n 7\n 8\n 9\n 10\n 11\n-12\n+12x\n"
             " 13\n 14\n 15\n");
}

BOOST_AUTO_TEST_CASE(hunks_split_beyond_context) {
  // Lines 5 and 13 change: seven unchanged lines between them give two
  // hunks.
  std::string changed;
  for (int i = 1; i <= 20; ++i)
    changed += std::to_string(i) + (i == 5 || i == 13 ? "x\n" : "\n");
  BOOST_TEST(unified_diff(numbered_lines(1, 20), changed) ==
             "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+5x\n 6\n 7\n 8\n"
             "@@ -10,7 +10,7 @@\n 10\n 11\n 12\n-13\n+13x\n 14\n 15\n 16\n");
}

BOOST_AUTO_TEST_CASE(insertion_into_repeated_lines) {
  BOOST_TEST(unified_diff("a\nb\nb\nb\nc\n", "a\nb\nb\nb\nb\nc\n") ==
             "--- a\n+++ b\n@@ -2,4 +2,5 @@\n b\n b\n b\n+b\n c\n");
}

BOOST_AUTO_TEST_CASE(groups_slide_like_gnu_diff) {
  // Without sliding, both diffs differ from these. In the first, the
  // search alone removes the fourth line of the old text, not the fifth.
  BOOST_TEST(unified_diff("b\na\na\nb\nb\n", "b\nb\nb\na\na\nb\n") ==
             "--- a\n+++ b\n@@ -1,5 +1,6 @@\n b\n+b\n+b\n a\n a\n b\n-b\n");
  BOOST_TEST(unified_diff("a\nb\na\na\n", "b\na\nb\nb\nb\n") ==
             "--- a\n+++ b\n@@ -1,4 +1,5 @@\n-a\n b\n a\n-a\n+b\n+b\n+b\n");
}

BOOST_AUTO_TEST_CASE(context_lines_and_labels) {
  const std::string old_text = numbered_lines(1, 10);
  std::string new_text = old_text;
  new_text.replace(new_text.find("5\n6\n"), 4, "five\n");
  unified_diff_options options;
  options.old_label = "old.txt";
  options.new_label = "new.txt";
  options.context_lines = 0;
  BOOST_TEST(unified_diff(old_text, new_text, options) == "--- old.txt\n+++ new.txt\n@@ -5,2 +5 @@\n-5\n-6\n+five\n");
  options.context_lines = 1;
  BOOST_TEST(unified_diff(old_text, new_text, options) ==
             "--- old.txt\n+++ new.txt\n@@ -4,4 +4,3 @@\n 4\n-5\n-6\n+five\n 7\n");
}

BOOST_AUTO_TEST_CASE(insertion_without_context) {
  unified_diff_options options;
  options.context_lines = 0;
  BOOST_TEST(unified_diff("1\n2\n3\n", "1\n2\nx\ny\n3\n", options) == "--- a\n+++ b\n@@ -2,0 +3,2 @@\n+x\n+y\n");
}

BOOST_AUTO_TEST_CASE(max_bytes_cuts_at_line_boundary) {
  const std::string old_text = numbered_lines(1, 10);
  const std::string new_text = numbered_lines(1, 9) + "ten\n";
  const std::string full = "--- a\n+++ b\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+ten\n";
  BOOST_TEST(unified_diff(old_text, new_text) == full);

  unified_diff_options options;
  options.max_bytes = 33; // inside " 8\n", which ends at byte 34
  diff_stats stats;
  BOOST_TEST(unified_diff(old_text, new_text, options, &stats) ==
             "--- a\n+++ b\n@@ -7,4 +7,4 @@\n 7\n... 4 more lines of the diff (15 bytes) left out\n");
  BOOST_TEST(stats.omitted_lines == 4u);
  BOOST_TEST(stats.added == 1u);
  BOOST_TEST(stats.removed == 1u);

  options.max_bytes = full.size();
  BOOST_TEST(unified_diff(old_text, new_text, options, &stats) == full);
  BOOST_TEST(stats.omitted_lines == 0u);

  options.max_bytes = full.size() - 1;
  BOOST_TEST(unified_diff(old_text, new_text, options, &stats) ==
             "--- a\n+++ b\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n... 1 more line of the diff (5 bytes) left out\n");
  BOOST_TEST(stats.omitted_lines == 1u);
}

BOOST_AUTO_TEST_CASE(max_lines_cuts_diff) {
  unified_diff_options options;
  options.max_lines = 3;
  diff_stats stats;
  BOOST_TEST(unified_diff(numbered_lines(1, 10), numbered_lines(1, 9) + "ten\n", options, &stats) ==
             "--- a\n+++ b\n@@ -7,4 +7,4 @@\n... 5 more lines of the diff (18 bytes) left out\n");
  BOOST_TEST(stats.omitted_lines == 5u);

  options.max_lines = 2;
  options.max_bytes = 1000;
  BOOST_TEST(unified_diff("a\n", "b\n", options, &stats) == "--- a\n+++ b\n... 3 more lines of the diff (18 bytes) left out\n");
}

BOOST_AUTO_TEST_CASE(counts_match_marked_lines) {
  const diff_stats counts = diff_line_counts("a\nb\nc\nd\n", "a\nx\nc\ny\nz\n");
  BOOST_TEST(counts.added == 3u);
  BOOST_TEST(counts.removed == 2u);
  BOOST_TEST(counts.omitted_lines == 0u);
}

BOOST_AUTO_TEST_CASE(random_pairs_round_trip) {
  text_maker maker(7);
  for (int round = 0; round < 200; ++round) {
    const std::string old_text = maker.text(round < 150 ? 30 : 300, 2 + maker.next() % 7);
    const std::string new_text = maker.next() % 2 == 0 ? maker.edited(old_text) : maker.text(40, 2 + maker.next() % 7);
    diff_stats stats;
    const std::string diff = unified_diff(old_text, new_text, {}, &stats);

    std::string error;
    const auto applied = apply_diff(old_text, diff.empty() ? "--- a\n+++ b\n" : diff, error);
    BOOST_TEST_REQUIRE(applied.has_value(), "round " << round << ": " << error << "\n" << diff);
    BOOST_TEST(*applied == new_text, "round " << round);

    const std::size_t common = common_lines(split_lines(old_text), split_lines(new_text));
    BOOST_TEST(stats.removed == split_lines(old_text).size() - common, "round " << round << " is not minimal");
    BOOST_TEST(stats.added == split_lines(new_text).size() - common, "round " << round << " is not minimal");
    BOOST_TEST(count_marked(diff, '-') == stats.removed, "round " << round);
    BOOST_TEST(count_marked(diff, '+') == stats.added, "round " << round);
  }
}

BOOST_AUTO_TEST_CASE(random_pairs_apply_with_patch) {
  const auto patch = find_patch();
  BOOST_TEST_REQUIRE(!patch.empty(), "patch was not found on PATH; install it with scripts/install-deps.sh");
  grok::test::temp_dir folder;
  const auto old_path = folder.path() / "old.txt";
  const auto diff_path = folder.path() / "change.diff";
  const auto out_path = folder.path() / "out.txt";

  text_maker maker(11);
  int applied = 0;
  for (int round = 0; round < 200; ++round) {
    const std::string old_text = maker.text(40, 2 + maker.next() % 7);
    const std::string new_text = maker.next() % 2 == 0 ? maker.edited(old_text) : maker.text(40, 2 + maker.next() % 7);
    const std::string diff = unified_diff(old_text, new_text);
    if (diff.empty())
      continue;
    write_bytes(old_path, old_text);
    write_bytes(diff_path, diff);
    std::filesystem::remove(out_path);

    // --binary keeps CRs as they are, --fuzz=0 accepts exact context only.
    grok::test::child_options options;
    options.executable = patch;
    options.arguments = {"--binary", "--fuzz=0", "--batch", "--silent", "-o", out_path.string(),
                         old_path.string(), diff_path.string()};
    options.environment = {{"PATH", "/usr/bin:/bin"}, {"LC_ALL", "C"}};
    const auto result = grok::test::run_child(options);
    BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0,
                       "round " << round << ": patch " << result.describe() << "\n" << result.stdout_text
                                << result.stderr_text << "\n" << diff);
    BOOST_TEST(read_bytes(out_path) == new_text, "round " << round << "\n" << diff);
    ++applied;
  }
  BOOST_TEST(applied > 150);
}

BOOST_AUTO_TEST_CASE(cost_limit_keeps_diff_correct) {
  // Two unrelated texts of 4000 lines from three distinct lines need far
  // more than 256 edits, the cost after which the search stops looking for
  // the shortest path. The result must still apply exactly.
  text_maker maker(3);
  std::string old_text, new_text;
  for (int i = 0; i < 4000; ++i) {
    old_text += std::string(1, static_cast<char>('a' + maker.next() % 3)) + "\n";
    new_text += std::string(1, static_cast<char>('a' + maker.next() % 3)) + "\n";
  }
  diff_stats stats;
  const std::string diff = unified_diff(old_text, new_text, {}, &stats);
  std::string error;
  const auto applied = apply_diff(old_text, diff, error);
  BOOST_TEST_REQUIRE(applied.has_value(), error);
  BOOST_TEST(*applied == new_text);
  BOOST_TEST(stats.added == stats.removed);
  BOOST_TEST(stats.added < 4000u);
}

BOOST_AUTO_TEST_CASE(large_file_with_scattered_edits) {
  std::mt19937_64 random(5);
  std::string old_text, new_text;
  std::size_t replaced = 0;
  for (int i = 0; i < 100'000; ++i) {
    const std::string line = i % 10 == 0 ? "}\n" : "statement " + std::to_string(random() % 1'000'000) + ";\n";
    old_text += line;
    if (random() % 100 == 0) {
      new_text += "edited " + std::to_string(i) + "\n";
      ++replaced;
    } else {
      new_text += line;
    }
  }
  diff_stats stats;
  const std::string diff = unified_diff(old_text, new_text, {}, &stats);
  std::string error;
  const auto applied = apply_diff(old_text, diff, error);
  BOOST_TEST_REQUIRE(applied.has_value(), error);
  BOOST_TEST(*applied == new_text);
  BOOST_TEST(stats.added == replaced);
  BOOST_TEST(stats.removed == replaced);
}

BOOST_AUTO_TEST_SUITE_END()

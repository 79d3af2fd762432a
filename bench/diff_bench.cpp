// SPDX-License-Identifier: MIT
/// \file
/// The diff benchmark's driver: generates a file pair with scattered edits,
/// and prints the unified diff of two files with `grok::sdk::unified_diff`.
///
/// Usage:
///   grok-diff-bench generate OLD NEW [LINES [PERCENT [SEED]]]
///   grok-diff-bench diff OLD NEW
#include <grok/sdk/diff.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr const char* usage = "usage: grok-diff-bench generate OLD NEW [LINES [PERCENT [SEED]]]\n"
                              "       grok-diff-bench diff OLD NEW\n";

bool read_file(const char* path, std::string& content) {
  std::FILE* file = std::fopen(path, "rb");
  if (file == nullptr) {
    std::fprintf(stderr, "grok-diff-bench: failed to open %s: %s\n", path, std::strerror(errno));
    return false;
  }
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0)
    content.append(buffer, n);
  const bool ok = std::ferror(file) == 0;
  std::fclose(file);
  if (!ok)
    std::fprintf(stderr, "grok-diff-bench: failed to read %s\n", path);
  return ok;
}

bool write_file(const char* path, const std::string& content) {
  std::FILE* file = std::fopen(path, "wb");
  if (file == nullptr) {
    std::fprintf(stderr, "grok-diff-bench: failed to create %s: %s\n", path, std::strerror(errno));
    return false;
  }
  const bool ok = std::fwrite(content.data(), 1, content.size(), file) == content.size();
  return std::fclose(file) == 0 && ok;
}

/// Source-like lines: mostly unique statements, with blank lines, closing
/// braces and a few other lines repeated throughout, as in real code.
/// std::mt19937_64 is specified exactly by the C++ standard, and only its
/// raw output is used, so a seed gives the same files everywhere.
class line_maker {
public:
  explicit line_maker(std::uint64_t seed) : random_(seed) {}

  std::string original() {
    const auto kind = random_() % 100;
    if (kind < 10)
      return "\n";
    if (kind < 18)
      return "  }\n";
    if (kind < 21)
      return "    return result;\n";
    if (kind < 23)
      return "    ++count;\n";
    return statement("value");
  }

  std::string edited() { return statement("changed"); }

  std::uint64_t next() { return random_(); }

private:
  std::string statement(const char* name) {
    return "    " + std::string(name) + "_" + std::to_string(random_() % 1'000'000) + " = compute(" +
           std::to_string(random_() % 10'000) + ", items[" + std::to_string(random_() % 100) + "]);\n";
  }

  std::mt19937_64 random_;
};

/// Writes LINES original lines to OLD, and to NEW the same lines with
/// PERCENT % of the positions edited: half of them replaced by a new line,
/// a quarter deleted, and a quarter getting a new line inserted before
/// them.
int generate(const char* old_path, const char* new_path, std::size_t lines, double percent, std::uint64_t seed) {
  line_maker maker(seed);
  std::vector<std::string> original;
  original.reserve(lines);
  for (std::size_t i = 0; i < lines; ++i)
    original.push_back(maker.original());

  const auto edits = static_cast<std::size_t>(static_cast<double>(lines) * percent / 100.0);
  std::set<std::size_t> positions;
  while (positions.size() < edits && positions.size() < lines)
    positions.insert(static_cast<std::size_t>(maker.next() % lines));

  std::string old_text;
  std::string new_text;
  for (std::size_t i = 0; i < lines; ++i) {
    old_text += original[i];
    if (positions.count(i) == 0) {
      new_text += original[i];
      continue;
    }
    const auto kind = maker.next() % 4;
    if (kind <= 1) {
      new_text += maker.edited();
    } else if (kind == 2) {
      // deleted
    } else {
      new_text += maker.edited();
      new_text += original[i];
    }
  }
  if (!write_file(old_path, old_text) || !write_file(new_path, new_text))
    return 1;
  std::fprintf(stderr, "grok-diff-bench: wrote %zu lines to %s and %zu edits of them to %s\n", lines, old_path,
               edits, new_path);
  return 0;
}

int print_diff(const char* old_path, const char* new_path) {
  std::string old_text;
  std::string new_text;
  if (!read_file(old_path, old_text) || !read_file(new_path, new_text))
    return 1;
  grok::sdk::unified_diff_options options;
  options.old_label = std::string("a/") + old_path;
  options.new_label = std::string("b/") + new_path;
  const std::string diff = grok::sdk::unified_diff(old_text, new_text, options);
  return std::fwrite(diff.data(), 1, diff.size(), stdout) == diff.size() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::strcmp(argv[1], "generate") == 0 && argc <= 7) {
    const std::size_t lines = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 100'000;
    const double percent = argc > 5 ? std::strtod(argv[5], nullptr) : 1.0;
    const std::uint64_t seed = argc > 6 ? std::strtoull(argv[6], nullptr, 10) : 20240601;
    if (lines == 0 || percent < 0 || percent > 100) {
      std::fprintf(stderr, "grok-diff-bench: LINES must be positive and PERCENT between 0 and 100\n%s", usage);
      return 2;
    }
    return generate(argv[2], argv[3], lines, percent, seed);
  }
  if (argc == 4 && std::strcmp(argv[1], "diff") == 0)
    return print_diff(argv[2], argv[3]);
  std::fputs(usage, stderr);
  return 2;
}

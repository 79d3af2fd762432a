// SPDX-License-Identifier: MIT
/// \file
/// Parsing and applying /edit and /init replies.
#include "edit_format.hpp"

#include <algorithm>

namespace grok::edit {
namespace {

/// Splits `text` into lines, each without its LF (a CR before it stays).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  return line;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos)
    return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool is_marker(std::string_view line, std::string_view marker) {
  line = trim(without_cr(line));
  return line == marker;
}

/// Returns the fence characters when `line` opens a fenced block (three or
/// more backticks or tildes, then an optional info string).
std::optional<std::string> fence_opening(std::string_view line) {
  line = without_cr(line);
  const auto indent = line.find_first_not_of(' ');
  if (indent == std::string_view::npos || indent > 3)
    return std::nullopt;
  line.remove_prefix(indent);
  if (line.empty() || (line.front() != '`' && line.front() != '~'))
    return std::nullopt;
  const char c = line.front();
  std::size_t count = 0;
  while (count < line.size() && line[count] == c)
    ++count;
  if (count < 3)
    return std::nullopt;
  if (c == '`' && line.substr(count).find('`') != std::string_view::npos)
    return std::nullopt;
  return std::string(count, c);
}

bool closes_fence(std::string_view line, const std::string& fence) {
  line = trim(without_cr(line));
  return line.size() >= fence.size() && line.find_first_not_of(fence.front()) == std::string_view::npos;
}

struct fenced_block {
  std::size_t heading_line = 0; ///< the line of the opening fence
  std::string content;          ///< LF line ends, ends with LF unless empty
};

/// Finds the fenced code blocks of `lines`. Returns false when one is not
/// closed.
bool find_fenced_blocks(const std::vector<std::string_view>& lines, std::vector<fenced_block>& blocks) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto fence = fence_opening(lines[i]);
    if (!fence)
      continue;
    fenced_block block;
    block.heading_line = i;
    std::size_t j = i + 1;
    for (; j < lines.size() && !closes_fence(lines[j], *fence); ++j) {
      block.content.append(without_cr(lines[j]));
      block.content.push_back('\n');
    }
    if (j == lines.size())
      return false;
    blocks.push_back(std::move(block));
    i = j;
  }
  return true;
}



bool uses_tabs(std::string_view text) {
  for (auto line : split_lines(text))
    if (!line.empty() && line.front() == '\t')
      return true;
  return false;
}

/// Returns LF-only `text` with every LF turned into CRLF.
std::string to_crlf(std::string_view text) {
  std::string result;
  result.reserve(text.size() + text.size() / 32);
  for (char c : text) {
    if (c == '\n')
      result.push_back('\r');
    result.push_back(c);
  }
  return result;
}

} // namespace

bool parse_edit_reply(std::string_view reply, edit_reply& out, std::string& error) {
  out = {};
  const auto lines = split_lines(reply);

  // SEARCH/REPLACE blocks take precedence; fences around them are ignored.
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!is_marker(lines[i], "<<<<<<< SEARCH"))
      continue;
    replace_block block;
    block.number = out.blocks.size() + 1;
    std::size_t j = i + 1;
    for (; j < lines.size() && !is_marker(lines[j], "======="); ++j) {
      block.search.append(without_cr(lines[j]));
      block.search.push_back('\n');
    }
    if (j == lines.size()) {
      error = "SEARCH/REPLACE block " + std::to_string(block.number) + " has no ======= line";
      return false;
    }
    std::size_t k = j + 1;
    for (; k < lines.size() && !is_marker(lines[k], ">>>>>>> REPLACE"); ++k) {
      block.replace.append(without_cr(lines[k]));
      block.replace.push_back('\n');
    }
    if (k == lines.size()) {
      error = "SEARCH/REPLACE block " + std::to_string(block.number) + " has no >>>>>>> REPLACE line";
      return false;
    }
    out.blocks.push_back(std::move(block));
    i = k;
  }
  if (!out.blocks.empty())
    return true;

  std::vector<fenced_block> fenced;
  if (!find_fenced_blocks(lines, fenced)) {
    error = "the reply has a code block that is never closed; it may have been cut off";
    return false;
  }
  if (fenced.empty()) {
    error = "the reply has neither SEARCH/REPLACE blocks nor a fenced code block with the new file";
    return false;
  }
  if (fenced.size() > 1) {
    error = "the reply has " + std::to_string(fenced.size()) +
            " code blocks; expected the whole new file in exactly one, or SEARCH/REPLACE blocks";
    return false;
  }
  // A unified diff in place of the file would be written as its content.
  const auto& content = fenced.front().content;
  if (content.starts_with("--- ") && content.find("\n+++ ") != std::string::npos &&
      content.find("\n@@ ") != std::string::npos) {
    error = "the reply is a unified diff, not the whole new file; ask for the whole file or SEARCH/REPLACE blocks";
    return false;
  }
  out.whole_file = std::move(fenced.front().content);
  return true;
}

text_conventions conventions_of(std::string_view text) {
  text_conventions conventions;
  std::size_t crlf = 0;
  std::size_t lf = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n')
      continue;
    if (i > 0 && text[i - 1] == '\r')
      ++crlf;
    else
      ++lf;
  }
  conventions.crlf = crlf > lf;
  conventions.final_newline = !text.empty() && text.back() == '\n';
  return conventions;
}

std::string to_lf(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
      continue;
    result.push_back(text[i]);
  }
  return result;
}

std::string with_conventions(std::string_view text, const text_conventions& conventions) {
  std::string body(text);
  if (conventions.final_newline && !body.empty() && body.back() != '\n')
    body.push_back('\n');
  if (!conventions.final_newline && !body.empty() && body.back() == '\n')
    body.pop_back();
  return conventions.crlf ? to_crlf(body) : body;
}

namespace {

/// One line of a file: its text without the line end, and the line end.
struct file_line {
  std::string text;
  std::string_view ending; ///< "\r\n", "\n" or "" (a last line without one)
};

std::vector<file_line> split_file(std::string_view original) {
  std::vector<file_line> lines;
  std::size_t start = 0;
  while (start < original.size()) {
    const auto end = original.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back({std::string(original.substr(start)), ""});
      break;
    }
    const bool cr = end > start && original[end - 1] == '\r';
    lines.push_back({std::string(original.substr(start, end - start - (cr ? 1 : 0))), cr ? "\r\n" : "\n"});
    start = end + 1;
  }
  return lines;
}

/// Splits a block's text (which ends with LF) into lines without line ends.
std::vector<std::string> block_lines(std::string_view text) {
  std::vector<std::string> lines;
  for (auto line : split_lines(text))
    lines.emplace_back(without_cr(line));
  return lines;
}

/// Finds where `needle` occurs as whole lines of `lines`, comparing with
/// `same`. Returns the starting indexes.
template <class Compare>
std::vector<std::size_t> find_line_runs(const std::vector<file_line>& lines, const std::vector<std::string>& needle,
                                        Compare same) {
  std::vector<std::size_t> starts;
  if (needle.empty() || needle.size() > lines.size())
    return starts;
  for (std::size_t i = 0; i + needle.size() <= lines.size(); ++i) {
    bool all = true;
    for (std::size_t j = 0; j < needle.size() && all; ++j)
      all = same(lines[i + j].text, needle[j]);
    if (all)
      starts.push_back(i);
  }
  return starts;
}

} // namespace

std::optional<std::string> apply_blocks(std::string_view original, const std::vector<replace_block>& blocks,
                                        std::string_view file_name, std::string& error) {
  // Blocks are matched as whole lines; each line keeps its own line end,
  // and new lines take the file's usual one.
  std::vector<file_line> lines = split_file(original);
  const std::string_view usual = conventions_of(original).crlf ? "\r\n" : "\n";

  for (const auto& block : blocks) {
    const std::string name = "SEARCH block " + std::to_string(block.number);
    const auto search = block_lines(block.search);
    const auto replace = block_lines(block.replace);
    if (search.empty()) {
      if (!lines.empty()) {
        error = name + " is empty, but " + std::string(file_name) + " is not; copy the lines to replace into it";
        return std::nullopt;
      }
      for (const auto& text : replace)
        lines.push_back({text, usual});
      continue;
    }

    const auto matches = find_line_runs(lines, search, [](const std::string& a, const std::string& b) { return a == b; });
    if (matches.size() > 1) {
      error = name + " matches " + std::to_string(matches.size()) + " places in " + std::string(file_name) +
              "; nothing was changed. Add surrounding lines to the block so it matches exactly one place";
      return std::nullopt;
    }
    if (matches.empty()) {
      error = name + " does not match " + std::string(file_name) + "; nothing was changed";
      const auto loose = find_line_runs(lines, search, [](const std::string& a, const std::string& b) {
        return trim(a) == trim(b);
      });
      if (!loose.empty()) {
        error += ". It matches only when indentation is ignored";
        const auto& line = lines[loose.front()].text;
        if (!line.empty() && line.front() == '\t' && !uses_tabs(block.search))
          error += ": the file indents with tabs and the block with spaces";
        error += "; blocks must copy the file's lines exactly, so ask again";
      }
      return std::nullopt;
    }

    const std::size_t at = matches.front();
    // The last replaced line's end carries over, so a last line without a
    // newline stays without one.
    const std::string_view last_ending = lines[at + search.size() - 1].ending;
    std::vector<file_line> replacement;
    for (std::size_t j = 0; j < replace.size(); ++j) {
      const bool is_last = j + 1 == replace.size();
      std::string_view ending = is_last ? last_ending : (j < search.size() ? lines[at + j].ending : usual);
      if (!is_last && ending.empty())
        ending = usual;
      replacement.push_back({replace[j], ending});
    }
    if (replacement.empty() && at > 0 && last_ending.empty())
      lines[at - 1].ending = ""; // deleting the last line keeps "no final newline"
    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(at),
                lines.begin() + static_cast<std::ptrdiff_t>(at + search.size()));
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), replacement.begin(), replacement.end());
  }

  std::string result;
  result.reserve(original.size() + 64);
  for (const auto& line : lines) {
    result += line.text;
    result += line.ending;
  }
  return result;
}

std::string adopt_conventions(std::string_view reply_text, std::string_view original) {
  if (original.empty())
    return std::string(reply_text);
  std::string result = with_conventions(to_lf(reply_text), conventions_of(original));
  constexpr std::string_view bom = "\xEF\xBB\xBF";
  if (original.starts_with(bom) && !result.starts_with(bom))
    result.insert(0, bom);
  return result;
}

bool parse_file_sections(std::string_view reply, std::vector<proposed_file>& out, std::string& error) {
  out.clear();
  const auto lines = split_lines(reply);
  std::vector<fenced_block> fenced;
  if (!find_fenced_blocks(lines, fenced)) {
    error = "the reply has a code block that is never closed; it may have been cut off";
    return false;
  }
  std::size_t next_block = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = trim(without_cr(lines[i]));
    constexpr std::string_view heading = "### File:";
    if (!line.starts_with(heading))
      continue;
    std::string path(trim(line.substr(heading.size())));
    if (path.size() >= 2 && path.front() == '`' && path.back() == '`')
      path = path.substr(1, path.size() - 2);
    while (next_block < fenced.size() && fenced[next_block].heading_line <= i)
      ++next_block;
    if (path.empty() || next_block == fenced.size()) {
      error = "the heading '" + std::string(line) + "' has no path or no code block after it";
      return false;
    }
    out.push_back({path, fenced[next_block].content});
    ++next_block;
  }
  if (out.empty()) {
    error = "the reply has no '### File: path' headings with code blocks";
    return false;
  }
  return true;
}

} // namespace grok::edit

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

/// A fence opening line: three or more backticks or tildes, then an
/// optional info string. Returns the fence characters.
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

std::size_t count_occurrences(std::string_view text, std::string_view needle, std::size_t& first) {
  std::size_t count = 0;
  first = std::string_view::npos;
  for (std::size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) {
    if (count == 0)
      first = at;
    ++count;
  }
  return count;
}

/// `text` with each line's leading whitespace removed, for the hint that a
/// block differs only in indentation.
std::string without_indentation(std::string_view text) {
  std::string result;
  for (auto line : split_lines(text)) {
    result.append(trim(line));
    result.push_back('\n');
  }
  return result;
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

std::optional<std::string> apply_blocks(std::string_view original, const std::vector<replace_block>& blocks,
                                        std::string_view file_name, std::string& error) {
  const text_conventions conventions = conventions_of(original);
  // Blocks are whole lines ending in LF; give a last line without one its
  // LF while matching, and take it away again at the end.
  std::string text = to_lf(original);
  const bool added_newline = !text.empty() && text.back() != '\n';
  if (added_newline)
    text.push_back('\n');

  for (const auto& block : blocks) {
    const std::string name = "SEARCH block " + std::to_string(block.number);
    if (block.search.empty()) {
      if (!text.empty()) {
        error = name + " is empty, but " + std::string(file_name) + " is not; copy the lines to replace into it";
        return std::nullopt;
      }
      text = block.replace;
      continue;
    }
    std::size_t at = 0;
    const std::size_t matches = count_occurrences(text, block.search, at);
    if (matches > 1) {
      error = name + " matches " + std::to_string(matches) + " places in " + std::string(file_name) +
              "; nothing was changed. Add surrounding lines to the block so it matches exactly one place";
      return std::nullopt;
    }
    if (matches == 0) {
      error = name + " does not match " + std::string(file_name) + "; nothing was changed";
      std::size_t ignored = 0;
      if (count_occurrences(without_indentation(text), without_indentation(block.search), ignored) > 0) {
        error += ". It matches only when indentation is ignored";
        if (uses_tabs(text) && !uses_tabs(block.search))
          error += ": the file indents with tabs and the block with spaces";
        error += "; blocks must copy the file's lines exactly, so ask again";
      }
      return std::nullopt;
    }
    text.replace(at, block.search.size(), block.replace);
  }

  if (added_newline && !text.empty() && text.back() == '\n')
    text.pop_back();
  return conventions.crlf ? to_crlf(text) : text;
}

std::string adopt_conventions(std::string_view reply_text, std::string_view original) {
  if (original.empty())
    return std::string(reply_text);
  return with_conventions(to_lf(reply_text), conventions_of(original));
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

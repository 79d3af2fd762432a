// SPDX-License-Identifier: MIT
/// \file
/// The reply formats of /edit and /init: a whole file in one fenced code
/// block, SEARCH/REPLACE blocks, or "### File:" sections, and how they are
/// applied to a file's text without changing its conventions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grok::edit {

/// One SEARCH/REPLACE block of a reply, numbered from 1.
struct replace_block {
  std::size_t number = 0;
  std::string search;
  std::string replace;
};

/// The parts of a model's reply to /edit.
struct edit_reply {
  std::vector<replace_block> blocks;     ///< SEARCH/REPLACE blocks, if any
  std::optional<std::string> whole_file; ///< the one fenced block, when there are no blocks
};

/// Parses a reply. Returns false and sets `error` when it holds neither
/// SEARCH/REPLACE blocks nor exactly one fenced code block, or when a block
/// is not closed.
bool parse_edit_reply(std::string_view reply, edit_reply& out, std::string& error);

/// The line-ending and final-newline conventions of a text.
struct text_conventions {
  bool crlf = false;          ///< most line ends are CRLF
  bool final_newline = false; ///< the text ends with a line end
};

/// Reads the conventions of `text`.
text_conventions conventions_of(std::string_view text);

/// Returns `text` with every CRLF turned into LF.
std::string to_lf(std::string_view text);

/// Returns LF-only `text` with the line ends of `conventions`, and with one
/// final LF added or removed to match its final newline.
std::string with_conventions(std::string_view text, const text_conventions& conventions);

/// Applies `blocks` in order to `original`. Each SEARCH part must match
/// whole lines in exactly one place, compared without line ends and
/// nothing else: indentation, tabs and trailing spaces must match. Lines
/// outside the replaced ones keep their bytes and line ends; new lines
/// take the file's usual line end. Returns the new text, or nothing with
/// `error` naming the block, the file and the reason (with a hint when the
/// block differs only in indentation).
std::optional<std::string> apply_blocks(std::string_view original, const std::vector<replace_block>& blocks,
                                        std::string_view file_name, std::string& error);

/// Returns the whole-file reply in the conventions of `original`: its line
/// ends, final newline and byte order mark.
std::string adopt_conventions(std::string_view reply_text, std::string_view original);

/// One file of an /init reply.
struct proposed_file {
  std::string path;
  std::string content;
};

/// Parses "### File: path" headings, each followed by one fenced code
/// block. Returns false with `error` when there are none or a heading lacks
/// its block.
bool parse_file_sections(std::string_view reply, std::vector<proposed_file>& out, std::string& error);

} // namespace grok::edit

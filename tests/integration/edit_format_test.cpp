// SPDX-License-Identifier: MIT
/// \file
/// The /edit reply formats: SEARCH/REPLACE blocks and whole files, applied
/// without changing a file's line ends, final newline or indentation.
#include "edit_format.hpp"

#include <grok/sdk/markdown.hpp>

#include <boost/test/unit_test.hpp>

using namespace grok::edit;

namespace {

std::string apply_one(std::string_view original, std::string search, std::string replace, std::string& error) {
  auto result = apply_blocks(original, {{1, std::move(search), std::move(replace)}}, "file.c", error);
  return result.value_or("<error>");
}

} // namespace

BOOST_AUTO_TEST_SUITE(edit_format)

BOOST_AUTO_TEST_CASE(crlf_file_stays_crlf) {
  std::string error;
  const auto result = apply_one("a\r\nb\r\nc\r\n", "b\n", "B\nB2\n", error);
  BOOST_TEST(result == "a\r\nB\r\nB2\r\nc\r\n", error);
}

BOOST_AUTO_TEST_CASE(missing_final_newline_is_kept) {
  std::string error;
  BOOST_TEST(apply_one("one\ntwo", "two\n", "three\n", error) == "one\nthree");
  BOOST_TEST(apply_one("one\ntwo\n", "two\n", "three\n", error) == "one\nthree\n");
  BOOST_TEST(adopt_conventions("x\ny\n", "old") == "x\ny");
  BOOST_TEST(adopt_conventions("x\ny\n", "old\n") == "x\ny\n");
  BOOST_TEST(adopt_conventions("x\ny\n", "old\r\n") == "x\r\ny\r\n");
}

BOOST_AUTO_TEST_CASE(tabs_are_never_mangled) {
  std::string error;
  const std::string file = "int f() {\n\treturn 1;\n}\n";
  const auto spaced = apply_blocks(file, {{1, "    return 1;\n", "    return 2;\n"}}, "f.c", error);
  BOOST_TEST(!spaced.has_value());
  BOOST_TEST(error.find("SEARCH block 1 does not match f.c") != std::string::npos, error);
  BOOST_TEST(error.find("the file indents with tabs and the block with spaces") != std::string::npos, error);

  const auto tabbed = apply_blocks(file, {{1, "\treturn 1;\n", "\treturn 2;\n"}}, "f.c", error);
  BOOST_TEST(tabbed.value_or("") == "int f() {\n\treturn 2;\n}\n");
}

BOOST_AUTO_TEST_CASE(block_matching_twice_is_rejected) {
  std::string error;
  const auto result = apply_blocks("x = 1;\ny = 2;\nx = 1;\n", {{1, "x = 1;\n", "x = 3;\n"}}, "a.py", error);
  BOOST_TEST(!result.has_value());
  BOOST_TEST(error == "SEARCH block 1 matches 2 places in a.py; nothing was changed. Add surrounding lines to the "
                      "block so it matches exactly one place");
}

BOOST_AUTO_TEST_CASE(second_block_failure_names_it) {
  std::string error;
  const auto result = apply_blocks("a\nb\n", {{1, "a\n", "A\n"}, {2, "zzz\n", "q\n"}}, "f", error);
  BOOST_TEST(!result.has_value());
  BOOST_TEST(error.starts_with("SEARCH block 2 does not match f"), error);
}

BOOST_AUTO_TEST_CASE(reply_with_blocks_parses) {
  edit_reply reply;
  std::string error;
  const std::string text = "Sure.\n```c\n<<<<<<< SEARCH\r\nold\r\n=======\r\nnew\r\n>>>>>>> REPLACE\r\n```\n"
                           "<<<<<<< SEARCH\nx\n=======\n>>>>>>> REPLACE\n";
  BOOST_TEST_REQUIRE(parse_edit_reply(text, reply, error), error);
  BOOST_TEST_REQUIRE(reply.blocks.size() == 2u);
  BOOST_TEST(reply.blocks[0].search == "old\n");
  BOOST_TEST(reply.blocks[0].replace == "new\n");
  BOOST_TEST(reply.blocks[1].search == "x\n");
  BOOST_TEST(reply.blocks[1].replace == "");
  BOOST_TEST(reply.blocks[1].number == 2u);
}

BOOST_AUTO_TEST_CASE(reply_with_one_fence_is_whole_file) {
  edit_reply reply;
  std::string error;
  BOOST_TEST_REQUIRE(parse_edit_reply("Here:\n````python\nprint('```')\n````\nDone.\n", reply, error), error);
  BOOST_TEST(reply.blocks.empty());
  BOOST_TEST(reply.whole_file.value_or("") == "print('```')\n");
}

BOOST_AUTO_TEST_CASE(ambiguous_replies_are_errors) {
  edit_reply reply;
  std::string error;
  BOOST_TEST(!parse_edit_reply("no code here", reply, error));
  BOOST_TEST(error.find("neither") != std::string::npos, error);
  BOOST_TEST(!parse_edit_reply("```\na\n```\n```\nb\n```\n", reply, error));
  BOOST_TEST(error.find("2 code blocks") != std::string::npos, error);
  BOOST_TEST(!parse_edit_reply("```\nunclosed\n", reply, error));
  BOOST_TEST(error.find("never closed") != std::string::npos, error);
  BOOST_TEST(!parse_edit_reply("<<<<<<< SEARCH\na\n", reply, error));
  BOOST_TEST(error.find("no =======") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(init_sections_parse) {
  std::vector<proposed_file> files;
  std::string error;
  const std::string reply = "Project:\n### File: `README.md`\n```markdown\n# Demo\n```\n"
                            "### File: src/app.py\n```python\nprint(1)\n```\n";
  BOOST_TEST_REQUIRE(parse_file_sections(reply, files, error), error);
  BOOST_TEST_REQUIRE(files.size() == 2u);
  BOOST_TEST(files[0].path == "README.md");
  BOOST_TEST(files[0].content == "# Demo\n");
  BOOST_TEST(files[1].path == "src/app.py");
  BOOST_TEST(!parse_file_sections("### File: a.txt\n", files, error));
}

BOOST_AUTO_TEST_CASE(block_matches_whole_lines_only) {
  std::string error;
  const auto partial = apply_blocks("max = 1\nprint(max)\n", {{1, "x = 1\n", "x = 2\n"}}, "m.py", error);
  BOOST_TEST(!partial.has_value());
  BOOST_TEST(error.starts_with("SEARCH block 1 does not match m.py"), error);
  const auto word = apply_blocks("hello world\n", {{1, "world\n", "there\n"}}, "h.txt", error);
  BOOST_TEST(!word.has_value());
}

BOOST_AUTO_TEST_CASE(mixed_line_ends_kept_outside_block) {
  std::string error;
  const auto result = apply_blocks("one\r\ntwo\nthree\r\nfour\n", {{1, "two\nthree\n", "TWO\nTHREE\n"}}, "f", error);
  BOOST_TEST(result.value_or("") == "one\r\nTWO\nTHREE\r\nfour\n", error);
  const auto last = apply_blocks("one\r\ntwo\r\nthree\r\nfour\n", {{1, "two\n", "2\n"}}, "f", error);
  BOOST_TEST(last.value_or("") == "one\r\n2\r\nthree\r\nfour\n", error);
}

BOOST_AUTO_TEST_CASE(deleting_lines_and_growing) {
  std::string error;
  BOOST_TEST(apply_blocks("a\nb\nc", {{1, "c\n", ""}}, "f", error).value_or("") == "a\nb");
  BOOST_TEST(apply_blocks("a\nb\n", {{1, "a\n", "a\nA1\nA2\n"}}, "f", error).value_or("") == "a\nA1\nA2\nb\n");
  BOOST_TEST(apply_blocks("a\nb", {{1, "b\n", "b\nc\n"}}, "f", error).value_or("") == "a\nb\nc");
}

BOOST_AUTO_TEST_CASE(diff_reply_is_rejected) {
  edit_reply reply;
  std::string error;
  BOOST_TEST(!parse_edit_reply("```diff\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-p\n+P\n```\n", reply, error));
  BOOST_TEST(error.find("unified diff") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(byte_order_mark_is_kept) {
  BOOST_TEST(adopt_conventions("ALPHA\nbeta\n", "\xEF\xBB\xBF" "alpha\nbeta\n") == "\xEF\xBB\xBF" "ALPHA\nbeta\n");
}

BOOST_AUTO_TEST_CASE(conventions_detect_majority) {
  BOOST_TEST(conventions_of("a\r\nb\r\nc\n").crlf);
  BOOST_TEST(!conventions_of("a\nb\r\n").crlf);
  BOOST_TEST(!conventions_of("abc").final_newline);
  BOOST_TEST(grok::sdk::code_fence_for("a ``` b") == "````");
}

BOOST_AUTO_TEST_SUITE_END()

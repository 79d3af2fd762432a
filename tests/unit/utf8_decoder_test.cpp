// SPDX-License-Identifier: MIT
/// \file
/// Tests of `utf8_decoder` and `is_valid_utf8`: characters split across
/// pieces, and U+FFFD for each maximal subpart of invalid input.
#include <grok/sdk/utf8.hpp>

#include <boost/test/unit_test.hpp>

#include <iomanip>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace sdk = grok::sdk;

namespace {

/// U+FFFD REPLACEMENT CHARACTER in UTF-8.
constexpr std::string_view fffd = "\xEF\xBF\xBD";

/// Formats bytes as upper-case hex pairs, so that failures show the bytes.
std::string hex(std::string_view bytes) {
  std::ostringstream text;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0)
      text << ' ';
    text << std::uppercase << std::hex << std::setw(2) << std::setfill('0')
         << static_cast<unsigned>(static_cast<unsigned char>(bytes[i]));
  }
  return text.str();
}

/// Decodes `pieces` in order and finishes.
std::string decode_pieces(const std::vector<std::string_view>& pieces) {
  sdk::utf8_decoder decoder;
  std::string out;
  for (std::string_view piece : pieces)
    decoder.decode(piece, out);
  decoder.finish(out);
  return out;
}

std::string decode_bytewise(std::string_view bytes) {
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; i < bytes.size(); ++i)
    pieces.push_back(bytes.substr(i, 1));
  return decode_pieces(pieces);
}

/// Characters of every encoded length, including the first and last code
/// point of each length and the code points next to the surrogate range.
const std::vector<std::string_view> multibyte_characters = {
    "\xC2\x80",         // U+0080
    "\xC3\xA9",         // U+00E9
    "\xDF\xBF",         // U+07FF
    "\xE0\xA0\x80",     // U+0800
    "\xE2\x82\xAC",     // U+20AC
    "\xE4\xB8\x96",     // U+4E16
    "\xED\x9F\xBF",     // U+D7FF
    "\xEE\x80\x80",     // U+E000
    "\xEF\xBF\xBF",     // U+FFFF
    "\xF0\x90\x80\x80", // U+10000
    "\xF0\x9F\x98\x80", // U+1F600
    "\xF4\x8F\xBF\xBF", // U+10FFFF
};

/// An invalid input and its decoding.
struct invalid_case {
  std::string_view input;
  std::string expected;
};

std::string replaced(int count) {
  std::string text;
  for (int i = 0; i < count; ++i)
    text.append(fffd);
  return text;
}

const std::vector<invalid_case> invalid_cases = {
    {"\x80", replaced(1)},                          // lone continuation byte
    {"a\xBF" "b", "a" + replaced(1) + "b"},          // lone continuation between ASCII
    {"\x80\x80", replaced(2)},                      // each stray continuation byte
    {"\xC0\xAF", replaced(2)},                      // overlong '/', C0 is never valid
    {"\xC1\xBF", replaced(2)},                      // overlong, C1 is never valid
    {"\xE0\x80\xAF", replaced(3)},                  // overlong 3-byte form
    {"\xED\xA0\x80", replaced(3)},                  // surrogate U+D800
    {"\xED\xBF\xBF", replaced(3)},                  // surrogate U+DFFF
    {"\xF0\x80\x80", replaced(3)},                  // 80 is not valid after F0
    {"\xF4\x90\x80\x80", replaced(4)},              // above U+10FFFF
    {"\xF5", replaced(1)},                          // F5 never starts a sequence
    {"\xF5\x80\x80\x80", replaced(4)},              // F5 and three stray bytes
    {"\xFF", replaced(1)},                          // FF never occurs
    {"\xC2" "A", replaced(1) + "A"},                // truncated 2-byte sequence
    {"\xE1\x80" "A", replaced(1) + "A"},            // truncated 3-byte sequence
    {"\xF0\x9F\x98" "A", replaced(1) + "A"},        // truncated 4-byte sequence
    {"\xE1\x80\xC3\xA9", replaced(1) + "\xC3\xA9"}, // truncated, then a valid character
    {"\xE1\x80", replaced(1)},                      // truncated at finish
    {"\xF0\x9F\x98", replaced(1)},                  // truncated at finish
    // Truncated 4-, 3- and 2-byte sequences and stray bytes in a row.
    {"\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
     "a" + replaced(3) + "b" + replaced(1) + "c" + replaced(2) + "d"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(utf8_decoder)

BOOST_AUTO_TEST_CASE(ascii_passes_through) {
  const std::string_view text = "plain ASCII, with\ttabs\nand newlines\x7F";
  BOOST_TEST(decode_pieces({text}) == text);
}

BOOST_AUTO_TEST_CASE(empty_input_empty_output) {
  BOOST_TEST(decode_pieces({}).empty());
  BOOST_TEST(decode_pieces({"", ""}).empty());
}

BOOST_AUTO_TEST_CASE(whole_characters_unchanged) {
  for (std::string_view character : multibyte_characters) {
    const std::string text = "a" + std::string(character) + "b";
    BOOST_TEST(decode_pieces({text}) == text, "bytes " << hex(text));
  }
}

BOOST_AUTO_TEST_CASE(split_in_two_unchanged) {
  for (std::string_view character : multibyte_characters) {
    const std::string text = "a" + std::string(character) + "b";
    const std::string_view view = text;
    for (std::size_t offset = 0; offset <= view.size(); ++offset) {
      const std::string out = decode_pieces({view.substr(0, offset), view.substr(offset)});
      BOOST_TEST(out == text, "bytes " << hex(text) << " split at " << offset);
    }
  }
}

BOOST_AUTO_TEST_CASE(split_in_three_unchanged) {
  for (std::string_view character : multibyte_characters) {
    const std::string text = "a" + std::string(character) + "b";
    const std::string_view view = text;
    for (std::size_t first = 0; first <= view.size(); ++first) {
      for (std::size_t second = first; second <= view.size(); ++second) {
        const std::string out = decode_pieces({view.substr(0, first),
                                               view.substr(first, second - first),
                                               view.substr(second)});
        BOOST_TEST(out == text,
                   "bytes " << hex(text) << " split at " << first << " and " << second);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(held_bytes_not_emitted) {
  // Each inner offset must hold back the partial character, not emit it.
  for (std::string_view character : multibyte_characters) {
    for (std::size_t offset = 1; offset < character.size(); ++offset) {
      sdk::utf8_decoder decoder;
      std::string out;
      decoder.decode(character.substr(0, offset), out);
      BOOST_TEST(out.empty(), "bytes " << hex(character) << " cut at " << offset);
      BOOST_TEST(decoder.pending(), "bytes " << hex(character) << " cut at " << offset);

      decoder.decode(character.substr(offset), out);
      BOOST_TEST(out == character, "bytes " << hex(character) << " cut at " << offset);
      BOOST_TEST(!decoder.pending(), "bytes " << hex(character) << " cut at " << offset);
    }
  }
}

BOOST_AUTO_TEST_CASE(pending_tracks_held_bytes) {
  sdk::utf8_decoder decoder;
  std::string out;
  BOOST_TEST(!decoder.pending());

  decoder.decode("a\xF0\x9F", out);
  BOOST_TEST(decoder.pending());
  BOOST_TEST(out == "a");

  decoder.decode("\x98", out);
  BOOST_TEST(decoder.pending());

  decoder.decode("\x80", out);
  BOOST_TEST(!decoder.pending());
  BOOST_TEST(out == "a\xF0\x9F\x98\x80");
}

BOOST_AUTO_TEST_CASE(finish_clears_pending) {
  sdk::utf8_decoder decoder;
  std::string out;
  decoder.decode("\xE2\x82", out);
  decoder.finish(out);
  BOOST_TEST(!decoder.pending());
  BOOST_TEST(out == fffd);

  // The decoder starts afresh after finish.
  out.clear();
  decoder.decode("\xE2\x82\xAC", out);
  decoder.finish(out);
  BOOST_TEST(out == "\xE2\x82\xAC");
}

BOOST_AUTO_TEST_CASE(invalid_sequences_replaced_whole) {
  for (const auto& test : invalid_cases) {
    const std::string out = decode_pieces({test.input});
    BOOST_TEST(out == test.expected,
               "input " << hex(test.input) << ": got " << hex(out) << ", expected "
                        << hex(test.expected));
  }
}

BOOST_AUTO_TEST_CASE(invalid_sequences_replaced_bytewise) {
  for (const auto& test : invalid_cases) {
    const std::string out = decode_bytewise(test.input);
    BOOST_TEST(out == test.expected,
               "input " << hex(test.input) << ": got " << hex(out) << ", expected "
                        << hex(test.expected));
  }
}

BOOST_AUTO_TEST_CASE(invalid_sequences_replaced_split) {
  for (const auto& test : invalid_cases) {
    for (std::size_t offset = 0; offset <= test.input.size(); ++offset) {
      const std::string out =
          decode_pieces({test.input.substr(0, offset), test.input.substr(offset)});
      BOOST_TEST(out == test.expected, "input " << hex(test.input) << " split at " << offset
                                                << ": got " << hex(out));
    }
  }
}

BOOST_AUTO_TEST_CASE(is_valid_utf8_table) {
  struct validity_case {
    std::string_view text;
    bool valid;
  };
  const validity_case cases[] = {
      {"", true},
      {"ascii only", true},
      {std::string_view("nul\0inside", 10), true},
      {"\xC3\xA9", true},
      {"\xE2\x82\xAC", true},
      {"\xED\x9F\xBF", true},
      {"\xF0\x9F\x98\x80", true},
      {"\xF4\x8F\xBF\xBF", true},
      {"mixed \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 text", true},
      {"\x80", false},
      {"\xC0\xAF", false},
      {"\xC2", false},
      {"\xE0\x80\xAF", false},
      {"\xE1\x80", false},
      {"\xED\xA0\x80", false},
      {"\xF0\x80\x80\x80", false},
      {"\xF4\x90\x80\x80", false},
      {"\xF5\x80\x80\x80", false},
      {"\xFF", false},
      {"valid then \xC3", false},
  };
  for (const auto& test : cases)
    BOOST_TEST(sdk::is_valid_utf8(test.text) == test.valid, "bytes " << hex(test.text));
}

BOOST_AUTO_TEST_SUITE_END()

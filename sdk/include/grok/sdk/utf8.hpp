// SPDX-License-Identifier: MIT
/// \file
/// An incremental UTF-8 decoder that never splits a character.
#pragma once

#include <grok/sdk/export.hpp>

#include <string>
#include <string_view>

namespace grok::sdk {

/// Passes through complete UTF-8 characters and holds back an incomplete
/// sequence at the end of a piece until the next piece completes it. Valid
/// input comes out byte for byte. Each maximal invalid subsequence becomes
/// U+FFFD, as the Unicode Standard (chapter 3, "U+FFFD Substitution of
/// Maximal Subparts") and the WHATWG Encoding Standard do.
class GROK_SDK_API utf8_decoder {
public:
  /// Appends the complete characters of `bytes`, after any held-back bytes,
  /// to `out`.
  void decode(std::string_view bytes, std::string& out);

  /// Ends the input: an incomplete sequence still held becomes U+FFFD.
  void finish(std::string& out);

  /// True when bytes of an incomplete character are held back.
  bool pending() const noexcept { return held_size_ != 0; }

private:
  char held_[4] = {};
  unsigned held_size_ = 0;
};

/// Returns true when `text` is valid UTF-8. [any-thread]
GROK_SDK_API bool is_valid_utf8(std::string_view text) noexcept;

} // namespace grok::sdk

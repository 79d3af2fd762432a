// SPDX-License-Identifier: MIT
/// \file
/// The incremental UTF-8 decoder.
#include <grok/sdk/utf8.hpp>

#include <cstdint>

namespace grok::sdk {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

/// The length of the sequence a lead byte starts, or 0 for a byte that
/// cannot start one.
unsigned sequence_length(std::uint8_t lead) noexcept {
  if (lead < 0x80)
    return 1;
  if (lead >= 0xC2 && lead <= 0xDF)
    return 2;
  if (lead >= 0xE0 && lead <= 0xEF)
    return 3;
  if (lead >= 0xF0 && lead <= 0xF4)
    return 4;
  return 0;
}

/// True when `byte` may follow `lead` at position 1 of a sequence. The
/// narrower ranges after E0, ED, F0 and F4 exclude overlong forms,
/// surrogates and code points above U+10FFFF (Unicode Table 3-7).
bool valid_second_byte(std::uint8_t lead, std::uint8_t byte) noexcept {
  switch (lead) {
  case 0xE0: return byte >= 0xA0 && byte <= 0xBF;
  case 0xED: return byte >= 0x80 && byte <= 0x9F;
  case 0xF0: return byte >= 0x90 && byte <= 0xBF;
  case 0xF4: return byte >= 0x80 && byte <= 0x8F;
  default: return byte >= 0x80 && byte <= 0xBF;
  }
}

bool is_continuation(std::uint8_t byte) noexcept { return byte >= 0x80 && byte <= 0xBF; }

/// The outcome of examining the sequence at the start of `bytes`.
struct scan_result {
  enum kind { complete, incomplete, invalid } status;
  std::size_t length; ///< bytes of the character, or of the invalid subpart
};

scan_result scan(std::string_view bytes) noexcept {
  const auto lead = static_cast<std::uint8_t>(bytes[0]);
  const unsigned length = sequence_length(lead);
  if (length == 0)
    return {scan_result::invalid, 1};
  for (unsigned i = 1; i < length; ++i) {
    if (i >= bytes.size())
      return {scan_result::incomplete, i};
    const auto byte = static_cast<std::uint8_t>(bytes[i]);
    const bool ok = (i == 1) ? valid_second_byte(lead, byte) : is_continuation(byte);
    if (!ok)
      return {scan_result::invalid, i}; // the maximal subpart ends before this byte
  }
  return {scan_result::complete, length};
}

} // namespace

void utf8_decoder::decode(std::string_view bytes, std::string& out) {
  // Complete a held-back character first, byte by byte.
  while (held_size_ != 0 && held_size_ < sizeof held_ && !bytes.empty()) {
    held_[held_size_++] = bytes.front();
    bytes.remove_prefix(1);
    const scan_result r = scan(std::string_view(held_, held_size_));
    if (r.status == scan_result::incomplete)
      continue;
    if (r.status == scan_result::complete) {
      out.append(held_, held_size_);
      held_size_ = 0;
      break;
    }
    // Invalid: replace the maximal subpart and re-examine what follows it.
    out.append(replacement_character);
    std::string rest(held_ + r.length, held_size_ - r.length);
    held_size_ = 0;
    rest.append(bytes);
    decode(rest, out);
    return;
  }

  std::size_t i = 0;
  std::size_t run_start = 0;
  while (i < bytes.size()) {
    if (static_cast<std::uint8_t>(bytes[i]) < 0x80) {
      ++i;
      continue;
    }
    const scan_result r = scan(bytes.substr(i));
    if (r.status == scan_result::complete) {
      i += r.length;
      continue;
    }
    out.append(bytes.substr(run_start, i - run_start));
    if (r.status == scan_result::incomplete) {
      held_size_ = static_cast<unsigned>(bytes.size() - i);
      bytes.copy(held_, held_size_, i);
      return;
    }
    out.append(replacement_character);
    i += r.length;
    run_start = i;
  }
  out.append(bytes.substr(run_start));
}

void utf8_decoder::finish(std::string& out) {
  if (held_size_ != 0)
    out.append(replacement_character);
  held_size_ = 0;
}

bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    if (static_cast<std::uint8_t>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const scan_result r = scan(text.substr(i));
    if (r.status != scan_result::complete)
      return false;
    i += r.length;
  }
  return true;
}

} // namespace grok::sdk

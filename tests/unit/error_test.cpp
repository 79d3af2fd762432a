// SPDX-License-Identifier: MIT
/// \file
/// Tests of the "grok.sdk" error category and its `errc` codes.
#include <grok/sdk/error.hpp>

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <string_view>
#include <system_error>

namespace sdk = grok::sdk;

namespace {

// NOTE: update this when an enumerator is appended after io_failed.
constexpr int last_errc_value = static_cast<int>(sdk::errc::io_failed);

} // namespace

BOOST_AUTO_TEST_SUITE(error_codes)

BOOST_AUTO_TEST_CASE(category_name_is_grok_sdk) {
  for (int value = 1; value <= last_errc_value; ++value) {
    const std::error_code code = sdk::make_error_code(static_cast<sdk::errc>(value));
    BOOST_TEST(std::string_view(code.category().name()) == "grok.sdk", "errc value " << value);
  }
}

BOOST_AUTO_TEST_CASE(messages_nonempty_and_distinct) {
  const std::string unknown_message = sdk::sdk_category().message(last_errc_value + 1);
  std::set<std::string> seen;
  for (int value = 1; value <= last_errc_value; ++value) {
    const std::string message = sdk::make_error_code(static_cast<sdk::errc>(value)).message();
    BOOST_TEST(!message.empty(), "errc value " << value << " has an empty message");
    BOOST_TEST(message != unknown_message, "errc value " << value << " has no message of its own");
    BOOST_TEST(seen.insert(message).second,
               "errc value " << value << " repeats the message \"" << message << '"');
  }
}

BOOST_AUTO_TEST_CASE(enum_converts_to_error_code) {
  std::error_code code = sdk::errc::cancelled;
  BOOST_TEST(static_cast<bool>(code));
  BOOST_TEST(code.value() == static_cast<int>(sdk::errc::cancelled));
  BOOST_TEST((code.category() == sdk::sdk_category()));
  BOOST_TEST((code == sdk::errc::cancelled));
  BOOST_TEST((code != sdk::errc::io_failed));
}

BOOST_AUTO_TEST_CASE(default_code_means_success) {
  const std::error_code code;
  BOOST_TEST(!code);
  BOOST_TEST((code != sdk::errc::cancelled));
}

BOOST_AUTO_TEST_SUITE_END()

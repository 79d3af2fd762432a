// SPDX-License-Identifier: MIT
/// \file
/// The NO_PROXY matching rules of no_proxy_matches.
#include <grok/sdk/http.hpp>

#include <boost/test/unit_test.hpp>

#include <string_view>

BOOST_AUTO_TEST_SUITE(no_proxy)

BOOST_AUTO_TEST_CASE(matching_table) {
  struct match_case {
    std::string_view no_proxy;
    std::string_view host;
    bool expected;
  };
  const match_case cases[] = {
      {"", "example.com", false},
      {"*", "api.example.com", true},
      {"*", "127.0.0.1", true},
      {"example.com", "example.com", true},
      {"example.com", "api.example.com", true},
      {".example.com", "api.example.com", true},
      {".example.com", "example.com", true},
      {"example.com", "notexample.com", false},
      {"example.com", "example.com.evil.org", false},
      {"api.example.com", "example.com", false},
      {"EXAMPLE.com", "Api.Example.COM", true},
      {"example.com.", "api.example.com", true},
      {"example.com:8080", "example.com", true},
      {" foo.org ,  example.com ", "www.example.com", true},
      {",, ,", "example.com", false},
      {"foo.org,bar.org", "example.com", false},
      {"localhost,127.0.0.1", "127.0.0.1", true},
      {"127.0.0.1", "127.0.0.2", false},
      {"0.0.1", "127.0.0.1", false},
      {"127.0.0.1:8443", "127.0.0.1", true},
      {"::1", "::1", true},
      {"::1", "[::1]", true},
      {"[::1]:8080", "::1", true},
      {"0:0::1", "::1", true},
      {"::2", "::1", false},
      {"example.com", "", false},
  };
  for (const match_case& entry : cases) {
    BOOST_TEST_CONTEXT("NO_PROXY='" << entry.no_proxy << "' host='" << entry.host << "'") {
      BOOST_TEST(grok::sdk::net::no_proxy_matches(entry.no_proxy, entry.host) == entry.expected);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

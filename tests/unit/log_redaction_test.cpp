// SPDX-License-Identifier: MIT
/// \file
/// Tests of `redact_secrets` and `register_secret`.
#include <grok/sdk/log.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

namespace sdk = grok::sdk;

namespace {

/// Twenty key characters, the length of the key-shaped test strings.
constexpr std::string_view twenty_key_characters = "A1b2C3d4E5f6G7h8I9j0";

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(log_redaction)

BOOST_AUTO_TEST_CASE(registered_secret_replaced_everywhere) {
  // The secret list is process-wide, so this value is used by no other test.
  const std::string secret = "hunter2-registered-secret-value";
  sdk::register_secret(secret);

  const std::string text = "first " + secret + ", second " + secret + secret + " end";
  const std::string out = sdk::redact_secrets(text);
  BOOST_TEST(!contains(out, secret), out);
  BOOST_TEST(out == "first [REDACTED], second [REDACTED][REDACTED] end");
}

BOOST_AUTO_TEST_CASE(registered_secret_inside_word) {
  const std::string secret = "Zq9embeddedSecret";
  sdk::register_secret(secret);
  const std::string out = sdk::redact_secrets("prefix" + secret + "suffix");
  BOOST_TEST(out == "prefix[REDACTED]suffix");
}

BOOST_AUTO_TEST_CASE(short_secret_not_registered) {
  // Values under 8 bytes would redact ordinary words.
  sdk::register_secret("abc1234");
  const std::string text = "abc1234 stays";
  BOOST_TEST(sdk::redact_secrets(text) == text);
}

BOOST_AUTO_TEST_CASE(openai_key_shape_redacted) {
  const std::string key = "sk-" + std::string(twenty_key_characters);
  const std::string out = sdk::redact_secrets("using key " + key + " now");
  BOOST_TEST(out == "using key [REDACTED] now");
}

BOOST_AUTO_TEST_CASE(xai_key_shape_redacted) {
  const std::string key = "xai-" + std::string(twenty_key_characters);
  const std::string out = sdk::redact_secrets("XAI_API_KEY=" + key);
  BOOST_TEST(out == "XAI_API_KEY=[REDACTED]");
}

BOOST_AUTO_TEST_CASE(key_in_json_redacted) {
  const std::string key = "sk-proj-" + std::string(twenty_key_characters);
  const std::string out = sdk::redact_secrets(R"({"api_key":")" + key + R"("})");
  BOOST_TEST(out == R"({"api_key":"[REDACTED]"})");
}

BOOST_AUTO_TEST_CASE(short_key_shapes_kept) {
  for (std::string_view text : {"sk-short", "xai-abc", "sk-0123456789", "xai-0123456789abc"})
    BOOST_TEST(sdk::redact_secrets(text) == text);
}

BOOST_AUTO_TEST_CASE(ordinary_words_kept) {
  const std::string_view texts[] = {
      "ask-for-help-with-this-long-hyphenated-phrase",
      "risk-assessment-of-the-deployment-pipeline",
      "desk-xai-integration-notes-for-this-quarter",
      "Reading sk-learn docs",
      "the task is done; see the log",
      "Authorization header missing",
  };
  for (std::string_view text : texts)
    BOOST_TEST(sdk::redact_secrets(text) == text);
}

BOOST_AUTO_TEST_CASE(bearer_token_redacted) {
  const std::string token = "eyJhbGciOiJIUzI1NiJ9.payload.signature";
  const std::string out = sdk::redact_secrets("Authorization: Bearer " + token);
  BOOST_TEST(out == "Authorization: Bearer [REDACTED]");
}

BOOST_AUTO_TEST_CASE(bearer_any_case_redacted) {
  const std::string out = sdk::redact_secrets("authorization: bearer abcdefgh12345678\r\n");
  BOOST_TEST(out == "authorization: bearer [REDACTED]\r\n");
}

BOOST_AUTO_TEST_CASE(bearer_key_redacted_once) {
  const std::string key = "xai-" + std::string(twenty_key_characters);
  const std::string out = sdk::redact_secrets("Authorization: Bearer " + key);
  BOOST_TEST(out == "Authorization: Bearer [REDACTED]");
}

BOOST_AUTO_TEST_CASE(basic_credentials_redacted) {
  const std::string out = sdk::redact_secrets("Authorization: Basic dXNlcjpwYXNzd29yZA==");
  BOOST_TEST(out == "Authorization: Basic [REDACTED]");
}

BOOST_AUTO_TEST_CASE(secret_assignments_redacted) {
  BOOST_TEST(sdk::redact_secrets("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") ==
             "AWS_SECRET_ACCESS_KEY=[REDACTED]");
  BOOST_TEST(sdk::redact_secrets("db:\n  password: hunter2hunter2\n") == "db:\n  password: [REDACTED]\n");
  BOOST_TEST(sdk::redact_secrets(R"({"api_key": "abcdefgh12345678", "user": "alice"})") ==
             R"({"api_key": "[REDACTED]", "user": "alice"})");
  // Short values and ordinary assignments stay.
  BOOST_TEST(sdk::redact_secrets("token=abc") == "token=abc");
  BOOST_TEST(sdk::redact_secrets("set XAI_API_KEY (export XAI_API_KEY=...)") ==
             "set XAI_API_KEY (export XAI_API_KEY=...)");
  BOOST_TEST(sdk::redact_secrets("timeout=30000000 mode=fast") == "timeout=30000000 mode=fast");
}

BOOST_AUTO_TEST_CASE(private_key_block_redacted) {
  const std::string pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nQUJDREVGR0g=\n"
                          "-----END OPENSSH PRIVATE KEY-----\n";
  const std::string out = sdk::redact_secrets(pem);
  BOOST_TEST(out.find("b3BlbnNzaC1rZXktdjEAAAAA") == std::string::npos, out);
  BOOST_TEST(out.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"), out);
  BOOST_TEST(out.find("-----END OPENSSH PRIVATE KEY-----") != std::string::npos, out);
  const std::string certificate = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
  BOOST_TEST(sdk::redact_secrets(certificate) == certificate);
}

BOOST_AUTO_TEST_CASE(word_basic_kept) {
  const std::string_view text = "a basic question about something";
  BOOST_TEST(sdk::redact_secrets(text) == text);
}

BOOST_AUTO_TEST_CASE(proxy_basic_credentials_redacted) {
  const std::string out = sdk::redact_secrets("proxy-authorization: basic dXNlcjpwYXNzd29yZA==");
  BOOST_TEST(out == "proxy-authorization: basic [REDACTED]");
}

BOOST_AUTO_TEST_CASE(text_without_secrets_unchanged) {
  const std::string_view text = "connected to api.x.ai:443 in 120 ms";
  BOOST_TEST(sdk::redact_secrets(text) == text);
}

BOOST_AUTO_TEST_SUITE_END()

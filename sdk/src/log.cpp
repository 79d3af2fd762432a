// SPDX-License-Identifier: MIT
/// \file
/// Secret redaction for every log sink and console message.
#include <grok/sdk/log.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

#include <sys/prctl.h>

namespace grok::sdk {
namespace {

constexpr std::string_view redacted = "[REDACTED]";

struct secret_list {
  std::mutex mutex;
  std::vector<std::string> values;
};

secret_list& secrets() {
  static secret_list list;
  return list;
}

bool is_key_character(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

/// Prefixes of API keys issued by common providers (OpenAI "sk-",
/// Anthropic "sk-ant-", xAI "xai-", GitHub, Google, Slack, AWS access key
/// ids). A match needs at least 16 key characters after the prefix.
constexpr std::string_view key_prefixes[] = {"sk-", "xai-", "ghp_", "gho_", "github_pat_",
                                             "AIza", "xoxb-", "xoxp-", "AKIA"};

void replace_all(std::string& text, std::string_view value) {
  if (value.empty())
    return;
  std::size_t at = 0;
  while ((at = text.find(value, at)) != std::string::npos) {
    text.replace(at, value.size(), redacted);
    at += redacted.size();
  }
}

/// Redacts every run of key characters that starts with a known prefix and
/// is long enough to be a key.
void redact_key_patterns(std::string& text) {
  for (std::string_view prefix : key_prefixes) {
    std::size_t at = 0;
    while ((at = text.find(prefix, at)) != std::string::npos) {
      const bool starts_word = at == 0 || !is_key_character(text[at - 1]);
      std::size_t end = at + prefix.size();
      while (end < text.size() && is_key_character(text[end]))
        ++end;
      if (starts_word && end - at - prefix.size() >= 16) {
        text.replace(at, end - at, redacted);
        at += redacted.size();
      } else {
        at = end;
      }
    }
  }
}

/// Redacts the credential after "Bearer " anywhere, and after "Basic " in
/// an Authorization or Proxy-Authorization header, in any case. ("basic"
/// alone is an ordinary word.)
void redact_authorization(std::string& text) {
  for (std::string_view scheme : {std::string_view("bearer "), std::string_view("authorization: basic ")}) {
    std::size_t at = 0;
    for (;;) {
      auto it = std::search(text.begin() + static_cast<std::ptrdiff_t>(at), text.end(),
                            scheme.begin(), scheme.end(), [](char a, char b) {
                              return std::tolower(static_cast<unsigned char>(a)) == b;
                            });
      if (it == text.end())
        break;
      const std::size_t start = static_cast<std::size_t>(it - text.begin()) + scheme.size();
      std::size_t end = start;
      while (end < text.size() && (is_key_character(text[end]) || text[end] == '.' ||
                                   text[end] == '=' || text[end] == '+' || text[end] == '/'))
        ++end;
      if (end - start >= 8) {
        text.replace(start, end - start, redacted);
        at = start + redacted.size();
      } else {
        at = end;
      }
    }
  }
}

/// Redacts the body of PEM private key blocks.
void redact_private_keys(std::string& text) {
  std::size_t at = 0;
  while ((at = text.find("-----BEGIN ", at)) != std::string::npos) {
    const auto header_end = text.find("-----", at + 11);
    if (header_end == std::string::npos)
      break;
    const std::string_view label(text.data() + at + 11, header_end - at - 11);
    if (!label.ends_with("PRIVATE KEY")) {
      at = header_end;
      continue;
    }
    const std::size_t body = header_end + 5;
    const auto footer = text.find("-----END ", body);
    const std::size_t end = footer == std::string::npos ? text.size() : footer;
    text.replace(body, end - body, std::string("\n") + std::string(redacted) + "\n");
    at = body + redacted.size() + 2;
  }
}

bool is_name_character(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
}

/// Redacts the value of assignments such as `AWS_SECRET_ACCESS_KEY=...`,
/// `password: ...` or `"api_key": "..."` whose name contains a secret-like
/// word. Values shorter than 8 characters are kept.
void redact_assignments(std::string& text) {
  static constexpr std::string_view words[] = {"secret", "password", "passwd", "token", "api_key",
                                               "apikey", "private_key", "access_key", "credential"};
  std::size_t at = 0;
  while (at < text.size()) {
    const auto op = text.find_first_of("=:", at);
    if (op == std::string::npos)
      break;
    // The name: name characters before the operator, past a closing quote
    // and spaces.
    std::size_t name_end = op;
    while (name_end > 0 && (text[name_end - 1] == ' ' || text[name_end - 1] == '"' || text[name_end - 1] == '\''))
      --name_end;
    std::size_t name_start = name_end;
    while (name_start > 0 && is_name_character(text[name_start - 1]))
      --name_start;
    std::string name = text.substr(name_start, name_end - name_start);
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool secret_name = std::any_of(std::begin(words), std::end(words),
                                         [&](std::string_view word) { return name.find(word) != std::string::npos; });

    std::size_t value_start = op + 1;
    while (value_start < text.size() && (text[value_start] == ' ' || text[value_start] == '"' || text[value_start] == '\''))
      ++value_start;
    std::size_t value_end = value_start;
    while (value_end < text.size() && text[value_end] != '"' && text[value_end] != '\'' &&
           text[value_end] != ',' && text[value_end] != '\n' && text[value_end] != '\r' &&
           text[value_end] != ' ' && text[value_end] != '}')
      ++value_end;
    if (secret_name && value_end - value_start >= 8 &&
        std::string_view(text).substr(value_start, value_end - value_start) != redacted) {
      text.replace(value_start, value_end - value_start, redacted);
      value_end = value_start + redacted.size();
    }
    at = std::max(value_end, op + 1);
  }
}

} // namespace

void register_secret(std::string_view secret) {
  if (secret.empty())
    return;
  // A core dump or a ptrace attach would expose the secret from now on.
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (secret.size() < 8)
    return;
  auto& list = secrets();
  std::lock_guard lock(list.mutex);
  if (std::find(list.values.begin(), list.values.end(), secret) == list.values.end())
    list.values.emplace_back(secret);
}

std::string redact_secrets(std::string_view text) {
  std::string result(text);
  {
    auto& list = secrets();
    std::lock_guard lock(list.mutex);
    for (const auto& value : list.values)
      replace_all(result, value);
  }
  redact_key_patterns(result);
  redact_authorization(result);
  redact_private_keys(result);
  redact_assignments(result);
  return result;
}

} // namespace grok::sdk

// SPDX-License-Identifier: MIT
/// \file
/// Helpers for putting code into Markdown prompts.
#pragma once

#include <grok/sdk/export.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace grok::sdk {

/// Returns a fence of backticks longer than any run of backticks in
/// `text` (at least three), so the text cannot close the fence early.
/// [any-thread]
GROK_SDK_API std::string code_fence_for(std::string_view text);

/// Returns the Markdown info string for a file's language ("cpp",
/// "python"), from its extension or name, or empty when unknown.
/// [any-thread]
GROK_SDK_API std::string fence_language(const std::filesystem::path& path);

/// Returns `text` as a fenced code block tagged with the language of
/// `path`, ending in a newline. [any-thread]
GROK_SDK_API std::string fenced_code(std::string_view text, const std::filesystem::path& path = {});

} // namespace grok::sdk

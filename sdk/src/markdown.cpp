// SPDX-License-Identifier: MIT
/// \file
/// Markdown code fences for prompts.
#include <grok/sdk/markdown.hpp>

#include <algorithm>
#include <map>

namespace grok::sdk {

std::string code_fence_for(std::string_view text) {
  std::size_t longest = 0;
  std::size_t run = 0;
  for (char c : text) {
    run = (c == '`') ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<std::size_t>(3, longest + 1), '`');
}

std::string fence_language(const std::filesystem::path& path) {
  static const std::map<std::string, std::string, std::less<>> languages{
      {".c", "c"},          {".h", "c"},          {".cc", "cpp"},    {".cpp", "cpp"},   {".cxx", "cpp"},
      {".hpp", "cpp"},      {".hh", "cpp"},       {".py", "python"}, {".js", "javascript"},
      {".ts", "typescript"}, {".rs", "rust"},     {".go", "go"},     {".java", "java"}, {".rb", "ruby"},
      {".sh", "bash"},      {".json", "json"},    {".md", "markdown"}, {".cmake", "cmake"},
      {".toml", "toml"},    {".yaml", "yaml"},    {".yml", "yaml"}};
  if (path.filename() == "CMakeLists.txt")
    return "cmake";
  const auto found = languages.find(path.extension().string());
  return found == languages.end() ? std::string() : found->second;
}

std::string fenced_code(std::string_view text, const std::filesystem::path& path) {
  const std::string fence = code_fence_for(text);
  std::string block = fence + fence_language(path) + "\n";
  block.append(text);
  if (!text.empty() && text.back() != '\n')
    block.push_back('\n');
  block += fence + "\n";
  return block;
}

} // namespace grok::sdk

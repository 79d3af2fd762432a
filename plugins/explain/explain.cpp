// SPDX-License-Identifier: MIT
/// \file
/// /explain: asks the model to explain a file or a snippet of code.
#include <grok/sdk/files.hpp>
#include <grok/sdk/plugin.hpp>
#include <grok/sdk/utf8.hpp>

#include <map>

namespace {

using namespace grok;

constexpr std::uintmax_t large_file_bytes = 1024 * 1024;

/// A Markdown fence language for common extensions; empty when unknown.
std::string fence_language(const std::filesystem::path& path) {
  static const std::map<std::string, std::string> languages{
      {".c", "c"},        {".h", "c"},       {".cc", "cpp"},      {".cpp", "cpp"},  {".cxx", "cpp"},
      {".hpp", "cpp"},    {".hh", "cpp"},    {".py", "python"},   {".js", "javascript"},
      {".ts", "typescript"}, {".rs", "rust"}, {".go", "go"},      {".java", "java"}, {".rb", "ruby"},
      {".sh", "bash"},    {".json", "json"}, {".md", "markdown"}, {".cmake", "cmake"},
      {".toml", "toml"},  {".yaml", "yaml"}, {".yml", "yaml"}};
  auto found = languages.find(path.extension().string());
  if (found != languages.end())
    return found->second;
  if (path.filename() == "CMakeLists.txt")
    return "cmake";
  return {};
}

/// A fence longer than any backtick run in `text`, so the text cannot
/// close it early.
std::string fence_for(std::string_view text) {
  std::size_t longest = 0;
  std::size_t run = 0;
  for (char c : text) {
    run = (c == '`') ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<std::size_t>(3, longest + 1), '`');
}

class explain_plugin final : public sdk::plugin {
public:
  void start(sdk::host& host) override {
    host_ = &host;
    (void)host.register_command({"/explain", "explain a file or a snippet of code",
                                 "/explain <file or code>",
                                 [this](std::string_view arguments) { return explain(arguments); }});
  }

private:
  sdk::exit_status explain(std::string_view arguments) {
    std::string target(arguments);
    if (target.empty()) {
      auto answer = host_->ui().ask_text("File or code to explain: ");
      if (!answer || answer->empty()) {
        host_->ui().error("/explain needs a file or some code: /explain <file or code>");
        return sdk::exit_status::usage_error;
      }
      target = *answer;
    }

    std::filesystem::path path(target);
    if (path.is_relative())
      path = host_->workspace_root() / path;
    std::error_code error;
    const bool is_file = target.find('\n') == std::string::npos && std::filesystem::is_regular_file(path, error);
    if (!is_file)
      return host_->send_user_message("Explain the following code: what it does, how it works, and "
                                      "anything surprising in it.\n\n" +
                                      fence_for(target) + "\n" + target + "\n" + fence_for(target));

    const auto size = std::filesystem::file_size(path, error);
    if (!error && size > large_file_bytes)
      host_->ui().warning(target + " is " + std::to_string(size / 1024) +
                          " KiB; a large file costs many tokens and may exceed the model's context");
    auto content = sdk::read_file(path, error);
    if (!content) {
      host_->ui().error("cannot read " + target + ": " + error.message());
      return sdk::exit_status::failure;
    }
    if (content->find('\0') != std::string::npos) {
      host_->ui().error(target + " looks like a binary file (it contains NUL bytes); /explain "
                        "works on text files");
      return sdk::exit_status::failure;
    }
    if (!sdk::is_valid_utf8(*content)) {
      host_->ui().error(target + " is not valid UTF-8; convert it to UTF-8 first (for example "
                        "with iconv)");
      return sdk::exit_status::failure;
    }

    const std::string fence = fence_for(*content);
    std::string prompt = "Explain the file `" + target +
                         "`: what it does, how it is structured, and anything surprising or "
                         "risky in it.\n\n" +
                         fence + fence_language(path) + "\n" + *content;
    if (!content->empty() && content->back() != '\n')
      prompt += "\n";
    prompt += fence;
    return host_->send_user_message(std::move(prompt));
  }

  sdk::host* host_ = nullptr;
};

} // namespace

GROK_PLUGIN("explain", "1.0.0", "The /explain command", explain_plugin)

// SPDX-License-Identifier: MIT
/// \file
/// Adds the user's ~/GROK.md and the workspace's GROK.md and AGENTS.md to
/// every request as system context, through the pre-prompt hook.
#include <grok/sdk/files.hpp>
#include <grok/sdk/plugin.hpp>
#include <grok/sdk/utf8.hpp>

#include <cstdlib>
#include <set>

namespace {

using namespace grok;

/// Context files larger than this are cut, with a warning, so one huge
/// file cannot fill the model's context window.
constexpr std::size_t max_context_bytes = 256 * 1024;

class context_files_plugin final : public sdk::plugin {
public:
  void start(sdk::host& host) override {
    host_ = &host;
    (void)host.add_hook(10, sdk::pre_prompt_hook([this](sdk::prompt_context& context) { add(context); }));
  }

private:
  std::vector<std::filesystem::path> candidates() const {
    std::vector<std::filesystem::path> files;
    if (const char* home = std::getenv("HOME"); home && *home)
      files.push_back(std::filesystem::path(home) / "GROK.md");
    const auto& root = host_->workspace_root();
    files.push_back(root / "GROK.md");
    files.push_back(root / "AGENTS.md");
    return files;
  }

  void add(sdk::prompt_context& context) {
    std::string combined;
    std::set<std::filesystem::path> sent;
    std::error_code error;
    for (const auto& path : candidates()) {
      if (!std::filesystem::is_regular_file(path, error))
        continue;
      // The same file is reached twice when grok runs in $HOME.
      auto content = sdk::read_file(path, error);
      if (!content || content->empty())
        continue;
      if (!sent.insert(std::filesystem::weakly_canonical(path, error)).second)
        continue;
      if (!sdk::is_valid_utf8(*content)) {
        warn_once(path, path.string() + " is not valid UTF-8; it was not sent to the model");
        continue;
      }
      if (content->size() > max_context_bytes) {
        warn_once(path, path.string() + " is larger than 256 KiB; only its first 256 KiB are sent");
        std::size_t cut = max_context_bytes;
        while (cut > 0 && (static_cast<unsigned char>((*content)[cut]) & 0xC0) == 0x80)
          --cut;
        content->resize(cut);
      }
      combined += "Instructions from " + display_name(path) + ":\n\n" + *content + "\n\n";
    }
    if (combined.empty())
      return;
    auto& messages = context.request.messages;
    messages.insert(messages.begin(), sdk::chat_message{"system", std::move(combined), {}, {}});
  }

  /// "GROK.md" for workspace files, "~/GROK.md" for the user's own.
  std::string display_name(const std::filesystem::path& path) const {
    const auto relative = path.lexically_relative(host_->workspace_root());
    if (!relative.empty() && *relative.begin() != "..")
      return relative.string();
    return "~/" + path.filename().string();
  }

  void warn_once(const std::filesystem::path& path, const std::string& message) {
    if (warned_.insert(path.string()).second)
      host_->ui().warning(message);
  }

  sdk::host* host_ = nullptr;
  std::set<std::string> warned_;
};

} // namespace

GROK_PLUGIN("context-files", "1.0.0", "Sends GROK.md and AGENTS.md to the model as context",
            context_files_plugin)

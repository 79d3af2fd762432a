// SPDX-License-Identifier: MIT
/// \file
/// /explain: asks the model to explain a file or a snippet of code.
#include <grok/sdk/files.hpp>
#include <grok/sdk/markdown.hpp>
#include <grok/sdk/plugin.hpp>
#include <grok/sdk/utf8.hpp>


namespace {

using namespace grok;

constexpr std::uintmax_t large_file_bytes = 1024 * 1024;

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
                                      sdk::fenced_code(target));

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

    std::string prompt = "Explain the file `" + target +
                         "`: what it does, how it is structured, and anything surprising or "
                         "risky in it.\n\n" +
                         sdk::fenced_code(*content, path);
    return host_->send_user_message(std::move(prompt));
  }

  sdk::host* host_ = nullptr;
};

} // namespace

GROK_PLUGIN("explain", "1.0.0", "The /explain command", explain_plugin)

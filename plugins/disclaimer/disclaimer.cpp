// SPDX-License-Identifier: MIT
/// \file
/// /disclaimer, and a notice on the first run.
#include <grok/sdk/files.hpp>
#include <grok/sdk/plugin.hpp>

namespace {

using namespace grok;

constexpr std::string_view disclaimer_text =
    "grok sends your prompts, and the files and snippets you ask about, to the model provider\n"
    "you chose (xAI by default). Answers can be wrong, incomplete or insecure: review every\n"
    "explanation, edit and command before you rely on it. Changes to files are shown as a diff\n"
    "and need your confirmation, and every change is recorded in an audit log. Keep secrets\n"
    "out of prompts. The software comes with no warranty.\n";

class disclaimer_plugin final : public sdk::plugin {
public:
  void start(sdk::host& host) override {
    host_ = &host;
    (void)host.register_command({"/disclaimer", "show what grok sends where, and its limits",
                                 "/disclaimer", [this](std::string_view) {
                                   host_->ui().output(disclaimer_text);
                                   return sdk::exit_status::success;
                                 }});
    (void)host.add_session_hook(sdk::hook_point::session_start, 0,
                                [this](const sdk::session_info&) { first_run_notice(); });
  }

private:
  /// Shows a short notice once per GROK_HOME, marked by a file there.
  void first_run_notice() {
    const auto marker = host_->grok_home() / "first-run-notice-shown";
    std::error_code error;
    if (std::filesystem::exists(marker, error))
      return;
    host_->ui().notice("Welcome to grok. Your prompts and the code you share go to the model "
                       "provider you chose; review answers before you use them. /disclaimer "
                       "shows the details.");
    if (!sdk::ensure_private_folder(host_->grok_home()))
      (void)sdk::write_file_atomically(marker, sdk::utc_now_rfc3339() + "\n");
  }

  sdk::host* host_ = nullptr;
};

} // namespace

GROK_PLUGIN("disclaimer", "1.0.0", "The /disclaimer command and the first-run notice",
            disclaimer_plugin)

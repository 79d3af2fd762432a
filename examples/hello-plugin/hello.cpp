// SPDX-License-Identifier: MIT
/// \file
/// An example plugin: the /hello command, and a pre-prompt hook that tells
/// the model the local time.
#include <grok/sdk/plugin.hpp>

#include <ctime>

namespace {

class hello_plugin final : public grok::sdk::plugin {
public:
  void start(grok::sdk::host& host) override {
    host_ = &host;

    // Registration happens here and only here; a rejected registration
    // (a duplicate name, say) makes the host stop this plugin and say why.
    (void)host.register_command({"/hello", "greet someone", "/hello [name]",
                                 [this](std::string_view name) { return greet(name); }});

    (void)host.add_hook(50, grok::sdk::pre_prompt_hook([](grok::sdk::prompt_context& context) {
      char stamp[32];
      const std::time_t now = std::time(nullptr);
      std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M", std::localtime(&now));
      context.request.messages.insert(context.request.messages.begin(),
                                      {"system", std::string("The local time is ") + stamp + ".", {}, {}});
    }));
  }

private:
  grok::sdk::exit_status greet(std::string_view name) {
    // Plugins never print themselves: the console renders for the mode.
    host_->ui().output("Hello, " + std::string(name.empty() ? "world" : name) + "!");
    return grok::sdk::exit_status::success;
  }

  grok::sdk::host* host_ = nullptr;
};

} // namespace

GROK_PLUGIN("hello", "1.0.0", "An example plugin: /hello", hello_plugin)

// SPDX-License-Identifier: MIT
/// \file
/// The entry point of grok: options, configuration, then the application.
#include "application.hpp"
#include "config.hpp"
#include "console.hpp"
#include "options.hpp"

#include <grok/sdk/version.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>

#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
// LeakSanitizer reads these in sanitizer builds (the dev preset). GLib,
// which the keystore plugin loads through libsecret, keeps small type
// registrations until exit by design.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libglib-2.0.so\nleak:libgobject-2.0.so\nleak:libgio-2.0.so\n";
}
#endif

namespace {

void print_error(std::string_view message) {
  std::string line = "grok: error: ";
  line.append(message);
  line.push_back('\n');
  (void)::write(STDERR_FILENO, line.data(), line.size());
}

int run(int argc, char** argv) {
  using namespace grok;
  std::vector<std::string> arguments(argv + 1, argv + argc);
  auto parsed = host::parse_options(arguments);
  if (!parsed.error.empty()) {
    print_error(parsed.error);
    return static_cast<int>(sdk::exit_status::usage_error);
  }
  host::options& flags = parsed.parsed;

  if (flags.help) {
    std::fputs(host::usage_text().c_str(), stdout);
    return 0;
  }
  if (flags.version) {
    std::fputs("grok " GROK_SDK_VERSION_STRING " (SDK " GROK_SDK_VERSION_STRING
               ", build " GROK_SDK_BUILD_KEY ")\n",
               stdout);
    return 0;
  }

  // A write to a closed pipe must come back as EPIPE, so that
  // `grok ... | head -1` ends quietly instead of dying from SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);

  host::locations where = host::find_locations();
  host::configuration config;
  std::string error;
  if (!host::load_configuration(where, flags, config, error)) {
    print_error(error);
    return static_cast<int>(sdk::exit_status::failure);
  }

  host::console_settings console;
  console.stdin_terminal = ::isatty(STDIN_FILENO) == 1;
  console.stdout_terminal = ::isatty(STDOUT_FILENO) == 1;
  console.stderr_terminal = ::isatty(STDERR_FILENO) == 1;
  console.format = flags.format.value_or(sdk::output_format::text);
  const bool pipeline = flags.print || !console.stdin_terminal;
  const char* no_color = std::getenv("NO_COLOR");
  console.colour = console.stdout_terminal && console.stderr_terminal && !pipeline &&
                   !flags.no_colour && (no_color == nullptr || *no_color == '\0') &&
                   console.format == sdk::output_format::text;
  console.questions = console.stdin_terminal && console.stderr_terminal && !pipeline &&
                      console.format == sdk::output_format::text;
  console.assume_yes = flags.yes;
  console.show_reasoning = flags.verbose || console.stdout_terminal;

  host::application app(std::move(flags), std::move(where), std::move(config), console);
  return app.run();
}

} // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    print_error(e.what());
    return 1;
  }
}

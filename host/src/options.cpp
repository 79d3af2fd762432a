// SPDX-License-Identifier: MIT
/// \file
/// Command-line parsing.
#include "options.hpp"

#include <grok/sdk/log.hpp>

#include <string_view>

namespace grok::host {
namespace {

std::optional<sdk::output_format> parse_format(std::string_view text) {
  if (text == "text")
    return sdk::output_format::text;
  if (text == "json")
    return sdk::output_format::json;
  if (text == "stream-json")
    return sdk::output_format::stream_json;
  return std::nullopt;
}

} // namespace

const char* const key_on_command_line =
    "API keys are not accepted on the command line, where other processes can read them in "
    "/proc/PID/cmdline; store one with grok /keys set PROVIDER (it reads the key from stdin) or "
    "set the provider's environment variable, such as XAI_API_KEY";

parse_result parse_options(const std::vector<std::string>& arguments) {
  parse_result result;
  options& o = result.parsed;

  for (std::size_t i = 0; i < arguments.size(); ++i) {
    std::string_view argument = arguments[i];

    // Everything after "--", and everything from the first word on, is the
    // prompt or the command: `grok /run ls -la` passes "-la" to /run.
    if (argument == "--") {
      o.words.insert(o.words.end(), arguments.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                     arguments.end());
      break;
    }
    if (!argument.starts_with("-") || argument == "-") {
      o.words.insert(o.words.end(), arguments.begin() + static_cast<std::ptrdiff_t>(i),
                     arguments.end());
      break;
    }

    std::string name(argument);
    std::optional<std::string> inline_value;
    if (argument.starts_with("--")) {
      if (const auto equals = argument.find('='); equals != std::string_view::npos) {
        name = std::string(argument.substr(0, equals));
        inline_value = std::string(argument.substr(equals + 1));
      }
    }

    auto take_value = [&](std::string& out) -> bool {
      if (inline_value) {
        out = *inline_value;
        return true;
      }
      if (i + 1 >= arguments.size()) {
        result.error = "option " + name + " requires a value; see grok --help";
        return false;
      }
      out = arguments[++i];
      return true;
    };
    auto reject_value = [&]() -> bool {
      if (inline_value) {
        result.error = "option " + name + " takes no value, but was given '" + *inline_value + "'";
        return false;
      }
      return true;
    };

    std::string value;
    if (name == "--api-key" || name == "--key") {
      result.error = key_on_command_line;
      return result;
    }
    if (name == "-h" || name == "--help") {
      if (!reject_value())
        return result;
      o.help = true;
    } else if (name == "-V" || name == "--version") {
      if (!reject_value())
        return result;
      o.version = true;
    } else if (name == "-p" || name == "--print") {
      if (!reject_value())
        return result;
      o.print = true;
    } else if (name == "-y" || name == "--yes") {
      if (!reject_value())
        return result;
      o.yes = true;
    } else if (name == "--no-color" || name == "--no-colour") {
      if (!reject_value())
        return result;
      o.no_colour = true;
    } else if (name == "-v" || name == "--verbose") {
      if (!reject_value())
        return result;
      o.verbose = true;
    } else if (name == "--provider") {
      if (!take_value(value))
        return result;
      o.provider = value;
    } else if (name == "-m" || name == "--model") {
      if (!take_value(value))
        return result;
      o.model = value;
    } else if (name == "--output-format") {
      if (!take_value(value))
        return result;
      o.format = parse_format(value);
      if (!o.format) {
        result.error = "invalid --output-format '" + value + "'; use text, json or stream-json";
        return result;
      }
    } else if (name == "--plugin-dir") {
      if (!take_value(value))
        return result;
      o.plugin_dirs.push_back(value);
    } else {
      result.error = "unknown option '" + std::string(argument) + "'; see grok --help";
      return result;
    }
  }
  // A key pasted into the prompt or a command's arguments has already
  // reached the process list; reject it so it goes no further (logs,
  // sessions, the model).
  for (const auto& word : o.words) {
    if (sdk::redact_secrets(word) != word) {
      result.error = key_on_command_line;
      return result;
    }
  }
  return result;
}

std::string usage_text() {
  return R"(grok: a terminal AI coding assistant

Usage:
  grok                        start the interactive prompt (on a terminal)
  grok "PROMPT"               ask once and print the answer
  grok /COMMAND [ARGS]        run one slash command, such as /help or /plugins
  COMMAND | grok [-p] [PROMPT]
                              pipeline mode: standard input is added to the
                              prompt and the answer goes to standard output

Options:
  -p, --print                 pipeline mode even on a terminal: no colour, no
                              spinner, no questions
      --provider ID           the model provider (xai, openai, ollama,
                              openai-compatible, replay); default xai
  -m, --model NAME            the model, such as grok-4
      --output-format FORMAT  text (default), json (one object at the end) or
                              stream-json (one JSON object per line per event)
  -y, --yes                   answer yes to every question (needed to apply
                              changes without a terminal)
      --plugin-dir DIR        also load plugins from DIR (may be repeated)
      --no-color              no colour or other escape sequences
  -v, --verbose               log every category at every level to stderr
  -V, --version               print the version and exit
  -h, --help                  print this help and exit

Environment:
  XAI_API_KEY, OPENAI_API_KEY API keys; XAI_BASE_URL, OPENAI_BASE_URL and
                              OLLAMA_HOST change where requests go
  GROK_HOME                   grok's data folder (default ~/.grok)
  GROK_PROVIDER, GROK_MODEL   defaults for --provider and --model
  GROK_LOG                    log categories to show, such as net,plugin, or all
  NO_COLOR                    no colour, as --no-color

Exit codes: 0 success, 1 failure, 2 usage error, 3 refused, 130 interrupted.
Type /help in the interactive prompt for the list of commands.
)";
}

} // namespace grok::host

// SPDX-License-Identifier: MIT
/// \file
/// Modes, command dispatch, hooks and prompts.
#include "application.hpp"

#include "edit_pipeline.hpp"
#include "plugin_host.hpp"

#include <grok/sdk/error.hpp>
#include <grok/sdk/files.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <iterator>

#include <unistd.h>

namespace grok::host {
namespace json = boost::json;

namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

/// Runs `call` and turns an exception into a reported plugin failure.
/// Returns false when the call threw.
template <class Call>
bool guarded(console_impl& console, std::string_view plugin_id, std::string_view what, Call&& call) {
  try {
    call();
    return true;
  } catch (const std::exception& e) {
    console.error("plugin '" + std::string(plugin_id) + "' failed in " + std::string(what) + ": " +
                  e.what());
  } catch (...) {
    console.error("plugin '" + std::string(plugin_id) + "' failed in " + std::string(what) +
                  ": unknown exception");
  }
  return false;
}

/// Collects a streamed answer and forwards it to the console.
class answer_collector final : public sdk::chat_sink {
public:
  explicit answer_collector(console_impl& console) : console_(console) {}

  void on_event(const sdk::chat_event& event) override {
    switch (event.kind) {
    case sdk::chat_event_kind::text_delta:
      text.append(event.text);
      console_.answer_text(event.text);
      break;
    case sdk::chat_event_kind::reasoning_delta:
      console_.reasoning_text(event.text);
      break;
    case sdk::chat_event_kind::tool_call_delta: {
      if (tool_calls.size() <= event.tool_index)
        tool_calls.resize(event.tool_index + 1);
      auto& call = tool_calls[event.tool_index];
      if (!event.tool_id.empty())
        call.id = event.tool_id;
      if (!event.tool_name.empty())
        call.name = event.tool_name;
      call.arguments_json.append(event.text);
      break;
    }
    case sdk::chat_event_kind::usage:
    case sdk::chat_event_kind::finish:
    case sdk::chat_event_kind::invalid:
      break;
    }
    // A reader that closed stdout (grok ... | head -1) wants no more.
    if (console_.stdout_closed() && !cancel_requested_) {
      cancel_requested_ = true;
      cancel.cancel();
    }
  }

  void on_complete(const sdk::chat_result& outcome) override {
    result = outcome;
    complete = true;
    if (signals != nullptr) {
      boost::system::error_code ignored;
      signals->cancel(ignored);
    }
  }

  std::string text;
  std::vector<sdk::tool_call> tool_calls;
  sdk::chat_result result;
  bool complete = false;
  sdk::cancel_token cancel;
  boost::asio::signal_set* signals = nullptr;

private:
  console_impl& console_;
  bool cancel_requested_ = false;
};

} // namespace

application::application(options flags, locations where, configuration config,
                         console_settings console)
    : flags_(std::move(flags)), where_(std::move(where)), config_(std::move(config)),
      config_value_(config_.merged), console_(console),
      filter_(log_filter::from(std::getenv("GROK_LOG") ? std::getenv("GROK_LOG") : "",
                               flags_.verbose)),
      log_("host", filter_, console_) {
  conversation_.id = sdk::new_uuid();
  conversation_.created_utc = sdk::utc_now_rfc3339();
  conversation_.provider = config_.provider;
  conversation_.model = config_.model;
  for (const auto& file : config_.files_read)
    log_.debug(sdk::log_category::config, "read " + file.string());
  for (const auto& warning : config_.warnings)
    console_.warning(warning);
}

application::~application() { stop_plugins(); }

std::vector<std::string> application::provider_ids() const {
  std::vector<std::string> ids;
  for (const auto& [id, entry] : registry_.providers)
    ids.push_back(id);
  return ids;
}

std::vector<std::string> application::command_names() const {
  std::vector<std::string> names{"/help", "/plugins"};
  for (const auto& [name, entry] : registry_.commands)
    names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

void application::replace_conversation(sdk::conversation next) {
  if (next.id.empty())
    next.id = sdk::new_uuid();
  if (next.created_utc.empty())
    next.created_utc = sdk::utc_now_rfc3339();
  if (next.provider.empty())
    next.provider = config_.provider;
  if (next.model.empty())
    next.model = config_.model;
  conversation_ = std::move(next);
}

void application::select_model(std::string_view model) { conversation_.model = std::string(model); }

std::string application::current_provider_id() const {
  return conversation_.provider.empty() ? config_.provider : conversation_.provider;
}

std::string application::current_model(const sdk::provider& provider) const {
  if (!conversation_.model.empty())
    return conversation_.model;
  return provider.default_model();
}

void application::run_session_hooks(sdk::hook_point point) {
  const sdk::session_info info{conversation_.id, interactive_};
  for (auto& entry : registry_.hooks) {
    if (entry.point != point)
      continue;
    auto& hook = std::get<sdk::session_hook>(entry.function);
    guarded(console_, entry.plugin_id, sdk::to_string(point), [&] { hook(info); });
  }
}

sdk::exit_status application::send_user_message(std::string text) {
  const std::string provider_id = current_provider_id();
  auto found = registry_.providers.find(provider_id);
  if (found == registry_.providers.end()) {
    std::string available;
    for (const auto& id : provider_ids())
      available += (available.empty() ? "" : ", ") + id;
    console_.error("provider '" + provider_id + "' is not available" +
                   (available.empty() ? "; no provider plugin is loaded (see grok /plugins)"
                                      : "; choose one of: " + available + " (--provider ID)"));
    return sdk::exit_status::usage_error;
  }
  // Keep the provider (and its library) alive for the whole request.
  const std::shared_ptr<sdk::provider> provider = found->second.instance;

  sdk::chat_request request;
  request.model = current_model(*provider);
  last_model_ = request.model;
  request.messages = conversation_.messages;
  request.messages.push_back({"user", text, {}, {}});

  const bool first_turn = conversation_.messages.empty();
  for (auto& entry : registry_.hooks) {
    if (entry.point != sdk::hook_point::pre_prompt)
      continue;
    sdk::prompt_context context{request, provider_id, first_turn};
    auto& hook = std::get<sdk::pre_prompt_hook>(entry.function);
    guarded(console_, entry.plugin_id, "pre-prompt", [&] { hook(context); });
  }

  console_.begin_turn();
  console_.progress("waiting for " + request.model + " (" + provider_id + ")");
  log_.debug(sdk::log_category::provider,
             "sending " + std::to_string(request.messages.size()) + " messages to " + provider_id +
                 " model " + request.model);

  answer_collector collector(console_);
  boost::asio::signal_set signals(*io_, SIGINT);
  collector.signals = &signals;
  bool interrupted = false;
  signals.async_wait([&](const boost::system::error_code& error, int) {
    if (error)
      return;
    interrupted = true;
    collector.cancel.cancel();
  });

  try {
    provider->async_chat(request, collector, collector.cancel);
  } catch (const std::exception& e) {
    collector.on_complete({sdk::errc::invalid_argument,
                           "provider '" + provider_id + "' failed to start the request: " + e.what()});
  }
  io_->restart();
  while (!collector.complete && io_->run_one() != 0) {
  }
  if (!collector.complete) {
    console_.error("provider '" + provider_id + "' stopped without completing the request");
    collector.result.error = sdk::errc::invalid_response;
  }
  boost::system::error_code ignored;
  signals.cancel(ignored);
  io_->poll();
  console_.answer_end();

  const sdk::chat_result& result = collector.result;
  if (console_.stdout_closed())
    return sdk::exit_status::success;
  if (interrupted || result.error == sdk::errc::cancelled) {
    console_.notice("interrupted");
    return sdk::exit_status::interrupted;
  }
  if (result.error) {
    console_.error(result.message.empty() ? result.error.message() : result.message);
    return sdk::exit_status::failure;
  }

  conversation_.messages.push_back({"user", std::move(text), {}, {}});
  conversation_.messages.push_back({"assistant", collector.text, collector.tool_calls, {}});
  if (conversation_.model.empty())
    conversation_.model = request.model;
  if (conversation_.provider.empty())
    conversation_.provider = provider_id;

  const sdk::response_info info{request, provider_id, collector.text, result};
  for (auto& entry : registry_.hooks) {
    if (entry.point != sdk::hook_point::post_response)
      continue;
    auto& hook = std::get<sdk::post_response_hook>(entry.function);
    guarded(console_, entry.plugin_id, "post-response", [&] { hook(info); });
  }
  last_result_ = result;
  return sdk::exit_status::success;
}

sdk::change_result application::apply_changes(sdk::change_set changes) {
  std::filesystem::path backups;
  if (const auto* backup = config_.merged.if_contains("backup_edits"); backup && backup->is_bool() && backup->get_bool())
    backups = where_.grok_home / "backups";
  edit_pipeline pipeline(where_.workspace, registry_, console_, backups, conversation_.id);
  auto result = pipeline.apply(std::move(changes));
  if (result.outcome == sdk::change_result::status::applied)
    log_.info("edit", "applied change set " + result.change_set_id + " (" + std::to_string(result.applied.size()) + " files)");
  else
    log_.debug("edit", "change set not applied: " + result.message);
  return result;
}

sdk::exit_status application::execute(std::string_view line) {
  line = trim(line);
  if (line.empty())
    return sdk::exit_status::success;
  if (line.front() != '/')
    return send_user_message(std::string(line));

  const auto space = line.find_first_of(" \t\n");
  const std::string_view name = line.substr(0, space);
  const std::string_view arguments =
      space == std::string_view::npos ? std::string_view() : trim(line.substr(space));
  return execute_command(name, arguments);
}

sdk::exit_status application::execute_command(std::string_view name, std::string_view arguments) {
  if (name == "/help")
    return show_help();
  if (name == "/plugins")
    return show_plugins();

  auto found = registry_.commands.find(std::string(name));
  if (found == registry_.commands.end()) {
    console_.error("unknown command '" + std::string(name) + "'; type /help for the list of commands");
    return sdk::exit_status::usage_error;
  }
  // Copy the entry: the handler may change the registry's neighbours, and
  // the copy keeps the plugin's library loaded until the call returns.
  const command_entry entry = found->second;
  sdk::exit_status status = sdk::exit_status::failure;
  guarded(console_, entry.plugin_id, std::string(name), [&] { status = entry.spec.handler(arguments); });
  return status;
}

sdk::exit_status application::show_help() {
  std::string text = "Commands:\n";
  std::size_t width = 0;
  std::vector<std::pair<std::string, std::string>> rows{
      {"/help", "list the commands"},
      {"/plugins", "list plugins with their version, state and what they provide"}};
  for (const auto& [name, entry] : registry_.commands)
    rows.emplace_back(entry.spec.usage, entry.spec.summary);
  std::sort(rows.begin(), rows.end());
  for (const auto& row : rows)
    width = std::max(width, row.first.size());
  for (const auto& [usage, summary] : rows)
    text += "  " + usage + std::string(width - usage.size() + 2, ' ') + summary + "\n";
  text += "\nAnything that does not start with '/' is sent to the model.\n";
  console_.output(text);
  return sdk::exit_status::success;
}

sdk::exit_status application::show_plugins() {
  std::vector<const plugin_record*> records;
  for (const auto& record : plugins_)
    records.push_back(record.get());
  std::sort(records.begin(), records.end(), [](const auto* a, const auto* b) {
    return a->id != b->id ? a->id < b->id : a->file < b->file;
  });

  std::size_t id_width = 2;
  std::size_t version_width = 7;
  std::size_t state_width = 5;
  for (const auto* record : records) {
    id_width = std::max(id_width, record->id.empty() ? record->file.filename().string().size() : record->id.size());
    version_width = std::max(version_width, record->version.size());
    state_width = std::max(state_width, to_string(record->state).size());
  }
  auto pad = [](std::string text, std::size_t width) {
    text.resize(std::max(width, text.size()), ' ');
    return text;
  };

  std::string text = pad("ID", id_width) + "  " + pad("VERSION", version_width) + "  " +
                     pad("STATE", state_width) + "  SDK  PROVIDES\n";
  for (const auto* record : records) {
    std::string provides;
    if (record->state == plugin_state::started) {
      for (const auto& item : record->registered)
        provides += (provides.empty() ? "" : ", ") + item;
      if (provides.empty())
        provides = "-";
    } else {
      provides = record->problem;
    }
    const std::string id = record->id.empty() ? record->file.filename().string() : record->id;
    text += pad(id, id_width) + "  " + pad(record->version.empty() ? "-" : record->version, version_width) +
            "  " + pad(std::string(to_string(record->state)), state_width) + "  " +
            pad(record->sdk_version.empty() ? "-" : record->sdk_version, 3) + "  " + provides + "\n";
  }
  if (records.empty())
    text += "(no plugins found)\n";
  console_.output(text);
  return sdk::exit_status::success;
}

int application::run() {
  const bool stdin_terminal = ::isatty(STDIN_FILENO) == 1;
  const bool pipeline = flags_.print || !stdin_terminal;

  // Read standard input first in pipeline mode, so a failing read is
  // reported before any plugin runs.
  std::string piped_input;
  if (!stdin_terminal && !(!flags_.words.empty() && flags_.words.front().starts_with("/"))) {
    piped_input.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }

  std::string joined;
  for (const auto& word : flags_.words)
    joined += (joined.empty() ? "" : " ") + word;

  if (joined.empty() && piped_input.empty() && pipeline) {
    console_.error("no prompt: give one as an argument (grok -p \"explain main.cpp\") or on "
                   "standard input");
    return static_cast<int>(sdk::exit_status::usage_error);
  }

  discover_and_load();
  interactive_ = joined.empty() && !pipeline;
  run_session_hooks(sdk::hook_point::session_start);

  sdk::exit_status status = sdk::exit_status::success;
  if (interactive_) {
    status = static_cast<sdk::exit_status>(run_repl());
  } else if (joined.starts_with("/")) {
    status = execute(joined);
  } else {
    std::string prompt = joined;
    if (!piped_input.empty()) {
      if (!prompt.empty())
        prompt += "\n\n";
      prompt += piped_input;
    }
    status = send_user_message(std::move(prompt));
  }

  run_session_hooks(sdk::hook_point::session_end);
  if (console_.refused() && status == sdk::exit_status::success)
    status = sdk::exit_status::refused;

  json::object result{{"exit_code", static_cast<int>(status)},
                      {"is_error", status != sdk::exit_status::success},
                      {"session_id", conversation_.id},
                      {"provider", current_provider_id()},
                      {"model", conversation_.model.empty() ? last_model_ : conversation_.model}};
  if (!last_result_.finish_reason.empty())
    result["finish_reason"] = last_result_.finish_reason;
  const auto& usage = last_result_.usage;
  if (usage.input_tokens || usage.output_tokens || usage.total_tokens)
    result["usage"] = json::object{{"input_tokens", usage.input_tokens},
                                   {"output_tokens", usage.output_tokens},
                                   {"reasoning_tokens", usage.reasoning_tokens},
                                   {"total_tokens", usage.total_tokens}};
  console_.finish(std::move(result));
  return static_cast<int>(status);
}

} // namespace grok::host

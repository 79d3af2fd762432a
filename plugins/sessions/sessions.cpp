// SPDX-License-Identifier: MIT
/// \file
/// Sessions: saves the conversation after every answer as
/// $GROK_HOME/sessions/<id>.json, and provides /new, /history, /resume,
/// /model and /exit.
#include <grok/sdk/files.hpp>
#include <grok/sdk/plugin.hpp>

#include <boost/json.hpp>

#include <algorithm>

namespace {

using namespace grok;
namespace json = boost::json;

json::object to_json(const sdk::conversation& c) {
  json::array messages;
  for (const auto& m : c.messages) {
    // Known secrets and key-shaped strings never reach the session file.
    json::object message{{"role", m.role}, {"content", sdk::redact_secrets(m.content)}};
    if (!m.tool_calls.empty()) {
      json::array calls;
      for (const auto& call : m.tool_calls)
        calls.push_back(json::object{{"id", call.id},
                                     {"name", call.name},
                                     {"arguments", sdk::redact_secrets(call.arguments_json)}});
      message["tool_calls"] = std::move(calls);
    }
    if (!m.tool_call_id.empty())
      message["tool_call_id"] = m.tool_call_id;
    messages.push_back(std::move(message));
  }
  return {{"id", c.id},
          {"provider", c.provider},
          {"model", c.model},
          {"created_utc", c.created_utc},
          {"updated_utc", sdk::utc_now_rfc3339()},
          {"messages", std::move(messages)}};
}

std::string string_field(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

/// Parses a session file. Throws std::runtime_error naming the file.
sdk::conversation from_json(const json::value& value, const std::string& where) {
  if (!value.is_object())
    throw std::runtime_error("invalid session file " + where + ": not a JSON object");
  const auto& object = value.get_object();
  sdk::conversation c;
  c.id = string_field(object, "id");
  c.provider = string_field(object, "provider");
  c.model = string_field(object, "model");
  c.created_utc = string_field(object, "created_utc");
  const auto* messages = object.if_contains("messages");
  if (c.id.empty() || messages == nullptr || !messages->is_array())
    throw std::runtime_error("invalid session file " + where + ": missing id or messages");
  for (const auto& item : messages->get_array()) {
    if (!item.is_object())
      throw std::runtime_error("invalid session file " + where + ": a message is not an object");
    const auto& m = item.get_object();
    sdk::chat_message message{string_field(m, "role"), string_field(m, "content"), {},
                               string_field(m, "tool_call_id")};
    if (const auto* calls = m.if_contains("tool_calls"); calls && calls->is_array()) {
      for (const auto& call : calls->get_array()) {
        if (call.is_object())
          message.tool_calls.push_back({string_field(call.get_object(), "id"),
                                        string_field(call.get_object(), "name"),
                                        string_field(call.get_object(), "arguments")});
      }
    }
    c.messages.push_back(std::move(message));
  }
  return c;
}

std::string preview(std::string_view text, std::size_t max_bytes) {
  std::string line;
  for (char c : text) {
    if (line.size() >= max_bytes) {
      // Do not end inside a UTF-8 character.
      while (!line.empty() && (static_cast<unsigned char>(line.back()) & 0xC0) == 0x80)
        line.pop_back();
      if (!line.empty() && static_cast<unsigned char>(line.back()) >= 0xC0)
        line.pop_back();
      line += "...";
      break;
    }
    line.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  }
  return line;
}

struct saved_session {
  std::string id;
  std::string updated;
  std::string model;
  std::string first_prompt;
  std::size_t messages = 0;
};

class sessions_plugin final : public sdk::plugin {
public:
  void start(sdk::host& host) override {
    host_ = &host;
    (void)host.add_hook(100, sdk::post_response_hook([this](const sdk::response_info&) { save(); }));
    (void)host.register_command({"/new", "start a new session", "/new",
                                 [this](std::string_view) { return new_session(); }});
    (void)host.register_command({"/history", "show the messages of this session", "/history",
                                 [this](std::string_view) { return history(); }});
    (void)host.register_command({"/resume", "list saved sessions, or continue one", "/resume [id]",
                                 [this](std::string_view id) { return resume(id); }});
    (void)host.register_command({"/model", "show or switch the model", "/model [name]",
                                 [this](std::string_view name) { return model(name); }});
    (void)host.register_command({"/exit", "leave grok", "/exit", [this](std::string_view) {
                                   host_->request_exit();
                                   return sdk::exit_status::success;
                                 }});
  }

private:
  std::filesystem::path folder() const { return host_->grok_home() / "sessions"; }

  void save() {
    const auto& conversation = host_->current_conversation();
    if (conversation.messages.empty())
      return;
    std::error_code error = sdk::ensure_private_folder(folder());
    const auto path = folder() / (conversation.id + ".json");
    if (!error)
      error = sdk::write_file_atomically(path, json::serialize(to_json(conversation)) + "\n");
    if (error)
      host_->ui().warning("could not save the session to " + path.string() + ": " + error.message());
  }

  sdk::exit_status new_session() {
    host_->replace_conversation({});
    host_->ui().notice("started a new session " + host_->current_conversation().id);
    return sdk::exit_status::success;
  }

  sdk::exit_status history() {
    const auto& conversation = host_->current_conversation();
    if (conversation.messages.empty()) {
      host_->ui().notice("this session (" + conversation.id + ") has no messages yet");
      return sdk::exit_status::success;
    }
    std::string text = "Session " + conversation.id + " (" + conversation.provider + ", " +
                       conversation.model + ")\n";
    std::size_t number = 0;
    for (const auto& message : conversation.messages) {
      text += "\n[" + std::to_string(++number) + "] " + message.role + ":\n" + message.content;
      if (!message.content.empty() && message.content.back() != '\n')
        text += "\n";
    }
    host_->ui().output(text);
    return sdk::exit_status::success;
  }

  std::vector<saved_session> list_saved() const {
    std::vector<saved_session> found;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder(), error)) {
      if (entry.path().extension() != ".json")
        continue;
      std::error_code read_error;
      auto text = sdk::read_file(entry.path(), read_error);
      if (!text)
        continue;
      boost::system::error_code parse_error;
      auto value = json::parse(*text, parse_error);
      if (parse_error || !value.is_object())
        continue;
      const auto& object = value.get_object();
      saved_session s{string_field(object, "id"), string_field(object, "updated_utc"),
                      string_field(object, "model"), "", 0};
      if (const auto* messages = object.if_contains("messages"); messages && messages->is_array()) {
        s.messages = messages->get_array().size();
        for (const auto& m : messages->get_array()) {
          if (m.is_object() && string_field(m.get_object(), "role") == "user") {
            s.first_prompt = preview(string_field(m.get_object(), "content"), 60);
            break;
          }
        }
      }
      if (!s.id.empty())
        found.push_back(std::move(s));
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.updated > b.updated; });
    return found;
  }

  sdk::exit_status resume(std::string_view id) {
    auto saved = list_saved();
    if (id.empty()) {
      if (saved.empty()) {
        host_->ui().notice("no saved sessions in " + folder().string());
        return sdk::exit_status::success;
      }
      std::string text;
      for (const auto& s : saved)
        text += s.id + "  " + s.updated + "  " + s.model + "  " + std::to_string(s.messages) +
                " messages  " + s.first_prompt + "\n";
      host_->ui().output(text);
      return sdk::exit_status::success;
    }

    std::vector<const saved_session*> matches;
    for (const auto& s : saved) {
      if (s.id == id) {
        matches = {&s};
        break;
      }
      if (s.id.starts_with(id))
        matches.push_back(&s);
    }
    if (matches.empty()) {
      host_->ui().error("no saved session '" + std::string(id) + "' in " + folder().string() +
                        "; list them with /resume");
      return sdk::exit_status::failure;
    }
    if (matches.size() > 1) {
      host_->ui().error("'" + std::string(id) + "' matches " + std::to_string(matches.size()) +
                        " sessions; give more of the id");
      return sdk::exit_status::usage_error;
    }

    const auto path = folder() / (matches.front()->id + ".json");
    try {
      std::error_code read_error;
      auto text = sdk::read_file(path, read_error);
      if (!text)
        throw std::runtime_error("cannot read " + path.string() + ": " + read_error.message());
      boost::system::error_code parse_error;
      auto value = json::parse(*text, parse_error);
      if (parse_error)
        throw std::runtime_error("invalid JSON in " + path.string() + ": " + parse_error.message());
      host_->replace_conversation(from_json(value, path.string()));
    } catch (const std::exception& e) {
      host_->ui().error(e.what());
      return sdk::exit_status::failure;
    }
    const auto& conversation = host_->current_conversation();
    host_->ui().notice("resumed session " + conversation.id + " with " +
                       std::to_string(conversation.messages.size()) + " messages (" +
                       conversation.model + ")");
    return sdk::exit_status::success;
  }

  sdk::exit_status model(std::string_view name) {
    auto& conversation = host_->current_conversation();
    if (name.empty()) {
      host_->ui().output("model: " + (conversation.model.empty() ? std::string("(provider default)")
                                                                 : conversation.model) +
                         "\nprovider: " + conversation.provider);
      return sdk::exit_status::success;
    }
    if (name.find_first_of(" \t\n") != std::string_view::npos) {
      host_->ui().error("invalid model name '" + std::string(name) + "': it contains spaces");
      return sdk::exit_status::usage_error;
    }
    host_->select_model(name);
    host_->ui().notice("model set to " + std::string(name));
    return sdk::exit_status::success;
  }

  sdk::host* host_ = nullptr;
};

} // namespace

GROK_PLUGIN("sessions", "1.0.0", "Saved sessions: /new, /history, /resume, /model, /exit",
            sessions_plugin)

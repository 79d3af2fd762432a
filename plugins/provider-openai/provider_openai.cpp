// SPDX-License-Identifier: MIT
/// \file
/// Providers for every server that speaks the OpenAI Chat Completions
/// protocol: xAI (the default), OpenAI, Ollama and any compatible server
/// chosen by base URL.
#include <grok/sdk/error.hpp>
#include <grok/sdk/http.hpp>
#include <grok/sdk/keystore.hpp>
#include <grok/sdk/openai_chat.hpp>
#include <grok/sdk/plugin.hpp>
#include <grok/sdk/recorder.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <cstdlib>
#include <memory>
#include <string>

namespace {

using namespace grok;
namespace json = boost::json;

/// The settings that differ between the servers this plugin talks to.
struct profile {
  std::string id;
  std::string summary;
  std::string default_base_url;
  std::string base_url_variable; ///< environment variable that overrides the base URL
  std::string key_variable;      ///< environment variable that holds the API key
  bool key_required = true;
  std::string default_model;
};

std::string env_or_empty(const std::string& name) {
  if (name.empty())
    return {};
  const char* value = std::getenv(name.c_str());
  return value ? value : "";
}

/// Turns OLLAMA_HOST ("127.0.0.1:11434", "http://host", "host:port") into
/// an OpenAI-compatible base URL.
std::string ollama_base_url(std::string host) {
  if (host.empty())
    return "http://127.0.0.1:11434/v1";
  if (host.find("://") == std::string::npos)
    host = "http://" + host;
  const auto authority = host.find("://") + 3;
  const auto path = host.find('/', authority);
  std::string root = host.substr(0, path);
  const std::string host_part = root.substr(authority);
  // "0.0.0.0" is a listening address; clients reach that server on loopback.
  if (host_part == "0.0.0.0" || host_part.starts_with("0.0.0.0:"))
    root = root.substr(0, authority) + "127.0.0.1" + host_part.substr(7);
  if (root.find(':', authority) == std::string::npos && root.find(']', authority) == std::string::npos)
    root += ":11434";
  return root + "/v1";
}

std::string reason_phrase(unsigned status) {
  switch (status) {
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 408: return "Request Timeout";
  case 409: return "Conflict";
  case 413: return "Content Too Large";
  case 422: return "Unprocessable Content";
  case 429: return "Too Many Requests";
  case 500: return "Internal Server Error";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  case 504: return "Gateway Timeout";
  default: return "";
  }
}

bool contains_word(std::string text, std::string_view word) {
  for (auto& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text.find(word) != std::string::npos;
}

/// Settings read from plugins.provider-openai.
struct plugin_settings {
  sdk::net::http_options http;
  json::object per_provider;
};

std::uint64_t read_count(const json::object& object, std::string_view key, std::uint64_t fallback) {
  const auto* value = object.if_contains(key);
  if (value == nullptr)
    return fallback;
  if (const auto* number = value->if_int64(); number && *number >= 0)
    return static_cast<std::uint64_t>(*number);
  if (const auto* number = value->if_uint64())
    return *number;
  throw std::invalid_argument("plugins.provider-openai." + std::string(key) +
                              " must be a non-negative integer, found " + json::serialize(*value));
}

plugin_settings read_settings(const json::object& settings) {
  using std::chrono::milliseconds;
  plugin_settings result;
  auto& t = result.http.timeouts;
  t.connect = milliseconds(read_count(settings, "connect_timeout_ms", t.connect.count()));
  t.headers = milliseconds(read_count(settings, "headers_timeout_ms", t.headers.count()));
  t.idle = milliseconds(read_count(settings, "idle_timeout_ms", t.idle.count()));
  auto& r = result.http.retry;
  r.max_retries = static_cast<unsigned>(read_count(settings, "max_retries", r.max_retries));
  r.initial_backoff = milliseconds(read_count(settings, "initial_backoff_ms", r.initial_backoff.count()));
  r.max_backoff = milliseconds(read_count(settings, "max_backoff_ms", r.max_backoff.count()));
  r.max_server_delay = milliseconds(read_count(settings, "max_retry_after_ms", r.max_server_delay.count()));
  result.http.user_agent = "grok-cli/" GROK_SDK_VERSION_STRING;
  result.per_provider = settings;
  return result;
}

/// One request in flight. It owns itself from `start` until the HTTP
/// client's completion, then deletes itself.
class exchange final : public sdk::net::http_stream_handler, public sdk::chat_sink {
public:
  exchange(const profile& who, std::string base_url, std::string model, sdk::chat_sink& sink,
           sdk::host& host, std::unique_ptr<sdk::wire_recording> recording)
      : who_(who), base_url_(std::move(base_url)), model_(std::move(model)), sink_(sink),
        host_(host), recording_(std::move(recording)) {}

  void start(sdk::net::http_request request, const sdk::net::http_options& options,
             sdk::cancel_token outer) {
    // A private token lets a decoding failure stop the transfer without
    // looking like a Ctrl-C.
    outer_ = outer;
    outer_callback_ = outer.on_cancel([token = transfer_]() mutable { token.cancel(); });
    sdk::net::async_http_request(host_.io_context(), std::move(request), options, *this, transfer_);
  }

  void on_retry(unsigned next_attempt, std::chrono::milliseconds delay,
                const sdk::net::http_outcome& failure) override {
    const std::string cause = failure.status != 0 ? "HTTP " + std::to_string(failure.status)
                                                  : failure.message;
    host_.log().info(sdk::log_category::net,
                     who_.id + ": " + cause + "; retrying in " + std::to_string(delay.count()) +
                         " ms (attempt " + std::to_string(next_attempt) + ")");
  }

  void on_response(const sdk::net::http_response_head& head) override {
    host_.log().debug(sdk::log_category::net, who_.id + ": HTTP " + std::to_string(head.status) +
                                                  ", streaming the answer");
    const auto content_type = sdk::net::find_header(head.headers, "content-type");
    // Some compatible servers ignore "stream": true and answer with one
    // JSON completion; it is collected and decoded at the end.
    whole_json_ = content_type.starts_with("application/json");
    if (recording_)
      recording_->response(head.status, content_type);
  }

  void on_body(std::string_view bytes) override {
    if (recording_)
      recording_->body(bytes);
    if (decode_error_)
      return;
    if (whole_json_) {
      json_body_.append(bytes);
      return;
    }
    if (auto error = decoder_.feed(bytes, *this)) {
      decode_error_ = error;
      transfer_.cancel();
    }
  }

  void on_complete(const sdk::net::http_outcome& outcome) override {
    sdk::chat_result result;
    if (decode_error_) {
      result.error = decode_error_;
      result.message = who_.id + ": " + decoder_.error_message();
    } else if (outcome.error == sdk::errc::cancelled || outer_.cancelled()) {
      result.error = sdk::errc::cancelled;
      result.message = "request cancelled";
    } else if (outcome.error == sdk::errc::http_status) {
      result.error = outcome.error;
      result.http_status = static_cast<int>(outcome.status);
      result.message = describe_status(outcome);
    } else if (outcome.error) {
      result.error = outcome.error;
      result.message = who_.id + ": " + outcome.message;
    } else if (whole_json_) {
      sdk::openai::completion_summary summary;
      std::string message;
      if (auto error = sdk::openai::decode_completion(json_body_, *this, summary, message)) {
        result.error = error;
        result.message = who_.id + ": " + message;
      }
      result.finish_reason = summary.finish_reason;
      result.usage = summary.usage;
    } else if (auto error = decoder_.finish(*this)) {
      result.error = error;
      result.message = who_.id + ": " + decoder_.error_message();
    }
    if (!whole_json_) {
      result.finish_reason = decoder_.finish_reason();
      result.usage = decoder_.usage();
    }
    if (recording_)
      recording_->end(result.error);

    outer_.remove_callback(outer_callback_);
    sdk::chat_sink& sink = sink_;
    delete this;
    sink.on_complete(result);
  }

  // Decoded events pass straight through to the caller's sink.
  void on_event(const sdk::chat_event& event) override { sink_.on_event(event); }
  void on_complete(const sdk::chat_result&) override {}

private:
  std::string describe_status(const sdk::net::http_outcome& outcome) const {
    const unsigned status = outcome.status;
    const std::string server = sdk::openai::error_message_from_body(outcome.body);
    const std::string detail = server.empty() ? "" : ": " + server;
    const std::string http = "HTTP " + std::to_string(status) +
                             (reason_phrase(status).empty() ? "" : " " + reason_phrase(status));
    const std::string tries = outcome.attempts > 1 ? " after " + std::to_string(outcome.attempts) + " attempts" : "";
    const std::string key_hint = who_.key_variable.empty() ? "the API key" : who_.key_variable;

    if (status == 401 || (status == 400 && contains_word(server, "api key")))
      return who_.id + " rejected the API key (" + http + ")" + detail + "; check " + key_hint;
    if (status == 403)
      return who_.id + " denied access (" + http + ")" + detail + "; the key may not have access to model '" +
             model_ + "' or the account is restricted";
    if (status == 404 || (status == 400 && contains_word(server, "model") &&
                          (contains_word(server, "not found") || contains_word(server, "does not exist") ||
                           contains_word(server, "not exist") || contains_word(server, "unknown"))))
      return who_.id + ": model '" + model_ + "' was not found at " + base_url_ + " (" + http + ")" + detail +
             "; check the model name (--model) and the base URL" +
             (who_.base_url_variable.empty() ? "" : " (" + who_.base_url_variable + ")");
    if (status == 429)
      return who_.id + " rate limit reached (" + http + ")" + tries + detail + "; wait a moment and try again";
    if (status >= 500)
      return who_.id + " server error (" + http + ")" + tries + detail + "; try again later";
    return who_.id + " returned " + http + tries + detail;
  }

  const profile& who_;
  std::string base_url_;
  std::string model_;
  sdk::chat_sink& sink_;
  sdk::host& host_;
  std::unique_ptr<sdk::wire_recording> recording_;
  sdk::openai::chat_stream_decoder decoder_;
  std::error_code decode_error_;
  bool whole_json_ = false;
  std::string json_body_;
  sdk::cancel_token transfer_;
  sdk::cancel_token outer_;
  int outer_callback_ = 0;
};

class openai_provider final : public sdk::provider {
public:
  openai_provider(profile who, sdk::host& host, std::shared_ptr<const plugin_settings> settings)
      : who_(std::move(who)), host_(host), settings_(std::move(settings)) {}

  std::string_view id() const noexcept override { return who_.id; }
  std::string_view summary() const noexcept override { return who_.summary; }

  std::string default_model() const override {
    if (auto configured = own_setting("model"); !configured.empty())
      return configured;
    return who_.default_model;
  }

  void async_chat(const sdk::chat_request& request, sdk::chat_sink& sink,
                  sdk::cancel_token cancel) override {
    const std::string base_url = base_url_or_empty();
    if (base_url.empty()) {
      fail_soon(sink, sdk::errc::invalid_argument,
                who_.id + ": no base URL; set plugins.provider-openai." + who_.id +
                    ".base_url in the configuration or " + who_.base_url_variable);
      return;
    }
    std::string key;
    const auto store = host_.find<sdk::keystore>(sdk::keystore_service_id);
    if (store) {
      std::error_code error;
      std::string message;
      auto found = store->find_key(who_.id, key_variable(), error, message);
      if (error) {
        fail_soon(sink, error, message);
        return;
      }
      if (found)
        key = std::move(found->value);
    } else {
      key = env_or_empty(key_variable());
    }
    if (key.empty() && who_.key_required) {
      const std::string store_hint = store ? ", store one with grok /keys set " + who_.id + "," : "";
      fail_soon(sink, sdk::errc::missing_api_key,
                "no API key for " + who_.id + ": set " + key_variable() + " (export " +
                    key_variable() + "=...)" + store_hint +
                    " or choose another provider with --provider");
      return;
    }
    sdk::register_secret(key);

    sdk::net::http_request http;
    http.method = "POST";
    http.url = base_url + "/chat/completions";
    http.headers.push_back({"Content-Type", "application/json"});
    http.headers.push_back({"Accept", "text/event-stream"});
    if (!key.empty())
      http.headers.push_back({"Authorization", "Bearer " + key});
    sdk::openai::body_options body_options;
    if (who_.id == "openai")
      body_options.max_tokens_field = "max_completion_tokens";
    http.body = sdk::openai::build_chat_body(request, body_options);

    std::unique_ptr<sdk::wire_recording> recording;
    if (auto recorder = host_.find<sdk::wire_recorder>(sdk::wire_recorder_service_id))
      recording = recorder->begin(who_.id, sdk::wire_format::openai_chat, http.body);

    host_.log().debug(sdk::log_category::net, who_.id + ": POST " + http.url + " model " + request.model);
    auto* in_flight = new exchange(who_, base_url, request.model, sink, host_, std::move(recording));
    in_flight->start(std::move(http), settings_->http, std::move(cancel));
  }

private:
  std::string own_setting(std::string_view key) const {
    const auto* mine = settings_->per_provider.if_contains(who_.id);
    if (mine == nullptr || !mine->is_object())
      return {};
    const auto* value = mine->get_object().if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
  }

  std::string key_variable() const {
    auto configured = own_setting("api_key_env");
    return configured.empty() ? who_.key_variable : configured;
  }

  std::string base_url_or_empty() const {
    std::string url = env_or_empty(who_.base_url_variable);
    if (url.empty())
      url = own_setting("base_url");
    if (url.empty() && who_.id == "ollama")
      url = ollama_base_url(env_or_empty("OLLAMA_HOST"));
    if (url.empty())
      url = who_.default_base_url;
    while (!url.empty() && url.back() == '/')
      url.pop_back();
    return url;
  }

  /// Completes with an error from the io_context, never inline, as the
  /// provider contract requires.
  void fail_soon(sdk::chat_sink& sink, std::error_code error, std::string message) {
    boost::asio::post(host_.io_context(), [&sink, error, message = std::move(message)] {
      sdk::chat_result result;
      result.error = error;
      result.message = message;
      sink.on_complete(result);
    });
  }

  profile who_;
  sdk::host& host_;
  std::shared_ptr<const plugin_settings> settings_;
};

class provider_openai_plugin final : public sdk::plugin {
public:
  void start(sdk::host& host) override {
    auto settings = std::make_shared<const plugin_settings>(read_settings(host.settings()));
    const profile profiles[] = {
        {"xai", "xAI Grok (api.x.ai), key in XAI_API_KEY", "https://api.x.ai/v1", "XAI_BASE_URL",
         "XAI_API_KEY", true, "grok-4"},
        {"openai", "OpenAI (api.openai.com), key in OPENAI_API_KEY", "https://api.openai.com/v1",
         "OPENAI_BASE_URL", "OPENAI_API_KEY", true, "gpt-4o"},
        {"ollama", "a local Ollama server (OLLAMA_HOST, default 127.0.0.1:11434)", "", "", "", false,
         "llama3.2"},
        {"openai-compatible", "any OpenAI-compatible server (llama.cpp, vLLM, ...) by base URL", "",
         "OPENAI_COMPATIBLE_BASE_URL", "OPENAI_COMPATIBLE_API_KEY", false, "default"},
    };
    for (const auto& who : profiles)
      (void)host.register_provider(std::make_shared<openai_provider>(who, host, settings));
  }
};

} // namespace

GROK_PLUGIN("provider-openai", "1.0.0",
            "Chat Completions providers: xAI, OpenAI, Ollama and compatible servers",
            provider_openai_plugin)

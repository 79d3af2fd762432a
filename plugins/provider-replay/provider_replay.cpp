// SPDX-License-Identifier: MIT
/// \file
/// Records the raw response bytes of provider exchanges to a file, and
/// plays recordings back as the "replay" provider through the same parsing
/// path, so demos, scripts and CI run the real pipeline offline.
///
/// A recording is a JSON Lines file. Each exchange is a header line
/// {"type":"exchange","format":"grok-wire-recording/1","wire":...,
/// "provider":...,"status":...,"content_type":...,"request":{...}},
/// then one {"type":"bytes","delay_ms":N,"data":"..."} line per piece read
/// from the connection ("data_base64" replaces "data" when a piece is not
/// valid UTF-8 on its own), then {"type":"end","complete":true|false}.
#include <grok/sdk/error.hpp>
#include <grok/sdk/files.hpp>
#include <grok/sdk/openai_chat.hpp>
#include <grok/sdk/plugin.hpp>
#include <grok/sdk/recorder.hpp>
#include <grok/sdk/utf8.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <openssl/evp.h>

#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

namespace {

using namespace grok;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

constexpr std::string_view recording_format = "grok-wire-recording/1";

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0)
    return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  if (written < 0)
    return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=')
    padding = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

/// Appends lines to the recording file, one write per line so that lines
/// of concurrent grok processes never interleave.
class recording_file final : public sdk::wire_recording {
public:
  recording_file(std::string path, sdk::logger& log) : path_(std::move(path)), log_(log) {}

  bool open(std::string_view provider_id, std::string_view wire, std::string_view request_json) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      log_.error("replay", "cannot open the recording file " + path_ + ": " +
                               std::error_code(errno, std::system_category()).message());
      return false;
    }
    boost::system::error_code ignored;
    json::value request = json::parse(request_json, ignored);
    header_ = json::object{{"type", "exchange"},
                           {"format", recording_format},
                           {"wire", wire},
                           {"provider", provider_id},
                           {"recorded_utc", sdk::utc_now_rfc3339()},
                           {"request", request}};
    last_ = clock_type::now();
    return true;
  }

  ~recording_file() override {
    if (fd_ >= 0)
      ::close(fd_);
  }

  void response(unsigned status, std::string_view content_type) override {
    header_["status"] = status;
    header_["content_type"] = content_type;
    append(header_);
    last_ = clock_type::now();
  }

  void body(std::string_view bytes) override {
    const auto now = clock_type::now();
    const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_).count();
    last_ = now;
    json::object line{{"type", "bytes"}, {"delay_ms", delay}};
    if (sdk::is_valid_utf8(bytes))
      line["data"] = bytes;
    else
      line["data_base64"] = base64_encode(bytes);
    append(line);
  }

  void end(std::error_code error) override {
    json::object line{{"type", "end"}, {"complete", !error}};
    if (error)
      line["error"] = error.message();
    append(line);
  }

private:
  void append(const json::object& object) {
    if (fd_ < 0)
      return;
    std::string line = json::serialize(object);
    line.push_back('\n');
    if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
      log_.error("replay", "writing the recording file " + path_ + " failed");
  }

  std::string path_;
  sdk::logger& log_;
  int fd_ = -1;
  json::object header_;
  clock_type::time_point last_;
};

class recorder final : public sdk::wire_recorder {
public:
  explicit recorder(sdk::host& host) : host_(host) {}

  std::unique_ptr<sdk::wire_recording> begin(std::string_view provider_id, std::string_view wire,
                                             std::string_view request_json) override {
    std::string path = env_or_empty("GROK_RECORD_FILE");
    if (path.empty()) {
      if (const auto* value = host_.settings().if_contains("record"); value && value->is_string())
        path = value->get_string();
    }
    if (path.empty() || provider_id == "replay")
      return nullptr;
    auto file = std::make_unique<recording_file>(path, host_.log());
    if (!file->open(provider_id, wire, request_json))
      return nullptr;
    host_.log().info("replay", "recording this exchange to " + path);
    return file;
  }

private:
  sdk::host& host_;
};

/// One recorded exchange, ready to play.
struct exchange {
  unsigned status = 0;
  std::string wire;
  std::string last_user_message; ///< of the recorded request
  std::vector<std::pair<std::chrono::milliseconds, std::string>> pieces;
  bool complete = false;
};

/// Returns the content of the last user message of a recorded request body.
std::string last_user_message(const json::value* request) {
  if (request == nullptr || !request->is_object())
    return {};
  const auto* messages = request->get_object().if_contains("messages");
  if (messages == nullptr || !messages->is_array())
    return {};
  const auto& list = messages->get_array();
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if (!it->is_object())
      continue;
    const auto& message = it->get_object();
    const auto* role = message.if_contains("role");
    const auto* content = message.if_contains("content");
    if (role && role->is_string() && role->get_string() == "user" && content && content->is_string())
      return std::string(content->get_string());
  }
  return {};
}

/// Parses a recording file. Throws std::runtime_error naming the line.
std::vector<exchange> read_recording(const std::string& path) {
  std::error_code io_error;
  auto text = sdk::read_file(path, io_error);
  if (!text)
    throw std::runtime_error("cannot read the recording " + path + ": " + io_error.message() +
                             "; set GROK_REPLAY_FILE or plugins.provider-replay.file to a recording");

  std::vector<exchange> exchanges;
  std::size_t line_number = 0;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const auto newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos)
      continue;

    const std::string where = path + " line " + std::to_string(line_number);
    boost::system::error_code parse_error;
    json::value value = json::parse(line, parse_error);
    if (parse_error || !value.is_object())
      throw std::runtime_error("invalid recording " + where + ": not a JSON object");
    const auto& object = value.get_object();
    const auto* type = object.if_contains("type");
    const std::string_view kind = type && type->is_string() ? std::string_view(type->get_string()) : "";

    if (kind == "exchange") {
      const auto* format = object.if_contains("format");
      if (!format || !format->is_string() || format->get_string() != recording_format)
        throw std::runtime_error("invalid recording " + where + ": expected format \"" +
                                 std::string(recording_format) + "\"");
      exchange next;
      const auto* status = object.if_contains("status");
      next.status = status && status->is_int64() ? static_cast<unsigned>(status->get_int64()) : 200;
      const auto* wire = object.if_contains("wire");
      next.wire = wire && wire->is_string() ? std::string(wire->get_string()) : "";
      next.last_user_message = last_user_message(object.if_contains("request"));
      exchanges.push_back(std::move(next));
      continue;
    }
    if (exchanges.empty())
      throw std::runtime_error("invalid recording " + where + ": data before the first exchange line");
    if (kind == "bytes") {
      std::string data;
      if (const auto* plain = object.if_contains("data"); plain && plain->is_string()) {
        data = plain->get_string();
      } else if (const auto* encoded = object.if_contains("data_base64"); encoded && encoded->is_string()) {
        auto decoded = base64_decode(encoded->get_string());
        if (!decoded)
          throw std::runtime_error("invalid recording " + where + ": data_base64 is not base64");
        data = std::move(*decoded);
      } else {
        throw std::runtime_error("invalid recording " + where + ": a bytes line needs data or data_base64");
      }
      const auto* delay = object.if_contains("delay_ms");
      const auto delay_ms = delay && delay->is_int64() ? std::max<std::int64_t>(0, delay->get_int64()) : 0;
      exchanges.back().pieces.emplace_back(std::chrono::milliseconds(delay_ms), std::move(data));
    } else if (kind == "end") {
      const auto* complete = object.if_contains("complete");
      exchanges.back().complete = complete && complete->is_bool() && complete->get_bool();
    } else {
      throw std::runtime_error("invalid recording " + where + ": unknown line type '" + std::string(kind) + "'");
    }
  }
  if (exchanges.empty())
    throw std::runtime_error("the recording " + path + " contains no exchange");
  return exchanges;
}

/// Plays one exchange into a sink, piece by piece, on timers.
class playback final : public sdk::chat_sink, public std::enable_shared_from_this<playback> {
public:
  playback(sdk::host& host, const exchange& recorded, double speed, sdk::chat_sink& sink,
           sdk::cancel_token cancel)
      : host_(host), recorded_(recorded), speed_(speed), sink_(sink), cancel_(std::move(cancel)),
        timer_(host.io_context()) {}

  void start() {
    auto self = shared_from_this();
    callback_ = cancel_.on_cancel([self] {
      boost::asio::post(self->host_.io_context(), [self] { self->timer_.cancel(); });
    });
    boost::asio::post(host_.io_context(), [self] { self->next(); });
  }

  void on_event(const sdk::chat_event& event) override { sink_.on_event(event); }
  void on_complete(const sdk::chat_result&) override {}

private:
  void next() {
    if (cancel_.cancelled())
      return finish({sdk::errc::cancelled, "request cancelled"});
    if (index_ == recorded_.pieces.size()) {
      sdk::chat_result result;
      if (auto error = decoder_.finish(*this)) {
        result.error = error;
        result.message = "replay: " + decoder_.error_message();
      }
      return finish(std::move(result));
    }
    const auto& [delay, data] = recorded_.pieces[index_];
    const auto wait = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(delay.count()) * speed_));
    if (wait.count() <= 0)
      return deliver();
    timer_.expires_after(wait);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code&) { self->deliver(); });
  }

  void deliver() {
    if (cancel_.cancelled())
      return finish({sdk::errc::cancelled, "request cancelled"});
    const std::string& data = recorded_.pieces[index_++].second;
    if (auto error = decoder_.feed(data, *this)) {
      sdk::chat_result result;
      result.error = error;
      result.message = "replay: " + decoder_.error_message();
      return finish(std::move(result));
    }
    next();
  }

  void finish(sdk::chat_result result) {
    result.finish_reason = decoder_.finish_reason();
    result.usage = decoder_.usage();
    cancel_.remove_callback(callback_);
    sink_.on_complete(result);
  }

  sdk::host& host_;
  const exchange& recorded_;
  double speed_;
  sdk::chat_sink& sink_;
  sdk::cancel_token cancel_;
  boost::asio::steady_timer timer_;
  sdk::openai::chat_stream_decoder decoder_;
  std::size_t index_ = 0;
  int callback_ = 0;
};

class replay_provider final : public sdk::provider {
public:
  explicit replay_provider(sdk::host& host) : host_(host) {}

  std::string_view id() const noexcept override { return "replay"; }
  std::string_view summary() const noexcept override {
    return "plays a recorded exchange offline (GROK_REPLAY_FILE)";
  }
  std::string default_model() const override { return "recorded"; }

  void async_chat(const sdk::chat_request& request, sdk::chat_sink& sink,
                  sdk::cancel_token cancel) override {
    try {
      if (exchanges_.empty())
        exchanges_ = read_recording(recording_path());
    } catch (const std::exception& e) {
      return fail_soon(sink, sdk::errc::invalid_argument, e.what());
    }
    // Each request plays the next exchange; after the last, start over.
    const exchange& recorded = exchanges_[next_ % exchanges_.size()];
    ++next_;
    if (recorded.wire != sdk::wire_format::openai_chat)
      return fail_soon(sink, sdk::errc::invalid_argument,
                       "replay: the recording's wire format '" + recorded.wire + "' is not supported");
    if (recorded.status != 200)
      return fail_soon(sink, sdk::errc::http_status,
                       "replay: the recorded exchange ended with HTTP " + std::to_string(recorded.status));
    // A replay answers whatever was asked; say so when the question differs.
    if (!request.messages.empty() && !recorded.last_user_message.empty() &&
        request.messages.back().content != recorded.last_user_message)
      host_.ui().warning("replay: this prompt differs from the recorded one, but the recorded "
                         "answer is played anyway");
    std::make_shared<playback>(host_, recorded, speed(), sink, std::move(cancel))->start();
  }

private:
  std::string recording_path() const {
    std::string path = env_or_empty("GROK_REPLAY_FILE");
    if (path.empty()) {
      if (const auto* value = host_.settings().if_contains("file"); value && value->is_string())
        path = value->get_string();
    }
    if (path.empty())
      throw std::runtime_error("replay: no recording given; set GROK_REPLAY_FILE or "
                               "plugins.provider-replay.file to a recording file");
    std::filesystem::path resolved(path);
    if (resolved.is_relative())
      resolved = host_.workspace_root() / resolved;
    return resolved.string();
  }

  /// Returns the factor applied to recorded delays: 1 plays in real time, 0 as
  /// fast as possible. GROK_REPLAY_SPEED, else plugins.provider-replay.speed.
  double speed() const {
    if (auto text = env_or_empty("GROK_REPLAY_SPEED"); !text.empty()) {
      char* end = nullptr;
      const double value = std::strtod(text.c_str(), &end);
      if (end != text.c_str() && *end == '\0' && value >= 0)
        return value;
      host_.log().warning("replay", "GROK_REPLAY_SPEED '" + text + "' is not a non-negative number; using 1");
    }
    if (const auto* value = host_.settings().if_contains("speed"); value && value->is_number())
      return std::max(0.0, value->to_number<double>());
    return 1.0;
  }

  void fail_soon(sdk::chat_sink& sink, std::error_code error, std::string message) {
    boost::asio::post(host_.io_context(), [&sink, error, message = std::move(message)] {
      sdk::chat_result result;
      result.error = error;
      result.message = message;
      sink.on_complete(result);
    });
  }

  sdk::host& host_;
  std::vector<exchange> exchanges_;
  std::size_t next_ = 0;
};

class replay_plugin final : public sdk::plugin {
public:
  void start(sdk::host& host) override {
    (void)host.register_provider(std::make_shared<replay_provider>(host));
    // Registered as the interface type, which is what find<wire_recorder> casts to.
    std::shared_ptr<sdk::wire_recorder> service = std::make_shared<recorder>(host);
    (void)host.register_service(sdk::wire_recorder_service_id, std::move(service));
  }
};

} // namespace

GROK_PLUGIN("provider-replay", "1.0.0", "Records provider exchanges and replays them offline",
            replay_plugin)

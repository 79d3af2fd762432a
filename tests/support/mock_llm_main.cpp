// SPDX-License-Identifier: MIT
/// \file
/// grok-mock-llm: an OpenAI-compatible chat-completions server on 127.0.0.1
/// for benchmarks, demos and manual checks.
#include "mock_http_server.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <charconv>
#include <csignal>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <pthread.h>
#include <unistd.h>

namespace {

namespace json = boost::json;
using grok::test::body_piece;
using grok::test::recorded_request;
using grok::test::scripted_response;

constexpr std::string_view usage_text =
    "usage: grok-mock-llm [options]\n"
    "Serves POST .../chat/completions (streamed as Server-Sent Events) and\n"
    "GET .../models on 127.0.0.1, like the OpenAI API.\n"
    "\n"
    "  --port N          port to listen on; 0 (the default) picks a free one\n"
    "  --reply-file FILE UTF-8 text of the answer (default: a short greeting)\n"
    "  --chunk-bytes N   maximum bytes of answer text per stream chunk (default 16)\n"
    "  --delay-ms N      milliseconds to wait before each stream chunk (default 0)\n"
    "  --status N        answer chat completions with HTTP status N and an\n"
    "                    OpenAI-style error body instead of a stream\n"
    "  --tls-cert FILE   PEM certificate chain; serves HTTPS with --tls-key\n"
    "  --tls-key FILE    PEM private key for --tls-cert\n"
    "  --requests N      exit after answering N requests (default: until SIGINT\n"
    "                    or SIGTERM)\n"
    "  --log FILE        append one JSON line per request to FILE\n"
    "\n"
    "Once ready it prints \"listening on 127.0.0.1:PORT\" on stdout.\n";

struct settings {
  std::uint16_t port = 0;
  std::string reply = "Hello from grok-mock-llm. This answer is streamed in small chunks.";
  std::size_t chunk_bytes = 16;
  unsigned delay_ms = 0;
  unsigned status = 200;
  std::string tls_cert;
  std::string tls_key;
  std::optional<std::size_t> request_limit;
  std::string log_file;
};

[[noreturn]] void fail_usage(const std::string& message) {
  std::cerr << "grok-mock-llm: " << message << "\n\n" << usage_text;
  std::exit(2);
}

unsigned long parse_unsigned(std::string_view option, std::string_view text, unsigned long max) {
  unsigned long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value > max)
    fail_usage(std::string(option) + " expects a whole number from 0 to " + std::to_string(max) + ", not '" +
               std::string(text) + "'");
  return value;
}

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    fail_usage("cannot open the reply file '" + path + "'");
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

settings parse_arguments(int argc, char** argv) {
  settings result;
  for (int index = 1; index < argc; ++index) {
    const std::string_view option = argv[index];
    if (option == "--help" || option == "-h") {
      std::cout << usage_text;
      std::exit(0);
    }
    if (index + 1 >= argc)
      fail_usage("option '" + std::string(option) + "' is unknown or lacks its value");
    const std::string_view value = argv[++index];
    if (option == "--port")
      result.port = static_cast<std::uint16_t>(parse_unsigned(option, value, 65535));
    else if (option == "--reply-file")
      result.reply = read_file(std::string(value));
    else if (option == "--chunk-bytes")
      result.chunk_bytes = parse_unsigned(option, value, 1 << 20);
    else if (option == "--delay-ms")
      result.delay_ms = static_cast<unsigned>(parse_unsigned(option, value, 3'600'000));
    else if (option == "--status")
      result.status = static_cast<unsigned>(parse_unsigned(option, value, 599));
    else if (option == "--tls-cert")
      result.tls_cert = value;
    else if (option == "--tls-key")
      result.tls_key = value;
    else if (option == "--requests")
      result.request_limit = parse_unsigned(option, value, 1'000'000'000);
    else if (option == "--log")
      result.log_file = value;
    else
      fail_usage("unknown option '" + std::string(option) + "'");
  }
  if (result.chunk_bytes == 0)
    fail_usage("--chunk-bytes must be at least 1");
  if (result.status < 100)
    fail_usage("--status must be an HTTP status from 100 to 599");
  if (result.tls_cert.empty() != result.tls_key.empty())
    fail_usage("--tls-cert and --tls-key must be given together");
  if (!grok::test::is_valid_utf8(result.reply))
    fail_usage("the reply file is not valid UTF-8");
  return result;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

scripted_response json_response(unsigned status, const json::value& body) {
  scripted_response response;
  response.status = status;
  response.headers = {{"Content-Type", "application/json"}};
  response.pieces = {{json::serialize(body) + "\n"}};
  return response;
}

/// Builds an error response with a body in the shape the OpenAI API uses.
scripted_response error_response(unsigned status, const std::string& message) {
  std::string type = "invalid_request_error";
  json::value code = nullptr;
  if (status == 401) {
    code = "invalid_api_key";
  } else if (status == 429) {
    type = "requests";
    code = "rate_limit_exceeded";
  } else if (status >= 500) {
    type = "server_error";
  }
  return json_response(status, json::object{{"error", json::object{{"message", message},
                                                                   {"type", type},
                                                                   {"param", nullptr},
                                                                   {"code", code}}}});
}

scripted_response chat_stream(const settings& config, const recorded_request& request) {
  grok::test::openai_stream_options stream;
  // Echo the requested model, as a real server does.
  boost::system::error_code error;
  const json::value body = json::parse(request.body, error);
  if (error)
    return error_response(400, "the request body is not valid JSON: " + error.message());
  if (const auto* object = body.if_object())
    if (const auto* model = object->if_contains("model"); model && model->is_string())
      stream.model = std::string(model->as_string());

  scripted_response response;
  response.headers = {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}};
  response.chunked = true;
  const auto delay = std::chrono::milliseconds(config.delay_ms);
  for (std::string& event : grok::test::openai_sse_events(grok::test::split_utf8(config.reply, config.chunk_bytes),
                                                          stream))
    response.pieces.push_back(body_piece{std::move(event), delay});
  return response;
}

scripted_response models_list() {
  return json_response(
      200, json::object{{"object", "list"},
                        {"data", json::array{json::object{{"id", "mock-model"},
                                                          {"object", "model"},
                                                          {"created", 1'700'000'000},
                                                          {"owned_by", "grok-mock-llm"}}}}});
}

/// Appends one JSON line per request to the log file.
class request_log {
public:
  explicit request_log(const std::string& path) {
    if (path.empty())
      return;
    file_.open(path, std::ios::app);
    if (!file_)
      fail_usage("cannot open the log file '" + path + "' for appending");
  }

  void write(const recorded_request& request) {
    if (!file_.is_open())
      return;
    // The server records steady_clock times; the log needs wall-clock time.
    const auto age = std::chrono::steady_clock::now() - request.arrival;
    const auto arrival = std::chrono::system_clock::now() - age;
    const auto unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(arrival.time_since_epoch()).count();
    const json::object line{{"time_unix_ms", unix_ms},
                            {"method", request.method},
                            {"target", request.target},
                            {"body", request.body}};
    std::lock_guard lock(mutex_);
    file_ << json::serialize(line) << '\n';
    file_.flush();
  }

private:
  std::mutex mutex_;
  std::ofstream file_;
};

} // namespace

int main(int argc, char** argv) {
  const settings config = parse_arguments(argc, argv);
  request_log log(config.log_file);

  // The server thread inherits this mask, so only the sigwait below
  // receives the signals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::optional<grok::test::mock_http_server> server;
  try {
    server.emplace(grok::test::mock_server_options{config.port, config.tls_cert, config.tls_key});
  } catch (const std::exception& error) {
    std::cerr << "grok-mock-llm: could not start: " << error.what() << "\n";
    return 1;
  }

  server->set_responder([&config, &log](const recorded_request& request) {
    log.write(request);
    const std::string_view path = path_of(request.target);
    if (request.method == "POST" && ends_with(path, "/chat/completions")) {
      if (config.status != 200)
        return error_response(config.status, "grok-mock-llm answers every request with status " +
                                                  std::to_string(config.status));
      return chat_stream(config, request);
    }
    if (request.method == "GET" && ends_with(path, "/models"))
      return models_list();
    return error_response(404, "grok-mock-llm serves POST .../chat/completions and GET .../models, not " +
                                   request.method + " " + std::string(path));
  });

  std::cout << "listening on 127.0.0.1:" << server->port() << std::endl;

  // The watcher wakes up every 200 ms to see whether main is stopping, so
  // that it never outlives the server.
  std::atomic<bool> stopping{false};
  std::thread limit_watcher;
  if (config.request_limit) {
    limit_watcher = std::thread([&] {
      while (!stopping.load()) {
        if (server->wait_for_responses(*config.request_limit, std::chrono::milliseconds(200))) {
          ::kill(::getpid(), SIGTERM);
          return;
        }
      }
    });
  }
  int received = 0;
  sigwait(&stop_signals, &received);
  stopping.store(true);
  if (limit_watcher.joinable())
    limit_watcher.join();
  server->stop();
  return 0;
}

// SPDX-License-Identifier: MIT
/// \file
/// The scripted test HTTP server and the OpenAI stream builder.
#include "mock_http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <stdexcept>

namespace grok::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool iequals(std::string_view a, std::string_view b) noexcept {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

bool has_header(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& header) { return iequals(header.first, name); });
}

std::string to_hex(std::size_t value) {
  constexpr char digits[] = "0123456789abcdef";
  std::string text;
  do {
    text.insert(text.begin(), digits[value % 16]);
    value /= 16;
  } while (value != 0);
  return text;
}

std::string response_head(const scripted_response& response) {
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                     std::string(http::obsolete_reason(static_cast<http::status>(response.status))) + "\r\n";
  for (const auto& [name, value] : response.headers)
    head += name + ": " + value + "\r\n";

  const bool has_framing = has_header(response.headers, "content-length") ||
                           has_header(response.headers, "transfer-encoding");
  if (!has_framing) {
    if (response.chunked) {
      head += "Transfer-Encoding: chunked\r\n";
    } else {
      std::size_t length = 0;
      for (const body_piece& piece : response.pieces)
        length += piece.bytes.size();
      head += "Content-Length: " + std::to_string(length) + "\r\n";
    }
  }
  if (!has_header(response.headers, "connection"))
    head += "Connection: close\r\n";
  return head + "\r\n";
}

scripted_response fallback_response(const recorded_request& request) {
  scripted_response response;
  response.status = 500;
  response.headers = {{"Content-Type", "text/plain"}};
  response.pieces = {{"mock_http_server: no scripted response is left for " + request.method + " " +
                      request.target + "\n"}};
  return response;
}

} // namespace

std::string recorded_request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name))
      return value;
  return {};
}

bool recorded_request::has_header(std::string_view name) const { return test::has_header(headers, name); }

/// Everything the server thread and the test thread share. The mutex
/// guards the queue, the responder, the records and the counters.
struct mock_http_server::state {
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::deque<scripted_response> queue;
  mock_responder responder;
  std::vector<recorded_request> records;
  std::size_t responses_done = 0;

  // Declared before `io` so that connections that still refer to it are
  // destroyed first.
  std::optional<ssl::context> tls;
  std::unique_ptr<asio::io_context> io = std::make_unique<asio::io_context>();
  std::optional<tcp::acceptor> acceptor;

  scripted_response record_and_choose(recorded_request request);
  void count_response();

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(tcp::socket socket);
  template <class Stream>
  asio::awaitable<void> serve_request(Stream& stream, tcp::socket& socket, std::string server_name);
  template <class Stream>
  asio::awaitable<bool> send_response(Stream& stream, tcp::socket& socket, const scripted_response& response);
};

scripted_response mock_http_server::state::record_and_choose(recorded_request request) {
  std::unique_lock lock(mutex);
  records.push_back(request);
  changed.notify_all();
  if (!queue.empty()) {
    scripted_response response = std::move(queue.front());
    queue.pop_front();
    return response;
  }
  if (responder) {
    mock_responder copy = responder;
    lock.unlock();
    return copy(request);
  }
  return fallback_response(request);
}

void mock_http_server::state::count_response() {
  std::lock_guard lock(mutex);
  ++responses_done;
  changed.notify_all();
}

asio::awaitable<void> mock_http_server::state::accept_loop() {
  for (;;) {
    auto [error, socket] = co_await acceptor->async_accept(use_tuple);
    if (error) {
      if (!acceptor->is_open())
        co_return;
      continue;
    }
    asio::co_spawn(*io, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> mock_http_server::state::serve(tcp::socket socket) {
  if (!tls) {
    co_await serve_request(socket, socket, std::string());
    co_return;
  }
  ssl::stream<tcp::socket> stream(std::move(socket), *tls);
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (handshake_error)
    co_return; // the client rejected the certificate, which some tests expect
  // GCC 12 miscompiles conditional expressions with class-type operands
  // inside coroutines, so coroutine bodies in this file use if statements.
  std::string server_name;
  if (const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name))
    server_name = name;
  co_await serve_request(stream, stream.next_layer(), std::move(server_name));
}

template <class Stream>
asio::awaitable<void> mock_http_server::state::serve_request(Stream& stream, tcp::socket& socket,
                                                             std::string server_name) {
  // The first read stamps the arrival time; the parser then continues
  // from the bytes it returned.
  beast::flat_buffer buffer;
  auto [first_error, first_size] = co_await stream.async_read_some(buffer.prepare(16 * 1024), use_tuple);
  if (first_error)
    co_return;
  const auto arrival = std::chrono::steady_clock::now();
  buffer.commit(first_size);

  http::request_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
  if (read_error)
    co_return;

  recorded_request request;
  const auto& message = parser.get();
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message)
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  request.body = message.body();
  request.arrival = arrival;
  request.tls_server_name = std::move(server_name);

  const scripted_response response = record_and_choose(std::move(request));
  const bool finished = co_await send_response(stream, socket, response);
  count_response();
  if (!finished)
    co_return;

  boost::system::error_code ignored;
  if constexpr (std::is_same_v<Stream, tcp::socket>) {
    socket.shutdown(tcp::socket::shutdown_send, ignored);
  } else {
    // close_notify marks the end of the body for the client.
    co_await stream.async_shutdown(use_tuple);
  }
  socket.close(ignored);
}

/// Sends `response` as scripted. Returns false when the script dropped the
/// connection or a write failed.
template <class Stream>
asio::awaitable<bool> mock_http_server::state::send_response(Stream& stream, tcp::socket& socket,
                                                             const scripted_response& response) {
  boost::system::error_code ignored;
  if (response.close_without_response) {
    socket.close(ignored);
    co_return false;
  }

  asio::steady_timer timer(*io);
  if (response.head_delay.count() > 0) {
    timer.expires_after(response.head_delay);
    co_await timer.async_wait(use_tuple);
  }
  auto [head_error, head_size] = co_await asio::async_write(stream, asio::buffer(response_head(response)), use_tuple);
  if (head_error)
    co_return false;

  for (std::size_t index = 0; index < response.pieces.size(); ++index) {
    const body_piece& piece = response.pieces[index];
    if (piece.delay.count() > 0) {
      timer.expires_after(piece.delay);
      co_await timer.async_wait(use_tuple);
    }
    std::string bytes = piece.bytes;
    // An empty chunk would end a chunked body early.
    if (response.chunked && !bytes.empty())
      bytes = to_hex(bytes.size()) + "\r\n" + bytes + "\r\n";
    if (!bytes.empty()) {
      auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(bytes), use_tuple);
      if (write_error)
        co_return false;
    }
    if (response.close_after_piece == index) {
      // A hard close without a TLS close_notify, as a crashed server does.
      socket.close(ignored);
      co_return false;
    }
  }
  if (response.chunked) {
    constexpr std::string_view last_chunk = "0\r\n\r\n";
    auto [end_error, end_size] = co_await asio::async_write(stream, asio::buffer(last_chunk), use_tuple);
    if (end_error)
      co_return false;
  }
  co_return true;
}

mock_http_server::mock_http_server(mock_server_options options) : state_(std::make_shared<state>()) {
  if (!options.tls_cert.empty()) {
    state_->tls.emplace(ssl::context::tls_server);
    boost::system::error_code error;
    state_->tls->use_certificate_chain_file(options.tls_cert.string(), error);
    if (error)
      throw std::runtime_error("mock_http_server: could not load the certificate " + options.tls_cert.string() +
                               ": " + error.message());
    state_->tls->use_private_key_file(options.tls_key.string(), ssl::context::pem, error);
    if (error)
      throw std::runtime_error("mock_http_server: could not load the private key " + options.tls_key.string() +
                               ": " + error.message());
    tls_ = true;
  }

  state_->acceptor.emplace(*state_->io);
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), options.port);
  state_->acceptor->open(endpoint.protocol());
  state_->acceptor->set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor->bind(endpoint);
  state_->acceptor->listen();
  port_ = state_->acceptor->local_endpoint().port();

  asio::co_spawn(*state_->io, state_->accept_loop(), asio::detached);
  thread_ = std::thread([io = state_->io.get()] { io->run(); });
}

mock_http_server::~mock_http_server() { stop(); }

void mock_http_server::enqueue(scripted_response response) {
  std::lock_guard lock(state_->mutex);
  state_->queue.push_back(std::move(response));
}

void mock_http_server::set_responder(mock_responder responder) {
  std::lock_guard lock(state_->mutex);
  state_->responder = std::move(responder);
}

std::string mock_http_server::base_url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

std::vector<recorded_request> mock_http_server::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->records;
}

std::size_t mock_http_server::request_count() const {
  std::lock_guard lock(state_->mutex);
  return state_->records.size();
}

bool mock_http_server::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->records.size() >= count; });
}

bool mock_http_server::wait_for_responses(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->responses_done >= count; });
}

void mock_http_server::stop() {
  if (!thread_.joinable())
    return;
  state_->io->stop();
  thread_.join();
  // Destroying the io_context destroys the pending connection coroutines,
  // which closes their sockets.
  state_->acceptor.reset();
  state_->io.reset();
}

std::vector<std::string> openai_sse_events(const std::vector<std::string>& fragments,
                                           const openai_stream_options& options) {
  namespace json = boost::json;
  auto chunk = [&](json::value delta, json::value finish_reason) {
    json::object choice{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", std::move(finish_reason)}};
    json::object object{{"id", options.id},
                        {"object", "chat.completion.chunk"},
                        {"created", options.created},
                        {"model", options.model},
                        {"choices", json::array{std::move(choice)}}};
    return "data: " + json::serialize(object) + "\n\n";
  };

  std::vector<std::string> events;
  for (const std::string& fragment : fragments)
    events.push_back(chunk(json::object{{"content", fragment}}, nullptr));
  events.push_back(chunk(json::object{}, "stop"));

  const auto completion_tokens = static_cast<std::uint64_t>(fragments.size());
  json::object usage_chunk{{"id", options.id},
                           {"object", "chat.completion.chunk"},
                           {"created", options.created},
                           {"model", options.model},
                           {"choices", json::array{}},
                           {"usage", json::object{{"prompt_tokens", options.prompt_tokens},
                                                  {"completion_tokens", completion_tokens},
                                                  {"total_tokens", options.prompt_tokens + completion_tokens}}}};
  events.push_back("data: " + json::serialize(usage_chunk) + "\n\n");
  events.push_back("data: [DONE]\n\n");
  return events;
}

std::string openai_sse_body(const std::vector<std::string>& fragments, const openai_stream_options& options) {
  std::string body;
  for (const std::string& event : openai_sse_events(fragments, options))
    body += event;
  return body;
}

namespace {

/// Returns the length of the UTF-8 sequence that starts at `text[0]`, or 0
/// when it is malformed.
std::size_t utf8_sequence_length(std::string_view text) noexcept {
  const auto byte = [&](std::size_t index) { return static_cast<unsigned char>(text[index]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80)
    return 1;

  std::size_t length = 0;
  std::uint32_t code_point = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }

  if (text.size() < length)
    return 0;
  for (std::size_t index = 1; index < length; ++index) {
    if ((byte(index) & 0xC0) != 0x80)
      return 0;
    code_point = (code_point << 6) | (byte(index) & 0x3F);
  }

  const bool overlong = (length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000);
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  if (overlong || surrogate || code_point > 0x10FFFF)
    return 0;
  return length;
}

} // namespace

bool is_valid_utf8(std::string_view text) noexcept {
  while (!text.empty()) {
    const std::size_t length = utf8_sequence_length(text);
    if (length == 0)
      return false;
    text.remove_prefix(length);
  }
  return true;
}

std::vector<std::string> split_utf8(std::string_view text, std::size_t max_bytes) {
  std::vector<std::string> fragments;
  std::string current;
  while (!text.empty()) {
    // A malformed byte is carried alone so that the split never loops.
    const std::size_t length = std::max<std::size_t>(utf8_sequence_length(text), 1);
    if (!current.empty() && current.size() + length > max_bytes) {
      fragments.push_back(std::move(current));
      current.clear();
    }
    current.append(text.substr(0, length));
    text.remove_prefix(length);
  }
  if (!current.empty())
    fragments.push_back(std::move(current));
  return fragments;
}

} // namespace grok::test

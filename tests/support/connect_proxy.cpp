// SPDX-License-Identifier: MIT
/// \file
/// The test CONNECT proxy.
#include "connect_proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <mutex>
#include <optional>

namespace grok::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// The two sockets of one tunnel, shared by the two copying directions.
struct tunnel {
  explicit tunnel(tcp::socket client_socket)
      : client(std::move(client_socket)), upstream(client.get_executor()) {}

  tcp::socket client;
  tcp::socket upstream;
};

/// Copies bytes from `from` to `to` until `from` ends, then half-closes
/// `to` so that its peer reads the end too.
/// `keep_alive` holds the tunnel for as long as this direction runs.
asio::awaitable<void> copy_direction([[maybe_unused]] std::shared_ptr<tunnel> keep_alive, tcp::socket& from,
                                    tcp::socket& to) {
  std::array<char, 16 * 1024> buffer;
  boost::system::error_code ignored;
  for (;;) {
    auto [read_error, read] = co_await from.async_read_some(asio::buffer(buffer), use_tuple);
    if (read_error)
      break;
    auto [write_error, written] = co_await asio::async_write(to, asio::buffer(buffer.data(), read), use_tuple);
    if (write_error)
      break;
  }
  to.shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> write_text(tcp::socket& socket, std::string text) {
  co_await asio::async_write(socket, asio::buffer(text), use_tuple);
}

std::string status_answer(unsigned status) {
  std::string answer = "HTTP/1.1 " + std::to_string(status) + " " +
                       std::string(http::obsolete_reason(static_cast<http::status>(status))) + "\r\n";
  if (status == 407)
    answer += "Proxy-Authenticate: Basic realm=\"grok test proxy\"\r\n";
  return answer + "Content-Length: 0\r\nConnection: close\r\n\r\n";
}

} // namespace

struct connect_proxy::state {
  mutable std::mutex mutex;
  std::vector<connect_record> records;
  unsigned reject_status = 0;

  std::unique_ptr<asio::io_context> io = std::make_unique<asio::io_context>();
  std::optional<tcp::acceptor> acceptor;

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(tcp::socket socket);
  asio::awaitable<bool> connect_upstream(tunnel& pipe, const std::string& target);
};

asio::awaitable<void> connect_proxy::state::accept_loop() {
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

asio::awaitable<void> connect_proxy::state::serve(tcp::socket socket) {
  auto pipe = std::make_shared<tunnel>(std::move(socket));

  beast::flat_buffer buffer;
  http::request_parser<http::empty_body> parser;
  auto [read_error, read] = co_await http::async_read_header(pipe->client, buffer, parser, use_tuple);
  if (read_error)
    co_return;

  const auto& request = parser.get();
  if (request.method() != http::verb::connect) {
    co_await write_text(pipe->client, status_answer(405));
    co_return;
  }
  const std::string target(request.target());
  {
    // No conditional expression here: GCC 12 miscompiles those with
    // class-type operands inside coroutines.
    connect_record record{target, {}};
    if (const auto authorization = request.find(http::field::proxy_authorization); authorization != request.end())
      record.proxy_authorization = authorization->value();
    std::lock_guard lock(mutex);
    records.push_back(std::move(record));
  }
  if (reject_status != 0) {
    co_await write_text(pipe->client, status_answer(reject_status));
    co_return;
  }
  if (!co_await connect_upstream(*pipe, target)) {
    co_await write_text(pipe->client, status_answer(403));
    co_return;
  }

  co_await write_text(pipe->client, "HTTP/1.1 200 Connection Established\r\n\r\n");
  // Bytes the client sent after its CONNECT head belong to the tunnel.
  if (buffer.size() != 0) {
    auto [write_error, written] = co_await asio::async_write(pipe->upstream, buffer.data(), use_tuple);
    if (write_error)
      co_return;
  }
  asio::co_spawn(*io, copy_direction(pipe, pipe->client, pipe->upstream), asio::detached);
  asio::co_spawn(*io, copy_direction(pipe, pipe->upstream, pipe->client), asio::detached);
}

/// Connects the tunnel's upstream socket to `target` ("host:port") when it
/// resolves to loopback addresses only; returns false otherwise.
asio::awaitable<bool> connect_proxy::state::connect_upstream(tunnel& pipe, const std::string& target) {
  const auto colon = target.rfind(':');
  if (colon == std::string::npos)
    co_return false;
  std::string host = target.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);

  tcp::resolver resolver(*io);
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(host, target.substr(colon + 1), tcp::resolver::numeric_service, use_tuple);
  if (resolve_error || endpoints.empty())
    co_return false;
  for (const auto& entry : endpoints)
    if (!entry.endpoint().address().is_loopback())
      co_return false;

  auto [connect_error, endpoint] = co_await asio::async_connect(pipe.upstream, endpoints, use_tuple);
  co_return !connect_error;
}

connect_proxy::connect_proxy(unsigned reject_status) : state_(std::make_shared<state>()) {
  state_->reject_status = reject_status;
  state_->acceptor.emplace(*state_->io);
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
  state_->acceptor->open(endpoint.protocol());
  state_->acceptor->bind(endpoint);
  state_->acceptor->listen();
  port_ = state_->acceptor->local_endpoint().port();

  asio::co_spawn(*state_->io, state_->accept_loop(), asio::detached);
  thread_ = std::thread([io = state_->io.get()] { io->run(); });
}

connect_proxy::~connect_proxy() { stop(); }

std::string connect_proxy::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<connect_record> connect_proxy::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->records;
}

void connect_proxy::stop() {
  if (!thread_.joinable())
    return;
  state_->io->stop();
  thread_.join();
  // Destroying the io_context destroys the pending tunnel coroutines, which
  // closes their sockets.
  state_->acceptor.reset();
  state_->io.reset();
}

} // namespace grok::test

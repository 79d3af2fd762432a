// SPDX-License-Identifier: MIT
/// \file
/// A small HTTP CONNECT proxy on 127.0.0.1 for tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace grok::test {

/// One CONNECT request as the proxy received it.
struct connect_record {
  std::string target;              ///< "host:port"
  std::string proxy_authorization; ///< the Proxy-Authorization header, or empty
};

/// A CONNECT proxy that runs on its own thread and tunnels bytes in both
/// directions. It only tunnels to loopback addresses and answers 403 for
/// any other target, and 405 for methods other than CONNECT.
class connect_proxy {
public:
  /// With `reject_status` 0 the proxy tunnels; otherwise it answers every
  /// CONNECT with that status (for example 407 or 502) and closes.
  explicit connect_proxy(unsigned reject_status = 0);
  ~connect_proxy();

  connect_proxy(const connect_proxy&) = delete;
  connect_proxy& operator=(const connect_proxy&) = delete;

  std::uint16_t port() const noexcept { return port_; }

  /// "http://127.0.0.1:PORT".
  std::string url() const;

  /// Copies of the CONNECT requests received so far. [any-thread]
  std::vector<connect_record> requests() const;

  /// Stops accepting, closes every tunnel and joins the thread. Safe to
  /// call twice.
  void stop();

private:
  struct state;

  std::shared_ptr<state> state_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

} // namespace grok::test

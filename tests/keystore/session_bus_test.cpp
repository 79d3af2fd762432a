// SPDX-License-Identifier: MIT
/// \file
/// A session bus that accepts connections but never replies, so every
/// keyring call gives up after its 3-second limit.
#include "keystore_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace grok::test;

namespace {

/// A Unix socket that accepts connections and reads nothing from them.
class silent_bus {
public:
  explicit silent_bus(const std::filesystem::path& path) : path_(path) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string text = path.string();
    BOOST_TEST_REQUIRE(text.size() < sizeof address.sun_path);
    std::copy(text.begin(), text.end(), address.sun_path);
    BOOST_TEST_REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    BOOST_TEST_REQUIRE(::listen(listener_, 8) == 0);
    BOOST_TEST_REQUIRE(::pipe2(stop_pipe_, O_CLOEXEC) == 0);
    thread_ = std::thread([this] { accept_loop(); });
  }

  ~silent_bus() {
    (void)::write(stop_pipe_[1], "x", 1);
    thread_.join();
    for (int fd : accepted_)
      ::close(fd);
    ::close(listener_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
  }

  silent_bus(const silent_bus&) = delete;
  silent_bus& operator=(const silent_bus&) = delete;

  std::string address() const { return "unix:path=" + path_.string(); }
  std::size_t connections() const { return connection_count_; }

private:
  void accept_loop() {
    for (;;) {
      pollfd fds[2] = {{listener_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0)
        continue;
      if (fds[1].revents != 0)
        return;
      const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection >= 0) {
        accepted_.push_back(connection);
        ++connection_count_;
      }
    }
  }

  std::filesystem::path path_;
  int listener_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::vector<int> accepted_;
  std::atomic<std::size_t> connection_count_ = 0;
  std::thread thread_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(keys)

BOOST_AUTO_TEST_CASE(stuck_keyring_times_out) {
  keystore_home home;
  silent_bus bus(home.home() / "bus.socket");
  home.environment["DBUS_SESSION_BUS_ADDRESS"] = bus.address();

  // With a bus present the default mode is the keyring.
  auto set = home.run({"/keys", "set", "xai"}, dummy_key("KSSTUCK") + "\n");
  BOOST_TEST(set.exit_code.value_or(-1) == 1, set.describe());
  BOOST_TEST(set.stderr_text.find("the OS keyring did not answer within 3 seconds while grok tried to store a key") !=
                 std::string::npos,
             set.stderr_text);
  BOOST_TEST(seconds_taken(set) >= 2.9);
  BOOST_TEST(seconds_taken(set) < 10.0);
  BOOST_TEST(bus.connections() >= 1u);
  // No silent fallback to the file.
  BOOST_TEST(!std::filesystem::exists(home.credentials()));

  // In passphrase mode a stuck keyring costs one wait and a warning, and
  // the key is still read from the file.
  home.use_passphrase("correct horse battery staple");
  home.write_config(R"({"plugins": {"keystore": {"protection": "passphrase"}}})");
  home.environment.erase("DBUS_SESSION_BUS_ADDRESS");
  home.store_key("xai", dummy_key("KSSTUCKfile"));
  home.environment["DBUS_SESSION_BUS_ADDRESS"] = bus.address();
  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status.exit_code.value_or(-1) == 0, status.stderr_text);
  BOOST_TEST(status_row(status.stdout_text, "xai").find("xai encrypted file (passphrase)") == 0u, status.stdout_text);
  BOOST_TEST(status.stderr_text.find("did not answer within 3 seconds") != std::string::npos, status.stderr_text);
  BOOST_TEST(seconds_taken(status) < 10.0);
}

BOOST_AUTO_TEST_SUITE_END()

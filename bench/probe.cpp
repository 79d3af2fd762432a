// SPDX-License-Identifier: MIT
/// \file
/// Measures a one-shot `grok -p` run against a loopback server that this
/// program serves itself: wall time, peak RSS, the time from launch to the
/// first request byte, and the time from the first answer token on the wire
/// to the first byte on grok's stdout. Prints medians as JSON.
///
/// Usage: grok-bench-probe GROK [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

namespace {

using clock_type = std::chrono::steady_clock;

double microseconds_between(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

int listen_on_loopback(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 16) != 0)
    throw std::runtime_error(std::string("cannot listen on 127.0.0.1: ") + std::strerror(errno));
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

void write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0)
      throw std::runtime_error("write to grok failed");
    done += static_cast<std::size_t>(n);
  }
}

std::string sse_chunk(const std::string& event) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", event.size());
  return size + event + "\r\n";
}

std::string content_event(const std::string& text) {
  return "data: {\"id\":\"bench\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
         "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}]}\n\n";
}

/// Serves one request: records when its first byte arrived, answers with a
/// streamed completion, and records when the first token was written.
struct served {
  clock_type::time_point first_request_byte;
  clock_type::time_point first_token_written;
};

served serve_one(int listener) {
  served times{};
  const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error("accept failed");
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  std::string request;
  char buffer[65536];
  std::size_t body_needed = std::string::npos;
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0)
      throw std::runtime_error("grok closed the connection before sending its request");
    if (request.empty())
      times.first_request_byte = clock_type::now();
    request.append(buffer, static_cast<std::size_t>(n));
    const auto head_end = request.find("\r\n\r\n");
    if (head_end == std::string::npos)
      continue;
    if (body_needed == std::string::npos) {
      const auto at = request.find("Content-Length: ");
      const auto alt = request.find("content-length: ");
      const auto found = at != std::string::npos ? at : alt;
      body_needed = found == std::string::npos ? 0 : std::strtoul(request.c_str() + found + 16, nullptr, 10);
    }
    if (request.size() >= head_end + 4 + body_needed)
      break;
  }

  write_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                "Connection: close\r\n\r\n");
  write_all(fd, sse_chunk(content_event("Hello")));
  times.first_token_written = clock_type::now();
  for (int i = 0; i < 20; ++i)
    write_all(fd, sse_chunk(content_event(" world")));
  write_all(fd, sse_chunk("data: {\"id\":\"bench\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                          "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"));
  write_all(fd, sse_chunk("data: [DONE]\n\n"));
  write_all(fd, "0\r\n\r\n");
  ::close(fd);
  return times;
}

struct run_result {
  double wall_us = 0;
  double to_request_us = 0;
  double token_to_stdout_us = 0;
  long peak_rss_kib = 0;
};

run_result run_once(const char* grok, int listener, std::uint16_t port, const std::string& home) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");

  const std::string base = "XAI_BASE_URL=http://127.0.0.1:" + std::to_string(port) + "/v1";
  const std::string grok_home = "GROK_HOME=" + home;
  const char* environment[] = {base.c_str(), "XAI_API_KEY=bench-dummy-key", grok_home.c_str(),
                               "PATH=/usr/bin:/bin", "LANG=C.UTF-8", nullptr};
  const auto launched = clock_type::now();
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDERR_FILENO);
    const char* argv[] = {grok, "-p", "say hello", nullptr};
    ::execve(grok, const_cast<char* const*>(argv), const_cast<char* const*>(environment));
    ::_exit(127);
  }
  ::close(out[1]);

  served times{};
  std::thread server([&] { times = serve_one(listener); });

  clock_type::time_point first_stdout{};
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0)
      break;
    if (first_stdout == clock_type::time_point{})
      first_stdout = clock_type::now();
  }
  ::close(out[0]);
  int status = 0;
  rusage usage{};
  ::wait4(child, &status, 0, &usage);
  const auto exited = clock_type::now();
  server.join();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("grok failed during the benchmark");

  run_result result;
  result.wall_us = microseconds_between(launched, exited);
  result.to_request_us = microseconds_between(launched, times.first_request_byte);
  result.token_to_stdout_us = microseconds_between(times.first_token_written, first_stdout);
  result.peak_rss_kib = usage.ru_maxrss;
  return result;
}

template <class T> T median(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: grok-bench-probe GROK [RUNS]\n");
    return 2;
  }
  const int runs = argc > 2 ? std::atoi(argv[2]) : 30;
  ::signal(SIGPIPE, SIG_IGN);
  try {
    char home_template[] = "/tmp/grok-bench-XXXXXX";
    const std::string home = ::mkdtemp(home_template);
    std::uint16_t port = 0;
    const int listener = listen_on_loopback(port);

    run_once(argv[1], listener, port, home); // warm the page cache
    std::vector<double> wall, to_request, token_to_stdout;
    std::vector<long> rss;
    for (int i = 0; i < runs; ++i) {
      const auto r = run_once(argv[1], listener, port, home);
      wall.push_back(r.wall_us);
      to_request.push_back(r.to_request_us);
      token_to_stdout.push_back(r.token_to_stdout_us);
      rss.push_back(r.peak_rss_kib);
    }
    std::printf("{\"runs\":%d,\"wall_ms\":%.2f,\"launch_to_request_ms\":%.2f,"
                "\"token_to_stdout_ms\":%.3f,\"peak_rss_mib\":%.1f}\n",
                runs, median(wall) / 1000, median(to_request) / 1000, median(token_to_stdout) / 1000,
                static_cast<double>(median(rss)) / 1024);
    std::string cleanup = "rm -rf '" + home + "'";
    return std::system(cleanup.c_str()) == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "grok-bench-probe: %s\n", e.what());
    return 1;
  }
}

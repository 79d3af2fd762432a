// SPDX-License-Identifier: MIT
/// \file
/// The HTTP/1.1 client declared in http.hpp: Boost.Beast over TCP or OpenSSL,
/// one C++20 coroutine per request, one connection per attempt.
#include <grok/sdk/http.hpp>

#include <grok/sdk/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <utility>

namespace grok::sdk::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// The largest error body kept in `http_outcome::body`.
constexpr std::size_t max_error_body = 64 * 1024;

/// Response heads larger than this are rejected as invalid. Beast's default
/// of 8 KiB is smaller than what some API gateways send.
constexpr std::uint32_t max_response_head = 64 * 1024;

/// How long the TLS close_notify exchange may take after a complete body.
/// The exchange is a courtesy to the server, so a server that never replies
/// must not keep the connection open for long.
constexpr milliseconds tls_shutdown_limit{5'000};

// ---------------------------------------------------------------------------
// Text helpers

char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

/// Formats a limit in seconds without trailing zeros: "30", "0.25".
std::string format_seconds(milliseconds limit) {
  if (limit.count() % 1000 == 0)
    return std::to_string(limit.count() / 1000);
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(limit.count()) / 1000.0);
  std::string result = text;
  while (result.back() == '0')
    result.pop_back();
  return result;
}

std::string env_value(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

/// True for an RFC 9110 token, the syntax of methods and header names.
bool is_token(std::string_view text) noexcept {
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           extra.find(c) != std::string_view::npos;
  });
}

/// True when a header value contains a byte that would end the header line.
bool has_line_break(std::string_view value) noexcept {
  return value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string base64_encode(std::string_view bytes) {
  std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()),
                                     static_cast<int>(bytes.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return encoded;
}

// ---------------------------------------------------------------------------
// URLs

/// The parts of an http or https URL that the client uses.
struct parsed_url {
  bool tls = false;
  std::string host;        ///< for DNS and certificate checks: no brackets, percent-decoded
  std::string host_in_url; ///< for Host headers and messages: "[::1]" for IPv6
  bool host_is_ip = false;
  std::uint16_t port = 0;
  bool default_port = true;
  std::string target;      ///< origin-form request target: path and query
  std::string user;        ///< percent-decoded user name, or empty
  std::string password;    ///< percent-decoded password, or empty

  std::string host_and_port() const { return host_in_url + ":" + std::to_string(port); }

  std::string authority() const { return default_port ? host_in_url : host_and_port(); }
};

struct url_problem {
  errc code;
  std::string message;
};

/// Parses `text` as an absolute http or https URL. `allow_https` is false
/// for proxy URLs, which must be plain http.
std::optional<parsed_url> parse_http_url(std::string_view text, bool allow_https, url_problem& problem) {
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    problem = {errc::invalid_url, "invalid URL '" + std::string(text) + "': " + parsed.error().message()};
    return std::nullopt;
  }
  const boost::urls::url_view url = *parsed;

  parsed_url result;
  const std::string_view scheme = url.scheme();
  if (iequals(scheme, "https") && allow_https) {
    result.tls = true;
  } else if (!iequals(scheme, "http")) {
    problem = {errc::unsupported_scheme, "unsupported URL scheme '" + std::string(scheme) + "' in '" +
                                             std::string(text) + "'; use " +
                                             (allow_https ? "http:// or https://" : "http://")};
    return std::nullopt;
  }

  switch (url.host_type()) {
  case boost::urls::host_type::name:
    result.host = url.host_name();
    result.host_in_url = result.host;
    break;
  case boost::urls::host_type::ipv4:
    result.host = url.host_address();
    result.host_in_url = result.host;
    result.host_is_ip = true;
    break;
  case boost::urls::host_type::ipv6:
    result.host = url.host_address();
    result.host_in_url = "[" + result.host + "]";
    result.host_is_ip = true;
    break;
  default:
    break;
  }
  if (result.host.empty()) {
    problem = {errc::invalid_url, "invalid URL '" + std::string(text) + "': the host is missing"};
    return std::nullopt;
  }

  result.port = result.tls ? 443 : 80;
  if (url.has_port() && !url.port().empty()) {
    const std::string_view digits = url.port();
    unsigned port = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (error != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
      problem = {errc::invalid_url, "invalid URL '" + std::string(text) + "': the port '" + std::string(digits) +
                                        "' is not a number from 1 to 65535"};
      return std::nullopt;
    }
    result.default_port = port == result.port;
    result.port = static_cast<std::uint16_t>(port);
  }

  result.target = url.encoded_path();
  if (result.target.empty())
    result.target = "/";
  if (url.has_query())
    result.target += "?" + std::string(url.encoded_query());

  if (url.has_userinfo()) {
    result.user = url.user();
    result.password = url.password();
  }
  return result;
}

// ---------------------------------------------------------------------------
// Proxies

/// A proxy chosen from the environment for one origin.
struct proxy_route {
  parsed_url url;
  std::string variable;      ///< the environment variable it came from, for messages
  std::string authorization; ///< "Basic ..." from the URL's userinfo, or empty
};

/// True for an IPv4 or IPv6 literal (IPv6 without brackets).
bool is_ip_literal(std::string_view text) {
  boost::system::error_code error;
  asio::ip::make_address(std::string(text), error);
  return !error;
}

/// True when two IP literals name the same address ("::1" and "0::1").
bool same_ip_address(std::string_view a, std::string_view b) {
  boost::system::error_code error_a;
  boost::system::error_code error_b;
  const auto address_a = asio::ip::make_address(std::string(a), error_a);
  const auto address_b = asio::ip::make_address(std::string(b), error_b);
  return !error_a && !error_b && address_a == address_b;
}

std::string_view strip_brackets(std::string_view host) noexcept {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    return host.substr(1, host.size() - 2);
  return host;
}

/// Removes a ":port" suffix from a NO_PROXY entry. A bare IPv6 address has
/// several colons and no port, and "[::1]:8080" has brackets.
std::string_view strip_entry_port(std::string_view entry) noexcept {
  if (!entry.empty() && entry.front() == '[') {
    const auto close = entry.find(']');
    return close == std::string_view::npos ? entry : entry.substr(1, close - 1);
  }
  const auto colon = entry.find(':');
  if (colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos)
    return entry.substr(0, colon);
  return entry;
}

std::string first_env_value(std::initializer_list<const char*> names, std::string& chosen_name) {
  for (const char* name : names) {
    std::string value = env_value(name);
    if (!value.empty()) {
      chosen_name = name;
      return value;
    }
  }
  return {};
}

/// Chooses the proxy for `origin` from HTTPS_PROXY or HTTP_PROXY, lower-case
/// names first as curl does, unless NO_PROXY matches the host.
std::optional<proxy_route> select_proxy(const parsed_url& origin, std::optional<url_problem>& problem) {
  std::string variable;
  const std::string proxy_text = origin.tls ? first_env_value({"https_proxy", "HTTPS_PROXY"}, variable)
                                            : first_env_value({"http_proxy", "HTTP_PROXY"}, variable);
  if (proxy_text.empty())
    return std::nullopt;

  std::string unused;
  if (no_proxy_matches(first_env_value({"no_proxy", "NO_PROXY"}, unused), origin.host))
    return std::nullopt;

  // "host:port" without a scheme is common in proxy variables.
  const std::string with_scheme =
      proxy_text.find("://") == std::string::npos ? "http://" + proxy_text : proxy_text;
  url_problem url_error;
  // A proxy URL without a port uses 80, the http default, whereas curl
  // uses 1080.
  auto url = parse_http_url(with_scheme, false, url_error);
  if (!url) {
    // The value is not repeated because it may contain a password.
    problem = url_problem{url_error.code, variable + " is not a usable proxy URL (" +
                                              std::string(url_error.code == errc::unsupported_scheme
                                                              ? "only http:// proxies are supported"
                                                              : "it does not parse as a URL") +
                                              "); set it to http://[USER:PASSWORD@]HOST:PORT or unset it"};
    return std::nullopt;
  }

  proxy_route route{std::move(*url), variable, {}};
  if (!route.url.user.empty() || !route.url.password.empty())
    route.authorization = "Basic " + base64_encode(route.url.user + ":" + route.url.password);
  return route;
}

// ---------------------------------------------------------------------------
// Retries

bool status_is_retryable(unsigned status) noexcept {
  return status == 408 || status == 409 || status == 429 || status >= 500;
}

/// Applies `x-should-retry`, which overrides the status rule when it is
/// exactly "true" or "false".
bool response_is_retryable(unsigned status, const std::vector<http_header>& headers) noexcept {
  const std::string_view should_retry = trim(find_header(headers, "x-should-retry"));
  if (iequals(should_retry, "true"))
    return true;
  if (iequals(should_retry, "false"))
    return false;
  return status_is_retryable(status);
}

std::optional<double> parse_number(std::string_view text) noexcept {
  text = trim(text);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

/// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the form that
/// RFC 9110 requires senders to use. Month names are matched in English
/// whatever the C locale is.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) noexcept {
  text = trim(text);
  const auto comma = text.find(", ");
  if (comma == std::string_view::npos)
    return std::nullopt;
  text.remove_prefix(comma + 2);
  // "06 Nov 1994 08:49:37 GMT"
  if (text.size() != 24 || text.substr(20) != " GMT")
    return std::nullopt;

  auto number = [&](std::size_t offset, std::size_t length) -> std::optional<int> {
    int value = 0;
    const char* first = text.data() + offset;
    const auto [end, error] = std::from_chars(first, first + length, value);
    if (error != std::errc() || end != first + length)
      return std::nullopt;
    return value;
  };
  constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto month = std::find(months.begin(), months.end(), text.substr(3, 3));
  const auto day = number(0, 2);
  const auto year = number(7, 4);
  const auto hour = number(12, 2);
  const auto minute = number(15, 2);
  const auto second = number(18, 2);
  if (month == months.end() || !day || !year || !hour || !minute || !second)
    return std::nullopt;

  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(month - months.begin() + 1)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  return std::chrono::sys_days{date} + std::chrono::hours{*hour} + std::chrono::minutes{*minute} +
         std::chrono::seconds{*second};
}

/// Returns the delay the server asked for with `retry-after-ms` or
/// `retry-after`, capped at `cap`. Values of zero or less are ignored.
std::optional<milliseconds> server_requested_delay(const std::vector<http_header>& headers, milliseconds cap) {
  auto capped = [&](double delay_ms) -> std::optional<milliseconds> {
    if (!(delay_ms > 0))
      return std::nullopt;
    const double limited = std::min(std::ceil(delay_ms), static_cast<double>(cap.count()));
    return milliseconds{static_cast<milliseconds::rep>(limited)};
  };

  if (const auto value = parse_number(find_header(headers, "retry-after-ms")))
    if (const auto delay = capped(*value))
      return delay;

  const std::string_view retry_after = find_header(headers, "retry-after");
  if (const auto seconds = parse_number(retry_after))
    return capped(*seconds * 1000.0);
  if (const auto date = parse_http_date(retry_after)) {
    const auto remaining = std::chrono::duration<double, std::milli>(*date - std::chrono::system_clock::now());
    return capped(remaining.count());
  }
  return std::nullopt;
}

/// `min(initial_backoff * 2^retry_index, max_backoff)` reduced by a random
/// 0 to 25%, so that many clients that failed together spread out.
milliseconds backoff_delay(const retry_policy& policy, unsigned retry_index) {
  thread_local std::mt19937 generator{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.0, 0.25);
  const double exponential = static_cast<double>(policy.initial_backoff.count()) *
                             std::pow(2.0, static_cast<double>(std::min(retry_index, 62u)));
  const double bounded = std::min(exponential, static_cast<double>(policy.max_backoff.count()));
  return milliseconds{static_cast<milliseconds::rep>(bounded * (1.0 - jitter(generator)))};
}

// ---------------------------------------------------------------------------
// Error classification

bool is_ssl_error(const boost::system::error_code& error) noexcept {
  return error.category() == asio::error::get_ssl_category();
}

/// True for the ways a peer ends a connection: EOF, TLS truncation, reset,
/// and writes to a closed socket.
bool is_connection_closed(const boost::system::error_code& error) noexcept {
  return error == asio::error::eof || error == http::error::end_of_stream ||
         error == http::error::partial_message || error == ssl::error::stream_truncated ||
         error == asio::error::connection_reset || error == asio::error::broken_pipe ||
         error == asio::error::connection_aborted || error == asio::error::not_connected;
}

/// True for a malformed HTTP message, as opposed to a transport failure.
bool is_http_syntax_error(const boost::system::error_code& error) noexcept {
  return error.category() == boost::system::error_code(http::error::end_of_stream).category() &&
         !is_connection_closed(error);
}

/// OpenSSL's reason for an error code of the SSL category, e.g. "wrong
/// version number".
std::string ssl_reason(const boost::system::error_code& error) {
  if (!is_ssl_error(error))
    return error.message();
  const char* reason = ERR_reason_error_string(static_cast<unsigned long>(error.value()));
  return reason ? std::string(reason) : error.message();
}

/// Wraps asio's host name check so that a mismatch is recorded in the
/// verification result, where the handshake failure can report it.
class host_name_check {
public:
  host_name_check(const std::string& host, bool host_is_ip) : check_(host), host_is_ip_(host_is_ip) {}

  bool operator()(bool preverified, ssl::verify_context& context) const {
    const bool matched = check_(preverified, context);
    if (preverified && !matched)
      X509_STORE_CTX_set_error(context.native_handle(),
                               host_is_ip_ ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH);
    return matched;
  }

private:
  ssl::host_name_verification check_;
  bool host_is_ip_;
};

// ---------------------------------------------------------------------------
// The request operation

enum class deadline_step { none, connect, headers, idle, shutdown };

/// The result of one attempt: success, or a failure and whether a retry may
/// help.
struct attempt_result {
  http_outcome outcome;
  bool retryable = false;
};

attempt_result failure(errc code, std::string message, bool retryable) {
  attempt_result result;
  result.outcome.error = make_error_code(code);
  result.outcome.message = std::move(message);
  result.retryable = retryable;
  return result;
}

/// One request from start to on_complete. Its coroutines use if statements
/// instead of conditional expressions with class-type operands, which GCC 12
/// miscompiles inside coroutines (it evaluated both operands).
class request_operation : public std::enable_shared_from_this<request_operation> {
public:
  request_operation(asio::io_context& io, http_request request, http_options options,
                    http_stream_handler& handler, cancel_token cancel)
      : io_(io), request_(std::move(request)), options_(std::move(options)), handler_(handler),
        cancel_(std::move(cancel)), resolver_(io), socket_(io), deadline_timer_(io), retry_timer_(io) {}

  /// Registers for cancellation and starts the coroutine. Runs on the io
  /// thread, posted by async_http_request.
  void start();

private:
  asio::awaitable<void> run();
  asio::awaitable<attempt_result> run_attempt(unsigned retry_count);
  asio::awaitable<std::optional<attempt_result>> connect_transport();
  asio::awaitable<std::optional<attempt_result>> open_tunnel();
  asio::awaitable<std::optional<attempt_result>> handshake_tls();
  asio::awaitable<void> shut_down_tls();

  template <class Stream> asio::awaitable<attempt_result> exchange(Stream& stream, unsigned retry_count);
  template <class Stream>
  asio::awaitable<attempt_result> stream_body(Stream& stream, beast::flat_buffer& buffer,
                                              http::response_parser<http::buffer_body>& parser,
                                              http_response_head head);
  template <class Stream>
  asio::awaitable<attempt_result> read_error_body(Stream& stream, beast::flat_buffer& buffer,
                                                  http::response_parser<http::buffer_body>& parser,
                                                  http_response_head head);

  std::optional<attempt_result> validate_request();
  std::optional<attempt_result> create_tls_context();
  http::request<http::string_body> build_request(unsigned retry_count) const;

  std::optional<attempt_result> interruption() const;
  attempt_result resolve_failure(const boost::system::error_code& error) const;
  attempt_result connect_failure(const boost::system::error_code& error) const;
  attempt_result tls_failure(const boost::system::error_code& error);
  attempt_result before_head_failure(const boost::system::error_code& error) const;
  attempt_result body_failure(const boost::system::error_code& error) const;

  const parsed_url& first_hop() const { return proxy_ ? proxy_->url : origin_; }
  std::string describe_first_hop() const;
  std::string describe_proxy_rejection(unsigned status, std::string_view reason) const;
  std::string describe_status(unsigned status) const;
  bool is_cancelled() const { return cancelled_ || cancel_.cancelled(); }

  void arm_deadline(deadline_step step, milliseconds limit);
  void disarm_deadline();
  void close_transport();
  void cancel_now();
  void complete(http_outcome outcome);

  asio::io_context& io_;
  http_request request_;
  http_options options_;
  http_stream_handler& handler_;
  cancel_token cancel_;
  int cancel_callback_id_ = 0;

  parsed_url origin_;
  std::optional<proxy_route> proxy_;

  tcp::resolver resolver_;
  tcp::socket socket_;
  // The context must outlive the stream that refers to it.
  std::optional<ssl::context> tls_context_;
  std::optional<ssl::stream<tcp::socket>> tls_;

  asio::steady_timer deadline_timer_;
  asio::steady_timer retry_timer_;
  deadline_step armed_step_ = deadline_step::none;
  deadline_step expired_step_ = deadline_step::none;
  milliseconds armed_limit_{0};
  std::uint64_t deadline_generation_ = 0;

  bool cancelled_ = false;
  bool completed_ = false;
  bool delivered_ = false; ///< a 2xx head went to on_response, so no retry
  std::uint64_t body_bytes_ = 0;
  std::array<char, 16 * 1024> read_chunk_{};
};

void request_operation::start() {
  std::weak_ptr<request_operation> weak = weak_from_this();
  // The token may be cancelled from any thread, so the callback only posts.
  cancel_callback_id_ = cancel_.on_cancel([weak, &io = io_] {
    asio::post(io, [weak] {
      if (auto self = weak.lock())
        self->cancel_now();
    });
  });

  auto self = shared_from_this();
  asio::co_spawn(io_, run(), [self](std::exception_ptr error) {
    if (!error)
      return;
    if (self->completed_)
      std::rethrow_exception(error); // on_complete threw, so io_context::run reports it
    std::string reason = "unknown exception";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& exception) {
      reason = exception.what();
    } catch (...) {
    }
    self->close_transport();
    http_outcome outcome;
    outcome.error = make_error_code(errc::connection_lost);
    outcome.message = "request to " + self->origin_.host_in_url + " failed: " + reason;
    self->complete(std::move(outcome));
  });
}

asio::awaitable<void> request_operation::run() {
  if (auto invalid = validate_request()) {
    complete(std::move(invalid->outcome));
    co_return;
  }

  for (unsigned retry_count = 0;; ++retry_count) {
    attempt_result result = co_await run_attempt(retry_count);
    result.outcome.attempts = retry_count + 1;

    const bool succeeded = !result.outcome.error;
    if (succeeded && tls_) {
      complete(std::move(result.outcome));
      co_await shut_down_tls();
      co_return;
    }
    close_transport();
    if (succeeded || !result.retryable || delivered_ || is_cancelled() ||
        retry_count >= options_.retry.max_retries) {
      complete(std::move(result.outcome));
      co_return;
    }

    std::optional<milliseconds> delay;
    if (result.outcome.status != 0)
      delay = server_requested_delay(result.outcome.headers, options_.retry.max_server_delay);
    if (!delay)
      delay = backoff_delay(options_.retry, retry_count);
    handler_.on_retry(retry_count + 2, *delay, result.outcome);

    retry_timer_.expires_after(*delay);
    co_await retry_timer_.async_wait(use_tuple);
    if (is_cancelled()) {
      http_outcome cancelled;
      cancelled.error = make_error_code(errc::cancelled);
      cancelled.message = "request cancelled";
      cancelled.attempts = retry_count + 1;
      complete(std::move(cancelled));
      co_return;
    }
  }
}

asio::awaitable<attempt_result> request_operation::run_attempt(unsigned retry_count) {
  expired_step_ = deadline_step::none;
  if (auto stop = interruption())
    co_return std::move(*stop);
  tls_.reset();
  body_bytes_ = 0;

  if (auto connect_error = co_await connect_transport())
    co_return std::move(*connect_error);
  if (tls_)
    co_return co_await exchange(*tls_, retry_count);
  co_return co_await exchange(socket_, retry_count);
}

std::optional<attempt_result> request_operation::validate_request() {
  url_problem problem;
  auto origin = parse_http_url(request_.url, true, problem);
  if (!origin)
    return failure(problem.code, problem.message + (problem.code == errc::invalid_url
                                                        ? "; expected http://HOST[:PORT]/PATH or https://..."
                                                        : ""),
                   false);
  origin_ = std::move(*origin);

  if (!is_token(request_.method))
    return failure(errc::invalid_argument,
                   "invalid HTTP method '" + request_.method + "'; use a token such as GET or POST", false);
  for (const http_header& header : request_.headers) {
    if (!is_token(header.name))
      return failure(errc::invalid_argument,
                     "invalid header name '" + header.name + "'; header names are tokens without spaces", false);
    // The value is not shown because it may be a credential.
    if (has_line_break(header.value))
      return failure(errc::invalid_argument,
                     "the value of header '" + header.name + "' contains a line break or NUL byte; remove it",
                     false);
  }

  std::optional<url_problem> proxy_problem;
  proxy_ = select_proxy(origin_, proxy_problem);
  if (proxy_problem)
    return failure(proxy_problem->code, proxy_problem->message, false);
  return std::nullopt;
}

asio::awaitable<std::optional<attempt_result>> request_operation::connect_transport() {
  const parsed_url& hop = first_hop();
  arm_deadline(deadline_step::connect, options_.timeouts.connect);

  // An IP literal needs no lookup; skipping the resolver also skips the
  // thread it starts for getaddrinfo, which costs milliseconds at startup.
  boost::system::error_code address_error;
  const auto address = hop.host_is_ip ? asio::ip::make_address(hop.host, address_error) : asio::ip::address();
  if (hop.host_is_ip && !address_error) {
    auto [connect_error] = co_await socket_.async_connect(tcp::endpoint(address, hop.port), use_tuple);
    if (connect_error)
      co_return connect_failure(connect_error);
  } else {
    auto [resolve_error, endpoints] = co_await resolver_.async_resolve(
        hop.host, std::to_string(hop.port), tcp::resolver::numeric_service, use_tuple);
    if (resolve_error)
      co_return resolve_failure(resolve_error);

    auto [connect_error, endpoint] = co_await asio::async_connect(socket_, endpoints, use_tuple);
    if (connect_error)
      co_return connect_failure(connect_error);
  }
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);

  if (proxy_ && origin_.tls)
    if (auto tunnel_error = co_await open_tunnel())
      co_return tunnel_error;
  if (origin_.tls)
    if (auto tls_error = co_await handshake_tls())
      co_return tls_error;

  disarm_deadline();
  co_return std::nullopt;
}

asio::awaitable<std::optional<attempt_result>> request_operation::open_tunnel() {
  const std::string target = origin_.host_and_port();
  http::request<http::empty_body> request{http::verb::connect, target, 11};
  request.set(http::field::host, target);
  request.set(http::field::user_agent, options_.user_agent);
  if (!proxy_->authorization.empty())
    request.set(http::field::proxy_authorization, proxy_->authorization);

  auto [write_error, written] = co_await http::async_write(socket_, request, use_tuple);
  if (write_error)
    co_return before_head_failure(write_error);

  // A CONNECT response has no body. After a 2xx head the connection is a tunnel.
  http::response_parser<http::empty_body> parser;
  parser.skip(true);
  beast::flat_buffer buffer;
  auto [read_error, read] = co_await http::async_read_header(socket_, buffer, parser, use_tuple);
  if (read_error)
    co_return before_head_failure(read_error);

  const unsigned status = parser.get().result_int();
  if (status / 100 != 2) {
    co_return failure(errc::proxy_failed, describe_proxy_rejection(status, parser.get().reason()),
                      status != 407 && status_is_retryable(status));
  }
  // The client speaks first in TLS, so a proxy has nothing to forward yet.
  if (buffer.size() != 0)
    co_return failure(errc::proxy_failed,
                      "proxy " + proxy_->url.host_and_port() + " sent data after its CONNECT answer; check " +
                          proxy_->variable,
                      false);
  co_return std::nullopt;
}

std::optional<attempt_result> request_operation::create_tls_context() {
  if (tls_context_)
    return std::nullopt;
  ssl::context context(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);

  const std::string cert_file = env_value("SSL_CERT_FILE");
  const std::string cert_dir = env_value("SSL_CERT_DIR");
  boost::system::error_code error;
  std::error_code file_error;
  if (cert_file.empty() && cert_dir.empty()) {
    context.set_default_verify_paths(error);
    if (error)
      return failure(errc::tls_handshake_failed,
                     "could not load the system's trusted CA certificates: " + ssl_reason(error) +
                         "; set SSL_CERT_FILE to a PEM file of CA certificates",
                     false);
  }
  if (!cert_file.empty()) {
    if (!std::filesystem::is_regular_file(cert_file, file_error))
      return failure(errc::invalid_argument,
                     "SSL_CERT_FILE is set to '" + cert_file +
                         "', but that file does not exist; set it to a PEM file of CA certificates or unset it",
                     false);
    context.load_verify_file(cert_file, error);
    if (error)
      return failure(errc::invalid_argument,
                     "could not load CA certificates from SSL_CERT_FILE='" + cert_file + "': " + ssl_reason(error) +
                         "; the file must contain PEM certificates",
                     false);
  }
  if (!cert_dir.empty()) {
    if (!std::filesystem::is_directory(cert_dir, file_error))
      return failure(errc::invalid_argument,
                     "SSL_CERT_DIR is set to '" + cert_dir +
                         "', but that folder does not exist; set it to a folder of hashed CA certificates or unset it",
                     false);
    context.add_verify_path(cert_dir, error);
    if (error)
      return failure(errc::invalid_argument,
                     "could not use SSL_CERT_DIR='" + cert_dir + "': " + ssl_reason(error), false);
  }
  tls_context_.emplace(std::move(context));
  return std::nullopt;
}

asio::awaitable<std::optional<attempt_result>> request_operation::handshake_tls() {
  if (auto context_error = create_tls_context())
    co_return context_error;
  tls_.emplace(std::move(socket_), *tls_context_);

  // RFC 6066 allows only host names in SNI, never IP literals.
  if (!origin_.host_is_ip && SSL_set_tlsext_host_name(tls_->native_handle(), origin_.host.c_str()) != 1)
    co_return failure(errc::tls_handshake_failed,
                      "could not set the TLS server name '" + origin_.host + "'; check the host in the URL", false);
  tls_->set_verify_mode(ssl::verify_peer);
  tls_->set_verify_callback(host_name_check(origin_.host, origin_.host_is_ip));

  auto [handshake_error] = co_await tls_->async_handshake(ssl::stream_base::client, use_tuple);
  if (handshake_error)
    co_return tls_failure(handshake_error);
  co_return std::nullopt;
}

asio::awaitable<void> request_operation::shut_down_tls() {
  arm_deadline(deadline_step::shutdown, tls_shutdown_limit);
  // The body is complete, so the result does not matter. Many servers close
  // TCP without replying to close_notify, which Asio reports as
  // stream_truncated. That cannot cut data, because none is expected.
  co_await tls_->async_shutdown(use_tuple);
  disarm_deadline();
  close_transport();
}

http::request<http::string_body> request_operation::build_request(unsigned retry_count) const {
  http::request<http::string_body> request;
  request.version(11);
  const http::verb verb = http::string_to_verb(request_.method);
  if (verb == http::verb::unknown)
    request.method_string(request_.method);
  else
    request.method(verb);

  // Through an http proxy the target is the absolute URL.
  if (proxy_ && !origin_.tls)
    request.target("http://" + origin_.authority() + origin_.target);
  else
    request.target(origin_.target);

  for (const http_header& header : request_.headers) {
    // The body is never compressed and its framing is set below.
    if (iequals(header.name, "content-length") || iequals(header.name, "transfer-encoding") ||
        iequals(header.name, "accept-encoding") || iequals(header.name, "x-grok-retry-count"))
      continue;
    request.insert(header.name, header.value);
  }
  if (request.find(http::field::host) == request.end())
    request.set(http::field::host, origin_.authority());
  if (request.find(http::field::user_agent) == request.end())
    request.set(http::field::user_agent, options_.user_agent);
  request.set("x-grok-retry-count", std::to_string(retry_count));
  if (proxy_ && !origin_.tls && !proxy_->authorization.empty())
    request.set(http::field::proxy_authorization, proxy_->authorization);

  request.body() = request_.body;
  request.prepare_payload();
  return request;
}

template <class Stream>
asio::awaitable<attempt_result> request_operation::exchange(Stream& stream, unsigned retry_count) {
  auto request = build_request(retry_count);
  arm_deadline(deadline_step::headers, options_.timeouts.headers);
  auto [write_error, written] = co_await http::async_write(stream, request, use_tuple);
  if (write_error)
    co_return before_head_failure(write_error);

  beast::flat_buffer buffer;
  std::optional<http::response_parser<http::buffer_body>> parser;
  // Interim 1xx heads (such as 103 Early Hints) precede the real one.
  do {
    parser.emplace();
    parser->header_limit(max_response_head);
    parser->body_limit(boost::none);
    if (request.method() == http::verb::head)
      parser->skip(true);
    auto [read_error, read] = co_await http::async_read_header(stream, buffer, *parser, use_tuple);
    if (read_error)
      co_return before_head_failure(read_error);
  } while (parser->get().result_int() / 100 == 1 && parser->get().result_int() != 101);
  disarm_deadline();

  http_response_head head;
  head.status = parser->get().result_int();
  for (const auto& field : parser->get())
    head.headers.push_back({std::string(field.name_string()), std::string(field.value())});

  if (head.status / 100 == 2)
    co_return co_await stream_body(stream, buffer, *parser, std::move(head));
  co_return co_await read_error_body(stream, buffer, *parser, std::move(head));
}

template <class Stream>
asio::awaitable<attempt_result> request_operation::stream_body(Stream& stream, beast::flat_buffer& buffer,
                                                               http::response_parser<http::buffer_body>& parser,
                                                               http_response_head head) {
  delivered_ = true;
  handler_.on_response(head);

  while (!parser.is_done()) {
    parser.get().body().data = read_chunk_.data();
    parser.get().body().size = read_chunk_.size();
    arm_deadline(deadline_step::idle, options_.timeouts.idle);
    // read_some returns after each socket read, so pieces are not held back
    // until the buffer fills.
    auto [read_error, read] = co_await http::async_read_some(stream, buffer, parser, use_tuple);
    const std::size_t filled = read_chunk_.size() - parser.get().body().size;
    if (filled > 0 && !is_cancelled()) {
      body_bytes_ += filled;
      handler_.on_body(std::string_view(read_chunk_.data(), filled));
    }
    if (read_error == http::error::need_buffer)
      continue;
    if (read_error)
      co_return body_failure(read_error);
    if (is_cancelled())
      co_return *interruption();
  }
  disarm_deadline();

  attempt_result result;
  result.outcome.status = head.status;
  result.outcome.headers = std::move(head.headers);
  co_return result;
}

template <class Stream>
asio::awaitable<attempt_result> request_operation::read_error_body(Stream& stream, beast::flat_buffer& buffer,
                                                                   http::response_parser<http::buffer_body>& parser,
                                                                   http_response_head head) {
  std::string body;
  // A failure while reading an error body still reports the status, which
  // is what the caller acts on, with the part of the body that arrived.
  while (!parser.is_done() && body.size() < max_error_body) {
    parser.get().body().data = read_chunk_.data();
    parser.get().body().size = std::min(read_chunk_.size(), max_error_body - body.size());
    const std::size_t offered = parser.get().body().size;
    arm_deadline(deadline_step::idle, options_.timeouts.idle);
    auto [read_error, read] = co_await http::async_read_some(stream, buffer, parser, use_tuple);
    body.append(read_chunk_.data(), offered - parser.get().body().size);
    if (is_cancelled())
      co_return *interruption();
    if (read_error && read_error != http::error::need_buffer)
      break;
  }
  disarm_deadline();

  attempt_result result = failure(errc::http_status, describe_status(head.status),
                                  response_is_retryable(head.status, head.headers));
  result.outcome.status = head.status;
  result.outcome.headers = std::move(head.headers);
  result.outcome.body = std::move(body);
  co_return result;
}

/// Returns the cancellation or timeout outcome when one of them ended the
/// current step. Every failure path checks this first, because closing the
/// socket surfaces as an ordinary I/O error.
std::optional<attempt_result> request_operation::interruption() const {
  if (is_cancelled())
    return failure(errc::cancelled, "request cancelled", false);

  const std::string limit = format_seconds(armed_limit_);
  switch (expired_step_) {
  case deadline_step::connect:
    return failure(errc::connect_timeout,
                   "connecting to " + describe_first_hop() + " timed out after " + limit +
                       " s; check the network and the base URL",
                   true);
  case deadline_step::headers:
    return failure(errc::headers_timeout,
                   origin_.host_in_url + " sent no response head within " + limit + " s of the request", true);
  case deadline_step::idle:
    return failure(errc::idle_timeout,
                   origin_.host_in_url + " sent nothing for " + limit + " s in the middle of the response, after " +
                       std::to_string(body_bytes_) + " bytes",
                   false);
  case deadline_step::shutdown:
  case deadline_step::none:
    break;
  }
  return std::nullopt;
}

std::string request_operation::describe_first_hop() const {
  if (!proxy_)
    return origin_.host_and_port();
  return origin_.host_and_port() + " through proxy " + proxy_->url.host_and_port() + " (from " +
         proxy_->variable + ")";
}

std::string request_operation::describe_proxy_rejection(unsigned status, std::string_view reason) const {
  std::string message = "proxy " + proxy_->url.host_and_port() + " (from " + proxy_->variable +
                        ") rejected CONNECT " + origin_.host_and_port() + " with " + std::to_string(status) + " " +
                        std::string(reason);
  if (status == 407)
    return message + "; put the proxy's user name and password into " + proxy_->variable +
           " as http://USER:PASSWORD@HOST:PORT";
  return message + "; check the proxy's access rules and " + proxy_->variable;
}

std::string request_operation::describe_status(unsigned status) const {
  std::string message = origin_.host_in_url + " returned HTTP " + std::to_string(status);
  const std::string_view reason = http::obsolete_reason(static_cast<http::status>(status));
  if (reason != "<unknown-status>")
    message += " " + std::string(reason);
  return message;
}

attempt_result request_operation::resolve_failure(const boost::system::error_code& error) const {
  if (auto stop = interruption())
    return std::move(*stop);
  const std::string lookup_subject =
      proxy_ ? "proxy host name " + proxy_->url.host + " (from " + proxy_->variable + ")" : "host name " + origin_.host;
  // A temporary DNS failure may pass; a name that does not exist will not.
  const bool retryable = error == asio::error::host_not_found_try_again;
  return failure(errc::name_resolution_failed,
                 "could not resolve " + lookup_subject + ": " + error.message() +
                     "; check the host name in the URL and the DNS settings",
                 retryable);
}

attempt_result request_operation::connect_failure(const boost::system::error_code& error) const {
  if (auto stop = interruption())
    return std::move(*stop);
  const std::string where = proxy_ ? "proxy " + proxy_->url.host_and_port() + " (from " + proxy_->variable + ")"
                                   : origin_.host_and_port();
  const std::string check = proxy_ ? "check that the proxy is running and that " + proxy_->variable + " is right"
                                   : "check that the server is running and that the base URL is right";
  if (error == asio::error::connection_refused)
    return failure(errc::connection_refused, "could not connect to " + where + ": connection refused; " + check,
                   true);
  if (error == asio::error::network_unreachable || error == asio::error::host_unreachable ||
      error == asio::error::network_down)
    return failure(errc::network_unreachable,
                   "could not connect to " + where + ": " + error.message() + "; check the network connection",
                   true);
  if (error == asio::error::timed_out)
    return failure(errc::connect_timeout,
                   "could not connect to " + where + ": the operating system's connect timeout expired; " + check,
                   true);
  return failure(errc::connection_lost, "could not connect to " + where + ": " + error.message() + "; " + check,
                 true);
}

attempt_result request_operation::tls_failure(const boost::system::error_code& error) {
  if (auto stop = interruption())
    return std::move(*stop);

  const long verify_result = SSL_get_verify_result(tls_->native_handle());
  const bool openssl_verify_error =
      is_ssl_error(error) && ERR_GET_REASON(static_cast<unsigned long>(error.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED;
  const bool verify_failed = verify_result != X509_V_OK || openssl_verify_error;
  if (verify_failed) {
    const std::string reason = verify_result != X509_V_OK ? X509_verify_cert_error_string(verify_result)
                                                          : ssl_reason(error);
    const bool name_mismatch =
        verify_result == X509_V_ERR_HOSTNAME_MISMATCH || verify_result == X509_V_ERR_IP_ADDRESS_MISMATCH;
    const std::string fix = name_mismatch
                                ? "the certificate is not valid for " + origin_.host +
                                      "; use the host name that the server's certificate lists"
                                : "if the server uses a private CA, set SSL_CERT_FILE to its PEM file";
    return failure(errc::tls_verification_failed,
                   "TLS certificate verification failed for " + origin_.host_in_url +
                       ": certificate verify failed (" + reason + "); " + fix,
                   false);
  }

  // A server that closes or resets during the handshake may be restarting.
  if (is_connection_closed(error))
    return failure(errc::tls_handshake_failed,
                   "TLS handshake with " + origin_.host_and_port() +
                       " failed: the server closed the connection; check that this port speaks HTTPS",
                   true);
  return failure(errc::tls_handshake_failed,
                 "TLS handshake with " + origin_.host_and_port() + " failed: " + ssl_reason(error) +
                     "; check that this port speaks HTTPS and that the URL's scheme is right",
                 false);
}

attempt_result request_operation::before_head_failure(const boost::system::error_code& error) const {
  if (auto stop = interruption())
    return std::move(*stop);
  const std::string peer = proxy_ && origin_.tls && !tls_ ? "proxy " + proxy_->url.host_and_port()
                                                          : origin_.host_in_url;
  if (is_http_syntax_error(error))
    return failure(errc::invalid_response, peer + " sent an invalid HTTP response head: " + error.message(), false);
  if (is_connection_closed(error))
    return failure(errc::connection_lost, "connection to " + peer + " closed before a response head arrived",
                   true);
  return failure(errc::connection_lost,
                 "connection to " + peer + " failed before a response head arrived: " + error.message(), true);
}

attempt_result request_operation::body_failure(const boost::system::error_code& error) const {
  if (auto stop = interruption())
    return std::move(*stop);
  if (is_http_syntax_error(error))
    return failure(errc::invalid_response,
                   origin_.host_in_url + " sent an invalid response body after " + std::to_string(body_bytes_) +
                       " bytes: " + error.message(),
                   false);
  return failure(errc::connection_lost,
                 "connection to " + origin_.host_in_url + " lost mid-response after " + std::to_string(body_bytes_) +
                     " bytes",
                 false);
}

void request_operation::arm_deadline(deadline_step step, milliseconds limit) {
  const std::uint64_t generation = ++deadline_generation_;
  armed_step_ = step;
  armed_limit_ = limit;
  expired_step_ = deadline_step::none;
  deadline_timer_.expires_after(limit);
  // A wait that already completed cannot be cancelled, so the generation
  // distinguishes a stale expiry from the current one.
  deadline_timer_.async_wait([weak = weak_from_this(), generation](const boost::system::error_code& error) {
    auto self = weak.lock();
    if (!self || error || generation != self->deadline_generation_)
      return;
    self->expired_step_ = self->armed_step_;
    self->resolver_.cancel();
    self->close_transport();
  });
}

void request_operation::disarm_deadline() {
  ++deadline_generation_;
  armed_step_ = deadline_step::none;
  deadline_timer_.cancel();
}

void request_operation::close_transport() {
  boost::system::error_code ignored;
  if (tls_)
    tls_->next_layer().close(ignored);
  socket_.close(ignored);
}

void request_operation::cancel_now() {
  if (completed_)
    return;
  cancelled_ = true;
  resolver_.cancel();
  close_transport();
  retry_timer_.cancel();
}

void request_operation::complete(http_outcome outcome) {
  if (completed_)
    return;
  completed_ = true;
  cancel_.remove_callback(cancel_callback_id_);
  disarm_deadline();
  retry_timer_.cancel();
  handler_.on_complete(outcome);
}

} // namespace

std::string_view find_header(const std::vector<http_header>& headers, std::string_view name) noexcept {
  for (const http_header& header : headers)
    if (iequals(header.name, name))
      return header.value;
  return {};
}

http_stream_handler::~http_stream_handler() = default;

void http_stream_handler::on_retry(unsigned, milliseconds, const http_outcome&) {}

void async_http_request(asio::io_context& io, http_request request, http_options options,
                        http_stream_handler& handler, cancel_token cancel) {
  auto operation =
      std::make_shared<request_operation>(io, std::move(request), std::move(options), handler, std::move(cancel));
  // Posted so that on_complete never runs inside this call.
  asio::post(io, [operation] { operation->start(); });
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host) noexcept {
  try {
    host = strip_brackets(trim(host));
    if (!host.empty() && host.back() == '.')
      host.remove_suffix(1);
    if (host.empty())
      return false;
    const bool host_is_ip = is_ip_literal(host);

    while (!no_proxy.empty()) {
      const auto comma = no_proxy.find(',');
      std::string_view entry = trim(no_proxy.substr(0, comma));
      no_proxy = comma == std::string_view::npos ? std::string_view() : no_proxy.substr(comma + 1);

      if (entry == "*")
        return true;
      entry = strip_entry_port(entry);
      if (!entry.empty() && entry.front() == '.')
        entry.remove_prefix(1);
      if (!entry.empty() && entry.back() == '.')
        entry.remove_suffix(1);
      if (entry.empty())
        continue;

      if (is_ip_literal(entry)) {
        if (host_is_ip && same_ip_address(host, entry))
          return true;
        continue;
      }
      if (iequals(host, entry))
        return true;
      // "example.com" and ".example.com" both match "api.example.com".
      if (!host_is_ip && host.size() > entry.size() && host[host.size() - entry.size() - 1] == '.' &&
          iequals(host.substr(host.size() - entry.size()), entry))
        return true;
    }
    return false;
  } catch (...) {
    // Only allocation can throw here; treating the host as unmatched keeps
    // the proxy in use, which is the behaviour without NO_PROXY.
    return false;
  }
}

} // namespace grok::sdk::net

#include "server/web/http_endpoint.hpp"

#include <utility>  // before Asio (Boost 1.74's awaitable.hpp uses std::exchange)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <thread>

#include "server/logging.hpp"
#include "server/net/listen_socket.hpp"
#include "server/web/connection_limits.hpp"
#include "server/web/log_budget.hpp"

namespace mailns::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr unsigned kBadClientLinesPerSecond = 5;
constexpr std::chrono::seconds kShutdownTimeout{2};
constexpr std::chrono::milliseconds kAcceptBackoff{100};  // after EMFILE and the like

using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::empty_body>;
using Response = http::response<http::string_body>;

Response make_response(const Request& req, const WebResponse& r, bool keep_alive) {
  Response res{static_cast<http::status>(r.status), req.version()};
  res.set(http::field::server, "mailns");
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::cache_control, "no-cache");
  if (r.status == 405) res.set(http::field::allow, "GET, HEAD");
  res.keep_alive(keep_alive);
  if (r.head) {
    res.content_length(r.body.size());  // the headers of the GET, no body (RFC 9110 9.3.2)
  } else {
    res.body() = r.body;
    res.prepare_payload();
  }
  return res;
}

}  // namespace

struct HttpEndpoint::Impl {
  Impl(std::string n, std::vector<ListenAddress> l, WebLimits w, Handler h, std::shared_ptr<CertificateSet> c)
      : name(std::move(n)),
        listen(std::move(l)),
        web_limits(w),
        handler(std::move(h)),
        tls(c != nullptr),
        certificates(std::move(c)),
        limits(web_limits.max_connections, web_limits.max_connections_per_address) {}

  const std::string name;
  const std::vector<ListenAddress> listen;
  const WebLimits web_limits;
  const Handler handler;
  const bool tls;
  std::mutex certificates_mu;
  std::shared_ptr<CertificateSet> certificates;
  // Used by the I/O thread only; declared before io so they outlive the
  // connections that io's destructor ends.
  ConnectionLimits limits;
  LogBudget budget{kBadClientLinesPerSecond};
  asio::io_context io{1};
  std::vector<tcp::acceptor> acceptors;
  std::thread thread;

  std::shared_ptr<CertificateSet> current_certificates() {
    std::lock_guard lock(certificates_mu);
    return certificates;
  }

  // A line about a misbehaving client, within the budget.
  template <typename... Args>
  void bad_client(fmt::format_string<Args...> format, Args&&... args) {
    uint64_t dropped = 0;
    if (!budget.allow(&dropped)) return;
    web_log().info(format, std::forward<Args>(args)...);
    if (dropped) web_log().info("({} more lines about bad clients were dropped)", dropped);
  }

  asio::awaitable<void> accept_loop(tcp::acceptor& acceptor);
  void admit(tcp::socket socket);
  asio::awaitable<void> session(tcp::socket socket, IpAddress peer, std::shared_ptr<CertificateSet> certs);
  asio::awaitable<void> plain_session(tcp::socket socket, IpAddress peer);
  template <typename Stream>
  asio::awaitable<bool> serve_requests(Stream& stream, const IpAddress& peer);
  template <typename Stream>
  asio::awaitable<bool> serve_one(Stream& stream, beast::flat_buffer& buffer, const IpAddress& peer, bool last);
};

namespace {

// Gives a connection's slot back however its coroutine ends (also when the
// io_context is destroyed with the coroutine suspended).
struct Slot {
  ConnectionLimits& limits;
  IpAddress peer;
  ~Slot() { limits.release(peer); }
};

void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    web_log().error("HTTP endpoint: {}", ex.what());
  } catch (...) {
    web_log().error("HTTP endpoint: unknown exception");
  }
}

}  // namespace

asio::awaitable<void> HttpEndpoint::Impl::accept_loop(tcp::acceptor& acceptor) {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      bad_client("accept failed: {}; retrying", ec.message());
      asio::steady_timer pause(io, kAcceptBackoff);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    admit(std::move(socket));
  }
}

void HttpEndpoint::Impl::admit(tcp::socket socket) {
  error_code ec;
  const tcp::endpoint ep = socket.remote_endpoint(ec);
  auto peer = ec ? std::nullopt : IpAddress::from_sockaddr(ep.data(), static_cast<socklen_t>(ep.size()));
  if (!peer) return;  // already gone
  switch (limits.try_acquire(*peer)) {
    case ConnectionLimits::Verdict::kServerFull:
      bad_client("{}: refused, {} connections open (the limit)", peer->to_string(), limits.open());
      return;
    case ConnectionLimits::Verdict::kAddressFull:
      bad_client("{}: refused, {} connections from this address already", peer->to_string(),
                 web_limits.max_connections_per_address);
      return;
    case ConnectionLimits::Verdict::kAccepted:
      break;
  }
  if (tls)
    asio::co_spawn(io, session(std::move(socket), *peer, current_certificates()), log_exception);
  else
    asio::co_spawn(io, plain_session(std::move(socket), *peer), log_exception);
}

asio::awaitable<void> HttpEndpoint::Impl::session(tcp::socket socket, IpAddress peer,
                                                  std::shared_ptr<CertificateSet> certs) {
  Slot slot{limits, peer};
  TlsStream stream(std::move(socket), certs->default_context());
  beast::get_lowest_layer(stream).expires_after(web_limits.request_deadline);
  error_code ec;
  co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    bad_client("{}: TLS handshake failed: {}", peer.to_string(), ec.message());
    co_return;
  }
  if (!co_await serve_requests(stream, peer)) co_return;
  beast::get_lowest_layer(stream).expires_after(kShutdownTimeout);
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> HttpEndpoint::Impl::plain_session(tcp::socket socket, IpAddress peer) {
  Slot slot{limits, peer};
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(web_limits.request_deadline);
  if (!co_await serve_requests(stream, peer)) co_return;
  error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// Up to max_requests_per_connection requests, the first within the request
// deadline, the next ones each within the idle timeout; false when the
// connection ended or is unusable.
template <typename Stream>
asio::awaitable<bool> HttpEndpoint::Impl::serve_requests(Stream& stream, const IpAddress& peer) {
  beast::flat_buffer buffer(web_limits.max_header_bytes);
  const unsigned max = web_limits.max_requests_per_connection;
  for (unsigned n = 1; n <= max; ++n) {
    if (!co_await serve_one(stream, buffer, peer, n == max)) co_return false;
    beast::get_lowest_layer(stream).expires_after(web_limits.idle_timeout);
  }
  co_return true;
}

// Reads one request and answers it; false when the connection must end now.
template <typename Stream>
asio::awaitable<bool> HttpEndpoint::Impl::serve_one(Stream& stream, beast::flat_buffer& buffer, const IpAddress& peer,
                                                    bool last) {
  http::request_parser<http::empty_body> parser;  // a request body is an error (unexpected_body)
  parser.header_limit(static_cast<std::uint32_t>(web_limits.max_header_bytes));
  error_code ec;
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == http::error::end_of_stream || ec == asio::ssl::error::stream_truncated) co_return false;
  if (ec) {
    bad_client("{}: {}; connection closed", peer.to_string(),
               ec == beast::error::timeout ? "no complete request before the deadline" : "bad request: " + ec.message());
    co_return false;
  }
  const Request& req = parser.get();
  const WebResponse r = handler(std::string_view(req.method_string().data(), req.method_string().size()),
                                std::string_view(req[http::field::host].data(), req[http::field::host].size()),
                                std::string_view(req.target().data(), req.target().size()));
  const bool keep_alive = req.keep_alive() && !last;
  Response res = make_response(req, r, keep_alive);
  co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) bad_client("{}: writing the answer failed: {}", peer.to_string(), ec.message());
  co_return !ec && keep_alive;
}

HttpEndpoint::HttpEndpoint(std::string name, std::vector<ListenAddress> listen, WebLimits limits, Handler handler,
                           std::shared_ptr<CertificateSet> certificates)
    : impl_(std::make_unique<Impl>(std::move(name), std::move(listen), limits, std::move(handler),
                                   std::move(certificates))) {}

HttpEndpoint::~HttpEndpoint() { stop(); }

void HttpEndpoint::start() {
  for (const ListenAddress& a : impl_->listen) {
    const int fd = open_listen_socket(a, SocketKind::kTcp);
    impl_->acceptors.emplace_back(impl_->io, a.v6 ? tcp::v6() : tcp::v4(), fd);
  }
  for (tcp::acceptor& acceptor : impl_->acceptors)
    asio::co_spawn(impl_->io, impl_->accept_loop(acceptor), log_exception);
  impl_->thread = std::thread([impl = impl_.get()] {
    pthread_setname_np(pthread_self(), "mailns-web");
    for (;;) {
      try {
        impl->io.run();
        return;
      } catch (const std::exception& e) {
        web_log().error("{}: {}; continuing", impl->name, e.what());
      }
    }
  });
}

void HttpEndpoint::stop() noexcept {
  if (!impl_->thread.joinable()) return;
  impl_->io.stop();
  impl_->thread.join();
  impl_->acceptors.clear();
}

void HttpEndpoint::set_certificates(std::shared_ptr<CertificateSet> certificates) {
  std::lock_guard lock(impl_->certificates_mu);
  impl_->certificates = std::move(certificates);
}

}  // namespace mailns::server

#include "server/net/server.hpp"

#include <pthread.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstring>
#include <vector>

#include "server/logging.hpp"
#include "server/net/worker.hpp"

namespace mailns::server {

namespace asio = boost::asio;

struct Server::Impl {
  Impl(const NetSettings& s, const SnapshotHolder& snapshots, const RequestHandler* handler,
       const QueryLogFor& query_logs, const CookieSecretCell* cookies)
      : settings(s),
        holder(snapshots),
        limit(s.tcp_max_connections, s.tcp_max_connections_per_address),
        signals(main_io, SIGINT, SIGTERM) {
    for (unsigned i = 0; i < settings.threads; ++i)
      workers.push_back(std::make_unique<Worker>(i, settings, snapshots, limit, handler,
                                                 query_logs ? query_logs(i) : nullptr, cookies));
    // Retired snapshots are freed once every worker has passed a batch
    // boundary (server/snapshot_reclaim.hpp).
    snapshots.set_workers(settings.threads, [this](unsigned i) {
      if (i < workers.size()) workers[i]->nudge();
    });
  }

  // No more nudges to workers that are going away; with no workers, nothing
  // holds a retired snapshot.
  ~Impl() { holder.set_workers(0, nullptr); }

  NetSettings settings;
  const SnapshotHolder& holder;
  TcpConnectionLimit limit;  // outlives the workers (declared before them)
  asio::io_context main_io{1};
  asio::signal_set signals;
  std::vector<std::unique_ptr<Worker>> workers;
};

Server::Server(const NetSettings& settings, const SnapshotHolder& snapshots, const RequestHandler* handler,
               const QueryLogFor& query_logs, const CookieSecretCell* cookies)
    : impl_(std::make_unique<Impl>(settings, snapshots, handler, query_logs, cookies)) {}

Server::~Server() = default;

void Server::run() {
  Impl& s = *impl_;
  // Workers inherit a mask that blocks the shutdown signals, so the kernel
  // delivers them to this thread and no worker syscall is interrupted.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  for (auto& w : s.workers) w->start();
  pthread_sigmask(SIG_SETMASK, &old, nullptr);

  server_log().info("listening on {} (udp+tcp) with {} worker thread{}", to_string(s.settings.listen), s.workers.size(),
                    s.workers.size() == 1 ? "" : "s");

  s.signals.async_wait([&s](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    server_log().info("received {}; shutting down", signo == SIGTERM ? "SIGTERM" : signo == SIGINT ? "SIGINT" : strsignal(signo));
    s.main_io.stop();
  });
  s.main_io.run();

  for (auto& w : s.workers) w->stop();
  for (auto& w : s.workers) w->join();

  const NetTotals t = totals();
  server_log().info(
      "stopped: udp {} received, {} answered, {} ignored, {} send failures; tcp {} connections ({} refused over "
      "the limit, {} over the per-address limit, {} idle evicted, {} idle timeouts, {} I/O timeouts), {} queries",
      t.udp_received, t.udp_answered, t.udp_ignored, t.udp_send_failed, t.tcp_accepted, t.tcp_refused,
      t.tcp_per_address_refused, t.tcp_evicted, t.tcp_idle_timeout, t.tcp_io_timeout, t.tcp_queries);
}

void Server::stop() noexcept { impl_->main_io.stop(); }

NetTotals Server::totals() const {
  NetTotals t;
  for (const auto& w : impl_->workers) t.add(w->stats());
  return t;
}

}  // namespace mailns::server

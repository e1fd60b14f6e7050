#include "server/net/worker.hpp"

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/logging.hpp"
#include "server/net/tcp_listener.hpp"
#include "server/net/udp_listener.hpp"

namespace mailns::server {

namespace asio = boost::asio;

namespace {

// This worker's share of the rate: the kernel spreads one source's
// datagrams (their ports vary) over every worker's socket.
std::unique_ptr<zone::ResponseRateLimiter> limiter_for(const NetSettings& s) {
  if (!s.rate_limit) return nullptr;
  const unsigned workers = std::max(1u, s.threads);
  const uint32_t share = (s.rate_limit->responses_per_second + workers - 1) / workers;
  return std::make_unique<zone::ResponseRateLimiter>(*s.rate_limit, share);
}

}  // namespace

struct Worker::Impl {
  Impl(unsigned i, const NetSettings& settings, const SnapshotHolder& snapshots, TcpConnectionLimit& limit,
       const RequestHandler* handler, QueryLog* query_log, const CookieSecretCell* cookies)
      : index(i), snapshots(snapshots), batch(std::make_unique<UdpBatch>()),
        tcp(snapshots, limit, settings.tcp_idle_timeout, settings.tcp_io_timeout), limiter(limiter_for(settings)),
        exempt(settings.rate_limit ? settings.rate_limit->exempt : std::vector<AddressPrefix>{}) {
    batch->set_handler(handler);
    batch->set_query_log(query_log);
    batch->set_policies(QueryPolicies{cookies, limiter.get(), &exempt});
    tcp.handler = handler;
    tcp.query_log = query_log;
    tcp.cookies = cookies;
    for (const ListenAddress& a : settings.listen) {
      udp.push_back(std::make_unique<UdpListener>(io, a, snapshots, *batch, index));
      tcp_listeners.push_back(std::make_unique<TcpListener>(io, a, tcp));
    }
  }

  void run() {
    const std::string name = "mailns-w" + std::to_string(index);
    pthread_setname_np(pthread_self(), name.c_str());
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        // Handlers do not throw by design; if one does, keep serving.
        server_log().error("worker {}: unexpected exception: {}; continuing", index, e.what());
      }
    }
  }

  unsigned index;
  const SnapshotHolder& snapshots;
  // Declared before io: handlers that io destroys at shutdown (pending TCP
  // connections) still reference these.
  std::unique_ptr<UdpBatch> batch;  // ~270 KB: kept off the stack and out of line
  TcpWorkerState tcp;
  std::unique_ptr<zone::ResponseRateLimiter> limiter;  // nullptr: no rate limit
  std::vector<AddressPrefix> exempt;
  asio::io_context io{1};  // one thread runs it
  std::vector<std::unique_ptr<UdpListener>> udp;
  std::vector<std::unique_ptr<TcpListener>> tcp_listeners;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
};

Worker::Worker(unsigned index, const NetSettings& settings, const SnapshotHolder& snapshots,
               TcpConnectionLimit& limit, const RequestHandler* handler, QueryLog* query_log,
               const CookieSecretCell* cookies)
    : impl_(std::make_unique<Impl>(index, settings, snapshots, limit, handler, query_log, cookies)) {}

Worker::~Worker() {
  stop();
  join();
}

void Worker::start() {
  impl_->guard.emplace(impl_->io.get_executor());
  for (auto& l : impl_->udp) l->start();
  for (auto& l : impl_->tcp_listeners) l->start();
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void Worker::stop() noexcept { impl_->io.stop(); }

void Worker::nudge() {
  // A handler runs between batches: a boundary by construction.
  asio::post(impl_->io, [impl = impl_.get()] { impl->snapshots.batch_boundary(impl->index); });
}

void Worker::join() {
  if (impl_->thread.joinable()) impl_->thread.join();
}

WorkerStats Worker::stats() const {
  WorkerStats w{impl_->batch->stats(), impl_->tcp.stats};
  if (const auto& l = impl_->limiter) {
    for (size_t k = 0; k < zone::kResponseKinds; ++k) {
      w.rate_dropped[k] = l->stats().dropped[k].load(std::memory_order_relaxed);
      w.rate_slipped[k] = l->stats().slipped[k].load(std::memory_order_relaxed);
    }
  }
  return w;
}

}  // namespace mailns::server

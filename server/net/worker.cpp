#include "server/net/worker.hpp"

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/logging.hpp"
#include "server/net/tcp_listener.hpp"
#include "server/net/udp_listener.hpp"

namespace mailns::server {

namespace asio = boost::asio;

struct Worker::Impl {
  Impl(unsigned i, const NetSettings& settings, const SnapshotHolder& snapshots, TcpConnectionLimit& limit,
       const RequestHandler* handler, QueryLog* query_log)
      : index(i), snapshots(snapshots), batch(std::make_unique<UdpBatch>()),
        tcp(snapshots, limit, settings.tcp_idle_timeout, settings.tcp_io_timeout) {
    batch->set_handler(handler);
    batch->set_query_log(query_log);
    tcp.handler = handler;
    tcp.query_log = query_log;
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
  asio::io_context io{1};  // one thread runs it
  std::vector<std::unique_ptr<UdpListener>> udp;
  std::vector<std::unique_ptr<TcpListener>> tcp_listeners;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
};

Worker::Worker(unsigned index, const NetSettings& settings, const SnapshotHolder& snapshots,
               TcpConnectionLimit& limit, const RequestHandler* handler, QueryLog* query_log)
    : impl_(std::make_unique<Impl>(index, settings, snapshots, limit, handler, query_log)) {}

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

WorkerStats Worker::stats() const { return WorkerStats{impl_->batch->stats(), impl_->tcp.stats}; }

}  // namespace mailns::server

// DnstapWriter: the dnstap output of a running server: an fstrm I/O thread
// writing Frame Streams (content type "protobuf:dnstap.Dnstap") to the
// configured unix socket, with one input queue and one DnstapSink per
// worker, so workers never contend or wait. The socket need not exist at
// start: fstrm connects, and reconnects after a collector restart, on its
// own; frames it cannot deliver meanwhile are discarded by fstrm.
#pragma once

#include <chrono>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/dnstap/dnstap_encoder.hpp"
#include "server/dnstap/dnstap_settings.hpp"
#include "server/dnstap/dnstap_sink.hpp"

namespace mailns::server {

struct DnstapTotals {
  uint64_t sent = 0;     // frames handed to the writer thread
  uint64_t dropped = 0;  // frames dropped because a worker's queue was full
};

class DnstapWriter {
 public:
  // Frames each worker may have queued before new ones are dropped.
  static constexpr unsigned kQueueSize = 4096;

  // Starts the writer thread; throws std::runtime_error (naming the socket)
  // when fstrm cannot be set up.
  DnstapWriter(const DnstapSettings& settings, unsigned workers, std::string identity, std::string version);
  // Writes what is queued (while the collector is connected) and stops the thread.
  ~DnstapWriter();
  DnstapWriter(const DnstapWriter&) = delete;
  DnstapWriter& operator=(const DnstapWriter&) = delete;

  // Worker i's sink (server/net/query_log.hpp); nullptr past the last worker.
  QueryLog* sink(unsigned worker) noexcept;
  // The sinks' counters summed; from any thread.
  DnstapTotals totals() const noexcept;

 private:
  static constexpr std::chrono::seconds kShutdownFlush{3};  // at most this long for the last frames
  DnstapEncoder encoder_;
  std::string socket_;
  struct fstrm_iothr* iothr_ = nullptr;
  std::vector<std::unique_ptr<DnstapSink>> sinks_;
};

}  // namespace mailns::server

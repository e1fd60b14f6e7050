// DnstapSink: one worker's dnstap query log. Encodes each logged query as
// AUTH_QUERY and AUTH_RESPONSE frames (as configured) and submits them to
// the worker's own fstrm input queue, which never blocks: when the queue
// is full (the collector is slow or gone) the frame is dropped and
// counted. Only the owning worker calls log(); the counters may be read
// from any thread.
#pragma once

#include <cstdint>

#include "server/dnstap/dnstap_encoder.hpp"
#include "server/net/counter.hpp"
#include "server/net/query_log.hpp"

struct fstrm_iothr;
struct fstrm_iothr_queue;

namespace mailns::server {

class DnstapSink final : public QueryLog {
 public:
  // iothr, queue and encoder must outlive the sink.
  DnstapSink(fstrm_iothr* iothr, fstrm_iothr_queue* queue, const DnstapEncoder& encoder, bool queries,
             bool responses) noexcept
      : iothr_(iothr), queue_(queue), encoder_(encoder), queries_(queries), responses_(responses) {}

  void log(const LoggedQuery& entry) noexcept override;

  // Frames handed to the fstrm writer thread.
  uint64_t sent() const noexcept { return sent_.get(); }
  // Frames dropped: the queue was full, or no memory to encode them.
  uint64_t dropped() const noexcept { return dropped_.get(); }

 private:
  void submit(DnstapFrame frame) noexcept;

  fstrm_iothr* iothr_;
  fstrm_iothr_queue* queue_;
  const DnstapEncoder& encoder_;
  bool queries_, responses_;
  Counter sent_, dropped_;
};

}  // namespace mailns::server

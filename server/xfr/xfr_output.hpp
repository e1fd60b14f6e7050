// The messages of a zone transfer response (RFC 5936 2.2, RFC 1995 4):
// records taken one at a time from a RecordStream and packed into as many
// messages as needed, each up to the size limit (64 KiB over TCP), with
// name compression, the question in the first message only, OPT when the
// request had one, and a TSIG record on every message when the request was
// signed (each MAC chained to the one before, RFC 8945 5.3.1). The stream
// holds whatever keeps its records alive (the pinned snapshot, the IXFR
// differences), so the whole response comes from one version even when a
// new one is published meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "server/net/request_handler.hpp"
#include "server/xfr/tsig.hpp"
#include "zone/wire_reader.hpp"

namespace mailns::server {

// One record to send; the views stay valid for the stream's lifetime.
struct XfrRecord {
  const uint8_t* owner = nullptr;  // uncompressed wire name
  uint8_t owner_len = 0;
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::span<const uint8_t> rdata;
};

class RecordStream {
 public:
  virtual ~RecordStream() = default;
  // The record to send next, without consuming it; false when none is left.
  virtual bool peek(XfrRecord& out) = 0;
  virtual void advance() = 0;
};

// Records from a list (IXFR differences, a single SOA), kept alive by `pin`.
class ListStream : public RecordStream {
 public:
  ListStream(std::vector<XfrRecord> records, std::shared_ptr<const void> pin)
      : records_(std::move(records)), pin_(std::move(pin)) {}
  bool peek(XfrRecord& out) override {
    if (i_ >= records_.size()) return false;
    out = records_[i_];
    return true;
  }
  void advance() override { ++i_; }

 private:
  std::vector<XfrRecord> records_;
  std::shared_ptr<const void> pin_;
  size_t i_ = 0;
};

// A response that is one message, already encoded.
class SingleMessage : public MessageSource {
 public:
  explicit SingleMessage(std::vector<uint8_t> msg) : msg_(std::move(msg)) {}
  size_t next(std::span<uint8_t> out) override;

 private:
  std::vector<uint8_t> msg_;
  bool sent_ = false;
};

// What the response echoes from the request.
struct ResponseHead {
  uint16_t id = 0;
  bool rd = false;
  bool cd = false;
  zone::NameBuf qname;  // client's case
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  bool edns = false;
  bool edns_do = false;
  uint16_t our_udp_payload = 1232;
};

struct TransferTotals {
  size_t records = 0;
  size_t messages = 0;
  size_t bytes = 0;
  bool complete = false;  // the last message was produced (not cut short by the client)
  bool failed = false;    // a record too large for a message: answered SERVFAIL
};

class TransferMessages : public MessageSource {
 public:
  // limit: the largest message (65535 over TCP, the UDP payload otherwise).
  // on_end runs once, when the last message is produced or the response is
  // dropped early (the connection closed).
  TransferMessages(ResponseHead head, std::unique_ptr<RecordStream> records, std::optional<TsigSigner> signer,
                   size_t limit, std::function<void(const TransferTotals&)> on_end);
  ~TransferMessages() override;
  size_t next(std::span<uint8_t> out) override;

 private:
  ResponseHead head_;
  std::unique_ptr<RecordStream> records_;
  std::optional<TsigSigner> signer_;
  size_t limit_;
  std::function<void(const TransferTotals&)> on_end_;
  TransferTotals totals_;
  bool done_ = false;
};

// A response without records: header, question, OPT; rcode may be an
// extended one (BADVERS) carried in OPT. With tc, the TC bit is set.
size_t write_header_only(std::span<uint8_t> out, const ResponseHead& head, uint16_t rcode, bool aa = false,
                         bool tc = false) noexcept;

// Unix seconds, for the TSIG time-signed fields.
uint64_t tsig_now() noexcept;

}  // namespace mailns::server

// TSIG (RFC 8945) with HMAC-SHA256/512 through OpenSSL: finding the TSIG
// record of a message, verifying it (BADKEY, BADSIG, BADTRUNC, BADTIME in
// the order of RFC 8945 5.2), and signing messages: a request (NOTIFY), the
// first response to a signed request (chained to the request's MAC) and
// every later message of a multi-message response (chained to the previous
// MAC, timers only; RFC 8945 5.3.1). No sockets; noexcept and bounded on
// hostile input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "server/xfr/tsig_key.hpp"
#include "zone/wire_reader.hpp"

namespace mailns::server {

namespace tsig_error {
inline constexpr uint16_t kNoError = 0, kBadSig = 16, kBadKey = 17, kBadTime = 18, kBadTrunc = 22;
}

// The fudge we sign with, and the default of the most we accept
// (tsig_max_fudge; RFC 8945 10: 300 s).
inline constexpr uint16_t kTsigFudge = 300;
inline constexpr size_t kMaxTsigMac = 64;

// The TSIG record ending a message. Spans point into the message.
struct TsigRecord {
  size_t offset = 0;  // where the record starts (the message without it is [0, offset))
  zone::NameBuf key_name;
  zone::NameBuf algorithm;
  uint64_t time_signed = 0;  // 48 bits
  uint16_t fudge = 0;
  std::span<const uint8_t> mac;
  uint16_t original_id = 0;
  uint16_t error = 0;
  std::span<const uint8_t> other;
};

// Reads the TSIG RDATA of a record starting at `offset` whose owner is
// key_name and whose RDATA is rdata. False when the RDATA is malformed.
bool parse_tsig_rdata(std::span<const uint8_t> msg, size_t offset, const zone::NameBuf& key_name, size_t rdata_at,
                      uint16_t rdlen, TsigRecord& out) noexcept;

enum class TsigFind { kAbsent, kFound, kMalformed };

// Walks every record of a message (request or response) and parses its
// TSIG record, which must be the last one (RFC 8945 5.1).
TsigFind find_tsig(std::span<const uint8_t> msg, TsigRecord& out) noexcept;

enum class TsigStatus { kOk, kBadKey, kBadSig, kBadTrunc, kBadTime, kFormErr };

struct TsigCheck {
  TsigStatus status = TsigStatus::kFormErr;
  const TsigKey* key = nullptr;  // the key, when it was found (all but kBadKey)
  uint16_t error_code() const noexcept;  // the TSIG error for the response
};

// Verifies the TSIG record `rec` of msg with one of keys at `now` (Unix
// seconds). prior_mac: empty for a request; the request's MAC when msg is a
// response to a request we signed. The time window is the smaller of the
// message's fudge and max_fudge, so a captured request cannot be replayed
// for as long as its sender chose (up to 18 hours).
TsigCheck verify_tsig(std::span<const uint8_t> msg, const TsigRecord& rec, std::span<const TsigKey> keys,
                      std::span<const uint8_t> prior_mac, int64_t now, uint16_t max_fudge = kTsigFudge) noexcept;

// Octets a TSIG record with this key and MAC/other sizes takes.
size_t tsig_record_size(const TsigKey& key, size_t mac_size, size_t other_size) noexcept;

// Signs the messages we send with one key: a request (no prior MAC), or the
// response messages to a verified request (prior MAC = the request's).
class TsigSigner {
 public:
  // original_id: the ID to put in the TSIG record (the request's).
  TsigSigner(TsigKey key, std::span<const uint8_t> prior_mac, uint16_t original_id);

  // Appends the TSIG record to the message buf[0, n) and bumps its ARCOUNT.
  // The first call covers the full TSIG variables, the later ones only the
  // timers and chain to the MAC before (RFC 8945 5.3.1). Returns the new
  // size, or 0 when buf has no room (the message is unchanged then).
  size_t sign(std::span<uint8_t> buf, size_t n, uint64_t time_signed, uint16_t error = tsig_error::kNoError,
              std::span<const uint8_t> other = {}) noexcept;

  // Room sign() needs after the message (for a BADTIME answer, 6 more).
  size_t overhead() const noexcept { return tsig_record_size(key_, tsig_mac_size(key_.algorithm), 0); }
  const TsigKey& key() const noexcept { return key_; }
  // The MAC of the last message signed.
  std::span<const uint8_t> mac() const noexcept { return {prior_, prior_len_}; }

 private:
  TsigKey key_;
  uint8_t prior_[kMaxTsigMac];
  size_t prior_len_ = 0;
  uint16_t original_id_;
  bool first_ = true;
};

// Appends an unsigned TSIG record (MAC size 0) carrying an error (BADKEY,
// BADSIG; RFC 8945 5.3.2) to buf[0, n); returns the new size or 0.
size_t append_unsigned_tsig(std::span<uint8_t> buf, size_t n, const zone::NameBuf& key_name,
                            const zone::NameBuf& algorithm, uint64_t time_signed, uint16_t original_id,
                            uint16_t error) noexcept;

}  // namespace mailns::server

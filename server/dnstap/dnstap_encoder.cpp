#include "server/dnstap/dnstap_encoder.hpp"

#include <cstdlib>

#include "dnstap.pb-c.h"

namespace mailns::server {

namespace {

// What the fields other than the messages, identity and version can take
// in protobuf encoding, with room to spare: at most 15 fields and 3
// lengths, each a tag of 1 octet and a value of at most 10 (varints) or 16
// (addresses), and 4 length prefixes of at most 3 octets.
constexpr size_t kMaxFixedFields = 256;

// protobuf-c's byte fields point at our data: packing copies it.
ProtobufCBinaryData bytes_of(const void* p, size_t n) noexcept {
  return ProtobufCBinaryData{n, static_cast<uint8_t*>(const_cast<void*>(p))};
}

ProtobufCBinaryData bytes_of(std::span<const std::byte> s) noexcept { return bytes_of(s.data(), s.size()); }

ProtobufCBinaryData address_of(const IpAddress& a) noexcept { return bytes_of(a.bytes.data(), a.v6 ? 16 : 4); }

void set_endpoints(Dnstap__Message& m, const LoggedQuery& e) noexcept {
  m.has_socket_family = true;
  m.socket_family = e.peer.address.v6 ? DNSTAP__SOCKET_FAMILY__INET6 : DNSTAP__SOCKET_FAMILY__INET;
  m.has_socket_protocol = true;
  m.socket_protocol = e.transport == QueryTransport::kTcp ? DNSTAP__SOCKET_PROTOCOL__TCP : DNSTAP__SOCKET_PROTOCOL__UDP;
  m.has_query_address = true;
  m.query_address = address_of(e.peer.address);
  m.has_query_port = true;
  m.query_port = e.peer.port;
  // The family field covers both addresses: ours only when it matches.
  if (e.local.address.v6 == e.peer.address.v6) {
    m.has_response_address = true;
    m.response_address = address_of(e.local.address);
    m.has_response_port = true;
    m.response_port = e.local.port;
  }
}

}  // namespace

DnstapEncoder::DnstapEncoder(std::string identity, std::string version)
    : identity_(std::move(identity)), version_(std::move(version)) {}

DnstapFrame DnstapEncoder::encode(const LoggedQuery& e, DnstapKind kind) const noexcept {
  Dnstap__Message m;
  dnstap__message__init(&m);
  set_endpoints(m, e);
  // Both kinds carry the query time (the dnstap schema's recommended fields).
  m.has_query_time_sec = m.has_query_time_nsec = true;
  m.query_time_sec = static_cast<uint64_t>(e.query_time.tv_sec);
  m.query_time_nsec = static_cast<uint32_t>(e.query_time.tv_nsec);
  if (kind == DnstapKind::kAuthQuery) {
    m.type = DNSTAP__MESSAGE__TYPE__AUTH_QUERY;
    m.has_query_message = true;
    m.query_message = bytes_of(e.query);
  } else {
    m.type = DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE;
    m.has_response_time_sec = m.has_response_time_nsec = true;
    m.response_time_sec = static_cast<uint64_t>(e.response_time.tv_sec);
    m.response_time_nsec = static_cast<uint32_t>(e.response_time.tv_nsec);
    m.has_response_message = true;
    m.response_message = bytes_of(e.response);
  }

  Dnstap__Dnstap d;
  dnstap__dnstap__init(&d);
  d.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
  d.message = &m;
  d.has_identity = !identity_.empty();
  d.identity = bytes_of(identity_.data(), identity_.size());
  d.has_version = !version_.empty();
  d.version = bytes_of(version_.data(), version_.size());

  // One pass: allocate what the fields can take at most instead of sizing
  // the message first (dnstap__dnstap__get_packed_size walks it all).
  const size_t bound = kMaxFixedFields + e.query.size() + e.response.size() + identity_.size() + version_.size();
  DnstapFrame f;
  f.data = static_cast<uint8_t*>(std::malloc(bound));
  if (f.data == nullptr) return DnstapFrame{};
  f.size = dnstap__dnstap__pack(&d, f.data);
  return f;
}

}  // namespace mailns::server

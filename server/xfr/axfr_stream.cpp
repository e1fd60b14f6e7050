#include "server/xfr/axfr_stream.hpp"

#include "zone/rr_type.hpp"

namespace mailns::server {

namespace {
XfrRecord make(const zone::Node& n, uint16_t type, uint32_t ttl, std::span<const uint8_t> rdata) {
  const auto w = n.name().wire();
  return XfrRecord{w.data(), static_cast<uint8_t>(w.size()), type, ttl, rdata};
}
}  // namespace

AxfrStream::AxfrStream(std::shared_ptr<const zone::Snapshot> snapshot, const zone::Zone& zone)
    : pin_(std::move(snapshot)), zone_(zone) {
  nodes_.reserve(zone.node_count());
  zone.for_each_node([&](const zone::Node& n) { nodes_.push_back(&n); });
  zone.for_each_nsec3_node([&](const zone::Node& n) { nodes_.push_back(&n); });
}

void AxfrStream::settle() {
  while (node_ < nodes_.size()) {
    const zone::Node& n = *nodes_[node_];
    if (rrset_ < n.rrsets().size()) {
      const zone::RRset& s = n.rrsets()[rrset_];
      // The apex SOA went first (and goes last); its signatures go here.
      const size_t first = (&n == &zone_.apex() && s.type == zone::rrtype::SOA) ? s.rdatas.size() : 0;
      if (item_ < first) item_ = first;
      if (item_ < s.rdatas.size() + s.sigs.size()) {
        if (item_ == 0) at_ = s.rdatas.begin();
        if (item_ == s.rdatas.size()) at_ = s.sigs.begin();
        return;
      }
      ++rrset_;
      item_ = 0;
      continue;
    }
    ++node_;
    rrset_ = 0;
    item_ = 0;
  }
  phase_ = Phase::kLastSoa;
}

bool AxfrStream::peek(XfrRecord& out) {
  switch (phase_) {
    case Phase::kFirstSoa:
    case Phase::kLastSoa:
      out = make(zone_.apex(), zone::rrtype::SOA, zone_.soa().ttl, zone_.soa().rdatas.front());
      return true;
    case Phase::kBody: {
      const zone::Node& n = *nodes_[node_];
      const zone::RRset& s = n.rrsets()[rrset_];
      out = item_ < s.rdatas.size() ? make(n, s.type, s.ttl, *at_) : make(n, zone::rrtype::RRSIG, s.sig_ttl, *at_);
      return true;
    }
    case Phase::kDone: return false;
  }
  return false;
}

void AxfrStream::advance() {
  switch (phase_) {
    case Phase::kFirstSoa:
      phase_ = Phase::kBody;
      settle();
      break;
    case Phase::kBody:
      ++item_;
      ++at_;
      settle();
      break;
    case Phase::kLastSoa: phase_ = Phase::kDone; break;
    case Phase::kDone: break;
  }
}

}  // namespace mailns::server

#include "server/net/udp_batch.hpp"

#include <cerrno>
#include <cstring>

#include "server/net/request_handler.hpp"
#include "zone/handle_query.hpp"

namespace mailns::server {

size_t UdpBatch::build_reply_control(size_t i, bool pktinfo) noexcept {
  if (!pktinfo) return 0;
  msghdr& rx = rx_[i].msg_hdr;
  for (cmsghdr* c = CMSG_FIRSTHDR(&rx); c != nullptr; c = CMSG_NXTHDR(&rx, c)) {
    msghdr tx{};
    tx.msg_control = tx_control_[i].data;
    tx.msg_controllen = kControlSize;
    cmsghdr* out = CMSG_FIRSTHDR(&tx);
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      // Send from the address the query went to; let routing pick the interface.
      info.ipi_spec_dst = info.ipi_addr;
      info.ipi_ifindex = 0;
      out->cmsg_level = IPPROTO_IP;
      out->cmsg_type = IP_PKTINFO;
      out->cmsg_len = CMSG_LEN(sizeof info);
      std::memcpy(CMSG_DATA(out), &info, sizeof info);
      return CMSG_SPACE(sizeof info);
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      // Same address and interface (needed for link-local peers).
      out->cmsg_level = IPPROTO_IPV6;
      out->cmsg_type = IPV6_PKTINFO;
      out->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
      std::memcpy(CMSG_DATA(out), CMSG_DATA(c), sizeof(in6_pktinfo));
      return CMSG_SPACE(sizeof(in6_pktinfo));
    }
  }
  return 0;
}

std::optional<IpAddress> UdpBatch::pktinfo_destination(size_t i) const noexcept {
  msghdr rx = rx_[i].msg_hdr;
  for (cmsghdr* c = CMSG_FIRSTHDR(&rx); c != nullptr; c = CMSG_NXTHDR(&rx, c)) {
    IpAddress a;
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      std::memcpy(a.bytes.data(), &info.ipi_addr, 4);
      return a;
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      a.v6 = !IN6_IS_ADDR_V4MAPPED(&info.ipi6_addr);
      std::memcpy(a.bytes.data(), info.ipi6_addr.s6_addr + (a.v6 ? 0 : 12), a.v6 ? 16 : 4);
      return a;
    }
  }
  return std::nullopt;
}

void UdpBatch::log_query(size_t i, size_t len, bool pktinfo, const QueryEndpoint& local,
                         const timespec& received) noexcept {
  const msghdr& h = rx_[i].msg_hdr;
  const auto peer = QueryEndpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&peer_[i]), h.msg_namelen);
  if (!peer) return;
  LoggedQuery entry;
  entry.transport = QueryTransport::kUdp;
  entry.peer = *peer;
  entry.local = local;
  if (pktinfo)
    if (auto dst = pktinfo_destination(i)) entry.local.address = *dst;
  entry.query = {in_[i].data(), rx_[i].msg_len};
  entry.response = {out_[i].data(), len};
  entry.query_time = received;
  entry.response_time = query_log_now();
  log_->log(entry);
}

size_t UdpBatch::answer_query(size_t i, std::span<const std::byte> query, std::span<std::byte> answer,
                              const zone::Snapshot& snapshot, const QueryPolicies::Batch& batch) noexcept {
  if (!policies_.active()) return zone::handle_query(query, answer, snapshot, zone::Transport::kUdp);
  zone::QueryEnv env = policies_.env(address_octets(peer_[i], rx_[i].msg_hdr.msg_namelen), batch);
  return zone::handle_query(query, answer, snapshot, zone::Transport::kUdp, &env);
}

UdpBatch::Result UdpBatch::serve_once(int fd, bool pktinfo, const zone::Snapshot& snapshot,
                                      const QueryEndpoint& local) noexcept {
  // The kernel overwrites lengths on every call: set them up each time.
  for (size_t i = 0; i < kBatchSize; ++i) {
    rx_iov_[i] = iovec{in_[i].data(), kMaxQuery};
    msghdr& h = rx_[i].msg_hdr;
    h.msg_name = &peer_[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &rx_iov_[i];
    h.msg_iovlen = 1;
    h.msg_control = pktinfo ? rx_control_[i].data : nullptr;
    h.msg_controllen = pktinfo ? kControlSize : 0;
    h.msg_flags = 0;
    rx_[i].msg_len = 0;
  }
  int n;
  do {
    n = recvmmsg(fd, rx_.data(), kBatchSize, MSG_DONTWAIT, nullptr);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return Result::kDrained;  // EAGAIN, or an error the next readiness will show again
  stats_.received += static_cast<uint64_t>(n);
  const timespec received = log_ ? query_log_now() : timespec{};
  const QueryPolicies::Batch policy_batch = policies_.active() ? policies_.begin_batch() : QueryPolicies::Batch{};

  size_t replies = 0;
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    const msghdr& h = rx_[i].msg_hdr;
    if (h.msg_flags & MSG_TRUNC) {
      ++stats_.ignored;
      continue;
    }
    const std::span<const std::byte> query(in_[i].data(), rx_[i].msg_len);
    const std::span<std::byte> answer(out_[i].data(), kMaxResponse);
    size_t len;
    if (handler_ && needs_request_handler(query)) {
      const auto peer = IpAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&peer_[i]), h.msg_namelen);
      len = peer ? handler_->answer_udp(query, answer, snapshot, *peer) : 0;
    } else {
      len = answer_query(i, query, answer, snapshot, policy_batch);
    }
    if (log_) [[unlikely]]
      log_query(i, len, pktinfo, local, received);
    if (len == 0) {
      ++stats_.ignored;
      continue;
    }
    stats_.answers.count(out_[i].data(), len);
    tx_iov_[replies] = iovec{out_[i].data(), len};
    msghdr& t = tx_[replies].msg_hdr;
    t.msg_name = &peer_[i];
    t.msg_namelen = h.msg_namelen;
    t.msg_iov = &tx_iov_[replies];
    t.msg_iovlen = 1;
    const size_t control_len = build_reply_control(i, pktinfo);
    // tx_control_ is indexed by the query slot, so build_reply_control's
    // output stays with this reply whatever its position in tx_.
    t.msg_control = control_len ? tx_control_[i].data : nullptr;
    t.msg_controllen = control_len;
    t.msg_flags = 0;
    ++replies;
  }

  size_t sent = 0;
  while (sent < replies) {
    const int r = sendmmsg(fd, tx_.data() + sent, static_cast<unsigned>(replies - sent), MSG_DONTWAIT);
    if (r > 0) {
      sent += static_cast<size_t>(r);
      stats_.answered += static_cast<uint64_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Send buffer full: UDP is best effort, drop the rest of the batch.
      stats_.send_failed += replies - sent;
      break;
    }
    // This one answer failed (unreachable peer, filtered): skip it.
    ++stats_.send_failed;
    ++sent;
  }
  return static_cast<size_t>(n) == kBatchSize ? Result::kMore : Result::kDrained;
}

}  // namespace mailns::server

#include "server/net/tcp_connection_limit.hpp"

#include <string_view>

namespace mailns::server {

size_t IpAddressHash::operator()(const IpAddress& a) const noexcept {
  const std::string_view bytes(reinterpret_cast<const char*>(a.bytes.data()), a.v6 ? 16 : 4);
  return std::hash<std::string_view>{}(bytes) ^ static_cast<size_t>(a.v6);
}

bool TcpConnectionLimit::try_acquire_address(const IpAddress& a) {
  const std::lock_guard lock(mutex_);
  unsigned& n = by_address_[a];
  if (n >= per_address_) return false;  // n >= 1: the entry existed before
  ++n;
  return true;
}

void TcpConnectionLimit::release_address(const IpAddress& a) noexcept {
  const std::lock_guard lock(mutex_);
  const auto it = by_address_.find(a);
  if (it == by_address_.end()) return;
  if (--it->second == 0) by_address_.erase(it);
}

unsigned TcpConnectionLimit::open_from(const IpAddress& a) const {
  const std::lock_guard lock(mutex_);
  const auto it = by_address_.find(a);
  return it == by_address_.end() ? 0 : it->second;
}

}  // namespace mailns::server

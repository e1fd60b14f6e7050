#include "server/xfr/transfer_acl.hpp"

namespace mailns::server {

const AclEntry* TransferAcl::match(const IpAddress& peer, const zone::DnsName* key) const noexcept {
  for (const AclEntry& e : entries) {
    if (e.prefix && !e.prefix->contains(peer)) continue;
    if (e.key && (key == nullptr || !(*key == *e.key))) continue;
    return &e;
  }
  return nullptr;
}

}  // namespace mailns::server

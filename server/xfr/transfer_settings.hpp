// TransferSettings: how mailns acts as a (hidden) primary: the TSIG keys, the
// secondaries it sends NOTIFY to, who may transfer (the ACL), how many
// versions IXFR keeps and the catalog zone. Plain values, filled from the
// configuration by server/config/transfer_config.
#pragma once

#include <optional>
#include <vector>

#include "server/net/listen_address.hpp"
#include "server/xfr/transfer_acl.hpp"
#include "server/xfr/tsig_key.hpp"
#include "zone/dns_name.hpp"

namespace mailns::server {

struct Secondary {
  ListenAddress address;              // where NOTIFY goes (IP and port)
  std::optional<zone::DnsName> tsig;  // key to sign NOTIFY with and to require on its transfers
  int line = 0;
};

struct CatalogSettings {
  zone::DnsName zone;  // the catalog zone's name
};

struct TransferSettings {
  std::vector<TsigKey> tsig_keys;
  std::vector<Secondary> secondaries;
  // allow_transfer: entries in file order, then one per secondary.
  TransferAcl acl;
  unsigned ixfr_history = 20;
  // The widest TSIG time window accepted, in seconds: min(request's fudge, this).
  uint16_t tsig_max_fudge = 300;
  std::optional<CatalogSettings> catalog;

  const TsigKey* find_key(const zone::DnsName& name) const noexcept;
};

}  // namespace mailns::server

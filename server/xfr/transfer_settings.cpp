#include "server/xfr/transfer_settings.hpp"

namespace mailns::server {

const TsigKey* TransferSettings::find_key(const zone::DnsName& name) const noexcept {
  for (const TsigKey& k : tsig_keys)
    if (k.name == name) return &k;
  return nullptr;
}

}  // namespace mailns::server

#include "dnssec/ds.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "dnssec/canonical.hpp"
#include "dnssec/signing_key.hpp"

namespace mailns::dnssec {

std::vector<uint8_t> ds_rdata(const zone::DnsName& owner, std::span<const uint8_t> dnskey_rdata) {
  std::vector<uint8_t> input;
  input.reserve(owner.wire().size() + dnskey_rdata.size());
  append_lower_name(input, owner.wire());
  input.insert(input.end(), dnskey_rdata.begin(), dnskey_rdata.end());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), md, &len, EVP_sha256(), nullptr);
  const uint16_t tag = key_tag(dnskey_rdata);
  std::vector<uint8_t> rd(4 + len);
  rd[0] = static_cast<uint8_t>(tag >> 8);
  rd[1] = static_cast<uint8_t>(tag);
  rd[2] = dnskey_rdata.size() > 3 ? dnskey_rdata[3] : uint8_t{0};
  rd[3] = kDigestSha256;
  std::copy(md, md + len, rd.begin() + 4);
  return rd;
}

}  // namespace mailns::dnssec

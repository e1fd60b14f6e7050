#include "synth/mta_sts.hpp"

#include <openssl/evp.h>

namespace mailns::synth {

namespace {
std::string host_text(const zone::DnsName& n) {
  std::string s = n.to_text();
  s.pop_back();  // policy files name hosts without the trailing dot
  return s;
}
}  // namespace

std::string mta_sts_policy(const MailDomainDecl& d) {
  if (!d.mta_sts) return {};
  const MtaStsDecl& m = *d.mta_sts;
  std::string p = "version: STSv1\r\nmode: " + m.mode + "\r\n";
  for (const auto& h : d.mail_hosts) p += "mx: " + host_text(h.name) + "\r\n";
  p += "max_age: " + std::to_string(m.max_age) + "\r\n";
  return p;
}

std::string mta_sts_id(const std::string& policy) {
  unsigned char md[32];
  unsigned int n = 0;
  EVP_Digest(policy.data(), policy.size(), md, &n, EVP_sha256(), nullptr);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | md[i];
  std::string id = std::to_string(v);
  return std::string(20 - id.size(), '0') + id;  // fixed width keeps ids comparable
}

}  // namespace mailns::synth

#include "server/web/policy_route.hpp"

#include <cctype>

namespace mailns::server {

namespace {

constexpr std::string_view kMtaStsLabel = "mta-sts.";

// "MTA-STS.Example.org.:443" -> "mta-sts.example.org"; empty when it is no host name.
std::string normal_host(std::string_view host) {
  if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) host = host.substr(0, colon);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string out;
  out.reserve(host.size());
  for (const char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-' && c != '.' && c != '_') return {};
    out.push_back(static_cast<char>(std::tolower(u)));
  }
  return out;
}

WebResponse not_found(bool head) { return WebResponse{404, "not found\n", head}; }

// The policy of <domain> when host is mta-sts.<domain> and <domain> is a zone
// served here with a policy; nullptr otherwise.
const std::string* policy_for(const std::string& host, const zone::Snapshot& snapshot) {
  if (host.size() <= kMtaStsLabel.size() || host.compare(0, kMtaStsLabel.size(), kMtaStsLabel) != 0) return nullptr;
  auto domain = zone::DnsName::from_text(host.substr(kMtaStsLabel.size()));
  if (!domain) return nullptr;
  const zone::Zone* z = snapshot.find_zone(*domain);
  if (!z || !(z->origin() == *domain)) return nullptr;
  return z->document(host + std::string(kMtaStsPolicyPath));
}

}  // namespace

WebResponse route_request(std::string_view method, std::string_view host, std::string_view target,
                          const zone::Snapshot& snapshot) {
  const bool head = method == "HEAD";
  if (method != "GET" && !head) return WebResponse{405, "only GET and HEAD are served\n", false};
  if (target != kMtaStsPolicyPath) return not_found(head);
  const std::string name = normal_host(host);
  if (name.empty()) return not_found(head);
  const std::string* policy = policy_for(name, snapshot);
  if (!policy) return not_found(head);
  return WebResponse{200, *policy, head};
}

}  // namespace mailns::server

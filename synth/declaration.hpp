// Declaration: the typed form of one `mail_domains:` entry (and the global
// `reverse_zones:` list), as the operator wrote it. Every field remembers
// where it came from so lint messages can say file:line. Values here are
// already type-checked (names parse, addresses parse); consistency between
// fields is the linter's job.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "synth/dkim_source.hpp"
#include "synth/tlsa_form.hpp"
#include "zone/dns_name.hpp"

namespace mailns::synth {

struct SourceLoc {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  std::string str() const { return file + ":" + std::to_string(line); }
};

template <typename T>
struct Located {
  T value{};
  SourceLoc loc;
};

struct NameServerDecl {
  zone::DnsName name;
  std::vector<std::string> ipv4;
  std::vector<std::string> ipv6;
  SourceLoc loc;
};

struct TlsDecl {
  std::string cert;      // PEM certificate file, leaf first, then its chain (absolute path after loading)
  std::string key;       // optional PEM key the certificate is declared to carry (checked against it)
  std::string next_key;  // optional PEM private or public key of the next certificate (3 1 x forms)
  std::vector<TlsaForm> tlsa{TlsaForm::dane_ee_spki_sha256()};  // never empty, no repeats
  SourceLoc loc;
  bool publishes(const TlsaForm& f) const { return std::find(tlsa.begin(), tlsa.end(), f) != tlsa.end(); }
};

struct MailHostDecl {
  zone::DnsName name;
  uint16_t priority = 10;
  std::vector<std::string> ipv4;
  std::vector<std::string> ipv6;
  std::optional<TlsDecl> tls;
  SourceLoc loc;
};

// Where a DKIM selector is in its life (synth/dkim_lifecycle.hpp).
enum class DkimState : uint8_t { kPending, kPublished, kActive, kRetiring, kRetired };

struct DkimDecl {
  std::string selector;
  DkimSource source;  // key:, public_key: or cname: (synth/dkim_source.hpp)
  SourceLoc loc;
  // Either an explicit state (with `until` for retiring), or dates (seconds
  // since the epoch, 0 = not given) from which the state is computed.
  std::optional<DkimState> state;
  int64_t until = 0;
  int64_t publish_at = 0;
  int64_t active_at = 0;
  int64_t retire_at = 0;
  int64_t remove_at = 0;
  bool revoke = false;  // once retired, publish "v=DKIM1; p=" (RFC 6376 3.6.1) instead of nothing
};

struct SpfDecl {
  std::vector<std::string> mechanisms{"mx"};  // bare mechanisms: mx, a, ptr, "exists:...", "redirect=..."
  std::vector<std::string> include;
  std::vector<std::string> ip4;
  std::vector<std::string> ip6;
  std::string all = "fail";  // fail (-all), softfail (~all), neutral (?all), pass (+all)
  std::string ra;            // RFC 6652 report address local part: "ra=postmaster"
  SourceLoc loc;
};

struct DmarcDecl {
  std::string policy = "reject";  // none | quarantine | reject
  std::vector<std::string> rua;
  std::vector<std::string> ruf;
  std::string adkim = "relaxed";  // relaxed | strict
  std::string aspf = "relaxed";
  std::string subdomain_policy;   // empty: not published (inherits p)
  int pct = 100;
  SourceLoc loc;
};

// Only a declared mta_sts: publishes MTA-STS; these are the defaults of its keys.
struct MtaStsDecl {
  std::string mode = "enforce";  // enforce | testing | none
  uint32_t max_age = 604800;
  std::optional<zone::DnsName> host;  // CNAME target of mta-sts.<domain>; default first mail host
  std::string policy_dir;  // write the policy under it for another web server (resolved path); empty: none
  SourceLoc loc;
};

struct TlsRptDecl {
  std::vector<std::string> rua;
  SourceLoc loc;
};

struct ClientServicesDecl {
  bool imap = true;
  bool pop3 = false;
  bool submission = true;
  bool autoconfig = true;
  SourceLoc loc;
};

struct CaaDecl {
  std::vector<std::string> issue;
  std::vector<std::string> issuewild;
  std::string iodef;  // mail address or URL
  SourceLoc loc;
};

struct BimiDecl {
  std::string logo;
  std::string authority;
  SourceLoc loc;
};

struct MailDomainDecl {
  zone::DnsName domain;
  SourceLoc loc;
  uint32_t ttl = 3600;
  SourceLoc ttl_loc;
  bool parked = false;
  zone::DnsName soa_primary;  // default: first nameserver
  zone::DnsName soa_contact;  // default: hostmaster.<domain>
  std::vector<NameServerDecl> nameservers;
  std::vector<MailHostDecl> mail_hosts;
  std::vector<DkimDecl> dkim;
  std::optional<SpfDecl> spf;        // default: mx -all
  std::optional<DmarcDecl> dmarc;    // default: p=reject, rua postmaster@
  std::optional<MtaStsDecl> mta_sts; // default: none (no MTA-STS records, no policy)
  std::optional<TlsRptDecl> tls_rpt; // default: rua postmaster@
  ClientServicesDecl client_services;
  std::optional<CaaDecl> caa;
  std::optional<BimiDecl> bimi;
  std::vector<Located<std::string>> accept_reports_for;
  std::vector<Located<std::string>> records;  // zone-file syntax lines
};

struct ReverseZoneDecl {
  zone::DnsName origin;
  SourceLoc loc;
};

}  // namespace mailns::synth

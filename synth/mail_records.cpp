#include "synth/mail_records.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <ctime>

#include "synth/certificate_chain.hpp"
#include "synth/dkim_lifecycle.hpp"
#include "synth/dkim_source.hpp"
#include "synth/key_material.hpp"
#include "synth/mta_sts.hpp"
#include "synth/spf.hpp"
#include "synth/txt_rdata.hpp"
#include "zone/rr_text.hpp"
#include "zone/rr_type.hpp"

namespace mailns::synth {

namespace {

using zone::DnsName;
using zone::Record;
namespace rrtype = zone::rrtype;

class RecordSet {
 public:
  RecordSet(const MailDomainDecl& d, Diagnostics& diags) : d_(d), diags_(diags) {}

  // Adds a record from presentation-format RDATA; owner relative to the domain.
  void add(const DnsName& owner, const char* type, const std::string& rdata, const SourceLoc& loc) {
    std::string err;
    auto r = zone::record_from_text(owner.to_text() + " " + std::to_string(d_.ttl) + " IN " + type + " " + rdata,
                                    d_.domain, d_.ttl, &err);
    if (!r) {
      error(loc, std::string("cannot build ") + type + " record for " + owner.to_text() + ": " + err);
      return;
    }
    records.push_back(std::move(*r));
  }
  void add_txt(const DnsName& owner, const std::string& value) {
    records.push_back(Record{owner, rrtype::TXT, 1, d_.ttl, txt_rdata(value)});
  }
  void add_address(const DnsName& owner, const std::vector<std::string>& v4, const std::vector<std::string>& v6,
                   const SourceLoc& loc) {
    for (const auto& a : v4) add(owner, "A", a, loc);
    for (const auto& a : v6) add(owner, "AAAA", a, loc);
  }
  DnsName sub(const char* label) const { return *DnsName::from_text_relative(label, d_.domain); }
  void error(const SourceLoc& loc, const std::string& msg) {
    diags_.push_back({Diagnostic::Severity::kError, loc, domain_text(), msg});
  }
  void warn(const SourceLoc& loc, const std::string& msg) {
    diags_.push_back({Diagnostic::Severity::kWarning, loc, domain_text(), msg});
  }
  std::string domain_text() const {
    std::string s = d_.domain.to_text();
    if (s.size() > 1) s.pop_back();
    return s;
  }

  std::vector<Record> records;

 private:
  const MailDomainDecl& d_;
  Diagnostics& diags_;
};

std::string mailto(const std::string& addr) {
  if (addr.find(':') != std::string::npos) return addr;  // already a URI
  return "mailto:" + addr;
}

std::string join_mailto(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& a : v) s += (s.empty() ? "" : ",") + mailto(a);
  return s;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void add_soa_ns(RecordSet& rs, const MailDomainDecl& d, const SynthOptions& opt) {
  DnsName primary = d.soa_primary;
  if (primary.is_root() && !d.nameservers.empty()) primary = d.nameservers.front().name;
  rs.add(d.domain, "SOA",
         primary.to_text() + " " + d.soa_contact.to_text() + " " + std::to_string(opt.serial) +
             " 7200 3600 1209600 300",
         d.loc);
  for (const auto& ns : d.nameservers) {
    rs.add(d.domain, "NS", ns.name.to_text(), ns.loc);
    if (ns.name.is_subdomain_of(d.domain)) rs.add_address(ns.name, ns.ipv4, ns.ipv6, ns.loc);
  }
}

// The DMARC record text (RFC 7489 6.3); tags in the conventional order.
std::string dmarc_text(const MailDomainDecl& d) {
  DmarcDecl x = d.dmarc.value_or(DmarcDecl{});
  if (!d.dmarc) {
    std::string dom = d.domain.to_text();
    dom.pop_back();
    x.rua = {"postmaster@" + dom};
  }
  std::string t = "v=DMARC1; p=" + x.policy;
  if (!x.subdomain_policy.empty() && x.subdomain_policy != x.policy) t += "; sp=" + x.subdomain_policy;
  if (x.adkim == "strict") t += "; adkim=s";
  if (x.aspf == "strict") t += "; aspf=s";
  if (x.pct != 100) t += "; pct=" + std::to_string(x.pct);
  if (!x.rua.empty()) t += "; rua=" + join_mailto(x.rua);
  if (!x.ruf.empty()) t += "; ruf=" + join_mailto(x.ruf);
  return t;
}

// What to do about a DKIM record that could not be read, by source.
std::string dkim_fix(const DkimSource& s) {
  if (std::holds_alternative<DkimPublicKeyFile>(s))
    return "point public_key at the PEM public key file the provider gave you, or paste its base64";
  return "generate one with `openssl genpkey -algorithm ed25519 -out FILE`";
}

void add_dkim(RecordSet& rs, const MailDomainDecl& d, int64_t now) {
  for (const auto& k : d.dkim) {
    auto owner = DnsName::from_text_relative(k.selector + "._domainkey", d.domain);
    if (!owner) {
      rs.error(k.loc, "DKIM selector '" + k.selector + "' is not a valid DNS label; use letters, digits and '-'");
      continue;
    }
    const DkimState state = dkim_state(k, now);
    if (!dkim_published(state)) {
      // Retired keys may be deleted: their file is not read. RFC 6376 3.6.1:
      // an empty p= says the key was revoked (also in place of a CNAME).
      if (state == DkimState::kRetired && k.revoke) rs.add_txt(*owner, "v=DKIM1; p=");
      continue;
    }
    if (const auto* cname = std::get_if<DkimCname>(&k.source)) {
      rs.add(*owner, "CNAME", cname->target.to_text(), k.loc);
      continue;
    }
    std::string err;
    auto pub = dkim_public_key(k.source, &err);
    if (!pub) {
      rs.error(k.loc, "DKIM key for selector " + k.selector + ": " + err + "; " + dkim_fix(k.source));
      continue;
    }
    rs.add_txt(*owner, dkim_txt(k.source, *pub));
  }
}

bool has_form(const TlsDecl& tls, TlsaForm::Usage u) {
  return std::any_of(tls.tlsa.begin(), tls.tlsa.end(), [&](const TlsaForm& f) { return f.usage() == u; });
}

// Who an expired certificate stops: DANE-EE (3 x x) ignores the validity
// dates (RFC 7671 5.1), PKIX validation and DANE-TA (RFC 7671 5.2) do not.
std::string expired_message(const MailHostDecl& h, int64_t not_after) {
  const auto t = static_cast<std::time_t>(not_after);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
  std::string host = h.name.to_text();
  host.pop_back();
  const std::string dane = has_form(*h.tls, TlsaForm::Usage::kDaneEe)
                               ? "; DANE-EE (3 1 1) clients such as Postfix still verify it (RFC 7671 5.1)"
                               : "; so do DANE-TA (2 x x) clients, which check the dates of the chain";
  return h.tls->cert + " expired on " + date + ": MTA-STS and other PKIX-validating senders will refuse " + host +
         dane + "; renew it";
}

// One TLSA record per declared form and, for each 3 1 x form, one for the
// next key; a record equal to one already made is not repeated. A 2 x x form
// without an issuer in the file makes nothing here: the lint explains it.
void add_tlsa_records(RecordSet& rs, const MailHostDecl& h, const DnsName& owner, const CertificateChain& chain,
                      const std::optional<std::vector<uint8_t>>& next_spki) {
  std::vector<std::string> made;
  auto add = [&](const TlsaForm& f, const std::vector<uint8_t>& data) {
    const std::string rdata = f.text() + " " + to_hex(data);
    if (std::find(made.begin(), made.end(), rdata) != made.end()) return;
    made.push_back(rdata);
    rs.add(owner, "TLSA", rdata, h.tls->loc);
  };
  for (const TlsaForm& f : h.tls->tlsa)
    if (auto data = tlsa_association(f, chain)) add(f, *data);
  if (!next_spki) return;
  for (const TlsaForm& f : h.tls->tlsa)
    if (f.usage() == TlsaForm::Usage::kDaneEe && f.selector() == TlsaForm::Selector::kPublicKey)
      add(f, tlsa_digest(f.matching(), *next_spki));
}

// The declared key must be the certificate's, or the TLSA records (made from
// the certificate) and the server's key disagree: DANE breaks.
void check_declared_key(RecordSet& rs, const MailHostDecl& h, const CertificateChain& chain) {
  std::string err;
  auto key = load_key_spki(h.tls->key, &err);
  if (!key) rs.error(h.tls->loc, "tls.key for " + h.name.to_text() + ": " + err);
  else if (*key != chain.leaf.spki)
    rs.error(h.tls->loc, h.tls->cert + " does not carry the key in " + h.tls->key +
                             "; the server would present a key that matches no TLSA record: "
                             "point tls.cert and tls.key at the certificate and key the mail server uses");
}

void add_tlsa(RecordSet& rs, const MailDomainDecl& d, const SynthOptions& opt) {
  for (const auto& h : d.mail_hosts) {
    if (!h.tls || !h.name.is_subdomain_of(d.domain)) continue;
    auto owner = h.name.prepend("_tcp")->prepend("_25");
    std::string err;
    auto chain = load_certificate_chain(h.tls->cert, &err);
    if (!chain) {
      rs.error(h.tls->loc, "TLSA for " + h.name.to_text() + ": " + err + "; point tls.cert at the PEM certificate");
      continue;
    }
    if (opt.now > 0 && chain->leaf.not_after < opt.now) rs.warn(h.tls->loc, expired_message(h, chain->leaf.not_after));
    if (!h.tls->key.empty()) check_declared_key(rs, h, *chain);
    std::optional<std::vector<uint8_t>> next;
    if (!h.tls->next_key.empty()) {
      next = load_key_spki(h.tls->next_key, &err);
      if (!next) rs.error(h.tls->loc, "TLSA next_key for " + h.name.to_text() + ": " + err);
    }
    add_tlsa_records(rs, h, *owner, *chain, next);
  }
}

// MTA-STS (RFC 8461) only when the domain declares mta_sts: a policy makes
// senders refuse hosts without a valid certificate, so it is never implied.
void add_mta_sts(RecordSet& rs, const MailDomainDecl& d, SynthesizedZone& out) {
  if (!d.mta_sts || d.mail_hosts.empty()) return;
  const MtaStsDecl& m = *d.mta_sts;
  const DnsName target = m.host.value_or(d.mail_hosts.front().name);
  rs.add(rs.sub("mta-sts"), "CNAME", target.to_text(), m.loc.line ? m.loc : d.loc);
  out.mta_sts_policy = mta_sts_policy(d);
  rs.add_txt(rs.sub("_mta-sts"), "v=STSv1; id=" + mta_sts_id(out.mta_sts_policy));
}

void add_services(RecordSet& rs, const MailDomainDecl& d) {
  if (d.mail_hosts.empty()) return;
  const std::string host = d.mail_hosts.front().name.to_text();
  const auto& cs = d.client_services;
  // RFC 6186 4: a service that is not offered is published with target ".".
  auto srv = [&](const char* owner, bool on, int port) {
    rs.add(rs.sub(owner), "SRV", on ? "0 1 " + std::to_string(port) + " " + host : std::string("0 0 0 ."), cs.loc);
  };
  srv("_imap._tcp", cs.imap, 143);
  srv("_imaps._tcp", cs.imap, 993);
  srv("_pop3._tcp", cs.pop3, 110);
  srv("_pop3s._tcp", cs.pop3, 995);
  srv("_submission._tcp", cs.submission, 587);
  srv("_submissions._tcp", cs.submission, 465);
  if (cs.autoconfig) {
    rs.add(rs.sub("autoconfig"), "CNAME", host, cs.loc);
    rs.add(rs.sub("autodiscover"), "CNAME", host, cs.loc);
  }
}

void add_caa(RecordSet& rs, const MailDomainDecl& d) {
  if (!d.caa) return;
  for (const auto& ca : d.caa->issue) rs.add(d.domain, "CAA", "0 issue " + quoted(ca), d.caa->loc);
  for (const auto& ca : d.caa->issuewild) rs.add(d.domain, "CAA", "0 issuewild " + quoted(ca), d.caa->loc);
  if (!d.caa->iodef.empty()) rs.add(d.domain, "CAA", "0 iodef " + quoted(mailto(d.caa->iodef)), d.caa->loc);
}

// "v=" tag of a TXT value, for merging user TXT records with generated ones.
std::string txt_version(const std::vector<uint8_t>& rdata) {
  const std::string v = txt_value(rdata);
  if (v.rfind("v=", 0) != 0) return {};
  return v.substr(0, v.find_first_of("; "));
}

// User records replace the generated RRset of the same owner and type; for
// TXT only the generated records with the same "v=" tag are replaced.
void merge_user_records(RecordSet& rs, const MailDomainDecl& d) {
  std::vector<Record> user;
  for (const auto& line : d.records) {
    std::string err;
    auto r = zone::record_from_text(line.value, d.domain, d.ttl, &err);
    if (!r) {
      rs.error(line.loc, "records: " + err + "; write one zone-file line like \"www 3600 IN A 192.0.2.80\"");
      continue;
    }
    if (!r->owner.is_subdomain_of(d.domain)) {
      rs.error(line.loc, "records: " + r->owner.to_text() + " is outside " + d.domain.to_text());
      continue;
    }
    user.push_back(std::move(*r));
  }
  auto& recs = rs.records;
  for (const auto& u : user) {
    recs.erase(std::remove_if(recs.begin(), recs.end(),
                              [&](const Record& g) {
                                if (g.owner != u.owner || g.type != u.type) return false;
                                if (u.type != rrtype::TXT) return true;
                                const std::string v = txt_version(u.rdata);
                                return !v.empty() && v == txt_version(g.rdata);
                              }),
               recs.end());
  }
  for (auto& u : user) recs.push_back(std::move(u));
}

void add_parked(RecordSet& rs, const MailDomainDecl& d) {
  rs.add(d.domain, "MX", "0 .", d.loc);  // RFC 7505 null MX
  rs.add_txt(d.domain, "v=spf1 -all");
  rs.add_txt(rs.sub("_dmarc"), "v=DMARC1; p=reject");
  rs.add_txt(rs.sub("*._domainkey"), "v=DKIM1; p=");  // RFC 6376 3.6.1: revoked/empty key
}

}  // namespace

SynthesizedZone synthesize_mail_domain(const MailDomainDecl& d, const SynthOptions& opt, Diagnostics& diags) {
  RecordSet rs(d, diags);
  SynthesizedZone out;
  out.origin = d.domain;
  add_soa_ns(rs, d, opt);
  if (d.parked) {
    add_parked(rs, d);
    add_caa(rs, d);
  } else {
    const SpfDecl spf = d.spf.value_or(SpfDecl{});
    for (const auto& h : d.mail_hosts) {
      rs.add(d.domain, "MX", std::to_string(h.priority) + " " + h.name.to_text(), h.loc);
      if (h.name.is_subdomain_of(d.domain)) {
        rs.add_address(h.name, h.ipv4, h.ipv6, h.loc);
        rs.add_txt(h.name, spf_host_text(spf));
      }
    }
    rs.add_txt(d.domain, spf_text(spf));
    add_dkim(rs, d, opt.now > 0 ? opt.now : static_cast<int64_t>(std::time(nullptr)));
    rs.add_txt(rs.sub("_dmarc"), dmarc_text(d));
    add_mta_sts(rs, d, out);
    std::vector<std::string> rpt = d.tls_rpt ? d.tls_rpt->rua : std::vector<std::string>{};
    if (!d.tls_rpt) rpt.push_back("postmaster@" + rs.domain_text());
    if (!rpt.empty()) rs.add_txt(rs.sub("_smtp._tls"), "v=TLSRPTv1; rua=" + join_mailto(rpt));
    add_services(rs, d);
    add_caa(rs, d);
    add_tlsa(rs, d, opt);
    if (d.bimi) {
      std::string t = "v=BIMI1; l=" + d.bimi->logo + "; a=" + d.bimi->authority;
      rs.add_txt(rs.sub("default._bimi"), t);
    }
    for (const auto& ext : d.accept_reports_for) {
      // RFC 7489 7.1: <ext>._report._dmarc.<this domain> TXT "v=DMARC1".
      auto ext_name = DnsName::from_text(ext.value);
      auto owner = ext_name ? DnsName::from_text(ext_name->to_text() + "_report._dmarc." + d.domain.to_text())
                            : std::nullopt;
      if (!owner) {
        rs.error(ext.loc, "accept_reports_for: '" + ext.value + "' is not a domain name (or the result is too long)");
        continue;
      }
      rs.add_txt(*owner, "v=DMARC1");
    }
  }
  merge_user_records(rs, d);
  out.records = std::move(rs.records);
  return out;
}

std::optional<DnsName> reverse_name(const std::string& address) {
  unsigned char b[16];
  if (inet_pton(AF_INET, address.c_str(), b) == 1) {
    return DnsName::from_text(std::to_string(b[3]) + "." + std::to_string(b[2]) + "." + std::to_string(b[1]) + "." +
                              std::to_string(b[0]) + ".in-addr.arpa");
  }
  if (inet_pton(AF_INET6, address.c_str(), b) == 1) {
    static const char* kHex = "0123456789abcdef";
    std::string s;
    for (int i = 15; i >= 0; --i) {
      s += kHex[b[i] & 15];
      s += '.';
      s += kHex[b[i] >> 4];
      s += '.';
    }
    return DnsName::from_text(s + "ip6.arpa");
  }
  return std::nullopt;
}

std::vector<SynthesizedZone> synthesize_reverse_zones(const std::vector<ReverseZoneDecl>& zones,
                                                      const std::vector<MailDomainDecl>& domains,
                                                      const SynthOptions& opt, Diagnostics& diags) {
  std::vector<SynthesizedZone> out;
  if (zones.empty()) return out;
  for (const auto& rz : zones) {
    if (domains.empty()) {
      diags.push_back({Diagnostic::Severity::kError, rz.loc, rz.origin.to_text(),
                       "a reverse zone takes its SOA and NS from the first mail domain; declare one"});
      continue;
    }
    MailDomainDecl base = domains.front();
    base.domain = rz.origin;
    base.soa_contact = domains.front().soa_contact;
    RecordSet rs(base, diags);
    add_soa_ns(rs, base, opt);
    for (const auto& d : domains)
      for (const auto& h : d.mail_hosts) {
        std::vector<std::string> addrs = h.ipv4;
        addrs.insert(addrs.end(), h.ipv6.begin(), h.ipv6.end());
        for (const auto& a : addrs) {
          auto r = reverse_name(a);
          if (r && r->is_subdomain_of(rz.origin)) rs.add(*r, "PTR", h.name.to_text(), h.loc);
        }
      }
    out.push_back(SynthesizedZone{rz.origin, std::move(rs.records), {}});
  }
  return out;
}

}  // namespace mailns::synth

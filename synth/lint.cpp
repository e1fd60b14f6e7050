#include "synth/lint.hpp"

#include <arpa/inet.h>

#include <ctime>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "synth/dkim_lifecycle.hpp"
#include "synth/dkim_source.hpp"
#include "synth/key_material.hpp"
#include "synth/spf.hpp"
#include "synth/tlsa_lint.hpp"
#include "synth/txt_rdata.hpp"
#include "zone/rr_type.hpp"

namespace mailns::synth {

namespace {

using zone::DnsName;
namespace rrtype = zone::rrtype;

constexpr int kSpfMaxLookups = 10;         // RFC 7208 4.6.4
constexpr size_t kSpfMaxOctets = 450;      // RFC 7208 3.4: keep the answer within 512 octets
constexpr uint32_t kMaxStsAge = 31557600;  // RFC 8461 3.2
constexpr uint32_t kMaxTtl = 2147483647;   // RFC 2181 8

std::string text(const DnsName& n) {
  std::string s = n.to_text();
  if (s.size() > 1) s.pop_back();
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool is_ip_literal(const std::string& s) {
  unsigned char b[16];
  std::string t = s;
  if (!t.empty() && t.back() == '.') t.pop_back();
  return inet_pton(AF_INET, t.c_str(), b) == 1 || inet_pton(AF_INET6, t.c_str(), b) == 1;
}

// A host name: LDH labels (RFC 952/1123); "_" allowed since service labels exist.
bool valid_host(const DnsName& n, std::string* bad) {
  std::string t = text(n);
  size_t start = 0;
  while (start <= t.size()) {
    size_t dot = t.find('.', start);
    if (dot == std::string::npos) dot = t.size();
    const std::string label = t.substr(start, dot - start);
    const bool ok = !label.empty() && label.front() != '-' && label.back() != '-' &&
                    std::all_of(label.begin(), label.end(),
                                [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
    if (!ok) {
      *bad = label;
      return false;
    }
    start = dot + 1;
  }
  return true;
}

struct Linter {
  const std::vector<MailDomainDecl>& decls;
  const std::vector<SynthesizedZone>& zones;
  Diagnostics& diags;
  // SPF record of every name we serve, for following includes.
  std::map<std::string, std::string> spf_by_name;
  int64_t now = 0;  // for the DKIM lifecycle

  void error(const MailDomainDecl& d, const SourceLoc& loc, const std::string& msg) {
    diags.push_back({Diagnostic::Severity::kError, loc.line ? loc : d.loc, text(d.domain), msg});
  }
  void warn(const MailDomainDecl& d, const SourceLoc& loc, const std::string& msg) {
    diags.push_back({Diagnostic::Severity::kWarning, loc.line ? loc : d.loc, text(d.domain), msg});
  }

  const MailDomainDecl* declared(const std::string& domain) const {
    for (const auto& d : decls)
      if (lower(text(d.domain)) == lower(domain)) return &d;
    return nullptr;
  }

  // Lookups of an SPF record including the ones of includes we serve
  // ourselves; an include we do not serve costs its one lookup here and is
  // added to external (its own record's lookups are unknown to us).
  int count_lookups(const std::string& record, std::set<std::string>& seen, std::vector<std::string>& external) const {
    SpfTerms t = spf_terms(record);
    int n = t.lookups;
    for (const auto& inc : t.includes) {
      if (!seen.insert(inc).second) continue;
      auto it = spf_by_name.find(inc);
      if (it != spf_by_name.end()) n += count_lookups(it->second, seen, external);
      else external.push_back(inc);
    }
    return n;
  }

  static std::string external_note(const std::vector<std::string>& external) {
    std::string names;
    for (const auto& e : external) names += (names.empty() ? "" : ", ") + e;
    return std::to_string(external.size()) + " external include" + (external.size() == 1 ? "" : "s") + " (" + names +
           ") counted as 1 lookup each, but the lookups in their own records count too, so the real count may be "
           "higher";
  }

  void collect_spf() {
    for (const auto& z : zones)
      for (const auto& r : z.records)
        if (r.type == rrtype::TXT) {
          const std::string v = txt_value(r.rdata);
          if (lower(v.substr(0, 7)) == "v=spf1 " || lower(v) == "v=spf1") spf_by_name[lower(text(r.owner))] = v;
        }
  }

  const SourceLoc& spf_loc(const MailDomainDecl& d) const { return d.spf ? d.spf->loc : d.loc; }

  void lint_spf(const MailDomainDecl& d, const SynthesizedZone& z) {
    std::map<std::string, int> per_name;
    for (const auto& r : z.records) {
      if (r.type != rrtype::TXT) continue;
      const std::string v = txt_value(r.rdata);
      if (lower(v.substr(0, 7)) != "v=spf1 " && lower(v) != "v=spf1") continue;
      const std::string owner = text(r.owner);
      if (++per_name[owner] == 2)
        error(d, spf_loc(d), owner + " has more than one SPF record (RFC 7208 3.2: receivers return permerror); "
                             "merge them into one");
      std::set<std::string> seen{lower(owner)};
      std::vector<std::string> external;
      const int lookups = count_lookups(v, seen, external);
      if (lookups > kSpfMaxLookups)
        error(d, spf_loc(d), "SPF at " + owner + " needs " + std::to_string(lookups) +
                                 " DNS lookups (include, a, mx, ptr, exists, redirect, counted through includes); "
                                 "the limit is 10 (RFC 7208 4.6.4): replace includes by ip4:/ip6: ranges" +
                                 (external.empty() ? "" : " (" + external_note(external) + ")"));
      else if (!external.empty() && lookups + static_cast<int>(external.size()) > kSpfMaxLookups)
        // One more lookup per external include would break the limit.
        warn(d, spf_loc(d), "SPF at " + owner + " needs at least " + std::to_string(lookups) +
                                " of the 10 DNS lookups allowed (RFC 7208 4.6.4): " + external_note(external) +
                                "; over 10, receivers return permerror and SPF fails: count them with "
                                "`dig +short TXT NAME`, or replace includes by ip4:/ip6: ranges");
      const std::string all = spf_terms(v).all;
      if (all == "+all" || all == "?all")
        warn(d, spf_loc(d), "SPF at " + owner + " ends in " + all +
                                ", which lets anyone send as this domain; use all: fail (-all) or softfail (~all)");
      if (v.size() > kSpfMaxOctets)
        warn(d, spf_loc(d), "SPF at " + owner + " is " + std::to_string(v.size()) +
                                " octets; keep it under 450 so answers fit in 512 octets (RFC 7208 3.4)");
    }
  }

  void lint_hosts(const MailDomainDecl& d, const SynthesizedZone& z) {
    if (!d.parked && d.mail_hosts.empty())
      error(d, d.loc, "no mail_hosts: declare at least one { name: mail." + text(d.domain) +
                          ", ipv4: ... } or set parked: true");
    if (d.nameservers.empty())
      error(d, d.loc, "no nameservers: declare at least one { name: ns1." + text(d.domain) + ", ipv4: ... }");
    for (const auto& ns : d.nameservers) {
      std::string bad;
      // Resolvers look such a name up like any other; registries and BIND's
      // check-names refuse it as a host name.
      if (!valid_host(ns.name, &bad))
        warn(d, ns.loc, "nameserver " + text(ns.name) + " has an invalid label '" + bad +
                            "': registries refuse it as a name server name; use letters, digits, '-'");
      if (ns.name.is_subdomain_of(d.domain) && ns.ipv4.empty() && ns.ipv6.empty())
        error(d, ns.loc, "nameserver " + text(ns.name) + " is inside the zone and needs glue: add ipv4/ipv6");
    }
    for (const auto& h : d.mail_hosts) lint_host(d, h, z);
  }

  void lint_host(const MailDomainDecl& d, const MailHostDecl& h, const SynthesizedZone& z) {
    const std::string name = text(h.name);
    if (is_ip_literal(name)) {
      error(d, h.loc, "mail host '" + name + "' is an IP address; MX targets must be host names (RFC 7505 / RFC 5321 5.1): "
                      "name the host, e.g. mail." + text(d.domain) + " with ipv4: " + name);
      return;
    }
    std::string bad;
    if (!valid_host(h.name, &bad))
      error(d, h.loc, "mail host " + name + " has an invalid label '" + bad + "'; use letters, digits, '-'");
    if (served_as_cname(h.name)) {
      // RFC 2181 10.3 forbids it, but MTAs follow the alias: mail still arrives.
      warn(d, h.loc, "mail host " + name + " is a CNAME; MX should point at a name with A/AAAA (RFC 2181 10.3): "
                     "point the MX at the CNAME's target, or give " + name + " its own addresses");
      return;
    }
    lint_host_address(d, h, z);
  }

  void lint_host_address(const MailDomainDecl& d, const MailHostDecl& h, const SynthesizedZone& z) {
    const std::string name = text(h.name);
    if (h.name.is_subdomain_of(d.domain)) {
      if (h.ipv4.empty() && h.ipv6.empty() && !has_address(z.records, h.name))
        error(d, h.loc, "mail host " + name + " has no address: add ipv4: and/or ipv6: (senders cannot connect)");
      return;
    }
    const MailDomainDecl* other = declared_zone_of(h.name);
    if (!other) return;  // another operator's host
    bool found = false;
    for (const auto& oh : other->mail_hosts) found |= oh.name == h.name && (!oh.ipv4.empty() || !oh.ipv6.empty());
    for (const auto& oz : zones) found |= has_address(oz.records, h.name);
    if (!found) error(d, h.loc, "mail host " + name + " has no A/AAAA record in " + text(other->domain));
  }

  static bool has_address(const std::vector<zone::Record>& records, const DnsName& n) {
    for (const auto& r : records)
      if ((r.type == rrtype::A || r.type == rrtype::AAAA) && r.owner == n) return true;
    return false;
  }

  bool served_as_cname(const DnsName& n) const {
    for (const auto& oz : zones)
      for (const auto& r : oz.records)
        if (r.type == rrtype::CNAME && r.owner == n) return true;
    return false;
  }

  const MailDomainDecl* declared_zone_of(const DnsName& n) const {
    const MailDomainDecl* best = nullptr;
    for (const auto& d : decls)
      if (n.is_subdomain_of(d.domain) && (!best || d.domain.label_count() > best->domain.label_count())) best = &d;
    return best;
  }

  void lint_dkim(const MailDomainDecl& d) {
    // Lifecycle: something must sign; one active key per algorithm; a key is
    // published at least 2 TTLs before it signs, so receivers can fetch it.
    std::map<std::string, int> active_by_alg;
    bool any_active = false;
    for (const auto& k : d.dkim) {
      if (k.publish_at && k.active_at && k.active_at - k.publish_at < 2 * int64_t{d.ttl})
        warn(d, k.loc, "DKIM selector " + k.selector + " becomes active " +
                           std::to_string(k.active_at - k.publish_at) + " s after it is published; receivers may "
                           "not see the key yet: publish it at least 2 TTLs (" + std::to_string(2 * d.ttl) +
                           " s) earlier");
      if (dkim_state(k, now) != DkimState::kActive) continue;
      any_active = true;
      // Only our own keys: a provider's selector is signed with by the
      // provider, beside whatever our MTA signs with.
      if (!std::holds_alternative<DkimPrivateKeyFile>(k.source)) continue;
      std::string err;
      if (auto pub = dkim_public_key(k.source, &err); pub && ++active_by_alg[pub->algorithm] == 2)
        warn(d, k.loc, "two active DKIM selectors use " + pub->algorithm + " (" + k.selector +
                           " is the second); sign with one and mark the other retiring");
    }
    if (!d.dkim.empty() && !any_active)
      warn(d, d.dkim.front().loc, "no DKIM selector is active now, so nothing signs mail for " + text(d.domain) +
                                      "; mark one state: active (or check its active_at date)");
    for (const auto& k : d.dkim) {
      if (!dkim_published(dkim_state(k, now))) continue;  // the key file may be gone
      std::string bad;
      auto owner = DnsName::from_text(k.selector + "._domainkey.invalid");
      if (k.selector.empty() || !owner || !valid_host(*owner, &bad))
        error(d, k.loc, "DKIM selector '" + k.selector + "' is not a valid DNS label; use letters, digits and '-', e.g. 202404e");
      if (const auto* cname = std::get_if<DkimCname>(&k.source)) {
        lint_dkim_cname(d, k, *cname);
        continue;
      }
      std::string err;
      auto pub = dkim_public_key(k.source, &err);
      if (!pub) continue;  // the synthesizer already reported it
      lint_dkim_strength(d, k, *pub);
    }
  }

  // A key we sign with is regenerated here; a provider's key by the provider.
  void lint_dkim_strength(const MailDomainDecl& d, const DkimDecl& k, const DkimPublicKey& pub) {
    if (pub.algorithm != "rsa" || pub.bits >= 2048) return;
    const bool ours = std::holds_alternative<DkimPrivateKeyFile>(k.source);
    const std::string what = "DKIM key " + dkim_source_text(k.source) + " of selector " + k.selector + " is " +
                             std::to_string(pub.bits) + "-bit RSA; ";
    const std::string fix = ours ? "`openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048`"
                                 : "ask the provider for a 2048-bit key (most let you choose the size)";
    if (pub.bits < 1024)
      error(d, k.loc, what + "receivers reject keys under 1024 bits (RFC 8301 3.2): " + fix);
    else
      warn(d, k.loc, what + "receivers expect 2048 (" + (ours ? "regenerate with " : "") + fix + ")");
  }

  // The provider's name: a host name of at least two labels, not ours to
  // check beyond that (it lives in the provider's zone).
  void lint_dkim_cname(const MailDomainDecl& d, const DkimDecl& k, const DkimCname& c) {
    std::string bad;
    const std::string target = text(c.target);
    if (!valid_host(c.target, &bad))
      error(d, k.loc, "DKIM selector " + k.selector + ": cname '" + target + "' is not a host name (label '" + bad +
                          "'); write the name the provider shows, like " + k.selector + ".dkim.amazonses.com, "
                          "without https:// or spaces");
    else if (c.target.label_count() < 2)
      error(d, k.loc, "DKIM selector " + k.selector + ": cname '" + target + "' is a single label, so receivers "
                          "would look the key up under a top-level domain; write the full name the provider shows, "
                          "like " + k.selector + ".dkim.amazonses.com");
    else if (DnsName::from_text_relative(k.selector + "._domainkey", d.domain) == c.target)
      error(d, k.loc, "DKIM selector " + k.selector + ": cname points at itself; write the provider's name");
  }

  void lint_dmarc(const MailDomainDecl& d) {
    if (d.parked) return;
    const DmarcDecl x = d.dmarc.value_or(DmarcDecl{});
    const SourceLoc& loc = d.dmarc ? d.dmarc->loc : d.loc;
    if (d.bimi && x.policy == "none")
      warn(d, d.bimi->loc, "BIMI needs a DMARC policy of quarantine or reject, but dmarc.policy is none: "
                           "receivers will not show the logo; raise the policy once the DMARC reports are clean");
    auto check = [&](const std::vector<std::string>& list, const char* tag) {
      for (const auto& a : list) {
        std::string addr = a;
        if (addr.find(':') != std::string::npos) {
          if (lower(addr.substr(0, 7)) != "mailto:") {
            warn(d, loc, std::string("dmarc.") + tag + ": '" + a + "' is not a mailto: URI; receivers send "
                             "reports only to mailto: URIs (RFC 7489 6.2) and ignore this one: write an address "
                             "like postmaster@" + text(d.domain));
            continue;
          }
          addr = addr.substr(7);
        }
        const auto at = addr.find('@');
        if (at == std::string::npos) {
          warn(d, loc, std::string("dmarc.") + tag + ": '" + a + "' is not an e-mail address, so receivers send "
                           "no reports to it: write one like postmaster@" + text(d.domain));
          continue;
        }
        std::string dom = lower(addr.substr(at + 1));
        if (auto bang = dom.find('!'); bang != std::string::npos) dom = dom.substr(0, bang);  // size limit suffix
        auto report = DnsName::from_text(dom);
        if (!report || report->is_subdomain_of(d.domain) || d.domain.is_subdomain_of(*report)) continue;
        // RFC 7489 7.1: an external report domain must authorise us.
        if (const MailDomainDecl* ext = declared(dom)) {
          bool ok = false;
          for (const auto& r : ext->accept_reports_for) ok |= lower(r.value) == lower(text(d.domain));
          if (!ok)
            warn(d, loc, std::string("dmarc.") + tag + ": " + dom + " does not list " + text(d.domain) +
                             " in accept_reports_for, so receivers will not send it reports");
        } else {
          warn(d, loc, std::string("dmarc.") + tag + ": reports go to " + dom + ", which must publish " +
                           text(d.domain) + "._report._dmarc." + dom + " TXT \"v=DMARC1\" (RFC 7489 7.1)");
        }
      }
    };
    check(x.rua, "rua");
    check(x.ruf, "ruf");
  }

  // Only a declared mta_sts: publishes a policy (mail_records.cpp).
  void lint_mta_sts(const MailDomainDecl& d, const SynthesizedZone& z) {
    if (d.parked || d.mail_hosts.empty() || !d.mta_sts) return;
    const MtaStsDecl& m = *d.mta_sts;
    if (m.max_age > kMaxStsAge)
      error(d, m.loc, "mta_sts.max_age " + std::to_string(m.max_age) + " exceeds 31557600 (one year, RFC 8461 3.2)");
    if (m.mode == "enforce")
      for (const auto& h : d.mail_hosts)
        if (!h.tls)
          warn(d, h.loc, "mta_sts.mode is enforce but mail host " + text(h.name) + " has no tls:, so mailns "
                         "cannot check the certificate MTA-STS senders require (the MTA may manage it); add "
                         "tls: { cert: ... } to have it checked and TLSA published, or start with mode: testing");
    if (m.mode != "none") lint_policy_covers_mx(d, z);
  }

  // The policy lists the declared mail hosts; an MX added by hand is not in
  // it. Broken for MTA-STS senders when no MX at all is in an enforced policy.
  void lint_policy_covers_mx(const MailDomainDecl& d, const SynthesizedZone& z) {
    const bool enforce = d.mta_sts->mode == "enforce";
    size_t mx = 0;
    std::vector<std::string> uncovered;
    for (const auto& r : z.records) {
      if (r.type != rrtype::MX || r.owner != d.domain) continue;
      auto target = DnsName::from_wire({r.rdata.data() + 2, r.rdata.size() - 2});
      if (!target) continue;
      ++mx;
      bool covered = false;
      for (const auto& h : d.mail_hosts) covered |= h.name == *target;
      if (!covered) uncovered.push_back(text(*target));
    }
    const bool none_covered = !uncovered.empty() && uncovered.size() == mx;
    for (const auto& t : uncovered) {
      const std::string msg = "MX " + t + " is not a declared mail host, so the MTA-STS policy does not list it and " +
                              (enforce ? "senders that apply MTA-STS will not deliver to it"
                                       : "senders that apply MTA-STS report it as a failure (TLS-RPT)") +
                              "; declare it under mail_hosts";
      if (enforce && none_covered)
        error(d, d.mta_sts->loc, msg + " (no MX is in the policy: they cannot deliver at all)");
      else
        warn(d, d.mta_sts->loc, msg);
    }
  }

  void lint_ttl(const MailDomainDecl& d) {
    if (d.ttl > kMaxTtl)
      error(d, d.ttl_loc, "ttl " + std::to_string(d.ttl) + " is not usable: over 2147483647 it is read as 0 "
                          "(RFC 2181 8); use 300 to 86400 (e.g. 3600)");
    if (d.ttl == 0) {
      warn(d, d.ttl_loc, "ttl 0: resolvers will not cache any record of " + text(d.domain) +
                             ", so every lookup reaches this server; use 300 to 86400 (e.g. 3600)");
      return;  // every record has TTL 0: one warning says it
    }
    for (const auto& z : zones)
      if (z.origin == d.domain)
        for (const auto& r : z.records)
          if (r.ttl == 0 && r.type != rrtype::SOA)
            warn(d, d.ttl_loc, text(r.owner) + " " + zone::type_to_text(r.type) + " has TTL 0; resolvers will not cache it");
  }

  void run() {
    collect_spf();
    for (size_t i = 0; i < decls.size() && i < zones.size(); ++i) {
      const auto& d = decls[i];
      lint_ttl(d);
      lint_hosts(d, zones[i]);
      lint_spf(d, zones[i]);
      lint_dkim(d);
      lint_dmarc(d);
      lint_mta_sts(d, zones[i]);
      lint_tlsa(d, diags);
    }
  }
};

}  // namespace

void lint_mail_domains(const std::vector<MailDomainDecl>& decls, const std::vector<SynthesizedZone>& zones,
                       Diagnostics& diags, int64_t now) {
  Linter l{decls, zones, diags, {}, now > 0 ? now : static_cast<int64_t>(std::time(nullptr))};
  l.run();
}

}  // namespace mailns::synth

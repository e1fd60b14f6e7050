#include "synth/declaration_yaml.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "synth/date_time.hpp"

namespace mailns::synth {

namespace {

using zone::DnsName;

struct Ctx {
  YamlErrors& errors;
  const std::string& base_dir;
  std::span<const ExtraKey> extra;
  SourceLoc loc(const YAML::Node& n) const { return SourceLoc{errors.file(), errors.line_of(n)}; }
  std::string path(const std::string& p) const {
    if (p.empty() || p[0] == '/' || base_dir.empty()) return p;
    return base_dir + "/" + p;
  }
};

std::optional<DnsName> name_at(Ctx& c, MapReader& m, const YAML::Node& at, const std::string& key,
                               const std::string& ctx, bool required) {
  auto s = m.get_string(key, required);
  if (!s) return std::nullopt;
  std::string err;
  auto n = DnsName::from_text(*s, &err);
  if (!n) c.errors.add(at[key], ctx + "." + key + ": " + err + "; write a host name like mail.example.org");
  return n;
}

std::vector<std::string> addresses(Ctx& c, MapReader& m, const YAML::Node& at, const std::string& key, int af,
                                   const std::string& ctx) {
  auto list = m.get_string_list(key);
  std::vector<std::string> out;
  if (!list) return out;
  for (const auto& a : *list) {
    unsigned char buf[16];
    if (inet_pton(af, a.c_str(), buf) != 1) {
      c.errors.add(at[key], ctx + "." + key + ": '" + a + "' is not an " + (af == AF_INET ? "IPv4" : "IPv6") +
                                " address; write e.g. " + (af == AF_INET ? "192.0.2.10" : "\"2001:db8::10\""));
      continue;
    }
    out.push_back(a);
  }
  return out;
}

NameServerDecl read_ns(Ctx& c, const YAML::Node& n, const std::string& ctx) {
  NameServerDecl d;
  d.loc = c.loc(n);
  MapReader m(n, c.errors, ctx);
  if (auto name = name_at(c, m, n, "name", ctx, true)) d.name = *name;
  d.ipv4 = addresses(c, m, n, "ipv4", AF_INET, ctx);
  d.ipv6 = addresses(c, m, n, "ipv6", AF_INET6, ctx);
  m.finish();
  return d;
}

// An optional sub-mapping: read with its own reader and the mapping's
// location. Its key is known even when absent or null.
template <typename F>
void read_section(Ctx& c, MapReader& m, const std::string& ctx, const char* key, F&& read) {
  if (!m.has(key)) {
    m.node(key);
    return;
  }
  YAML::Node s = m.node(key);
  MapReader sm(s, c.errors, ctx + "." + key);
  read(sm, s, c.loc(s));
  sm.finish();
}

// tls.tlsa: a non-empty list of forms, each once (synth/tlsa_form.hpp).
void read_tlsa_forms(Ctx& c, const std::vector<std::string>& texts, const YAML::Node& at, const std::string& ctx,
                     std::vector<TlsaForm>& out) {
  if (texts.empty()) {
    c.errors.add(at, ctx + " is empty; list the records to publish, e.g. [\"3 1 1\"], or remove tls:");
    return;
  }
  std::vector<TlsaForm> forms;
  for (const auto& t : texts) {
    std::string err;
    auto f = TlsaForm::parse(t, &err);
    if (!f) c.errors.add(at, ctx + ": " + err);
    else if (std::find(forms.begin(), forms.end(), *f) != forms.end())
      c.errors.add(at, ctx + ": " + t + " is listed twice");
    else forms.push_back(*f);
  }
  if (forms.size() == texts.size()) out = std::move(forms);
}

MailHostDecl read_host(Ctx& c, const YAML::Node& n, const std::string& ctx, uint16_t default_priority) {
  MailHostDecl d;
  d.loc = c.loc(n);
  d.priority = default_priority;
  MapReader m(n, c.errors, ctx);
  if (auto name = name_at(c, m, n, "name", ctx, true)) d.name = *name;
  if (auto p = m.get_int("priority", 0, 65535)) d.priority = static_cast<uint16_t>(*p);
  d.ipv4 = addresses(c, m, n, "ipv4", AF_INET, ctx);
  d.ipv6 = addresses(c, m, n, "ipv6", AF_INET6, ctx);
  read_section(c, m, ctx, "tls", [&](MapReader& tm, const YAML::Node& s, SourceLoc loc) {
    TlsDecl tls;
    tls.loc = loc;
    if (auto cert = tm.get_string("cert", true)) tls.cert = c.path(*cert);
    if (auto k = tm.get_string("key")) tls.key = c.path(*k);
    if (auto nk = tm.get_string("next_key")) tls.next_key = c.path(*nk);
    if (auto forms = tm.get_string_list("tlsa")) read_tlsa_forms(c, *forms, s["tlsa"], ctx + ".tls.tlsa", tls.tlsa);
    d.tls = tls;
  });
  m.finish();
  return d;
}

// Calls f for each item of an optional list; anything else but a list is
// reported with the message not_a_list.
template <typename F>
void each_listed(Ctx& c, const YAML::Node& list, const std::string& not_a_list, F&& f) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    c.errors.add(list, not_a_list);
    return;
  }
  for (const auto& item : list) f(item);
}

// Each item of an optional list of mappings, with its context ("...[2]").
template <typename F>
void each(Ctx& c, const YAML::Node& list, const std::string& ctx, F&& f) {
  size_t i = 0;
  each_listed(c, list, ctx + " must be a list (lines starting with '- ')",
              [&](const YAML::Node& item) { f(item, ctx + "[" + std::to_string(i++) + "]"); });
}

// Keys that other parts of the program read from a mail domain (c.extra).
void read_extra_keys(Ctx& c, MapReader& m, const std::optional<DnsName>& domain) {
  for (const ExtraKey& x : c.extra) {
    const YAML::Node v = m.node(x.name);
    if (domain && v.IsDefined() && x.read) x.read(*domain, v);
  }
}

// The SOA contact may be written as an e-mail address: the first '@'
// becomes a label boundary, dots before it are escaped (RFC 1035 8).
std::string contact_as_name_text(const std::string& contact) {
  const auto at = contact.find('@');
  if (at == std::string::npos) return contact;
  std::string escaped;
  for (char ch : contact.substr(0, at)) escaped += (ch == '.' ? std::string("\\.") : std::string(1, ch));
  return escaped + "." + contact.substr(at + 1);
}

void read_soa(Ctx& c, MapReader& m, const std::string& ctx, MailDomainDecl& d) {
  d.soa_contact = *d.domain.prepend("hostmaster");
  read_section(c, m, ctx, "soa", [&](MapReader& sm, const YAML::Node& s, SourceLoc) {
    if (auto p = name_at(c, sm, s, "primary", ctx + ".soa", false)) d.soa_primary = *p;
    if (auto ct = sm.get_string("contact")) {
      std::string err;
      if (auto cn = DnsName::from_text(contact_as_name_text(*ct), &err)) d.soa_contact = *cn;
      else c.errors.add(s["contact"], ctx + ".soa.contact: " + err + "; write hostmaster.example.org");
    }
  });
}

// Name servers, and mail hosts whose priority defaults to 10 more than the
// one before (10 for the first).
void read_servers(Ctx& c, MapReader& m, const std::string& ctx, MailDomainDecl& d) {
  each(c, m.node("nameservers"), ctx + ".nameservers",
       [&](const YAML::Node& item, const std::string& ictx) { d.nameservers.push_back(read_ns(c, item, ictx)); });
  uint16_t prio = 10;
  each(c, m.node("mail_hosts"), ctx + ".mail_hosts", [&](const YAML::Node& item, const std::string& ictx) {
    d.mail_hosts.push_back(read_host(c, item, ictx, prio));
    prio = static_cast<uint16_t>(d.mail_hosts.back().priority + 10);
  });
}

void read_date(Ctx& c, MapReader& km, const YAML::Node& item, const std::string& ictx, const char* key,
               int64_t& out) {
  if (auto v = km.get_string(key)) {
    if (auto t = parse_date_time(*v)) out = *t;
    else c.errors.add(item[key], ictx + "." + key + ": '" + *v +
                               "' is not a date; write YYYY-MM-DD (midnight UTC) or an RFC 3339 date-time such as "
                               "2026-12-01T09:30:00Z");
  }
}

// A provider's public key is pasted as base64 (only base64 characters, at
// least 40 of them: an RSA key is hundreds), anything else is a file path.
bool looks_like_base64(const std::string& v) {
  size_t n = 0;
  for (unsigned char ch : v) {
    if (std::isspace(ch)) continue;
    if (!std::isalnum(ch) && ch != '+' && ch != '/' && ch != '=') return false;
    ++n;
  }
  return n >= 40;
}

std::optional<DkimSource> read_public_key(Ctx& c, const YAML::Node& at, const std::string& ctx, const std::string& v) {
  if (v.find("p=") != std::string::npos) {
    c.errors.add(at, ctx + ": write only the key, the value after p= (MIIB... for RSA), not the whole record");
    return std::nullopt;
  }
  if (!looks_like_base64(v)) return DkimPublicKeyFile{c.path(v)};
  std::string err;
  auto key = parse_dkim_public_key(v, &err);
  if (!key) {
    c.errors.add(at, ctx + ": " + err + "; paste the p= value the provider shows (for RSA it starts with MIIB or "
                                       "MIGf), or give the path of a PEM file with the key");
    return std::nullopt;
  }
  return *key;
}

// Exactly one of key, public_key, cname (synth/dkim_source.hpp).
void read_dkim_source(Ctx& c, MapReader& km, const YAML::Node& item, const std::string& ictx, DkimDecl& k) {
  static const char* const kSources[] = {"key", "public_key", "cname"};
  if (!km.ok()) return;  // already reported: not a mapping
  std::vector<std::string> given;
  for (const char* key : kSources)
    if (km.has(key)) given.push_back(key);
  if (given.size() != 1) {
    for (const char* key : kSources) km.node(key);
    const std::string what =
        given.empty() ? ": selector " + k.selector + " needs one of key:, public_key:, cname:"
                      : ": selector " + k.selector + " has both " + given[0] + ": and " + given[1] +
                            ":, but a selector publishes one record: keep one";
    c.errors.add(given.size() > 1 ? item[given[1]] : item,
                 ictx + what + " (key: the private key file your MTA signs with; public_key: the key a provider "
                               "gave you to publish; cname: the name a provider hosts the key at)");
    return;
  }
  if (given[0] == "key") {
    if (auto f = km.get_string("key")) k.source = DkimPrivateKeyFile{c.path(*f)};
  } else if (given[0] == "public_key") {
    if (auto v = km.get_string("public_key"))
      if (auto src = read_public_key(c, item["public_key"], ictx + ".public_key", *v)) k.source = *src;
  } else if (auto t = name_at(c, km, item, "cname", ictx, true)) {
    k.source = DkimCname{*t};
  }
}

DkimDecl read_dkim(Ctx& c, const YAML::Node& item, const std::string& ictx) {
  DkimDecl k;
  k.loc = c.loc(item);
  MapReader km(item, c.errors, ictx);
  if (auto s = km.get_string("selector", true)) k.selector = *s;
  read_dkim_source(c, km, item, ictx, k);
  if (auto st = km.get_enum("state", {"published", "active", "retiring", "retired"}))
    k.state = *st == "published" ? DkimState::kPublished
              : *st == "active"  ? DkimState::kActive
              : *st == "retiring" ? DkimState::kRetiring
                                  : DkimState::kRetired;
  read_date(c, km, item, ictx, "until", k.until);
  read_date(c, km, item, ictx, "publish_at", k.publish_at);
  read_date(c, km, item, ictx, "active_at", k.active_at);
  read_date(c, km, item, ictx, "retire_at", k.retire_at);
  read_date(c, km, item, ictx, "remove_at", k.remove_at);
  if (auto r = km.get_bool("revoke")) k.revoke = *r;
  if (k.state && (k.publish_at || k.active_at || k.retire_at || k.remove_at))
    c.errors.add(item, ictx + ": give either state: or the dates (publish_at, active_at, retire_at, remove_at), not both");
  km.finish();
  return k;
}

SpfDecl read_spf(MapReader& sm, SourceLoc loc) {
  SpfDecl x;
  x.loc = loc;
  if (auto v = sm.get_string_list("mechanisms")) x.mechanisms = *v;
  if (auto v = sm.get_string_list("include")) x.include = *v;
  if (auto v = sm.get_string_list("ip4")) x.ip4 = *v;
  if (auto v = sm.get_string_list("ip6")) x.ip6 = *v;
  if (auto v = sm.get_enum("all", {"fail", "softfail", "neutral", "pass"})) x.all = *v;
  if (auto v = sm.get_string("ra")) x.ra = *v;
  return x;
}

DmarcDecl read_dmarc(MapReader& sm, SourceLoc loc) {
  DmarcDecl x;
  x.loc = loc;
  if (auto v = sm.get_enum("policy", {"none", "quarantine", "reject"})) x.policy = *v;
  if (auto v = sm.get_string_list("rua")) x.rua = *v;
  if (auto v = sm.get_string_list("ruf")) x.ruf = *v;
  if (auto v = sm.get_enum("adkim", {"relaxed", "strict"})) x.adkim = *v;
  if (auto v = sm.get_enum("aspf", {"relaxed", "strict"})) x.aspf = *v;
  if (auto v = sm.get_enum("subdomain_policy", {"none", "quarantine", "reject"})) x.subdomain_policy = *v;
  if (auto v = sm.get_int("pct", 0, 100)) x.pct = static_cast<int>(*v);
  return x;
}

MtaStsDecl read_mta_sts(Ctx& c, MapReader& sm, const YAML::Node& s, SourceLoc loc, const std::string& ctx) {
  MtaStsDecl x;
  x.loc = loc;
  if (auto v = sm.get_enum("mode", {"enforce", "testing", "none"})) x.mode = *v;
  if (auto v = sm.get_int("max_age", 0, 4294967295LL)) x.max_age = static_cast<uint32_t>(*v);
  if (auto h = name_at(c, sm, s, "host", ctx + ".mta_sts", false)) x.host = *h;
  if (auto v = sm.get_string("policy_dir")) x.policy_dir = c.path(*v);
  return x;
}

// Read over the defaults (which the lint and the records rely on).
void read_client_services(MapReader& sm, SourceLoc loc, ClientServicesDecl& x) {
  x.loc = loc;
  if (auto v = sm.get_bool("imap")) x.imap = *v;
  if (auto v = sm.get_bool("pop3")) x.pop3 = *v;
  if (auto v = sm.get_bool("submission")) x.submission = *v;
  if (auto v = sm.get_bool("autoconfig")) x.autoconfig = *v;
}

CaaDecl read_caa(MapReader& sm, SourceLoc loc) {
  CaaDecl x;
  x.loc = loc;
  if (auto v = sm.get_string_list("issue")) x.issue = *v;
  if (auto v = sm.get_string_list("issuewild")) x.issuewild = *v;
  if (auto v = sm.get_string("iodef")) x.iodef = *v;
  return x;
}

BimiDecl read_bimi(MapReader& sm, SourceLoc loc) {
  BimiDecl x;
  x.loc = loc;
  if (auto v = sm.get_string("logo", true)) x.logo = *v;
  if (auto v = sm.get_string("authority")) x.authority = *v;
  return x;
}

// The optional sub-mappings of the mail policies: spf, dmarc, mta_sts,
// tls_rpt, client_services, caa, bimi.
void read_policies(Ctx& c, MapReader& m, const std::string& ctx, MailDomainDecl& d) {
  read_section(c, m, ctx, "spf", [&](MapReader& sm, const YAML::Node&, SourceLoc loc) { d.spf = read_spf(sm, loc); });
  read_section(c, m, ctx, "dmarc",
               [&](MapReader& sm, const YAML::Node&, SourceLoc loc) { d.dmarc = read_dmarc(sm, loc); });
  read_section(c, m, ctx, "mta_sts", [&](MapReader& sm, const YAML::Node& s, SourceLoc loc) {
    d.mta_sts = read_mta_sts(c, sm, s, loc, ctx);
  });
  read_section(c, m, ctx, "tls_rpt", [&](MapReader& sm, const YAML::Node&, SourceLoc loc) {
    TlsRptDecl x;
    x.loc = loc;
    if (auto v = sm.get_string_list("rua")) x.rua = *v;
    d.tls_rpt = x;
  });
  d.client_services.loc = d.loc;
  read_section(c, m, ctx, "client_services", [&](MapReader& sm, const YAML::Node&, SourceLoc loc) {
    read_client_services(sm, loc, d.client_services);
  });
  read_section(c, m, ctx, "caa", [&](MapReader& sm, const YAML::Node&, SourceLoc loc) { d.caa = read_caa(sm, loc); });
  read_section(c, m, ctx, "bimi",
               [&](MapReader& sm, const YAML::Node&, SourceLoc loc) { d.bimi = read_bimi(sm, loc); });
}

// accept_reports_for: domains whose DMARC reports this one takes (RFC 7489
// 7.1); records: extra zone-file lines, one per quoted item.
void read_extra_lists(Ctx& c, MapReader& m, const std::string& ctx, MailDomainDecl& d) {
  each_listed(c, m.node("accept_reports_for"),
              ctx + ".accept_reports_for must be a list of domains like [customer.example]",
              [&](const YAML::Node& item) { d.accept_reports_for.push_back({item.Scalar(), c.loc(item)}); });
  each_listed(c, m.node("records"),
              ctx + ".records must be a list of zone-file lines like \"www 3600 IN A 192.0.2.80\"",
              [&](const YAML::Node& item) {
                if (!item.IsScalar()) {
                  c.errors.add(item, ctx + ".records: each item is one zone-file line in quotes");
                  return;
                }
                d.records.push_back({item.Scalar(), c.loc(item)});
              });
}

MailDomainDecl read_domain(Ctx& c, const YAML::Node& n, const std::string& ctx0) {
  MailDomainDecl d;
  d.loc = c.loc(n);
  MapReader m(n, c.errors, ctx0);
  std::string ctx = ctx0;
  const auto name = name_at(c, m, n, "domain", ctx, true);
  if (name) {
    d.domain = *name;
    ctx = d.domain.to_text();
    ctx.pop_back();
    m.set_context(ctx);
  }
  read_extra_keys(c, m, name);
  d.ttl_loc = c.loc(n);
  if (m.has("ttl")) d.ttl_loc = c.loc(n["ttl"]);
  if (auto t = m.get_int("ttl", 0, 2147483647)) d.ttl = static_cast<uint32_t>(*t);
  if (auto p = m.get_bool("parked")) d.parked = *p;
  read_soa(c, m, ctx, d);
  read_servers(c, m, ctx, d);
  each(c, m.node("dkim"), ctx + ".dkim",
       [&](const YAML::Node& item, const std::string& ictx) { d.dkim.push_back(read_dkim(c, item, ictx)); });
  read_policies(c, m, ctx, d);
  read_extra_lists(c, m, ctx, d);
  m.finish();
  return d;
}

}  // namespace

std::vector<MailDomainDecl> read_mail_domains(const YAML::Node& list, YamlErrors& errors,
                                              const std::string& base_dir, std::span<const ExtraKey> extra) {
  Ctx c{errors, base_dir, extra};
  std::vector<MailDomainDecl> out;
  each(c, list, "mail_domains",
       [&](const YAML::Node& item, const std::string& ctx) { out.push_back(read_domain(c, item, ctx)); });
  return out;
}

std::vector<ReverseZoneDecl> read_reverse_zones(const YAML::Node& list, YamlErrors& errors) {
  std::vector<ReverseZoneDecl> out;
  if (!list.IsDefined() || list.IsNull()) return out;
  if (!list.IsSequence()) {
    errors.add(list, "reverse_zones must be a list like [2.0.192.in-addr.arpa]");
    return out;
  }
  for (const auto& item : list) {
    std::string err;
    auto n = item.IsScalar() ? zone::DnsName::from_text(item.Scalar(), &err) : std::nullopt;
    const SourceLoc loc{errors.file(), errors.line_of(item)};
    if (!n) {
      errors.add(item, "reverse_zones: " + (err.empty() ? std::string("expected a zone name") : err));
      continue;
    }
    const std::string t = n->to_text();
    if (t.size() < 14 || (t.substr(t.size() - 13) != "in-addr.arpa." && t.substr(t.size() - 9) != "ip6.arpa.")) {
      errors.add(item, "reverse_zones: " + t + " is not below in-addr.arpa or ip6.arpa");
      continue;
    }
    out.push_back({*n, loc});
  }
  return out;
}

}  // namespace mailns::synth

#include "server/cli/serve_status.hpp"

#include <map>

#include "dnssec/algorithm.hpp"
#include "dnssec/atomic_file.hpp"
#include "dnssec/key_state.hpp"
#include "dnssec/key_store.hpp"
#include "synth/dkim_lifecycle.hpp"
#include "zone/signature_expiry.hpp"

namespace mailns::server {

namespace {

std::string without_dot(std::string s) {
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

// The zone's keys as its key store's state file lists them (no key material
// is read); empty when it has none.
std::vector<KeyStatus> key_states(const DnssecSettings& settings, const zone::DnsName& origin) {
  std::vector<KeyStatus> out;
  const std::string path = settings.key_dir + "/" + dnssec::zone_directory_name(origin) + "/" + dnssec::kStateFileName;
  auto text = dnssec::read_file(path);
  if (!text) return out;
  auto keys = dnssec::parse_key_state(*text, path);
  if (!keys) return out;
  for (const dnssec::KeyEntry& k : keys->keys)
    out.push_back(KeyStatus{k.tag, std::string(dnssec::algorithm_config_word(k.algorithm)),
                            std::string(dnssec::role_name(k.role)), std::string(dnssec::state_name(k.state))});
  return out;
}

void add_dkim(const Config& cfg, const zone::DnsName& origin, int64_t now, ZoneStatus& z) {
  for (const auto& d : cfg.mail_domains)
    if (d.domain == origin)
      for (const auto& k : d.dkim) z.dkim.push_back({k.selector, synth::to_string(synth::dkim_state(k, now))});
}

// The earliest of every zone's re-signing and every DKIM date, and what it is.
void next_event(const ServeParts& p, int64_t now, StatusReport& r) {
  auto consider = [&](int64_t at, std::string what) {
    if (!r.next_event || at < *r.next_event) {
      r.next_event = at;
      r.next_event_what = std::move(what);
    }
  };
  for (const LoadedZone& z : p.resigner.zones())
    if (z.signing && z.signing->next_resign)
      consider(z.signing->next_resign, "re-sign " + without_dot(z.zone->origin().to_text()) +
                                           " (signature refresh or key rollover step)");
  for (const auto& d : p.reloader.config().mail_domains)
    for (const auto& k : d.dkim)
      if (auto at = synth::next_dkim_change(k, now))
        consider(*at, "DKIM selector " + k.selector + " of " + without_dot(d.domain.to_text()) + " becomes " +
                          synth::to_string(synth::dkim_state(k, *at)));
}

void secondaries(const ServeParts& p, StatusReport& r) {
  const NotifyStats notify = p.primary.notify_stats();
  const auto transfers = p.primary.last_transfers();
  for (const Secondary& s : p.reloader.config().transfer.secondaries) {
    SecondaryStatus st;
    st.address = s.address.to_string();
    if (auto it = notify.last.find(st.address); it != notify.last.end()) {
      st.last_notify = it->second.zone + " serial " + std::to_string(it->second.serial) + ": " + it->second.result;
      st.last_notify_at = it->second.at;
    }
    const std::string ip = IpAddress{s.address.v6, s.address.bytes}.to_string();
    if (auto it = transfers.find(ip); it != transfers.end()) {
      st.last_transfer = it->second.zone + " " + it->second.what + ": " + it->second.result;
      st.last_transfer_at = it->second.at;
    }
    r.secondaries.push_back(std::move(st));
  }
}

}  // namespace

StatusReport collect_status(const ServeParts& p, int64_t now) {
  StatusReport r;
  r.now = now;
  r.started = p.started;
  const Config& cfg = p.reloader.config();
  std::map<std::string, const LoadedZone*, std::less<>> loaded;
  for (const LoadedZone& z : p.resigner.zones()) loaded[std::string(z.zone->origin().lookup_form())] = &z;
  for (const auto& zp : p.snapshots.owner()->zones()) {
    ZoneStatus z;
    z.zone = without_dot(zp->origin().to_text());
    z.serial = zp->soa_serial();
    z.is_signed = zp->denial() != zone::Denial::kNone;
    z.rrsig_expiry = zone::earliest_signature_expiration(*zp);
    if (auto it = loaded.find(zp->origin().lookup_form()); it != loaded.end()) {
      z.source = it->second->source;
      z.last_good_version = it->second->last_good_version;
      if (it->second->signing) z.next_resign = it->second->signing->next_resign;
    } else {
      z.source = "the catalog of the zones served here";
    }
    if (z.is_signed && cfg.dnssec_for(zp->origin()).enabled) z.keys = key_states(cfg.dnssec_for(zp->origin()), zp->origin());
    add_dkim(cfg, zp->origin(), now, z);
    r.zones.push_back(std::move(z));
  }
  next_event(p, now, r);
  if (p.last_reload) {
    const std::string text = p.last_reload->text();
    r.last_reload = text.substr(text.rfind('\n', text.size() - 2) + 1);
    if (!r.last_reload.empty() && r.last_reload.back() == '\n') r.last_reload.pop_back();
    r.last_reload_at = p.last_reload_at;
    r.last_reload_errors = p.last_reload->config_errors;
    for (const auto& z : p.last_reload->zones)
      for (const auto& e : z.errors) r.last_reload_errors.push_back(z.zone + ": " + e);
  }
  if (p.server) r.queries = p.server->totals();
  if (p.dnstap) {
    const DnstapTotals t = p.dnstap->totals();
    r.dnstap = QueryLogStatus{t.sent, t.dropped};
  }
  secondaries(p, r);
  return r;
}

MetricsReport collect_metrics(const ServeParts& p, int64_t now) {
  MetricsReport m;
  m.status = collect_status(p, now);
  m.reloads = p.reloads;
  m.notify = p.primary.notify_stats().outcomes;
  m.transfers = p.primary.transfer_counts();
  return m;
}

}  // namespace mailns::server

#include "server/control/metrics.hpp"

#include <cstdio>

#include "zone/rcode_name.hpp"
#include "zone/response_rate_limiter.hpp"

namespace mailns::server {

namespace {

constexpr const char* kTransports[2] = {"udp", "tcp"};

// Label values: backslash, double quote and newline escaped.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

class Writer {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void sample(const char* name, const std::string& labels, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    out_ += std::string(name) + (labels.empty() ? "" : "{" + labels + "}") + " " + buf + "\n";
  }
  void sample(const char* name, const std::string& labels, uint64_t value) {
    out_ += std::string(name) + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(value) + "\n";
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

void queries(Writer& w, const NetTotals& q) {
  w.family("mailns_queries_total", "counter", "Queries answered, by transport and response RCODE.");
  for (int t = 0; t < 2; ++t)
    for (int r = 0; r < 16; ++r)
      if (q.answers[t][r] || r == 0)
        w.sample("mailns_queries_total", std::string("transport=\"") + kTransports[t] + "\",rcode=\"" +
                                             zone::rcode_name(r) + "\"", q.answers[t][r]);
  w.family("mailns_responses_truncated_total", "counter", "Responses sent with TC set, by transport.");
  for (int t = 0; t < 2; ++t)
    w.sample("mailns_responses_truncated_total", std::string("transport=\"") + kTransports[t] + "\"", q.truncated[t]);
  w.family("mailns_dropped_total", "counter", "Messages not answered, by reason.");
  w.sample("mailns_dropped_total", "reason=\"no_answer\"", q.udp_ignored);
  w.sample("mailns_dropped_total", "reason=\"send_failed\"", q.udp_send_failed);
  w.family("mailns_tcp_connections_total", "counter", "TCP connections, by outcome.");
  w.sample("mailns_tcp_connections_total", "outcome=\"accepted\"", q.tcp_accepted);
  w.sample("mailns_tcp_connections_total", "outcome=\"refused\"", q.tcp_refused);
  w.sample("mailns_tcp_connections_total", "outcome=\"per_address_refused\"", q.tcp_per_address_refused);
  w.sample("mailns_tcp_connections_total", "outcome=\"evicted\"", q.tcp_evicted);
  w.sample("mailns_tcp_connections_total", "outcome=\"idle_timeout\"", q.tcp_idle_timeout);
  w.sample("mailns_tcp_connections_total", "outcome=\"io_timeout\"", q.tcp_io_timeout);
  w.family("mailns_rate_limited_total", "counter",
           "UDP responses over server.rate_limit, by action (dropped, or slipped: sent empty with TC) and kind.");
  for (size_t k = 0; k < zone::kResponseKinds; ++k) {
    const std::string kind = std::string(",kind=\"") + zone::response_kind_name(static_cast<zone::ResponseKind>(k)) + "\"";
    w.sample("mailns_rate_limited_total", "action=\"dropped\"" + kind, q.rate_dropped[k]);
    w.sample("mailns_rate_limited_total", "action=\"slipped\"" + kind, q.rate_slipped[k]);
  }
}

void reloads(Writer& w, const ReloadCounters& r) {
  w.family("mailns_reloads_total", "counter", "Reloads, by result.");
  w.sample("mailns_reloads_total", "result=\"ok\"", r.ok);
  w.sample("mailns_reloads_total", "result=\"failed\"", r.failed);
  w.family("mailns_reload_duration_seconds", "histogram", "How long reloads took.");
  for (size_t i = 0; i < r.le.size(); ++i) {
    char le[32];
    std::snprintf(le, sizeof le, "%g", ReloadCounters::kBuckets[i]);
    w.sample("mailns_reload_duration_seconds_bucket", std::string("le=\"") + le + "\"", r.le[i]);
  }
  w.sample("mailns_reload_duration_seconds_bucket", "le=\"+Inf\"", r.ok + r.failed);
  w.sample("mailns_reload_duration_seconds_sum", "", r.seconds_sum);
  w.sample("mailns_reload_duration_seconds_count", "", r.ok + r.failed);
}

void zones(Writer& w, const StatusReport& s) {
  w.family("mailns_zones", "gauge", "Zones served.");
  w.sample("mailns_zones", "", static_cast<uint64_t>(s.zones.size()));
  w.family("mailns_zone_serial", "gauge", "SOA serial served, by zone.");
  for (const ZoneStatus& z : s.zones) w.sample("mailns_zone_serial", "zone=\"" + label(z.zone) + "\"", uint64_t{z.serial});
  w.family("mailns_zone_last_good_version", "gauge",
           "1 when the zone's declaration or files have errors and its last good version is served.");
  for (const ZoneStatus& z : s.zones)
    w.sample("mailns_zone_last_good_version", "zone=\"" + label(z.zone) + "\"", uint64_t{z.last_good_version});
  w.family("mailns_zone_rrsig_expiry_timestamp_seconds", "gauge", "When the zone's earliest signature expires.");
  for (const ZoneStatus& z : s.zones)
    if (z.rrsig_expiry)
      w.sample("mailns_zone_rrsig_expiry_timestamp_seconds", "zone=\"" + label(z.zone) + "\"",
               static_cast<double>(*z.rrsig_expiry));
  w.family("mailns_dnssec_keys", "gauge", "DNSSEC keys, by zone, role and state.");
  for (const ZoneStatus& z : s.zones) {
    std::map<std::pair<std::string, std::string>, uint64_t> n;
    for (const KeyStatus& k : z.keys) ++n[{k.role, k.state}];
    for (const auto& [rs, count] : n)
      w.sample("mailns_dnssec_keys",
               "zone=\"" + label(z.zone) + "\",role=\"" + label(rs.first) + "\",state=\"" + label(rs.second) + "\"",
               count);
  }
  w.family("mailns_dkim_selectors", "gauge", "DKIM selectors, by zone and state.");
  for (const ZoneStatus& z : s.zones) {
    std::map<std::string, uint64_t> n;
    for (const DkimSelectorStatus& d : z.dkim) ++n[d.state];
    for (const auto& [state, count] : n)
      w.sample("mailns_dkim_selectors", "zone=\"" + label(z.zone) + "\",state=\"" + label(state) + "\"", count);
  }
}

void pairs(Writer& w, const char* name, const char* help, const char* k1, const char* k2,
           const std::map<std::pair<std::string, std::string>, uint64_t>& m) {
  w.family(name, "counter", help);
  for (const auto& [k, v] : m)
    w.sample(name, std::string(k1) + "=\"" + label(k.first) + "\"," + k2 + "=\"" + label(k.second) + "\"", v);
}

}  // namespace

void ReloadCounters::add(bool failed_reload, double seconds) noexcept {
  (failed_reload ? failed : ok) += 1;
  seconds_sum += seconds;
  for (size_t i = 0; i < le.size(); ++i)
    if (seconds <= kBuckets[i]) ++le[i];
}

std::string prometheus_text(const MetricsReport& m) {
  Writer w;
  w.family("mailns_start_time_seconds", "gauge", "When the server started (Unix time).");
  w.sample("mailns_start_time_seconds", "", static_cast<double>(m.status.started));
  queries(w, m.status.queries);
  reloads(w, m.reloads);
  zones(w, m.status);
  pairs(w, "mailns_notify_total", "NOTIFY outcomes, by secondary and result.", "secondary", "result", m.notify);
  pairs(w, "mailns_transfers_total", "Zone transfer requests, by type and result.", "type", "result", m.transfers);
  return w.take();
}

}  // namespace mailns::server

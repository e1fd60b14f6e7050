#include "server/control/status_report.hpp"

#include <ctime>

#include "server/logging.hpp"
#include "zone/rcode_name.hpp"

namespace mailns::server {

namespace {

constexpr const char* kTransportNames[2] = {"udp", "tcp"};


std::string duration(int64_t s) {
  const int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
  return (d ? std::to_string(d) + "d " : "") + std::to_string(h) + "h " + std::to_string(m) + "m " +
         std::to_string(s % 60) + "s";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string json_time(const std::optional<int64_t>& t) { return t ? std::to_string(*t) : "null"; }

void text_zone(std::string& out, const ZoneStatus& z) {
  out += "  " + z.zone + ": serial " + std::to_string(z.serial) + (z.is_signed ? ", signed" : ", unsigned");
  if (z.rrsig_expiry) out += ", signatures expire " + utc_text(*z.rrsig_expiry);
  if (z.next_resign) out += ", next re-sign " + utc_text(*z.next_resign);
  out += "\n";
  if (!z.source.empty()) out += "    from " + z.source + "\n";
  if (z.last_good_version)
    out += "    its configuration or files have errors (see the log or `mailns check-config`): "
           "the last good version is served\n";
  for (const KeyStatus& k : z.keys)
    out += "    key " + std::to_string(k.tag) + " " + k.role + " " + k.algorithm + ": " + k.state + "\n";
  for (const DkimSelectorStatus& d : z.dkim) out += "    dkim " + d.selector + ": " + d.state + "\n";
}

void text_queries(std::string& out, const NetTotals& q) {
  for (int t = 0; t < 2; ++t) {
    out += std::string("  ") + kTransportNames[t] + ": " +
           std::to_string(q.answered(static_cast<NetTotals::Transport>(t))) + " answered";
    for (int r = 0; r < 16; ++r)
      if (q.answers[t][r]) out += std::string(", ") + zone::rcode_name(r) + " " + std::to_string(q.answers[t][r]);
    out += ", " + std::to_string(q.truncated[t]) + " truncated\n";
  }
  out += "  udp " + std::to_string(q.udp_ignored) + " dropped, " + std::to_string(q.udp_send_failed) +
         " send failures; tcp " + std::to_string(q.tcp_accepted) + " connections, " + std::to_string(q.tcp_refused) +
         " refused, " + std::to_string(q.tcp_per_address_refused) + " over the per-address limit, " +
         std::to_string(q.tcp_evicted) + " idle evicted, " + std::to_string(q.tcp_idle_timeout) + " idle timeouts, " +
         std::to_string(q.tcp_io_timeout) + " I/O timeouts\n";
  uint64_t dropped = 0, slipped = 0;
  for (size_t k = 0; k < 6; ++k) {
    dropped += q.rate_dropped[k];
    slipped += q.rate_slipped[k];
  }
  if (dropped + slipped)
    out += "  rate limit: " + std::to_string(dropped) + " responses dropped, " + std::to_string(slipped) +
           " slipped (sent empty with TC)\n";
}

std::string json_zone(const ZoneStatus& z) {
  std::string keys, dkim;
  for (const KeyStatus& k : z.keys)
    keys += std::string(keys.empty() ? "" : ",") + "{\"tag\":" + std::to_string(k.tag) +
            ",\"algorithm\":" + json_string(k.algorithm) + ",\"role\":" + json_string(k.role) +
            ",\"state\":" + json_string(k.state) + "}";
  for (const DkimSelectorStatus& d : z.dkim)
    dkim += std::string(dkim.empty() ? "" : ",") + "{\"selector\":" + json_string(d.selector) +
            ",\"state\":" + json_string(d.state) + "}";
  return "{\"zone\":" + json_string(z.zone) + ",\"serial\":" + std::to_string(z.serial) +
         ",\"signed\":" + (z.is_signed ? "true" : "false") + ",\"rrsig_expiry\":" + json_time(z.rrsig_expiry) +
         ",\"next_resign\":" + json_time(z.next_resign) + ",\"source\":" + json_string(z.source) +
         ",\"last_good_version\":" + (z.last_good_version ? "true" : "false") + ",\"keys\":[" +
         keys + "],\"dkim\":[" + dkim + "]}";
}

std::string json_queries(const NetTotals& q) {
  std::string out = "{";
  for (int t = 0; t < 2; ++t) {
    out += std::string(t ? "," : "") + "\"" + kTransportNames[t] + "\":{\"truncated\":" +
           std::to_string(q.truncated[t]) + ",\"rcode\":{";
    bool first = true;
    for (int r = 0; r < 16; ++r) {
      if (!q.answers[t][r]) continue;
      out += std::string(first ? "" : ",") + "\"" + zone::rcode_name(r) + "\":" + std::to_string(q.answers[t][r]);
      first = false;
    }
    out += "}}";
  }
  return out + ",\"udp_dropped\":" + std::to_string(q.udp_ignored) + ",\"udp_send_failed\":" +
         std::to_string(q.udp_send_failed) + ",\"tcp_connections\":" + std::to_string(q.tcp_accepted) +
         ",\"tcp_refused\":" + std::to_string(q.tcp_refused) + ",\"tcp_per_address_refused\":" +
         std::to_string(q.tcp_per_address_refused) + ",\"tcp_evicted\":" + std::to_string(q.tcp_evicted) +
         ",\"tcp_idle_timeout\":" + std::to_string(q.tcp_idle_timeout) + ",\"tcp_io_timeout\":" +
         std::to_string(q.tcp_io_timeout) + ",\"rate_limited\":" + std::to_string(q.rate_limited()) + "}";
}

std::string json_query_log(const std::optional<QueryLogStatus>& q) {
  if (!q) return "null";
  return "{\"sent\":" + std::to_string(q->sent) + ",\"dropped\":" + std::to_string(q->dropped) + "}";
}

std::string json_secondary(const SecondaryStatus& s) {
  return "{\"address\":" + json_string(s.address) + ",\"last_notify\":" + json_string(s.last_notify) +
         ",\"last_notify_at\":" + std::to_string(s.last_notify_at) + ",\"last_transfer\":" +
         json_string(s.last_transfer) + ",\"last_transfer_at\":" + std::to_string(s.last_transfer_at) + "}";
}

}  // namespace

std::string status_text(const StatusReport& r) {
  std::string out = "up " + duration(r.now - r.started) + " (since " + utc_text(r.started) + "), " +
                    std::to_string(r.zones.size()) + " zones\n";
  out += "next event: " + (r.next_event ? utc_text(*r.next_event) + ": " + r.next_event_what : std::string("none")) + "\n";
  out += "last reload: " + (r.last_reload.empty() ? std::string("none since the start")
                                                  : r.last_reload + " at " + utc_text(r.last_reload_at)) + "\n";
  for (const auto& e : r.last_reload_errors) out += "  error: " + e + "\n";
  out += "queries:\n";
  text_queries(out, r.queries);
  if (r.dnstap)
    out += "  dnstap: " + std::to_string(r.dnstap->sent) + " sent, " + std::to_string(r.dnstap->dropped) + " dropped\n";
  out += "zones:\n";
  for (const ZoneStatus& z : r.zones) text_zone(out, z);
  if (!r.secondaries.empty()) out += "secondaries:\n";
  for (const SecondaryStatus& s : r.secondaries) {
    out += "  " + s.address + ": last NOTIFY " +
           (s.last_notify.empty() ? std::string("none") : s.last_notify + " at " + utc_text(s.last_notify_at)) +
           "; last transfer " +
           (s.last_transfer.empty() ? std::string("none") : s.last_transfer + " at " + utc_text(s.last_transfer_at)) + "\n";
  }
  return out;
}

std::string status_json(const StatusReport& r) {
  std::string zones, secondaries, errors;
  for (const ZoneStatus& z : r.zones) zones += (zones.empty() ? "" : ",") + json_zone(z);
  for (const SecondaryStatus& s : r.secondaries) secondaries += (secondaries.empty() ? "" : ",") + json_secondary(s);
  for (const auto& e : r.last_reload_errors) errors += (errors.empty() ? "" : ",") + json_string(e);
  return "{\"now\":" + std::to_string(r.now) + ",\"started\":" + std::to_string(r.started) +
         ",\"uptime_seconds\":" + std::to_string(r.now - r.started) + ",\"next_event\":" + json_time(r.next_event) +
         ",\"next_event_what\":" + json_string(r.next_event_what) + ",\"last_reload\":" +
         json_string(r.last_reload) + ",\"last_reload_at\":" + std::to_string(r.last_reload_at) +
         ",\"last_reload_errors\":[" + errors + "],\"queries\":" + json_queries(r.queries) +
         ",\"dnstap\":" + json_query_log(r.dnstap) + ",\"zones\":[" + zones + "],\"secondaries\":[" + secondaries +
         "]}\n";
}

}  // namespace mailns::server

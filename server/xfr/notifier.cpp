#include "server/xfr/notifier.hpp"

#include <pthread.h>
#include <signal.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "server/logging.hpp"
#include "server/xfr/tsig.hpp"
#include "zone/rcode_name.hpp"
#include "zone/rr_type.hpp"
#include "zone/wire_reader.hpp"

namespace mailns::server {

namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

constexpr uint8_t kOpcodeNotify = 4;

udp::endpoint endpoint_of(const ListenAddress& a) {
  if (a.v6) {
    asio::ip::address_v6::bytes_type b;
    std::memcpy(b.data(), a.bytes.data(), 16);
    return udp::endpoint(asio::ip::address_v6(b), a.port);
  }
  asio::ip::address_v4::bytes_type b;
  std::memcpy(b.data(), a.bytes.data(), 4);
  return udp::endpoint(asio::ip::address_v4(b), a.port);
}

std::string zone_text(const zone::DnsName& n) { return n.to_text(); }

std::string rcode_text(uint16_t rcode) { return zone::rcode_name(rcode); }

// A key's name as operators write it in the configuration (no final dot).
std::string key_text(const zone::DnsName& n) {
  std::string t = n.to_text();
  if (t.size() > 1 && t.back() == '.') t.pop_back();
  return t;
}

constexpr uint16_t kRcodeNotImp = 4, kRcodeRefused = 5, kRcodeNotAuth = 9;

// A catalog consumer is told of a new member zone by NOTIFY of the member
// and of the catalog at once, and may answer the first before it has read
// the second: then nothing is wrong, and it transfers the zone when it adds it.
constexpr const char* kNotASecondaryAdvice =
    "configure the zone there with this server as its primary (a catalog consumer that has not added the zone yet "
    "transfers it when it does)";

std::string tsig_error_text(uint16_t e) {
  switch (e) {
    case tsig_error::kBadSig: return "BADSIG";
    case tsig_error::kBadKey: return "BADKEY";
    case tsig_error::kBadTime: return "BADTIME";
    case tsig_error::kBadTrunc: return "BADTRUNC";
    default: return std::to_string(e);
  }
}

std::string tsig_status_text(TsigStatus s) {
  switch (s) {
    case TsigStatus::kOk: return "ok";
    case TsigStatus::kBadKey: return "BADKEY: another key or algorithm";
    case TsigStatus::kBadSig: return "BADSIG: the MAC differs";
    case TsigStatus::kBadTrunc: return "BADTRUNC";
    case TsigStatus::kBadTime: return "BADTIME: its time is outside the fudge";
    case TsigStatus::kFormErr: return "malformed or without a MAC";
  }
  return "?";
}

// How an error answer to a signed NOTIFY was signed, for the log.
std::string signature_text(const TsigRecord& rec, std::optional<TsigStatus> check) {
  if (!check) return ", without TSIG";
  if (*check == TsigStatus::kOk) return ", signed";
  if (rec.mac.empty()) return ", unsigned";
  return ", its TSIG does not verify (" + tsig_status_text(*check) + ")";
}

// RFC 1996 4.7: an answer carries the question of its NOTIFY (origin SOA IN).
bool question_matches(std::span<const uint8_t> msg, const zone::DnsName& origin) {
  zone::WireReader r(msg);
  r.skip(4);
  const uint16_t qd = r.u16();
  r.skip(6);
  zone::NameBuf name;
  r.name(name);
  const uint16_t type = r.u16();
  const uint16_t klass = r.u16();
  if (!r.ok() || qd != 1 || type != zone::rrtype::SOA || klass != zone::rrclass::IN) return false;
  uint8_t lf[zone::kMaxNameWire];
  const size_t n = zone::make_lookup_form(name.wire, name.len, lf);
  return std::string_view(reinterpret_cast<const char*>(lf), n) == origin.lookup_form();
}

}  // namespace

struct Notifier::Impl {
  struct Pending {
    size_t secondary;  // index into secondaries
    zone::DnsName origin;
    uint32_t serial = 0;
    uint16_t id = 0;
    int tries = 0;
    Clock::time_point deadline{};
    std::vector<uint8_t> request_mac;  // to verify a signed answer
    // The last answer that was neither an acknowledgement nor final (a
    // BADTIME, an unsigned NOERROR): its result word and meaning.
    std::string result;
    std::string problem;
  };

  Impl(std::vector<Secondary> s, std::vector<TsigKey> k, std::chrono::milliseconds t)
      : secondaries(std::move(s)), keys(std::move(k)), first_timeout(t), timer(io), v4(io), v6(io),
        rng(std::random_device{}()) {}

  // --- io thread only below, except where noted ---

  void open_sockets() {
    error_code ec;
    v4.open(udp::v4(), ec);
    if (!ec) receive(v4, buf4, from4);
    error_code ec6;
    v6.open(udp::v6(), ec6);
    if (!ec6) {
      v6.set_option(asio::ip::v6_only(true), ec6);
      receive(v6, buf6, from6);
    }
  }

  void receive(udp::socket& s, std::array<uint8_t, 4096>& buf, udp::endpoint& from) {
    s.async_receive_from(asio::buffer(buf), from, [this, &s, &buf, &from](const error_code& ec, size_t n) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) on_answer(std::span<const uint8_t>(buf.data(), n), from);
      receive(s, buf, from);
    });
  }

  const TsigKey* key_for(const Secondary& s) const {
    if (!s.tsig) return nullptr;
    for (const TsigKey& k : keys)
      if (k.name == *s.tsig) return &k;
    return nullptr;
  }

  void record(const Pending& p, const std::string& result, std::string detail) {
    const std::string address = secondaries[p.secondary].address.to_string();
    stats.last[address] =
        NotifyOutcome{zone_text(p.origin), p.serial, std::move(detail), static_cast<int64_t>(std::time(nullptr))};
    ++stats.outcomes[{address, result}];
  }

  std::string describe(const Pending& p) const {
    const Secondary& s = secondaries[p.secondary];
    std::string d = "NOTIFY " + zone_text(p.origin) + " serial " + std::to_string(p.serial) + " to " +
                    s.address.to_string();
    if (s.tsig) d += " (key " + zone_text(*s.tsig) + ")";
    return d;
  }

  void add(size_t secondary, const zone::DnsName& origin, uint32_t serial) {
    const std::string key = std::to_string(secondary) + " " + std::string(origin.lookup_form());
    Pending p;
    p.secondary = secondary;
    p.origin = origin;
    p.serial = serial;
    pending[key] = std::move(p);
    send(pending[key]);
  }

  void send(Pending& p) {
    const Secondary& s = secondaries[p.secondary];
    p.id = static_cast<uint16_t>(rng());
    p.tries += 1;
    p.deadline = Clock::now() + first_timeout * (1 << (p.tries - 1));
    std::vector<uint8_t> msg(512);
    size_t n = 0;
    auto put16 = [&](uint16_t v) {
      msg[n++] = static_cast<uint8_t>(v >> 8);
      msg[n++] = static_cast<uint8_t>(v);
    };
    put16(p.id);
    put16(static_cast<uint16_t>(kOpcodeNotify << 11 | 0x0400));  // AA (RFC 1996 3.7)
    put16(1);
    put16(0);
    put16(0);
    put16(0);
    const auto w = p.origin.wire();
    std::memcpy(msg.data() + n, w.data(), w.size());
    n += w.size();
    put16(zone::rrtype::SOA);
    put16(zone::rrclass::IN);
    p.request_mac.clear();
    if (const TsigKey* k = key_for(s)) {
      TsigSigner signer(*k, {}, p.id);
      n = signer.sign(std::span<uint8_t>(msg), n, static_cast<uint64_t>(std::time(nullptr)));
      if (n == 0) {
        xfr_log().error("{}: cannot sign; not sent", describe(p));
        return;
      }
      p.request_mac.assign(signer.mac().begin(), signer.mac().end());
    }
    msg.resize(n);
    ++stats.sent;
    if (p.tries > 1) xfr_log().info("{}: no answer yet, try {} of {}", describe(p), p.tries, kMaxTries);
    // The timer and the published state first: the answer may be back
    // before send_to returns.
    arm();
    udp::socket& sock = s.address.v6 ? v6 : v4;
    error_code ec;
    sock.send_to(asio::buffer(msg), endpoint_of(s.address), 0, ec);
    if (ec) xfr_log().warn("{}: sending failed (try {} of {}): {}", describe(p), p.tries, kMaxTries, ec.message());
  }

  // What an answer that is not an acknowledgement says, and whether a
  // retry could change it.
  struct Refusal {
    const char* result;   // the word counted in NotifyStats::outcomes
    std::string meaning;  // "secondary 192.0.2.1:53 rejects our TSIG signature: ..."
    std::string advice;   // what the operator can do
    bool final = true;    // a retry cannot fix it
  };

  Refusal refusal(const Pending& p, uint16_t rcode, uint16_t tsig_err) const {
    const Secondary& s = secondaries[p.secondary];
    const std::string who = "secondary " + s.address.to_string();
    const std::string key = s.tsig ? key_text(*s.tsig) : std::string("(none)");
    const std::string zone = zone_text(p.origin);
    // RFC 8945 5.3.2: BADSIG and BADKEY come back unsigned, BADTIME signed,
    // all in a NOTAUTH answer; the TSIG error tells which.
    switch (tsig_err) {
      case tsig_error::kNoError: break;
      case tsig_error::kBadSig:
        return {"bad_signature", who + " rejects our TSIG signature: the secret of key " + key + " differs",
                "give the key the same secret on both sides", true};
      case tsig_error::kBadKey:
        return {"unknown_key", who + " does not know key " + key,
                "add key " + key + " to the secondary with the same algorithm and secret, or change its tsig here",
                true};
      case tsig_error::kBadTime:
        return {"bad_time", who + " rejects our TSIG time: the clocks differ by more than the fudge",
                "synchronise the clocks (NTP) of both hosts", false};
      default:
        return {"tsig_error",
                who + " rejects our TSIG with key " + key + " (TSIG error " + std::to_string(tsig_err) + ")",
                "check the key's algorithm and secret on both sides", true};
    }
    switch (rcode) {
      case kRcodeRefused:
        return {"refused",
                who + " refuses NOTIFY for " + zone +
                    " (REFUSED): it is not configured as a secondary of this zone, or does not allow NOTIFY from us",
                kNotASecondaryAdvice, true};
      case kRcodeNotAuth:
        return {"not_authoritative",
                who + " answers NOTAUTH for " + zone + ": it is not authoritative / not a secondary for the zone",
                kNotASecondaryAdvice, true};
      case kRcodeNotImp:
        return {"not_implemented", who + " does not implement NOTIFY (NOTIMP)",
                "remove it from secondaries, or let it poll on the SOA refresh", true};
      default:
        return {"rejected", who + " answers NOTIFY for " + zone + " with " + rcode_text(rcode),
                "check the secondary's configuration for this zone and its primary", true};
    }
  }

  void on_answer(std::span<const uint8_t> msg, const udp::endpoint& from) {
    if (msg.size() < 12) return;
    const uint16_t id = static_cast<uint16_t>(msg[0] << 8 | msg[1]);
    const uint16_t flags = static_cast<uint16_t>(msg[2] << 8 | msg[3]);
    if (!(flags & 0x8000) || ((flags >> 11) & 0xF) != kOpcodeNotify) return;
    for (auto it = pending.begin(); it != pending.end(); ++it) {
      Pending& p = it->second;
      const Secondary& s = secondaries[p.secondary];
      // RFC 1996 4.7: the answer's ID, source and question match the NOTIFY.
      // A spoofer must guess all three; only a verified TSIG proves the
      // answer, so nothing less is taken as an acknowledgement.
      if (p.id != id || endpoint_of(s.address) != from || !question_matches(msg, p.origin)) continue;
      const uint16_t rcode = flags & 0xF;
      TsigRecord rec;
      const TsigFind found = find_tsig(msg, rec);
      if (found == TsigFind::kMalformed) {
        note(p, "unverified", "answered with a malformed message; ignored");
        return;
      }
      const uint16_t tsig_err = found == TsigFind::kFound ? rec.error : tsig_error::kNoError;
      const TsigKey* k = key_for(s);
      std::optional<TsigStatus> check;  // set when we signed and the answer has a TSIG
      if (k && found == TsigFind::kFound)
        check = verify_tsig(msg, rec, std::span<const TsigKey>(k, 1), p.request_mac,
                            static_cast<int64_t>(std::time(nullptr)))
                    .status;
      const bool trusted = !k || (check && *check == TsigStatus::kOk);
      if (rcode == 0 && tsig_err == tsig_error::kNoError) {
        if (!trusted) {
          // Not an acknowledgement: anyone who saw the NOTIFY could send it.
          if (!check)
            note(p, "unverified",
                 "answered NOERROR without TSIG; not taken as an acknowledgement (the secondary must sign with " +
                     key_text(k->name) + ")");
          else
            note(p, "unverified",
                 "answered NOERROR with a TSIG that does not verify with key " + key_text(k->name) + " (" +
                     tsig_status_text(*check) + "); not taken as an acknowledgement");
          return;
        }
        ++stats.acknowledged;
        record(p, "acknowledged", "acknowledged");
        xfr_log().info("{}: acknowledged", describe(p));
        pending.erase(it);
        arm();
        return;
      }
      // An error. Unsigned (RFC 8945 5.3.2) or not, its ID, source and
      // question match: its meaning is logged, and stops the retries when
      // a retry cannot change it.
      Refusal r = refusal(p, rcode, tsig_err);
      const std::string what = rcode_text(rcode) + (found == TsigFind::kFound && tsig_err != tsig_error::kNoError
                                                        ? ", TSIG error " + tsig_error_text(tsig_err)
                                                        : std::string()) +
                               (k ? signature_text(rec, check) : std::string());
      if (!r.final) {
        if (p.result != r.result)
          xfr_log().warn("{} ({}: {}); will try again: {}", r.meaning, describe(p), what, r.advice);
        p.result = r.result;
        p.problem = r.meaning;
        return;
      }
      ++stats.rejected;
      record(p, r.result, r.meaning);
      xfr_log().warn("{} ({}: {}); not retried: {}", r.meaning, describe(p), what, r.advice);
      pending.erase(it);
      arm();
      return;
    }
  }

  // An answer that changes nothing yet: logged when it differs from the
  // last one for this NOTIFY, and named if the retries run out.
  void note(Pending& p, const char* result, const std::string& problem) {
    if (p.problem != problem) xfr_log().warn("{}: {}; trying again", describe(p), problem);
    p.result = result;
    p.problem = problem;
  }

  void arm() {
    publish_stats();
    std::optional<Clock::time_point> next;
    for (const auto& [k, p] : pending)
      if (!next || p.deadline < *next) next = p.deadline;
    if (!next) {
      timer.cancel();
      return;
    }
    timer.expires_at(*next);
    timer.async_wait([this](const error_code& ec) {
      if (ec == asio::error::operation_aborted) return;
      on_timer();
    });
  }

  void on_timer() {
    const auto now = Clock::now();
    for (auto it = pending.begin(); it != pending.end();) {
      Pending& p = it->second;
      if (p.deadline > now) {
        ++it;
        continue;
      }
      if (p.tries >= kMaxTries) {
        ++stats.gave_up;
        if (p.result.empty()) {
          record(p, "no_answer", "no answer after " + std::to_string(p.tries) + " tries");
          xfr_log().warn("{}: no answer after {} tries; giving up (is the secondary running and does it accept "
                         "NOTIFY from this address?)",
                         describe(p), p.tries);
        } else {
          record(p, p.result.c_str(), p.problem + " (" + std::to_string(p.tries) + " tries)");
          xfr_log().warn("{}: not acknowledged after {} tries; giving up: {}", describe(p), p.tries, p.problem);
        }
        it = pending.erase(it);
        continue;
      }
      send(p);
      ++it;
    }
    arm();
  }

  std::vector<Secondary> secondaries;
  std::vector<TsigKey> keys;
  std::chrono::milliseconds first_timeout;
  asio::io_context io{1};
  asio::steady_timer timer;
  udp::socket v4;
  udp::socket v6;
  std::array<uint8_t, 4096> buf4{}, buf6{};
  udp::endpoint from4, from6;
  std::map<std::string, Pending> pending;
  std::mt19937 rng;
  NotifyStats stats;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
  mutable std::mutex mu;  // guards the copies read by stats() and idle()
  NotifyStats stats_copy;
  bool idle_copy = true;

  void publish_stats() {
    std::lock_guard lock(mu);
    stats_copy = stats;
    idle_copy = pending.empty();
  }
};

Notifier::Notifier(std::vector<Secondary> secondaries, std::vector<TsigKey> keys, std::chrono::milliseconds t)
    : impl_(std::make_unique<Impl>(std::move(secondaries), std::move(keys), t)) {}

Notifier::~Notifier() { stop(); }

void Notifier::start() {
  if (impl_->thread.joinable()) return;
  impl_->guard.emplace(impl_->io.get_executor());
  asio::post(impl_->io, [impl = impl_.get()] { impl->open_sockets(); });
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  impl_->thread = std::thread([impl = impl_.get()] {
    pthread_setname_np(pthread_self(), "mailns-notify");
    for (;;) {
      try {
        impl->io.run();
        return;
      } catch (const std::exception& e) {
        xfr_log().error("notify: unexpected exception: {}; continuing", e.what());
      }
    }
  });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void Notifier::stop() noexcept {
  if (!impl_->thread.joinable()) return;
  impl_->guard.reset();
  impl_->io.stop();
  impl_->thread.join();
}

void Notifier::notify(std::vector<std::pair<zone::DnsName, uint32_t>> zones) {
  asio::post(impl_->io, [impl = impl_.get(), zones = std::move(zones)] {
    for (size_t s = 0; s < impl->secondaries.size(); ++s)
      for (const auto& [origin, serial] : zones) impl->add(s, origin, serial);
    impl->publish_stats();
  });
}

void Notifier::update(std::vector<Secondary> secondaries, std::vector<TsigKey> keys,
                      std::vector<std::pair<zone::DnsName, uint32_t>> zones) {
  asio::post(impl_->io, [impl = impl_.get(), s = std::move(secondaries), k = std::move(keys),
                         zones = std::move(zones)]() mutable {
    std::vector<size_t> added;
    for (size_t i = 0; i < s.size(); ++i) {
      bool known = false;
      for (const Secondary& old : impl->secondaries) known = known || old.address == s[i].address;
      if (!known) added.push_back(i);
    }
    // Waiting NOTIFYs follow their secondary by address, or are dropped.
    std::map<std::string, Impl::Pending> kept;
    for (auto& [key, p] : impl->pending) {
      const ListenAddress& addr = impl->secondaries[p.secondary].address;
      for (size_t i = 0; i < s.size(); ++i)
        if (s[i].address == addr) {
          p.secondary = i;
          kept[std::to_string(i) + " " + std::string(p.origin.lookup_form())] = std::move(p);
          break;
        }
    }
    impl->pending = std::move(kept);
    impl->secondaries = std::move(s);
    impl->keys = std::move(k);
    if (!added.empty() && !zones.empty())
      xfr_log().info("sending NOTIFY for {} zone{} to {} new secondar{}", zones.size(), zones.size() == 1 ? "" : "s",
                     added.size(), added.size() == 1 ? "y" : "ies");
    for (size_t i : added)
      for (const auto& [origin, serial] : zones) impl->add(i, origin, serial);
    impl->arm();
    impl->publish_stats();
  });
}

NotifyStats Notifier::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats_copy;
}

bool Notifier::idle() const {
  std::lock_guard lock(impl_->mu);
  return impl_->idle_copy;
}

}  // namespace mailns::server

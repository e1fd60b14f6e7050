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

  void record(const Pending& p, const char* result, std::string detail) {
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

  void on_answer(std::span<const uint8_t> msg, const udp::endpoint& from) {
    if (msg.size() < 12) return;
    const uint16_t id = static_cast<uint16_t>(msg[0] << 8 | msg[1]);
    const uint16_t flags = static_cast<uint16_t>(msg[2] << 8 | msg[3]);
    if (!(flags & 0x8000) || ((flags >> 11) & 0xF) != kOpcodeNotify) return;
    for (auto it = pending.begin(); it != pending.end(); ++it) {
      Pending& p = it->second;
      const Secondary& s = secondaries[p.secondary];
      if (p.id != id || endpoint_of(s.address) != from) continue;
      // RFC 1996 4.7 asks for a matching question; a spoofed answer would
      // also need the ID, and a signed one the key.
      const uint16_t rcode = flags & 0xF;
      if (const TsigKey* k = key_for(s)) {
        TsigRecord rec;
        const TsigFind f = find_tsig(msg, rec);
        if (f != TsigFind::kFound) {
          // Not an acknowledgement (anyone could send it); a secondary
          // that does not serve the zone yet (a catalog member still being
          // provisioned) answers so, and may accept the next try.
          xfr_log().warn("{}: answered {} without TSIG; not taken as an answer (the secondary must sign with {}), "
                         "trying again",
                         describe(p), rcode_text(rcode), zone_text(k->name));
          return;
        }
        const TsigCheck c = verify_tsig(msg, rec, std::span<const TsigKey>(k, 1), p.request_mac,
                                        static_cast<int64_t>(std::time(nullptr)));
        if (c.status != TsigStatus::kOk) {
          xfr_log().warn("{}: answer with a bad TSIG ignored (TSIG error {})", describe(p), c.error_code());
          return;
        }
      }
      if (rcode == 0) {
        ++stats.acknowledged;
        record(p, "acknowledged", "acknowledged");
        xfr_log().info("{}: acknowledged", describe(p));
      } else {
        ++stats.rejected;
        record(p, "rejected", std::string("answered ") + rcode_text(rcode));
        xfr_log().warn("{}: answered {}; check the secondary's configuration for this zone and its primary",
                       describe(p), rcode_text(rcode));
      }
      pending.erase(it);
      arm();
      return;
    }
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
        record(p, "no_answer", "no answer after " + std::to_string(p.tries) + " tries");
        xfr_log().warn("{}: no answer after {} tries; giving up (is the secondary running and does it accept "
                       "NOTIFY from this address?)",
                       describe(p), p.tries);
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

void Notifier::update(std::vector<Secondary> secondaries, std::vector<TsigKey> keys) {
  asio::post(impl_->io, [impl = impl_.get(), s = std::move(secondaries), k = std::move(keys)]() mutable {
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

// mailns tlsa status -c FILE: for every mail host with tls: that publishes
// 3 1 1 (the default tlsa: form), the TLSA 3 1 1
// records the running server publishes (asked over DNS at the first listen
// address) and which file each one matches: the certificate, the declared
// next key, or none (a stale record, or a certificate DANE clients do not
// know yet).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "server/cli/cli_options.hpp"
#include "server/cli/commands.hpp"
#include "server/config/config.hpp"
#include "synth/key_material.hpp"
#include "zone/rr_type.hpp"
#include "zone/wire_reader.hpp"

namespace mailns::server {

namespace {

// TLSA 3 1 1 digests at name, asked of the server at addr; nullopt when it does not answer.
std::optional<std::vector<std::string>> ask_tlsa(const ListenAddress& addr, const zone::DnsName& name) {
  std::vector<uint8_t> q = {0x4d, 0x4e, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  q.insert(q.end(), name.wire().begin(), name.wire().end());
  q.insert(q.end(), {0, zone::rrtype::TLSA, 0, 1});
  const int fd = socket(addr.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return std::nullopt;
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (addr.v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(addr.port);
    std::copy(addr.bytes.begin(), addr.bytes.end(), a->sin6_addr.s6_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(addr.port);
    std::copy(addr.bytes.begin(), addr.bytes.begin() + 4, reinterpret_cast<uint8_t*>(&a->sin_addr));
    len = sizeof *a;
  }
  std::vector<uint8_t> buf(65535);
  ssize_t n = -1;
  if (sendto(fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) == static_cast<ssize_t>(q.size()))
    n = recv(fd, buf.data(), buf.size(), 0);
  close(fd);
  if (n < 12) return std::nullopt;
  zone::WireReader r({buf.data(), static_cast<size_t>(n)});
  r.skip(6);
  const uint16_t an = r.u16();
  r.skip(4);
  zone::NameBuf nb;
  r.name(nb);
  r.skip(4);
  std::vector<std::string> out;
  for (uint16_t i = 0; i < an && r.ok(); ++i) {
    r.name(nb);
    const uint16_t type = r.u16();
    r.skip(6);
    const uint16_t rdlen = r.u16();
    const auto rd = r.bytes(rdlen);
    if (type == zone::rrtype::TLSA && rd.size() == 35 && rd[0] == 3 && rd[1] == 1 && rd[2] == 1)
      out.push_back(synth::to_hex(std::vector<uint8_t>(rd.begin() + 3, rd.end())));
  }
  if (!r.ok()) return std::nullopt;
  return out;
}

}  // namespace

int run_tlsa_status(std::span<const std::string_view> args) {
  std::string usage;
  auto opts = parse_cli_options(args, /*allow_listen=*/false, &usage);
  if (!opts) return usage_error("tlsa status", usage);
  if (opts->help) {
    std::fputs(usage_text(), stdout);
    return kExitOk;
  }
  ConfigResult cfg = load_config(opts->config);
  if (!cfg.config) {
    for (const auto& e : cfg.errors) std::fprintf(stderr, "%s\n", e.c_str());
    return kExitFailure;
  }
  const ListenAddress& server = cfg.config->server.listen.front();
  bool broken = false;
  for (const auto& d : cfg.config->mail_domains)
    for (const auto& h : d.mail_hosts) {
      if (!h.tls || !h.tls->publishes(synth::TlsaForm::dane_ee_spki_sha256())) continue;  // tlsa: without 3 1 1
      std::string err;
      auto cert = synth::load_certificate(h.tls->cert, &err);
      const std::string cert_hex = cert ? synth::to_hex(cert->spki_sha256) : "";
      std::string next_hex;
      if (!h.tls->next_key.empty())
        if (auto k = synth::load_key_spki_sha256(h.tls->next_key, &err)) next_hex = synth::to_hex(*k);
      const auto owner = h.name.prepend("_tcp")->prepend("_25");
      std::printf("%s\n", owner->to_text().c_str());
      std::printf("  certificate %s: %s\n", h.tls->cert.c_str(), cert ? cert_hex.c_str() : err.c_str());
      if (!h.tls->next_key.empty())
        std::printf("  next key    %s: %s\n", h.tls->next_key.c_str(), next_hex.empty() ? err.c_str() : next_hex.c_str());
      auto published = ask_tlsa(server, *owner);
      if (!published) {
        std::printf("  (no answer from the server at %s: is it running?)\n", server.to_string().c_str());
        continue;
      }
      bool cert_published = false;
      for (const auto& p : *published) {
        const char* what = p == cert_hex ? "matches the certificate" : p == next_hex ? "matches the next key" : "matches no file";
        cert_published |= p == cert_hex;
        std::printf("  published 3 1 1 %s  %s\n", p.c_str(), what);
      }
      if (cert && !cert_published) {
        broken = true;
        std::printf("  DANE IS BROKEN: the certificate's key is not published (reload the server)\n");
      }
    }
  return broken ? kExitFailure : kExitOk;
}

}  // namespace mailns::server

#include "synth/tlsa_lint.hpp"

#include <algorithm>
#include <ctime>

namespace mailns::synth {

namespace {

constexpr int64_t kYear = 31556952;  // seconds in a Gregorian year
constexpr int64_t kShortLivedIssuer = 5 * kYear;

std::string text(const zone::DnsName& n) {
  std::string s = n.to_text();
  if (s.size() > 1) s.pop_back();
  return s;
}

std::string day(int64_t t) {
  const auto tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// The forms that pin the issuer (or all of them), "2 1 1, 2 0 1".
std::string forms_text(const std::vector<TlsaForm>& forms, bool only_issuer) {
  std::string s;
  for (const auto& f : forms)
    if (f.pins_issuer() || !only_issuer) s += (s.empty() ? "" : ", ") + f.text();
  return s;
}

bool has_spki_ee(const TlsDecl& tls) {
  return std::any_of(tls.tlsa.begin(), tls.tlsa.end(), [](const TlsaForm& f) {
    return f.usage() == TlsaForm::Usage::kDaneEe && f.selector() == TlsaForm::Selector::kPublicKey;
  });
}

struct TlsaLint {
  const MailDomainDecl& d;
  const MailHostDecl& h;
  Diagnostics& diags;

  void report(Diagnostic::Severity sev, const std::string& msg) {
    diags.push_back(
        {sev, h.tls->loc.line ? h.tls->loc : h.loc, text(d.domain), "mail host " + text(h.name) + ": " + msg});
  }

  void issuer_forms(const CertificateChain& chain) {
    const std::string forms = forms_text(h.tls->tlsa, true);
    if (forms.empty()) return;
    if (!chain.issuer) {
      report(Diagnostic::Severity::kError,
             "tlsa " + forms + " pins the CA certificate that issued the server's certificate, but " + h.tls->cert +
                 " holds " + std::to_string(chain.size) + " certificate" + (chain.size == 1 ? "" : "s") +
                 " and none after the leaf issued it: point tls.cert at the full chain the mail server sends "
                 "(the leaf first, then its issuer: certbot's fullchain.pem), or publish 3 1 1 instead");
      return;
    }
    const auto why = why_issuer_changes(*chain.issuer);
    // A 3 1 x record with the next key published ahead still matches after a change of CA key.
    if (!why || (has_spki_ee(*h.tls) && !h.tls->next_key.empty())) return;
    report(Diagnostic::Severity::kWarning,
           "tlsa " + forms + " pins the key of the CA certificate " + chain.issuer->subject + "; " + *why +
               ": then no published record matches and senders that check DANE refuse the host until a new record "
               "is published and the old one has left their caches. Add \"3 1 1\" with next_key (and reuse or "
               "pre-announce the key at renewal), or pin a CA key that does not change (a root)");
  }

  void next_key_forms() {
    if (h.tls->next_key.empty() || has_spki_ee(*h.tls)) return;
    report(Diagnostic::Severity::kWarning,
           "tls.next_key is published only as 3 1 x records (the public key of the next certificate), and tlsa lists "
           "none (" + forms_text(h.tls->tlsa, false) +
               "), so it is not published: add \"3 1 1\" to tlsa or remove next_key");
  }
};

}  // namespace

std::optional<std::string> why_issuer_changes(const ChainCertificate& issuer) {
  if (issuer.organization == "Let's Encrypt")
    return std::string("Let's Encrypt issues each certificate from one of several intermediates picked at random "
                       "and replaces them every few years, so a renewal may come from another key");
  const int64_t life = issuer.not_after - issuer.not_before;
  if (!issuer.self_signed && life <= kShortLivedIssuer)
    return "this intermediate is valid for " + std::to_string((life + kYear / 2) / kYear) + " year" +
           ((life + kYear / 2) / kYear == 1 ? "" : "s") + " (until " + day(issuer.not_after) +
           "), and the CA issues renewals from a new intermediate by then";
  return std::nullopt;
}

void lint_tlsa(const MailDomainDecl& d, Diagnostics& diags) {
  if (d.parked) return;  // no TLSA
  for (const auto& h : d.mail_hosts) {
    if (!h.tls || !h.name.is_subdomain_of(d.domain)) continue;
    TlsaLint l{d, h, diags};
    l.next_key_forms();
    std::string err;
    if (auto chain = load_certificate_chain(h.tls->cert, &err)) l.issuer_forms(*chain);
    // else: the synthesizer already reported the file
  }
}

}  // namespace mailns::synth

#include "synth/mail_zone_set.hpp"

#include <set>

#include "synth/lint.hpp"

namespace mailns::synth {

namespace {
std::string text(const zone::DnsName& n) {
  std::string s = n.to_text();
  if (s.size() > 1) s.pop_back();
  return s;
}

void build_one(ZoneRecords& z, const SourceLoc& loc, MailZoneSet& out) {
  const std::string name = text(z.origin);
  for (const auto& w : z.warnings) out.diagnostics.push_back({Diagnostic::Severity::kWarning, loc, name, w});
  if (!z.error.empty()) {
    out.diagnostics.push_back({Diagnostic::Severity::kError, loc, name, z.error});
    out.failed_domains.push_back(name);
    return;
  }
  if (z.built) {
    out.zones.push_back(std::move(z.built));
    return;
  }
  zone::ZoneBuilder b(z.origin);
  for (auto& r : z.records) b.add(std::move(r));
  auto built = b.build();
  for (const auto& w : b.warnings()) out.diagnostics.push_back({Diagnostic::Severity::kWarning, loc, name, w});
  if (!built) {
    for (const auto& e : b.errors()) out.diagnostics.push_back({Diagnostic::Severity::kError, loc, name, e});
    out.failed_domains.push_back(name);
    return;
  }
  out.zones.push_back(std::move(built));
}
}  // namespace

MailZoneSet build_mail_zones(const std::vector<MailDomainDecl>& decls, const std::vector<ReverseZoneDecl>& reverse,
                             const SynthOptions& options, const BuildHooks& hooks) {
  MailZoneSet out;
  std::set<std::string> seen;
  for (const auto& d : decls)
    if (!seen.insert(std::string(d.domain.lookup_form())).second)
      out.diagnostics.push_back({Diagnostic::Severity::kError, d.loc, text(d.domain),
                                 "declared twice; merge the two mail_domains entries"});
  std::vector<SynthesizedZone> zones;
  zones.reserve(decls.size());
  for (const auto& d : decls) zones.push_back(synthesize_mail_domain(d, options, out.diagnostics));
  auto rev = synthesize_reverse_zones(reverse, decls, options, out.diagnostics);
  lint_mail_domains(decls, zones, out.diagnostics, options.now);

  // The zones without errors, in declaration order (domains, then reverse zones).
  std::vector<ZoneRecords> pending;
  std::vector<const SourceLoc*> locs;
  auto take = [&](SynthesizedZone& z, const SourceLoc& loc) {
    const std::string name = text(z.origin);
    if (has_errors(out.diagnostics, name)) {
      out.failed_domains.push_back(name);
      return;
    }
    pending.push_back(ZoneRecords{z.origin, std::move(z.records), {}, {}});
    locs.push_back(&loc);
  };
  for (size_t i = 0; i < zones.size(); ++i) {
    take(zones[i], decls[i].loc);
    if (!zones[i].mta_sts_policy.empty()) out.mta_sts_policies[text(zones[i].origin)] = zones[i].mta_sts_policy;
  }
  for (size_t i = 0; i < rev.size(); ++i) take(rev[i], reverse[i].loc);

  if (hooks.before_build && !pending.empty()) hooks.before_build(pending);
  for (size_t i = 0; i < pending.size(); ++i) build_one(pending[i], *locs[i], out);
  return out;
}

}  // namespace mailns::synth

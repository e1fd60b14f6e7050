// Google Benchmarks of the query hot path on the generated mail workload
// (../shared/tools/gen_zones.py): handle_query over the dnsperf mix, exact
// name lookup, and encoding of a planned answer. Figures only, no pass/fail.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "zone/handle_query.hpp"
#include "zone/query.hpp"
#include "zone/resolver.hpp"
#include "zone/response_encoder.hpp"
#include "zone/rr_type.hpp"
#include "zone/zone_file.hpp"

using namespace mailns::zone;

namespace {

struct Workload {
  std::string dir;
  std::shared_ptr<Snapshot> snapshot;
  std::vector<std::vector<uint8_t>> queries;
};

std::vector<uint8_t> make_query(const DnsName& name, uint16_t qtype, uint16_t id) {
  std::vector<uint8_t> p = {uint8_t(id >> 8), uint8_t(id), 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
  p.insert(p.end(), name.wire().begin(), name.wire().end());
  const uint8_t tail[] = {uint8_t(qtype >> 8), uint8_t(qtype), 0, 1, 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
  p.insert(p.end(), tail, tail + sizeof tail);
  return p;
}

const Workload& workload() {
  static Workload w = [] {
    std::string dir = std::getenv("MAILNS_BENCH_WORKLOAD") ? std::getenv("MAILNS_BENCH_WORKLOAD") : "";
    if (dir.empty()) {
      dir = "/tmp/mailns-bench-workload";
      const std::string cmd = "test -f " + dir + "/queries.txt || python3 " MAILNS_TOOLS_DIR "/gen_zones.py " + dir + " 1000";
      if (std::system(cmd.c_str()) != 0) {
        std::cerr << "cannot generate the workload (" << cmd << ")\n";
        std::exit(1);
      }
    }
    Workload w;
    w.dir = dir;
    std::vector<std::shared_ptr<const Zone>> zones;
    std::ifstream domains(dir + "/domains.txt");
    for (std::string d; std::getline(domains, d);) {
      auto res = load_zone_file(dir + "/zones/" + d + ".zone", *DnsName::from_text(d));
      if (!res.zone) {
        std::cerr << res.errors.front() << "\n";
        std::exit(1);
      }
      zones.push_back(res.zone);
    }
    w.snapshot = std::make_shared<Snapshot>(std::move(zones), AnswerOptions{});
    std::ifstream qf(dir + "/queries.txt");
    uint16_t id = 0;
    for (std::string line; std::getline(qf, line) && w.queries.size() < 20000;) {
      std::istringstream is(line);
      std::string name, type;
      is >> name >> type;
      w.queries.push_back(make_query(*DnsName::from_text(name), *type_from_text(type), ++id));
    }
    return w;
  }();
  return w;
}

void BM_HandleQueryMix(benchmark::State& state) {
  const auto& w = workload();
  std::vector<std::byte> out(65535);
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const auto& q = w.queries[i++ % w.queries.size()];
    bytes += handle_query(std::as_bytes(std::span(q)), out, *w.snapshot);
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HandleQueryMix);

void BM_ParseQuery(benchmark::State& state) {
  const auto& w = workload();
  size_t i = 0;
  Query q;
  for (auto _ : state) {
    const auto& p = w.queries[i++ % w.queries.size()];
    benchmark::DoNotOptimize(parse_query(p, q));
  }
}
BENCHMARK(BM_ParseQuery);

void BM_ResolveMix(benchmark::State& state) {
  const auto& w = workload();
  std::vector<Query> qs(2000);
  for (size_t i = 0; i < qs.size(); ++i) parse_query(w.queries[i], qs[i]);
  size_t i = 0;
  for (auto _ : state) {
    AnswerPlan plan;
    resolve(qs[i++ % qs.size()], *w.snapshot, plan);
    benchmark::DoNotOptimize(plan.counts[0]);
  }
}
BENCHMARK(BM_ResolveMix);

void BM_EncodeMx(benchmark::State& state) {
  const auto& w = workload();
  Query q;
  const auto p = make_query(*DnsName::from_text("mail1.test"), rrtype::MX, 1);
  parse_query(p, q);
  AnswerPlan plan;
  resolve(q, *w.snapshot, plan);
  std::vector<uint8_t> out(65535);
  for (auto _ : state) benchmark::DoNotOptimize(encode_response(q, plan, out, EncodeParams{1232, 1232}));
}
BENCHMARK(BM_EncodeMx);

void BM_ZoneFindExact(benchmark::State& state) {
  const auto& w = workload();
  const auto name = *DnsName::from_text("_25._tcp.mail.mail500.test");
  const Zone* z = w.snapshot->find_zone(name);
  const auto lf = name.lookup_form();
  for (auto _ : state)
    benchmark::DoNotOptimize(z->find(reinterpret_cast<const uint8_t*>(lf.data()), lf.size()));
}
BENCHMARK(BM_ZoneFindExact);

}  // namespace

BENCHMARK_MAIN();

// Publishing: the workload's snapshot built whole, and derived with one
// zone's new version (Snapshot::with_zones, what `mailns reload ZONE`
// publishes). MAILNS_BENCH_WORKLOAD=/path of gen_zones.py ... 100000 for
// the 100,000-zone figure.
void BM_SnapshotWholeBuild(benchmark::State& state) {
  const auto& w = workload();
  for (auto _ : state) {
    auto s = std::make_shared<Snapshot>(w.snapshot->zones(), AnswerOptions{});
    benchmark::DoNotOptimize(s);
  }
  state.counters["zones"] = static_cast<double>(w.snapshot->zones().size());
}
BENCHMARK(BM_SnapshotWholeBuild)->Unit(benchmark::kMillisecond);

void BM_SnapshotWithOneZone(benchmark::State& state) {
  const auto& w = workload();
  const auto& middle = w.snapshot->zones()[w.snapshot->zones().size() / 2];
  // Another version of the middle zone: loaded again, another object.
  const std::string name = middle->origin().to_text();
  const auto version =
      load_zone_file(w.dir + "/zones/" + name.substr(0, name.size() - 1) + ".zone", middle->origin()).zone;
  for (auto _ : state) {
    auto s = w.snapshot->with_zones({version});
    benchmark::DoNotOptimize(s);
  }
  state.counters["zones"] = static_cast<double>(w.snapshot->zones().size());
}
BENCHMARK(BM_SnapshotWithOneZone)->Unit(benchmark::kMillisecond);

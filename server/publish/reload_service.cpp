#include "server/publish/reload_service.hpp"

#include <pthread.h>
#include <signal.h>

#include <chrono>

#include "server/logging.hpp"

namespace mailns::server {

namespace {
// How often the thread looks at retired snapshots (and at the clock).
constexpr auto kTick = std::chrono::milliseconds(100);
// How long the start-up zones are archived between two looks at the
// requests (what a `mailns reload ZONE` may wait for).
constexpr auto kArchiveSlice = std::chrono::milliseconds(5);
}  // namespace

void block_reload_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ReloadService::ReloadService(Reloader& reloader, SnapshotHolder& snapshots)
    : reloader_(reloader), snapshots_(snapshots) {}

ReloadService::~ReloadService() { stop(); }

void ReloadService::start() {
  // Neither thread may take SIGINT/SIGTERM (the main thread's) nor SIGHUP
  // (sigwait'ed below).
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  if (next_event_) scheduled_ = next_event_(reloader_.now());
  thread_ = std::thread([this] { run(); });
  sighup_ = std::thread([this] { sighup_loop(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  std::lock_guard lock(mu_);
  running_ = true;  // call() may be used from now on (other threads never read thread_)
}

void ReloadService::stop() noexcept {
  {
    std::lock_guard lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (sighup_.joinable()) {
    pthread_kill(sighup_.native_handle(), SIGHUP);  // wakes sigwait; stop_ is set
    sighup_.join();
  }
  if (thread_.joinable()) thread_.join();
}

void ReloadService::sighup_loop() {
  pthread_setname_np(pthread_self(), "mailns-sighup");
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
    }
    server_log().info("received SIGHUP; reloading");
    request("SIGHUP");
  }
}

void ReloadService::request(std::string reason) {
  {
    std::lock_guard lock(mu_);
    reasons_.push_back(std::move(reason));
  }
  cv_.notify_all();
}

bool ReloadService::call(std::function<void()> fn) {
  std::future<void> done;
  {
    std::lock_guard lock(mu_);
    if (stop_ || !running_) return false;
    calls_.emplace_back(std::move(fn));
    done = calls_.back().get_future();
  }
  cv_.notify_all();
  try {
    done.get();
  } catch (const std::future_error&) {
    return false;  // the service stopped before running it
  }
  return true;
}

ReloadOutcome ReloadService::request_and_wait(std::string reason) {
  std::future<ReloadOutcome> f;
  {
    std::lock_guard lock(mu_);
    if (stop_) {
      ReloadOutcome o;
      o.config_errors.push_back("the server is shutting down");
      return o;
    }
    reasons_.push_back(std::move(reason));
    waiters_.emplace_back();
    f = waiters_.back().get_future();
  }
  cv_.notify_all();
  return f.get();
}

ReloadOutcome ReloadService::reload_zones_and_wait(std::vector<std::string> names) {
  ReloadOutcome out;
  const bool ran = call([&] {
    try {
      out = reloader_.reload_zones(names, "mailns reload ZONE");
    } catch (const std::exception& e) {
      // As a full reload: the served zones stay as they were.
      out.errors.push_back(std::string("reload failed: ") + e.what());
      server_log().error("reload (mailns reload ZONE): {}; still serving the last good state", e.what());
    }
    if (after_zone_reload_) after_zone_reload_(out);
  });
  if (!ran) out.config_errors.push_back("the server is shutting down");
  return out;
}

void ReloadService::run() {
  pthread_setname_np(pthread_self(), "mailns-reload");
  bool archived = false;  // the start-up zones, a batch per turn (Reloader::archive_start_up_zones)
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, archived ? kTick : std::chrono::milliseconds(0),
                 [this] { return stop_ || !reasons_.empty() || !calls_.empty(); });
    if (stop_) break;
    std::vector<std::packaged_task<void()>> calls = std::move(calls_);
    calls_.clear();
    std::vector<std::string> reasons = std::move(reasons_);
    std::vector<std::promise<ReloadOutcome>> waiters = std::move(waiters_);
    reasons_.clear();
    waiters_.clear();
    lock.unlock();
    for (auto& c : calls) c();  // an exception reaches the caller through its future

    const int64_t now = reloader_.now();
    if (scheduled_ && *scheduled_ <= now) reasons.push_back("scheduled date passed");
    if (!reasons.empty()) {
      std::string why;
      for (const auto& r : reasons)
        if (why.find(r) == std::string::npos) why += (why.empty() ? "" : ", ") + r;
      ReloadOutcome out;
      if (before_reload_) before_reload_(why);
      try {
        out = reloader_.reload(why);
      } catch (const std::exception& e) {
        // Start-up style code: exceptions are caught here, the old state stays.
        out.config_errors.push_back(std::string("reload failed: ") + e.what());
        server_log().error("reload ({}): {}; still serving the last good state", why, e.what());
      }
      if (next_event_) scheduled_ = next_event_(now);
      if (after_reload_) after_reload_(out);
      for (auto& w : waiters) w.set_value(out);
    }
    if (auto due = reloader_.next_due(); due && *due <= now) {
      try {
        reloader_.tick(now);
      } catch (const std::exception& e) {
        dnssec_log().error("re-signing: {}", e.what());
      }
    }
    if (housekeeping_) {
      try {
        housekeeping_(now);
      } catch (const std::exception& e) {
        server_log().error("periodic work: {}", e.what());
      }
    }
    if (!archived) {
      try {
        archived = reloader_.archive_start_up_zones(kArchiveSlice);
      } catch (const std::exception& e) {
        server_log().error("keeping the start-up zones: {}", e.what());
        archived = true;
      }
    }
    snapshots_.reclaim();
    lock.lock();
  }
  for (auto& w : waiters_) {
    ReloadOutcome o;
    o.config_errors.push_back("the server is shutting down");
    w.set_value(o);
  }
  waiters_.clear();
  calls_.clear();  // their callers see a broken promise: not run
}

}  // namespace mailns::server

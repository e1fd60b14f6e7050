// ReloadService: the one queue every reload trigger goes through (SIGHUP,
// `mailns reload` on the control socket, the file watcher, DKIM dates), and
// the one non-worker thread that runs the reloads and the re-signing
// (Reloader::tick) and reclaims retired snapshots. Requests that arrive
// while a reload runs are merged into the next one; every waiter gets the
// outcome of a reload that started after its request.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/publish/reloader.hpp"
#include "server/net/snapshot_holder.hpp"

namespace mailns::server {

class ReloadService {
 public:
  ReloadService(Reloader& reloader, SnapshotHolder& snapshots);
  ~ReloadService();
  ReloadService(const ReloadService&) = delete;
  ReloadService& operator=(const ReloadService&) = delete;

  // Starts the reload thread, and a thread that turns SIGHUP into a request
  // (the caller must have blocked SIGHUP before creating any thread, so that
  // only sigwait() sees it: block_reload_signal()).
  void start();
  void stop() noexcept;

  void request(std::string reason);
  // Runs fn on the reload thread, between reloads (so it sees the
  // reloader's state whole), and waits for it; false when the service is
  // not running.
  bool call(std::function<void()> fn);
  // Blocks until a reload that started after this call has finished.
  ReloadOutcome request_and_wait(std::string reason);
  // Reloads these zones only (Reloader::reload_zones) on the reload thread,
  // between reloads, and waits for it; then the after_zone_reload hook.
  ReloadOutcome reload_zones_and_wait(std::vector<std::string> names);
  // Called on the reload thread after each reload_zones_and_wait().
  void set_after_zone_reload(std::function<void(ReloadOutcome&)> fn) { after_zone_reload_ = std::move(fn); }
  // Called on the reload thread after each reload (the file watcher takes
  // the new file list from there), before the outcome goes to the waiters:
  // it may add what else failed to apply (ReloadOutcome::errors).
  void set_after_reload(std::function<void(ReloadOutcome&)> fn) { after_reload_ = std::move(fn); }
  // Called on the reload thread right before each reload, with its reason
  // (the service manager hears RELOADING=1 there).
  void set_before_reload(std::function<void(const std::string&)> fn) { before_reload_ = std::move(fn); }
  // The dates the published records change at without any file changing
  // (DKIM lifecycle dates): fn(now) gives the first one strictly after now.
  // The thread takes it at start and after every reload and reloads once it
  // has passed. Set before start().
  using NextEvent = std::function<std::optional<int64_t>(int64_t now)>;
  void set_next_event(NextEvent fn) { next_event_ = std::move(fn); }
  // Called on the reload thread at every tick (ten times a second) with
  // the time: small periodic chores (cookie secret rotation, the rate
  // limit summary). Must not throw. Set before start().
  void set_housekeeping(std::function<void(int64_t now)> fn) { housekeeping_ = std::move(fn); }

 private:
  void run();
  void sighup_loop();

  Reloader& reloader_;
  SnapshotHolder& snapshots_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool running_ = false;  // start() has run (guarded by mu_, unlike thread_)
  std::vector<std::string> reasons_;
  std::vector<std::promise<ReloadOutcome>> waiters_;
  std::vector<std::packaged_task<void()>> calls_;
  std::function<void(ReloadOutcome&)> after_reload_;
  std::function<void(ReloadOutcome&)> after_zone_reload_;
  std::function<void(const std::string&)> before_reload_;
  NextEvent next_event_;
  std::function<void(int64_t)> housekeeping_;
  std::optional<int64_t> scheduled_;  // next_event_ as of the last reload (reload thread only)
  std::thread thread_;
  std::thread sighup_;
};

// Blocks SIGHUP in the calling thread (and so in every thread it creates
// later). Call at the start of serve, before any thread exists.
void block_reload_signal();

}  // namespace mailns::server

#include "server/publish/file_watcher.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "server/logging.hpp"

namespace mailns::server {

namespace {
constexpr uint32_t kEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MOVED_FROM;
}

FileWatcher::FileWatcher(std::function<void()> on_change, std::chrono::milliseconds debounce)
    : on_change_(std::move(on_change)), debounce_(debounce) {}

FileWatcher::~FileWatcher() {
  stop();
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::string FileWatcher::start() {
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) return std::string("inotify: ") + std::strerror(errno);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  sigset_t block, old;
  sigfillset(&block);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  thread_ = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return {};
}

void FileWatcher::stop() noexcept {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    files_.clear();
    files_changed_ = false;
    on_change_ = nullptr;
  }
  const uint64_t v = 1ull << 62;  // "stop"
  (void)!::write(wake_fd_, &v, sizeof v);
  thread_.join();
}

void FileWatcher::set_files(const std::vector<std::string>& files) {
  {
    std::lock_guard lock(mu_);
    files_ = files;
    files_changed_ = true;
  }
  const uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

void FileWatcher::rewatch() {
  std::vector<std::string> files;
  {
    std::lock_guard lock(mu_);
    files = files_;
    files_changed_ = false;
  }
  // Directories already watched keep their watch (inotify_add_watch
  // returns the same descriptor): removing and re-adding them would lose
  // the events of a file replaced meanwhile.
  names_.clear();
  for (const auto& f : files) {
    std::filesystem::path p = std::filesystem::absolute(f).lexically_normal();
    names_[p.parent_path().string()].insert(p.filename().string());
  }
  std::map<int, std::string> next;
  for (const auto& [dir, names] : names_) {
    const int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(), kEvents);
    if (wd < 0) {
      server_log().warn("{}: cannot watch this directory ({}); changes there need `mailns reload` or SIGHUP", dir,
                        std::strerror(errno));
      continue;
    }
    next[wd] = dir;
  }
  for (const auto& [wd, dir] : dir_of_wd_)
    if (!next.count(wd)) ::inotify_rm_watch(inotify_fd_, wd);
  dir_of_wd_ = std::move(next);
}

void FileWatcher::run() {
  pthread_setname_np(pthread_self(), "mailns-watch");
  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> due;
  alignas(inotify_event) char buf[8192];
  for (;;) {
    {
      std::unique_lock lock(mu_);
      const bool changed = files_changed_;
      lock.unlock();
      if (changed) rewatch();
    }
    int timeout = -1;
    if (due) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*due - Clock::now()).count();
      timeout = left < 0 ? 0 : static_cast<int>(left);
    }
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno != EINTR) return;
    if (fds[1].revents & POLLIN) {
      uint64_t v = 0;
      if (::read(wake_fd_, &v, sizeof v) == sizeof v && v >= (1ull << 62)) return;
    }
    if (fds[0].revents & POLLIN) {
      for (;;) {
        const ssize_t len = ::read(inotify_fd_, buf, sizeof buf);
        if (len <= 0) break;
        for (ssize_t off = 0; off < len;) {
          const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
          off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
          auto d = dir_of_wd_.find(ev->wd);
          if (d == dir_of_wd_.end() || ev->len == 0) continue;
          auto names = names_.find(d->second);
          if (names != names_.end() && names->second.count(ev->name)) due = Clock::now() + debounce_;
        }
      }
    }
    if (due && Clock::now() >= *due) {
      due.reset();
      std::function<void()> fn;
      {
        std::lock_guard lock(mu_);
        fn = on_change_;
      }
      if (fn) fn();
    }
  }
}

}  // namespace mailns::server

// FileWatcher: calls on_change once the watched files have stopped changing
// for the debounce time (a certificate renewal that writes the key and then
// the certificate is one call). It watches the files' directories with
// inotify, so replacing a file by rename (what editors and ACME clients do)
// is seen too, and keeps only events about the watched names. Its own
// thread; set_files() may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace mailns::server {

class FileWatcher {
 public:
  FileWatcher(std::function<void()> on_change, std::chrono::milliseconds debounce = std::chrono::milliseconds(500));
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Returns an error message or "" (inotify unavailable).
  std::string start();
  void stop() noexcept;
  // Replaces the set of watched files (absolute or relative paths).
  void set_files(const std::vector<std::string>& files);

 private:
  void run();
  void rewatch();  // thread only

  std::function<void()> on_change_;
  std::chrono::milliseconds debounce_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;
  std::mutex mu_;
  std::vector<std::string> files_;  // guarded by mu_
  bool files_changed_ = false;      // guarded by mu_
  std::map<int, std::string> dir_of_wd_;                 // thread only
  std::map<std::string, std::set<std::string>> names_;   // dir -> watched names; thread only
  std::thread thread_;
};

}  // namespace mailns::server

// TcpIdleList: one worker's idle TCP connections (between messages, nothing
// to write), oldest first, so that a full connection table can close the
// one idle longest to admit a newcomer. Intrusive and single-threaded (the
// worker owns its connections): linking and unlinking allocate nothing.
#pragma once

namespace mailns::server {

class TcpIdleEntry {
 public:
  TcpIdleEntry() = default;
  TcpIdleEntry(const TcpIdleEntry&) = delete;
  TcpIdleEntry& operator=(const TcpIdleEntry&) = delete;
  // Closes the connection to make room; its table slot goes to the newcomer.
  virtual void evict() = 0;
  bool linked() const noexcept { return linked_; }

 protected:
  ~TcpIdleEntry() = default;

 private:
  friend class TcpIdleList;
  TcpIdleEntry* prev_ = nullptr;
  TcpIdleEntry* next_ = nullptr;
  bool linked_ = false;
};

class TcpIdleList {
 public:
  // e became idle now: it goes last (the most recently idle).
  void push_back(TcpIdleEntry& e) noexcept {
    if (e.linked_) remove(e);
    e.prev_ = tail_;
    e.next_ = nullptr;
    (tail_ ? tail_->next_ : head_) = &e;
    tail_ = &e;
    e.linked_ = true;
  }
  void remove(TcpIdleEntry& e) noexcept {
    if (!e.linked_) return;
    (e.prev_ ? e.prev_->next_ : head_) = e.next_;
    (e.next_ ? e.next_->prev_ : tail_) = e.prev_;
    e.prev_ = e.next_ = nullptr;
    e.linked_ = false;
  }
  // The connection idle longest, or nullptr.
  TcpIdleEntry* oldest() const noexcept { return head_; }
  bool empty() const noexcept { return head_ == nullptr; }

 private:
  TcpIdleEntry* head_ = nullptr;
  TcpIdleEntry* tail_ = nullptr;
};

}  // namespace mailns::server

// ControlSocket: the local control channel of a running server, a unix
// stream socket (mode 0600, in the state directory by default). A client
// sends one command line ("reload"), the server answers with text lines and
// a last line "status: ok" or "status: failed", then closes. One thread
// serves one connection at a time; a reload answers once it has finished.
#pragma once

#include <functional>
#include <string>
#include <thread>

namespace mailns::server {

struct ControlReply {
  std::string text;  // lines, each ending in '\n'
  bool ok = true;
};

class ControlSocket {
 public:
  using Handler = std::function<ControlReply(const std::string& command)>;

  ControlSocket(std::string path, Handler handler);
  ~ControlSocket();
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

  // Binds (replacing a stale socket file, refusing when another server
  // answers on it); returns an error message or "".
  std::string open();
  void start();
  void stop() noexcept;

 private:
  void run();

  std::string path_;
  Handler handler_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: stop()
  std::thread thread_;
};

// Client side: sends command to the socket at path and returns the reply;
// *error is set when the server cannot be reached.
ControlReply send_control_command(const std::string& path, const std::string& command, std::string* error);

}  // namespace mailns::server

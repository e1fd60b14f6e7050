#include "server/dnstap/dnstap_sink.hpp"

#include <fstrm.h>

#include <cstdlib>

namespace mailns::server {

void DnstapSink::log(const LoggedQuery& entry) noexcept {
  if (queries_ && !entry.query.empty()) submit(encoder_.encode(entry, DnstapKind::kAuthQuery));
  if (responses_ && !entry.response.empty()) submit(encoder_.encode(entry, DnstapKind::kAuthResponse));
}

void DnstapSink::submit(DnstapFrame frame) noexcept {
  if (frame.data == nullptr) {
    dropped_.add();
    return;
  }
  // On success fstrm owns the buffer and frees it with free() once written.
  if (fstrm_iothr_submit(iothr_, queue_, frame.data, frame.size, fstrm_free_wrapper, nullptr) == fstrm_res_success) {
    sent_.add();
    return;
  }
  std::free(frame.data);  // full queue: never wait for the writer thread
  dropped_.add();
}

}  // namespace mailns::server

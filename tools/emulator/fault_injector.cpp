#include "fault_injector.h"

#include <algorithm>
#include <numeric>

#include "fault_frames.h"
#include "log.h"

namespace emulator {
namespace {

const ScriptParticipant *first_present(const MeetingScript &script, int64_t script_ms) {
  for (const auto &p : script.participants)
    if (p.present_at(script_ms)) return &p;
  return nullptr;
}

}  // namespace

FaultInjector::FaultInjector(std::vector<Injection> injections, int64_t huge_frame_bytes,
                             const MeetingScript &script, const MeetingClock &clock, Manifest &manifest,
                             FindTarget find_target)
    : injections_(std::move(injections)), huge_frame_bytes_(huge_frame_bytes), script_(script),
      clock_(clock), manifest_(manifest), find_target_(std::move(find_target)) {
  for (const auto &injection : injections_)
    manifest_index_.push_back(manifest_.add_injection(fault_kind_name(injection.kind),
                                                      fault_socket_name(injection.socket), injection.at_ms));
  order_.resize(injections_.size());
  std::iota(order_.begin(), order_.end(), 0);
  std::stable_sort(order_.begin(), order_.end(),
                   [this](size_t a, size_t b) { return injections_[a].at_ms < injections_[b].at_ms; });
}

void FaultInjector::start() {
  // Through the main loop even when something is due now, so that a fault
  // at 0 ms follows the audio burst the same CLIENT_READY_ACK releases.
  if (!order_.empty())
    timer_.once(clock_.delay_until(injections_[order_[0]].at_ms + clock_.buffered_ms), [this] { fire_due(); });
}

void FaultInjector::fire_due() {
  // at_ms counts from t0, which is script time buffered_ms.
  while (next_ < order_.size() && injections_[order_[next_]].at_ms + clock_.buffered_ms <= clock_.now_ms())
    fire(order_[next_++]);
  if (next_ < order_.size())
    timer_.once(clock_.delay_until(injections_[order_[next_]].at_ms + clock_.buffered_ms), [this] { fire_due(); });
}

void FaultInjector::fire(size_t index) {
  const Injection &injection = injections_[index];
  const char *kind = fault_kind_name(injection.kind);
  const char *socket = fault_socket_name(injection.socket);
  FaultTarget target = find_target_(injection.socket);
  if (target.ws == nullptr) {
    tools::log_warning("fault injection %s at %" G_GINT64_FORMAT " ms: no %s socket is open; not sent", kind,
                       injection.at_ms, socket);
    return;
  }
  if (injection.kind == FaultKind::Drop) {
    tools::log_info("fault injection: dropping %s", target.ws->label().c_str());
    target.ws->close(1011, "fault injection: server dropped the connection");
    manifest_.mark_injection_sent(manifest_index_[index]);
    return;
  }
  FaultContext context;
  int64_t script_now = clock_.now_ms();
  context.timestamp = clock_.timestamp_of(script_now);
  context.speaker = first_present(script_, script_now);
  context.huge_frame_bytes = huge_frame_bytes_;
  if (injection.kind == FaultKind::BinaryJson && target.keepalive != nullptr)
    context.keepalive_timestamp = target.keepalive->issue();
  std::string frame = build_fault_frame(injection.kind, context);
  tools::log_info("fault injection: %s on %s (%zu bytes)", kind, target.ws->label().c_str(), frame.size());
  if (!target.ws->send_frame(frame, fault_forces_binary(injection.kind))) {
    tools::log_warning("fault injection %s: %s closed before it could be sent", kind, target.ws->label().c_str());
    return;
  }
  manifest_.mark_injection_sent(manifest_index_[index]);
}

}  // namespace emulator

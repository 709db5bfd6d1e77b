#include "text_streamer.h"

namespace emulator {

TextStreamer::TextStreamer(std::vector<TextItem> items, const MeetingClock &clock, size_t first, SendFn send)
    : items_(std::move(items)), clock_(clock), next_(first), send_(std::move(send)) {}

void TextStreamer::finish(int64_t end_ms) {
  timer_.cancel();
  send_until(end_ms);
}

void TextStreamer::send_until(int64_t ms) {
  while (next_ < items_.size() && items_[next_].at_ms <= ms) send_(items_[next_++]);
}

void TextStreamer::on_tick() {
  send_until(clock_.now_ms());
  if (next_ >= items_.size()) return;
  timer_.at(clock_.deadline_us(items_[next_].at_ms), [this] { on_tick(); });
}

}  // namespace emulator

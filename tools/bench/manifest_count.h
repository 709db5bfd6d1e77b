// What the emulator says it sent, from its manifest (docs/emulator.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct SentCount {
  int64_t audio_packets = 0;
  int64_t video_frames = 0;  // camera and screen share
  int64_t transcript_lines = 0;
  int64_t chat_messages = 0;
  int64_t total() const { return audio_packets + video_frames + transcript_lines + chat_messages; }
};

// One count per stream, in stream order: a multi-stream manifest has a
// "streams" array of one-stream manifests. false and *error when the
// manifest cannot be read.
bool read_sent_counts(const std::string &path, std::vector<SentCount> *counts, std::string *error);

}  // namespace bench

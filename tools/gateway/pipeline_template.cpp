#include "pipeline_template.h"

#include <glib.h>

namespace gateway {

namespace {

// Queues in front of a muxer hold 10 s: the transcript's GAP events trail
// real time by text-gap-delay (5 s), and until they arrive the muxer waits.
#define MUX_QUEUE "queue max-size-time=10000000000 max-size-buffers=0 max-size-bytes=0"

// Live fillers keep the mixed audio and the speaker video going from the
// first moment to EOS, whoever speaks or shows a camera: silence under the
// participants' audio, black under (and around) the speaker's picture. The
// mixers wait up to 500 ms for late participant packets.
#define SILENCE_INTO_MIX                                                                      \
  "audiotestsrc name=silence is-live=true wave=silence "                                     \
  "! audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1 ! mix. "              \
  "audiomixer name=mix latency=500000000 "                                                   \
  "! audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1 ! audioconvert "

struct Shipped {
  const char *name;
  const char *launch;
  bool per_participant_audio;
  bool webvtt;
  bool needs_rtmp_url;
};

// Every audio pad goes into a queue (or a tee of queues) the gateway adds,
// so the shipped templates let rtmssrc push audio from its network thread
// (push-mode=network-thread: no thread hand-off per packet), and a network
// thread wakes at most every 2 ms (wake-interval) to read all its streams.
// record: a WAV file per participant, a WebVTT transcript, and meeting.mkv
//   with the active speaker's video, the mixed audio (Opus) and the
//   transcript as subtitles. Matroska cannot change the picture size
//   mid-file and each speaker's camera has its own, so the video is decoded
//   and scaled into one 1280x720 picture (letterboxed), then re-encoded.
//   Everything stays I420 (the decoder's and the encoder's format): letting
//   the compositor pick a format with alpha costs twice the CPU.
// mixed: one WAV file of the mixed audio.
// rtmp: mixed audio (AAC) and the active speaker's H.264 as sent (FLV can
//   carry new picture sizes), pushed to --rtmp-url.
// hls: the same two, as HLS in {out}: MPEG-TS segments of about 2 s (cut at
//   the first keyframe after 2 s; MPEG-TS carries new picture sizes too) and
//   a playlist that keeps every segment, ended when the stream ends.
//   hlssink2 holds audio back until video comes (maybe never: cameras off),
//   so the audio goes in through a leaky queue: the live silence under the
//   mix must never block, or the EOS the gateway sends it at the end would
//   block the gateway's main loop.
constexpr Shipped kShipped[] = {
    {"record",
     "rtmssrc name=src push-mode=network-thread wake-interval=2000 media=audio+video+transcript video-codec=h264 video-resolution=hd video-fps=15 "
     "matroskamux name=mux ! filesink location=\"{out}/meeting.mkv\" "
     SILENCE_INTO_MIX "! opusenc ! " MUX_QUEUE " ! mux. "
     "videotestsrc name=black is-live=true pattern=black "
     "! video/x-raw,format=I420,width=1280,height=720,framerate=15/1,pixel-aspect-ratio=1/1 ! comp. "
     "compositor name=comp background=black latency=500000000 "
     "sink_1::width=1280 sink_1::height=720 sink_1::sizing-policy=keep-aspect-ratio "
     "! video/x-raw,format=I420,width=1280,height=720,framerate=15/1 "
     "! x264enc tune=zerolatency speed-preset=veryfast key-int-max=30 ! h264parse ! " MUX_QUEUE " ! mux. "
     "queue name=video ! h264parse ! avdec_h264 ! videoconvert ! comp. "
     "queue name=transcript ! mux.subtitle_%u",
     true, true, false},
    {"mixed",
     "rtmssrc name=src push-mode=network-thread wake-interval=2000 audio-mode=mixed ! queue ! audiorate ! audioconvert ! wavenc ! "
     "filesink location=\"{out}/mixed.wav\"",
     false, false, false},
    {"rtmp",
     "rtmssrc name=src push-mode=network-thread wake-interval=2000 media=audio+video audio-mode=mixed video-codec=h264 video-resolution=hd video-fps=30 "
     "flvmux name=mux streamable=true latency=500000000 ! rtmp2sink location=\"{rtmp_url}\" "
     SILENCE_INTO_MIX "! avenc_aac ! aacparse ! queue ! mux.audio "
     "queue name=video ! h264parse ! video/x-h264,stream-format=avc,alignment=au ! queue ! mux.video",
     false, false, true},
    {"hls",
     "rtmssrc name=src push-mode=network-thread wake-interval=2000 media=audio+video audio-mode=mixed video-codec=h264 video-resolution=hd video-fps=30 "
     "hlssink2 name=hls target-duration=2 playlist-length=0 max-files=0 "
     "location=\"{out}/segment%05d.ts\" playlist-location=\"{out}/playlist.m3u8\" "
     SILENCE_INTO_MIX "! avenc_aac ! aacparse ! queue leaky=downstream max-size-time=5000000000 max-size-buffers=0 max-size-bytes=0 ! hls.audio "
     "queue name=video ! h264parse ! video/x-h264,stream-format=byte-stream,alignment=au ! queue ! hls.video",
     false, false, false},
};

}  // namespace

bool shipped_template(const std::string &name, PipelineTemplate *out) {
  for (const auto &t : kShipped) {
    if (name == t.name) {
      *out = PipelineTemplate{t.name, t.launch, t.per_participant_audio, t.webvtt, t.needs_rtmp_url, {}};
      return true;
    }
  }
  return false;
}

const char *shipped_template_names() { return "record, mixed, rtmp, hls"; }

std::string file_safe(const std::string &value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) out += (g_ascii_isalnum(c) || c == '-' || c == '_' || c == '.') ? c : '_';
  if (!out.empty() && out[0] == '.') out[0] = '_';
  if (out.empty()) out = "_";
  return out;
}

std::string expand_placeholders(const std::string &text, const std::map<std::string, std::string> &values) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      size_t close = text.find('}', i);
      if (close != std::string::npos) {
        auto it = values.find(text.substr(i + 1, close - i - 1));
        if (it != values.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

bool valid_rtmp_url(const std::string &url, std::string *why) {
  if (!g_str_has_prefix(url.c_str(), "rtmp://") && !g_str_has_prefix(url.c_str(), "rtmps://")) {
    *why = "--rtmp-url must start with rtmp:// or rtmps://";
    return false;
  }
  for (char c : url) {
    if (c == '"' || c == '\\' || g_ascii_isspace(c) || g_ascii_iscntrl(c)) {
      *why = "--rtmp-url must not contain quotes, backslashes or white space";
      return false;
    }
  }
  return true;
}

}  // namespace gateway

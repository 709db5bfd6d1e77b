// State shared by the files that make up rtmssrc. Not installed.
#pragma once

#include <gst/base/gstflowcombiner.h>
#include <gst/gst.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gstrtmssrc.h"
#include "gstrtmssrcpad.h"
#include "protocol/webhook.h"
#include "rtms-caps.h"
#include "rtms-timing.h"
#include "session/session.h"

GST_DEBUG_CATEGORY_EXTERN(gst_rtms_src_debug);

// What the properties hold. Copied into a SessionConfig at READY->PAUSED.
struct RtmsSrcSettings {
  std::string webhook_payload;
  std::string webhook_error;  // why webhook-payload could not be used
  std::string server_urls;
  std::string stream_id;
  std::string meeting_uuid;
  std::string webinar_uuid;
  std::string session_id;
  std::string engagement_id;
  std::string client_id;
  std::string client_secret;
  std::string ssl_ca_file;
  bool ssl_strict = true;
  std::string allowed_hosts;  // host patterns, comma or space separated; empty: any
  bool allow_plaintext = true;
  GstRtmsAudioCodec audio_codec = GST_RTMS_AUDIO_CODEC_L16;
  GstRtmsG711Law g711_law = GST_RTMS_G711_MULAW;
  int audio_sample_rate = 0;  // 0: the codec's natural rate
  int audio_channels = 1;
  GstRtmsAudioMode audio_mode = GST_RTMS_AUDIO_MODE_PER_PARTICIPANT;
  GstRtmsPushMode push_mode = GST_RTMS_PUSH_MODE_SHARED_THREADS;
  guint audio_send_rate = 20;
  guint media = GST_RTMS_MEDIA_AUDIO;
  GstRtmsVideoCodec video_codec = GST_RTMS_VIDEO_CODEC_H264;
  GstRtmsVideoResolution video_resolution = GST_RTMS_VIDEO_RESOLUTION_HD;
  guint video_fps = 30;
  GstRtmsVideoMode video_mode = GST_RTMS_VIDEO_MODE_ACTIVE_SPEAKER;
  GstRtmsVideoCodec deskshare_codec = GST_RTMS_VIDEO_CODEC_H264;
  GstRtmsVideoResolution deskshare_resolution = GST_RTMS_VIDEO_RESOLUTION_FHD;
  guint deskshare_fps = 15;
  int transcript_language = -1;  // -1: automatic
  bool transcript_lid = true;
  guint text_gap_delay = 5000;  // ms behind real time that text pads' GAPs trail
  GstRtmsSocketMode socket_mode = GST_RTMS_SOCKET_MODE_UNIFIED;
  guint handshake_timeout = 10000;
  guint latency = 100;  // ms
  bool buffer_data = true;
  guint max_message_size = 64 * 1024 * 1024;
  guint reconnect_delay = 3000;  // ms, first backoff step
  guint keepalive_timeout = 65000;  // ms of silence before a socket is presumed dead
  guint wake_interval = 0;  // us between two wake-ups of the network thread
  bool dedicated_thread = false;
};

// What an output pad carries; also names its template ("<kind>_%u").
enum class RtmsOutputKind { Audio = 0, Video, Deskshare, Transcript, Chat };
constexpr int kRtmsOutputKinds = 5;
const char *rtms_output_kind_name(RtmsOutputKind kind);

// One output pad and what we know to stamp its data. What every audio
// packet reads and writes comes first, in one cache line: with hundreds of
// streams on a thread, a stream's state is cold each time its turn comes.
struct alignas(64) RtmsOutput {
  GstRtmsSrcPad *pad = nullptr;  // owned by the element once added
  const RtmsPadQueue *pad_queue = nullptr;  // the pad's, for src_pad_prefetch
  // Server time (ms) the next packet should carry if nothing is missing.
  int64_t next_server_ms = 0;
  guint64 buffers = 0;
  guint64 bytes = 0;
  // Audio: hash of the name the packets last gave (0: none yet), so that an
  // unchanged name (nearly always) is recognised without touching the pad.
  // Network thread only.
  size_t packet_name_hash = 0;
  RtmsOutputKind kind = RtmsOutputKind::Audio;
  bool has_next = false;
  // Its opening events are queued: from now on an EOS may follow them
  // (outputs_lock).
  bool opened = false;
  // (end of the first cache line)

  int64_t user_id = 0;
  std::string stream_id;
  GstStream *stream = nullptr;   // owned
  GstCaps *caps = nullptr;       // owned
  // Video: the size in the current caps, who is on it, frames dropped while
  // waiting for a decodable start.
  int width = 0;
  int height = 0;
  int64_t shown_user = -1;
  guint64 dropped = 0;
};
static_assert(offsetof(RtmsOutput, opened) < 64, "the audio path's fields fit one cache line");

// An audio output by participant, in one contiguous array sorted by
// user_id: finding a packet's pad reads a cache line or two instead of every
// output.
struct RtmsAudioSlot {
  int64_t user_id;
  RtmsOutput *out;
};

class RtmsSrcListener;

struct RtmsSrcState {
  std::mutex settings_lock;
  RtmsSrcSettings settings;

  // The running session (READY->PAUSED to PAUSED->READY). session_lock
  // guards the pointer for callers on other threads (EOS, action signals,
  // failover); it is never held while the session is stopped and joined.
  std::mutex session_lock;
  std::unique_ptr<RtmsSrcListener> listener;
  std::unique_ptr<rtms::Session> session;

  // Outputs, keyed by "<media>/<user id>". Guarded by outputs_lock, which is
  // never held while calling into GStreamer functions that may call back.
  std::mutex outputs_lock;
  std::vector<std::unique_ptr<RtmsOutput>> outputs;
  std::map<std::string, RtmsOutput *> outputs_by_key;
  std::vector<RtmsAudioSlot> audio_slots;  // the latest audio output of each participant
  guint next_pad_number[kRtmsOutputKinds] = {};  // never reused while running
  GstFlowCombiner *flow_combiner = nullptr;
  // The combiner's last answer, readable without outputs_lock.
  std::atomic<GstFlowReturn> combined_flow{GST_FLOW_OK};
  guint group_id = 0;
  rtms::ServerTimeMapper time_mapper;
  rtms::AudioParams audio_effective;
  bool audio_ready = false;
  rtms::VideoParams video_effective;
  bool video_ready = false;
  rtms::VideoParams deskshare_effective;
  bool deskshare_ready = false;
  bool transcript_ready = false;
  bool chat_ready = false;
  guint64 video_dropped_waiting = 0;  // H.264 frames before the first IDR
  uint32_t ready_types = 0;
  bool pads_announced = false;  // no-more-pads sent (once per session)
  guint reconnects = 0;  // media types whose handshake succeeded (this session)
  bool per_participant = true;
  GstRtmsG711Law g711_law = GST_RTMS_G711_MULAW;
  bool not_linked_warned = false;
  // Every opened pad has been sent its EOS; a pad opened later sends its own.
  bool eos_everywhere = false;
  // push-mode of this session: who pushes audio (rtms_src_add_output).
  GstRtmsPushMode audio_push_mode = GST_RTMS_PUSH_MODE_SHARED_THREADS;
  // Registered with the shared push pool (rtms-push-pool.h) for this session.
  bool uses_push_pool = false;
  // Direct and pooled pads push only in PLAYING, as a live source produces
  // only then; what arrives before waits in the pad's queue.
  std::atomic<bool> playing{false};

  // Set when the session ended (normally or not), to wake a waiting close.
  std::mutex end_lock;
  std::condition_variable end_cond;
  bool session_over = false;
  // Read for every media message: atomic, so that costs no lock.
  std::atomic<bool> eos_requested{false};
};

// rtms-src-outputs.cpp
RtmsOutput *rtms_src_find_output(GstRtmsSrc *self, RtmsOutputKind kind, int64_t user_id);
// caps: transfer none. user_id 0: the pad of everyone (mixed audio) or the
// one pad of its kind, which follows whoever is shown or speaking;
// shown_user is who that is at the start (its participant-id, tags), -1 if
// nobody yet.
RtmsOutput *rtms_src_add_output(GstRtmsSrc *self, RtmsOutputKind kind, int64_t user_id,
                                const std::string &user_name, GstCaps *caps,
                                int64_t shown_user = -1);
// A pad's stream tags: who it carries (rtms-participant-id/-name) and a
// title for muxers: the participant's name, or for a pad that follows
// whoever speaks (follows) a fixed one ("Video", "Transcript", ...).
GstTagList *participant_tags(RtmsOutputKind kind, bool follows, int64_t user_id,
                             const std::string &name);
void rtms_src_push_eos_everywhere(GstRtmsSrc *self);
// Hands a buffer or serialized event to a pad (which takes it): queued for
// the pad's streaming task, or, on a direct pad in PLAYING, pushed right
// here on the calling thread, after whatever was queued before it.
// False when the pad takes nothing more (flushing, or after its EOS): the
// item was dropped.
bool rtms_src_deliver(GstRtmsSrc *self, GstRtmsSrcPad *pad, GstMiniObject *item);
// The element is PLAYING: pushes (direct pads) or schedules (pooled pads)
// what waited in their queues.
void rtms_src_start_pushing(GstRtmsSrc *self);
// A buffer holding the decoded base64 payload of a media message, or nullptr
// (after a warning naming `what`, e.g. "audio packet", and the participant)
// when there is nothing usable.
GstBuffer *rtms_src_decode_payload(GstRtmsSrc *self, const rtms::MediaData &data,
                                   const char *what);
// "audio packet of participant 16778240": for warnings, built only then.
std::string rtms_src_describe_media(const char *what, const rtms::MediaData &data);
void rtms_src_update_participant(GstRtmsSrc *self, int64_t user_id, const std::string &name);
// Emits no-more-pads, once, when the initial roster of pads is complete.
void rtms_src_maybe_announce_pads(GstRtmsSrc *self);
void rtms_src_remove_outputs(GstRtmsSrc *self);
GstPadTemplate *rtms_src_audio_template();

// rtms-src-video.cpp (video and deskshare)
void rtms_src_handle_video_ready(GstRtmsSrc *self, RtmsOutputKind kind,
                                 const rtms::MediaParams &effective);
void rtms_src_handle_video(GstRtmsSrc *self, RtmsOutputKind kind, rtms::MediaData &&data);
GstPadTemplate *rtms_src_video_template(RtmsOutputKind kind);

// rtms-src-text.cpp (transcript and chat)
void rtms_src_handle_text_ready(GstRtmsSrc *self, RtmsOutputKind kind);
void rtms_src_handle_text(GstRtmsSrc *self, RtmsOutputKind kind, rtms::MediaData &&data);
GstPadTemplate *rtms_src_text_template(RtmsOutputKind kind);

// rtms-meta.cpp: the per-buffer GstCustomMeta "GstRtmsMeta".
void rtms_meta_register();
GstStructure *rtms_buffer_add_meta(GstBuffer *buffer);

// Buffer timing shared by every kind: maps a server timestamp to running time.
GstClockTime rtms_src_running_time_of(GstRtmsSrc *self, int64_t server_ms);

// rtms-src-audio.cpp
void rtms_src_handle_audio_ready(GstRtmsSrc *self, const rtms::MediaParams &effective);
void rtms_src_handle_audio(GstRtmsSrc *self, rtms::MediaData &&data);

// Details of the element's own decode warnings (a packet whose payload
// cannot be used), for GST_ELEMENT_WARNING_WITH_DETAILS.
#define RTMS_DECODE_WARNING_DETAILS(data)                                                  \
  ("rtms-warning-kind", G_TYPE_STRING, "decode", "rtms-user-id", G_TYPE_INT64,             \
   gint64((data).user.user_id), nullptr)

// rtms-src-messages.cpp
void rtms_src_post_event(GstRtmsSrc *self, const rtms::Event &event);
void rtms_src_post_stream_state(GstRtmsSrc *self, const rtms::StreamStateUpdate &update);
void rtms_src_post_session_state(GstRtmsSrc *self, const rtms::SessionStateUpdate &update);
void rtms_src_post_stopped(GstRtmsSrc *self, rtms::StopReason reason, const std::string &detail);
void rtms_src_post_error(GstRtmsSrc *self, const rtms::SessionError &error);
void rtms_src_post_warning(GstRtmsSrc *self, const rtms::SessionWarning &warning);
void rtms_src_post_reconnecting(GstRtmsSrc *self, const std::string &socket, unsigned attempt,
                                unsigned delay_ms, const std::string &why);

// plugin.cpp: the session layer's log categories (rtmssession, rtmswebsocket,
// rtmstls, rtmsnet) and the hook that feeds them (session/log.h). Once per
// process; the levels follow the categories' thresholds.
void rtms_session_log_init();

// The session's listener: forwards to the functions above.
class RtmsSrcListener : public rtms::SessionListener {
 public:
  explicit RtmsSrcListener(GstRtmsSrc *self) : self_(self) {}
  void on_media_ready(uint32_t types, const rtms::MediaParams &effective) override;
  void on_media(rtms::MediaData &&data) override;
  void on_event(const rtms::Event &event) override;
  void on_stream_state(const rtms::StreamStateUpdate &update) override;
  void on_session_state(const rtms::SessionStateUpdate &update) override;
  void on_other_message(const rtms::Message &message) override;
  void on_warning(const rtms::SessionWarning &warning) override;
  void on_reconnecting(const std::string &socket, unsigned attempt, unsigned delay_ms,
                       const std::string &why) override;
  void on_reconnected(const std::string &socket) override;
  void on_error(const rtms::SessionError &error) override;
  void on_ended(rtms::StopReason reason, const std::string &detail) override;

 private:
  void mark_over();
  GstRtmsSrc *self_;
};

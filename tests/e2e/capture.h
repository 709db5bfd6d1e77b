// Runs a pipeline with one rtmssrc and captures everything each of its pads
// produces (caps, tags, bytes, timestamps, events) in appsinks added as the
// pads appear.
#pragma once

#include <gst/gst.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct Capture;

struct PadCapture {
  Capture *owner = nullptr;
  std::string pad_name;
  gint64 participant_id = -1;
  std::string participant_name;  // from the pad property at EOS
  std::string caps;              // caps string of the first caps event
  std::vector<std::string> all_caps;  // every caps event, in order
  std::vector<bool> delta;       // DELTA_UNIT flag per buffer
  std::vector<std::string> metas;  // GstRtmsMeta structure per buffer ("" if none)
  std::string tag_name;          // rtms-participant-name tag, last seen
  gint64 tag_id = -1;            // rtms-participant-id tag, last seen
  gint64 first_tag_id = -1;      // rtms-participant-id of the first tag event
  guint64 buffers = 0;
  guint64 bytes = 0;
  GChecksum *sha256 = nullptr;
  std::vector<GstClockTime> pts;
  std::vector<GstClockTime> durations;
  std::vector<gint64> server_ms;  // from the reference timestamp meta
  std::vector<std::vector<guint8>> payloads;  // when Capture::keep_payloads
  guint gaps = 0;
  guint discont = 0;
  bool stream_start = false;
  bool segment = false;
  bool eos = false;
  std::string stream_id;
  guint group_id = 0;

  std::string sha256_hex() const { return g_checksum_get_string(sha256); }
};

struct Capture {
  GstElement *pipeline = nullptr;
  GstElement *src = nullptr;
  std::mutex lock;
  std::map<std::string, std::unique_ptr<PadCapture>> pads;
  std::vector<GstMessage *> element_messages;  // owned
  GstMessage *error = nullptr;                  // owned, first error
  std::vector<std::string> warnings;            // texts of WARNING messages
  GstClockTime error_after = GST_CLOCK_TIME_NONE;  // since run() started
  guint collections = 0;
  guint last_collection_size = 0;
  guint no_more_pads = 0;
  bool keep_payloads = false;

  // src_description: properties for rtmssrc, e.g. "audio-mode=mixed".
  explicit Capture(const std::string &src_properties);
  ~Capture();

  // Runs until EOS, an error, or timeout (then returns false).
  bool run(GstClockTime timeout);
  // Sets PLAYING and returns at once (for lifecycle tests).
  void play();
  // Pops bus messages for up to `timeout`, stopping at EOS/error.
  bool wait(GstClockTime timeout);

  PadCapture *by_participant(gint64 id);
  std::string error_text() const;
  const GstStructure *error_details() const;
  bool has_element_message(const char *name);
  guint count_element_messages(const char *name);
  // Whether some warning contains all of the given fragments.
  bool has_warning(std::initializer_list<const char *> fragments) const;
};

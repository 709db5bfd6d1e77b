#include "streams_list.h"

#include <json-glib/json-glib.h>

#include "common/gref.h"

namespace gateway {

namespace {

// YYYYMMDD-HHMMSS (UTC) as ISO 8601.
std::string iso_time(const std::string &stamp) {
  if (stamp.size() != 15 || stamp[8] != '-') return stamp;
  return stamp.substr(0, 4) + "-" + stamp.substr(4, 2) + "-" + stamp.substr(6, 2) + "T" + stamp.substr(9, 2) + ":" +
         stamp.substr(11, 2) + ":" + stamp.substr(13, 2) + "Z";
}

}  // namespace

std::string streams_json(const std::vector<StreamPipeline *> &streams) {
  auto b = rtms::adopt(json_builder_new());
  json_builder_begin_array(b.get());
  for (const StreamPipeline *s : streams) {
    const StreamInfo &info = s->info();
    json_builder_begin_object(b.get());
    json_builder_set_member_name(b.get(), "stream_id");
    json_builder_add_string_value(b.get(), info.stream_id.c_str());
    json_builder_set_member_name(b.get(), "meeting");
    json_builder_add_string_value(b.get(), info.meeting.c_str());
    json_builder_set_member_name(b.get(), "state");
    json_builder_add_string_value(b.get(), s->stopping() ? "ending" : "streaming");
    json_builder_set_member_name(b.get(), "started_at");
    json_builder_add_string_value(b.get(), iso_time(info.start_time).c_str());
    json_builder_set_member_name(b.get(), "participants");
    json_builder_add_null_value(b.get());  // not known here; the event feed knows
    json_builder_end_object(b.get());
  }
  json_builder_end_array(b.get());
  auto gen = rtms::adopt(json_generator_new());
  auto root = rtms::adopt(json_builder_get_root(b.get()));
  json_generator_set_root(gen.get(), root.get());
  auto text = rtms::adopt(json_generator_to_data(gen.get(), nullptr));
  return text.get();
}

}  // namespace gateway

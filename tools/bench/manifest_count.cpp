#include "manifest_count.h"

#include "common/gst_gref.h"

namespace bench {
namespace {

// Sums `field` over the members of the object `name` (keyed by user id).
int64_t sum_members(JsonObject *root, const char *name, const char *field) {
  if (!json_object_has_member(root, name)) return 0;
  JsonNode *node = json_object_get_member(root, name);
  if (!JSON_NODE_HOLDS_OBJECT(node)) return 0;
  JsonObject *by_user = json_node_get_object(node);
  int64_t sum = 0;
  GList *members = json_object_get_members(by_user);
  for (GList *m = members; m; m = m->next) {
    JsonObject *tally = json_object_get_object_member(by_user, static_cast<const char *>(m->data));
    if (tally) sum += json_object_get_int_member_with_default(tally, field, 0);
  }
  g_list_free(members);
  return sum;
}

int64_t array_length(JsonObject *root, const char *name) {
  if (!json_object_has_member(root, name)) return 0;
  JsonArray *array = json_object_get_array_member(root, name);
  return array ? json_array_get_length(array) : 0;
}

SentCount count_of(JsonObject *object) {
  SentCount count;
  count.audio_packets = sum_members(object, "audio", "packets");
  count.video_frames = sum_members(object, "video", "frames") + sum_members(object, "deskshare", "frames");
  count.transcript_lines = array_length(object, "transcript");
  count.chat_messages = array_length(object, "chat");
  return count;
}

}  // namespace

bool read_sent_counts(const std::string &path, std::vector<SentCount> *counts, std::string *error) {
  auto parser = rtms::adopt(json_parser_new());
  rtms::GRef<GError> err;
  if (!json_parser_load_from_file(parser.get(), path.c_str(), err.out())) {
    *error = "cannot read the manifest " + path + ": " + err->message;
    return false;
  }
  JsonNode *root = json_parser_get_root(parser.get());
  if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
    *error = "the manifest " + path + " is not a JSON object";
    return false;
  }
  JsonObject *object = json_node_get_object(root);
  counts->clear();
  if (!json_object_has_member(object, "streams")) {
    counts->push_back(count_of(object));
    return true;
  }
  JsonArray *streams = json_object_get_array_member(object, "streams");
  for (guint i = 0; streams && i < json_array_get_length(streams); ++i) {
    JsonNode *entry = json_array_get_element(streams, i);
    if (!JSON_NODE_HOLDS_OBJECT(entry)) {
      *error = "the manifest " + path + " has a stream that is not an object";
      return false;
    }
    counts->push_back(count_of(json_node_get_object(entry)));
  }
  return true;
}

}  // namespace bench

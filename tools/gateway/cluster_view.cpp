#include "cluster_view.h"
#include "protocol/json_fields.h"

#include <cstdlib>

namespace gateway::cluster {

void add_cluster_view(JsonBuilder *b, RedisLink &link, const Keys &keys) {
  if (!link.ensure()) {
    json_builder_set_member_name(b, "cluster_error");
    json_builder_add_string_value(b, "Redis is not reachable");
    return;
  }
  Reply r = link.client().eval(kViewScript, {keys.active()}, {keys.prefix});
  if (!r.ok() || r.type != Reply::Type::Array || r.elements.empty()) {
    link.failed(r, "the streams view");
    json_builder_set_member_name(b, "cluster_error");
    json_builder_add_string_value(b, "Redis did not answer");
    return;
  }
  std::vector<std::string> v = r.strings();
  long long now = std::atoll(v[0].c_str());
  json_builder_set_member_name(b, "cluster");
  json_builder_begin_array(b);
  for (size_t i = 1; i + 5 <= v.size(); i += 5) {
    std::string owner = v[i + 1];
    size_t hash = owner.rfind('#');
    if (hash != std::string::npos) owner.resize(hash);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "stream_id");
    json_builder_add_string_value(b, v[i].c_str());
    json_builder_set_member_name(b, "owner");
    json_builder_add_string_value(b, owner.c_str());  // "" while nobody holds the lease
    json_builder_set_member_name(b, "fence");
    json_builder_add_int_value(b, std::atoll(v[i + 2].c_str()));
    json_builder_set_member_name(b, "status");
    json_builder_add_string_value(b, v[i + 3].c_str());
    json_builder_set_member_name(b, "renewed_ms_ago");
    json_builder_add_int_value(b, now - std::atoll(v[i + 4].c_str()));
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
}

std::string intake_streams_json(RedisLink &link, const Keys &keys, const std::string &intake_id) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "role");
  json_builder_add_string_value(b, "intake");
  json_builder_set_member_name(b, "intake");
  json_builder_add_string_value(b, intake_id.c_str());
  add_cluster_view(b, link, keys);
  json_builder_end_object(b);
  return rtms::json::to_compact_string(b);
}

}  // namespace gateway::cluster

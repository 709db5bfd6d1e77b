// GET /cluster/streams in the cluster roles: who owns what, read from Redis now
// (kViewScript), plus what this process holds itself.
#pragma once

#include <string>

#include <json-glib/json-glib.h>

#include "cluster_records.h"
#include "redis_client.h"

namespace gateway::cluster {

// Adds member "cluster": [{"stream_id","owner","fence","status","renewed_ms_ago"}],
// or "cluster_error" when Redis cannot be asked.
void add_cluster_view(JsonBuilder *b, RedisLink &link, const Keys &keys);
// The whole body for the intake role.
std::string intake_streams_json(RedisLink &link, const Keys &keys, const std::string &intake_id);

}  // namespace gateway::cluster

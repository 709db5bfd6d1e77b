#include <algorithm>
#include <csignal>
#include <fstream>
#include <iterator>

#include "cluster_run.h"

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>

void RedisRun::start() {
  g_autofree char *tmp = g_dir_make_tmp("rtms-redis-XXXXXX", nullptr);
  fail_unless(tmp != nullptr);
  dir = tmp;
  // A free port: bound, read, released (Redis binds it right after).
  g_autoptr(GSocket) s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
  fail_unless(g_socket_bind(s, any, TRUE, nullptr));
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(s, nullptr);
  port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  g_socket_close(s, nullptr);
  std::ofstream conf(dir + "/redis.conf");
  conf << "port " << port << "\nbind 127.0.0.1\ndir " << dir << "\nappendonly yes\nappendfsync always\n"
       << "save \"\"\ndaemonize no\nprotected-mode yes\nlogfile " << dir << "/redis.log\n";
  if (!password.empty()) conf << "requirepass " << password << "\n";
  conf.close();
  spawn();
}

void RedisRun::spawn() {
  std::string conf = dir + "/redis.conf";
  const char *argv[] = {"redis-server", conf.c_str(), nullptr};
  g_autoptr(GError) error = nullptr;
  process = g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_NONE, &error);
  fail_unless(process != nullptr, "cannot start redis-server: %s", error ? error->message : "?");
  gateway::cluster::RedisUrl url;
  url.port = port;
  url.password = password;
  for (int i = 0; i < 200; i++) {
    gateway::cluster::RedisClient client(url, 500);
    std::string why;
    if (client.connect(&why)) return;
    g_usleep(50000);
  }
  fail_unless(false, "redis-server did not come up on port %d", port);
}

void RedisRun::restart() {
  if (process) {
    g_subprocess_send_signal(process, SIGTERM);
    g_subprocess_wait(process, nullptr, nullptr);
    g_clear_object(&process);
  }
  spawn();
}

void RedisRun::kill_now() {
  if (!process) return;
  g_subprocess_force_exit(process);
  g_subprocess_wait(process, nullptr, nullptr);
  g_clear_object(&process);
}

gateway::cluster::Reply RedisRun::command(const std::vector<std::string> &args) {
  gateway::cluster::RedisUrl url;
  url.port = port;
  url.password = password;
  gateway::cluster::RedisClient client(url, 2000);
  std::string why;
  fail_unless(client.connect(&why), "test: %s", why.c_str());
  return client.command(args);
}

RedisRun::~RedisRun() {
  kill_now();
  if (!dir.empty()) remove_tree(dir);
}

static std::unique_ptr<ClusterGateway> start_role(const std::string &name, const std::string &log_dir,
                                                  const std::vector<std::string> &args) {
  auto gw = std::make_unique<ClusterGateway>();
  gw->name = name;
  gw->run.log_file = log_dir + "/" + name + ".log";
  gw->run.start(args);
  return gw;
}

std::unique_ptr<ClusterGateway> start_intake(const RedisRun &redis, const std::string &name,
                                             const std::string &log_dir) {
  return start_role(name, log_dir, {"--role", "intake", "--redis", redis.url(), "--worker-id", name});
}

std::unique_ptr<ClusterGateway> start_worker(const RedisRun &redis, const std::string &name, const std::string &out_dir,
                                             const std::string &log_dir, int capacity, int lease_ttl_ms,
                                             const std::vector<std::string> &extra) {
  std::vector<std::string> args = {"--role",     "worker", "--redis",    redis.url(), "--worker-id",
                                   name,         "--template", "mixed",  "--output-dir", out_dir,
                                   "--capacity", std::to_string(capacity), "--lease-ttl", std::to_string(lease_ttl_ms)};
  args.insert(args.end(), extra.begin(), extra.end());
  return start_role(name, log_dir, args);
}

std::string write_long_script(const std::string &dir, const std::string &name, const std::string &base_id,
                              int duration_ms) {
  std::string path = dir + "/" + name + ".json";
  std::ofstream f(path);
  f << "{\"duration_ms\": " << duration_ms << ", \"rtms_stream_id\": \"" << base_id << "\", \"meeting_uuid\": \""
    << name << "Meeting00000000==\", \"participants\": [{\"user_id\": 16778240, \"user_name\": \"Alice\", "
    << "\"tone_hz\": 440, \"talk\": [[0, " << duration_ms << "]]}]}\n";
  return path;
}

std::vector<std::string> read_lines(const std::string &path) {
  std::vector<std::string> out;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string stream_folder(const std::string &out_dir, const std::string &stream_id) {
  g_autoptr(GDir) d = g_dir_open(out_dir.c_str(), 0, nullptr);
  if (!d) return "";
  while (const char *name = g_dir_read_name(d))
    if (g_str_has_suffix(name, stream_id.c_str())) return out_dir + "/" + name;
  return "";
}

std::vector<std::string> segments_of(const std::string &folder) {
  std::vector<std::string> out;
  g_autoptr(GDir) d = g_dir_open(folder.c_str(), 0, nullptr);
  if (!d) return out;
  while (const char *name = g_dir_read_name(d))
    if (g_str_has_prefix(name, "segment-")) out.push_back(folder + "/" + name);
  std::sort(out.begin(), out.end());
  return out;
}

gint64 wav_data_bytes(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t at = bytes.find("data");
  if (at == std::string::npos || at + 8 > bytes.size()) return 0;
  guint32 size = guint8(bytes[at + 4]) | guint8(bytes[at + 5]) << 8 | guint8(bytes[at + 6]) << 16 |
                 guint32(guint8(bytes[at + 7])) << 24;
  gint64 present = gint64(bytes.size() - at - 8);
  return size == 0 || gint64(size) > present ? present : gint64(size);
}

std::vector<JsonObject *> manifest_streams(JsonObject *manifest) {
  std::vector<JsonObject *> out;
  JsonArray *streams = json_object_get_array_member(manifest, "streams");
  for (guint i = 0; streams && i < json_array_get_length(streams); i++)
    out.push_back(json_array_get_object_element(streams, i));
  return out;
}

gint64 manifest_audio_bytes(JsonObject *stream) {
  JsonObject *mixed = json_object_path(stream, "audio.0");
  return mixed ? json_object_get_int_member(mixed, "bytes") : 0;
}

std::string manifest_violations(JsonObject *stream) {
  JsonArray *v = json_object_get_array_member(stream, "violations");
  std::string out;
  for (guint i = 0; v && i < json_array_get_length(v); i++) {
    JsonObject *o = json_array_get_object_element(v, i);
    out += std::string(json_object_get_string_member(o, "socket")) + " " +
           std::to_string(json_object_get_int_member(o, "status_code")) + " " +
           json_object_get_string_member(o, "what") + "; ";
  }
  return out;
}

std::string owner_of(GatewayRun &gw, const std::string &stream_id) {
  HttpAnswer a = gw.get("/cluster/streams");
  if (a.status != 200) return "";
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, a.body.c_str(), -1, nullptr)) return "";
  JsonObject *root = json_node_get_object(json_parser_get_root(parser));
  if (!json_object_has_member(root, "cluster")) return "";
  JsonArray *cluster = json_object_get_array_member(root, "cluster");
  for (guint i = 0; i < json_array_get_length(cluster); i++) {
    JsonObject *o = json_array_get_object_element(cluster, i);
    if (stream_id == json_object_get_string_member(o, "stream_id")) return json_object_get_string_member(o, "owner");
  }
  return "";
}

bool wait_owned(GatewayRun &gw, const std::vector<std::string> &ids, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 100) {
    bool all = true;
    for (const auto &id : ids) all = all && !owner_of(gw, id).empty();
    if (all) return true;
    g_usleep(100000);
  }
  return false;
}

std::vector<std::string> stream_ids_of(const std::vector<std::string> &bodies) {
  std::vector<std::string> out;
  for (const auto &body : bodies) {
    g_autoptr(JsonParser) parser = json_parser_new();
    fail_unless(json_parser_load_from_data(parser, body.c_str(), -1, nullptr));
    JsonObject *payload = json_object_get_object_member(json_node_get_object(json_parser_get_root(parser)), "payload");
    out.push_back(json_object_get_string_member(payload, "rtms_stream_id"));
  }
  return out;
}

ClusterDir::ClusterDir() {
  g_autofree char *tmp = g_dir_make_tmp("rtms-cluster-XXXXXX", nullptr);
  fail_unless(tmp != nullptr);
  path = tmp;
  g_mkdir((path + "/recordings").c_str(), 0755);
}

ClusterDir::~ClusterDir() { remove_tree(path); }

Cluster::Cluster(int count, int capacity, int lease_ttl_ms) {
  redis.start();
  intake = start_intake(redis, "intake", dir.path);
  for (int i = 1; i <= count; i++)
    workers.push_back(start_worker(redis, "worker-" + std::to_string(i), dir.out(), dir.path, capacity, lease_ttl_ms));
}

std::vector<std::string> Cluster::play(EmulatorRun &emulator, const std::string &name, const std::string &base_id,
                                       int duration_ms, int streams, const std::vector<std::string> &extra) {
  std::string script = write_long_script(dir.path, name, base_id, duration_ms);
  std::string out = dir.path + "/" + name + ".jsonl";
  std::vector<std::string> args = {"--script", script, "--webhook-url", intake->run.url, "--webhook-secret",
                                   GW_WEBHOOK_SECRET, "--webhook-out", out};
  if (streams > 1) args.insert(args.end(), {"--streams", std::to_string(streams)});
  args.insert(args.end(), extra.begin(), extra.end());
  emulator.start(args);
  std::vector<std::string> ids = stream_ids_of(read_lines(out));
  fail_unless_equals_int(ids.size(), streams);
  fail_unless(wait_owned(intake->run, ids, 20000), "not every stream was claimed");
  return ids;
}

ClusterGateway &Cluster::owner(const std::string &stream_id) {
  std::string name = owner_of(intake->run, stream_id);
  for (auto &w : workers)
    if (w->name == name) return *w;
  fail("stream %s has no owner among the workers (\"%s\")", stream_id.c_str(), name.c_str());
  return *workers.front();
}

ClusterGateway &Cluster::other_than(const ClusterGateway &worker) {
  fail_unless_equals_int(workers.size(), 2);
  return workers[0].get() == &worker ? *workers[1] : *workers[0];
}

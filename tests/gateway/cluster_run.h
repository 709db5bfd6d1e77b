// The scale-out tests' pieces: a private redis-server (its own config, free
// port, folder, append-only file), gateways in the cluster roles, and checks
// of the recordings' segments against the emulator's manifest.
#pragma once

#include <json-glib/json-glib.h>

#include <memory>
#include <string>
#include <vector>

#include "emulator_run.h"
#include "gateway_run.h"
#include "redis_client.h"

struct RedisRun {
  GSubprocess *process = nullptr;
  int port = 0;
  std::string dir;  // config, append-only file, log
  std::string password;  // set before start(): requirepass
  // A free port, a fresh folder, appendonly yes (appendfsync always).
  void start();
  // Started again on the same port and folder: it loads its append-only file.
  void restart();
  void kill_now();  // SIGKILL, waited for
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port) + "/0"; }
  // A command from the test (fails the test if Redis does not answer).
  gateway::cluster::Reply command(const std::vector<std::string> &args);
  ~RedisRun();

 private:
  void spawn();
};

struct ClusterGateway {
  GatewayRun run;
  std::string name;
};

// A gateway in a cluster role, its log in log_dir/<name>.log. Workers record
// with the `mixed` template into out_dir.
std::unique_ptr<ClusterGateway> start_intake(const RedisRun &redis, const std::string &name,
                                             const std::string &log_dir);
std::unique_ptr<ClusterGateway> start_worker(const RedisRun &redis, const std::string &name, const std::string &out_dir,
                                             const std::string &log_dir, int capacity, int lease_ttl_ms,
                                             const std::vector<std::string> &extra = {});

// A meeting script: one participant talking all along for duration_ms, with
// stream ids derived from base (32 hex digits) and a meeting UUID of its own.
std::string write_long_script(const std::string &dir, const std::string &name, const std::string &base_id,
                              int duration_ms);
// The rtms_started bodies the emulator wrote with --webhook-out.
std::vector<std::string> read_lines(const std::string &path);

// The folder of a stream under out_dir ("" if none) and its segments.
std::string stream_folder(const std::string &out_dir, const std::string &stream_id);
std::vector<std::string> segments_of(const std::string &folder);
// Bytes of PCM in a WAV file: the data chunk's size, or what follows its
// header when the file was never finalized (its writer was killed).
gint64 wav_data_bytes(const std::string &path);
// The manifest's per-stream objects (--streams N) and a stream's mixed audio bytes.
std::vector<JsonObject *> manifest_streams(JsonObject *manifest);
gint64 manifest_audio_bytes(JsonObject *stream);
// Violations of a stream's manifest, as text ("" when none).
std::string manifest_violations(JsonObject *stream);
// The cluster's view: owner of a stream per GET /streams of any cluster gateway ("" if none).
std::string owner_of(GatewayRun &gw, const std::string &stream_id);
// Polls until every stream has an owner; false after timeout_ms.
bool wait_owned(GatewayRun &gw, const std::vector<std::string> &ids, int timeout_ms);
std::vector<std::string> stream_ids_of(const std::vector<std::string> &bodies);

// A test's folder with recordings/ in it, removed with all it holds.
struct ClusterDir {
  std::string path;
  ClusterDir();
  ~ClusterDir();
  std::string out() const { return path + "/recordings"; }
};

// One test's cluster: its folder, a private Redis, an intake ("intake") and
// `count` workers ("worker-1" ...) recording into dir.out().
struct Cluster {
  ClusterDir dir;
  RedisRun redis;
  std::unique_ptr<ClusterGateway> intake;
  std::vector<std::unique_ptr<ClusterGateway>> workers;
  Cluster(int count, int capacity, int lease_ttl_ms);
  // Plays write_long_script(name, base_id, duration_ms) as `streams`
  // streams, their webhooks signed and posted to the intake (and kept in
  // dir/<name>.jsonl), plus the emulator options in extra; returns the
  // stream ids once each has an owner (fails the test after 20 s).
  std::vector<std::string> play(EmulatorRun &emulator, const std::string &name, const std::string &base_id,
                                int duration_ms, int streams, const std::vector<std::string> &extra = {});
  // The worker that owns a stream now, and the other one of two.
  ClusterGateway &owner(const std::string &stream_id);
  ClusterGateway &other_than(const ClusterGateway &worker);
};

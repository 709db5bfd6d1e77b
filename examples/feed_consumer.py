#!/usr/bin/env python3
"""Follow a running meeting through rtms-gateway's live feed and print its
transcript, chat and roster changes as they happen.

    feed_consumer.py URL [--stream ID] [--token TOKEN | --token-file FILE]
                     [--ca-file FILE] [--health]

URL is either a stream's feed, http://host:port/streams/<rtms_stream_id>/events,
or the gateway itself, http://host:port: then the stream named with --stream,
or else the first one running, is followed (GET /streams lists them). The
token (when the gateway has --feed-token-file) comes from --token, --token-file
or the environment variable RTMS_FEED_TOKEN, and is sent as
"Authorization: Bearer <token>".

Each transcript line is printed with its speaker and the server's times (UTC):

    [10:06:32.213-10:06:33.413] Alice: Hello everyone, can you see my screen?

It exits 0 when the stream ends (the feed's `state` event with "ended"), 1
when the connection ends before that, 2 when the gateway refuses the request.
Standard library only; the feed's events are described in docs/gateway.md,
"Live feed".
"""

import argparse
import datetime
import http.client
import json
import os
import ssl
import sys
import urllib.parse


def clock(ms):
    """Server time (ms since the epoch) as HH:MM:SS.mmm, UTC."""
    t = datetime.datetime.fromtimestamp(ms / 1000.0, tz=datetime.timezone.utc)
    return t.strftime("%H:%M:%S.") + "%03d" % (ms % 1000)


def say(text):
    print(text, flush=True)


def connect(url, ca_file):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=ca_file)
        return http.client.HTTPSConnection(parts.hostname, parts.port or 443, context=context, timeout=60)
    if parts.scheme == "http":
        return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
    raise ValueError("the URL must start with http:// or https://: " + url)


def get(url, headers, ca_file):
    parts = urllib.parse.urlsplit(url)
    conn = connect(url, ca_file)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    conn.request("GET", target, headers=headers)
    return conn, conn.getresponse()


def refused(response, url):
    body = response.read(200).decode("utf-8", "replace").strip()
    sys.stderr.write("%s: HTTP %d %s: %s\n" % (url, response.status, response.reason, body))
    return 2


def feed_url(args, headers):
    """The events URL: given, or found in GET /streams."""
    parts = urllib.parse.urlsplit(args.url)
    if parts.path.rstrip("/").endswith("/events"):
        return args.url, 0
    base = "%s://%s" % (parts.scheme, parts.netloc)
    if args.stream:
        return "%s/streams/%s/events" % (base, urllib.parse.quote(args.stream, safe="")), 0
    conn, response = get(base + "/streams", headers, args.ca_file)
    try:
        if response.status != 200:
            return None, refused(response, base + "/streams")
        streams = json.loads(response.read().decode("utf-8"))
    finally:
        conn.close()
    if not streams:
        sys.stderr.write("no stream is running on %s\n" % base)
        return None, 1
    return "%s/streams/%s/events" % (base, urllib.parse.quote(streams[0]["stream_id"], safe="")), 0


def names(people):
    return ", ".join(p["user_name"] or str(p["user_id"]) for p in people) or "nobody"


def show(event, data, args):
    """Prints one event; True when the stream has ended."""
    if event == "roster":
        speaker = data["active_speaker"]["user_name"] if data.get("active_speaker") else "nobody"
        sharing = data["sharing"]["user_name"] if data.get("sharing") else "nobody"
        say("roster: %s (speaking: %s, sharing: %s) [%s]" % (names(data["participants"]), speaker, sharing,
                                                            data["state"]))
        return data["state"] == "ended"
    if event == "transcript":
        say("[%s-%s] %s: %s" % (clock(data["start_ms"]), clock(data["end_ms"]), data["user_name"], data["text"]))
    elif event == "chat":
        to = data.get("to_user_name") or "everyone"
        say("[%s] chat %s -> %s: %s" % (clock(data["timestamp_ms"]), data["user_name"], to, data["text"]))
    elif event == "participant_join":
        say("+ %s joined" % data["user_name"])
    elif event == "participant_leave":
        say("- %s left" % data["user_name"])
    elif event == "active_speaker":
        say("> %s is speaking" % data["user_name"])
    elif event == "sharing":
        say("%s %s sharing" % (data["user_name"], "started" if data["state"] == "started" else "stopped"))
    elif event == "state":
        say("state: %s (%s)" % (data["state"], data["reason"]))
        return data["state"] == "ended"
    elif event == "health" and args.health:
        say("health: %d bytes, %d buffers, %d reconnects, up %.1f s" % (data["bytes"], data["buffers"],
                                                                      data["reconnects"], data["uptime_ms"] / 1000))
    return False


def follow(response, args):
    """Reads Server-Sent Events until the stream ends or the connection does."""
    event, data = "message", []
    while True:
        raw = response.readline()
        if not raw:
            return False  # the connection ended
        line = raw.decode("utf-8").rstrip("\r\n")
        if line == "":
            if data and show(event, json.loads("\n".join(data)), args):
                return True
            event, data = "message", []
        elif line.startswith(":"):
            continue  # a comment: the keep-alive
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="http://host:port, or a stream's .../streams/<id>/events")
    parser.add_argument("--stream", help="the rtms_stream_id to follow (with a gateway URL)")
    parser.add_argument("--token", help="the feed token (prefer --token-file or RTMS_FEED_TOKEN)")
    parser.add_argument("--token-file", help="read the feed token from this file")
    parser.add_argument("--ca-file", help="CA file for an https:// gateway with a private CA")
    parser.add_argument("--health", action="store_true", help="also print the stream's health every second")
    args = parser.parse_args()

    token = args.token or os.environ.get("RTMS_FEED_TOKEN")
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as f:
            token = f.read().strip()
    headers = {"Accept": "text/event-stream"}
    if token:
        headers["Authorization"] = "Bearer " + token

    try:
        url, status = feed_url(args, headers)
        if url is None:
            return status
        conn, response = get(url, headers, args.ca_file)
        if response.status != 200:
            return refused(response, url)
        ended = follow(response, args)
        conn.close()
    except (OSError, http.client.HTTPException, ValueError) as e:
        sys.stderr.write("%s\n" % e)
        return 1
    except KeyboardInterrupt:
        return 130
    if not ended:
        sys.stderr.write("the feed ended before the stream did\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

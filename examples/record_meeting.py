#!/usr/bin/env python3
"""Record every participant of a Zoom RTMS stream to a WAV file of their own
and print the live transcript with its speakers, from Python.

    record_meeting.py WEBHOOK.json OUTPUT_DIR [--ca-file FILE]

WEBHOOK.json is the body of the rtms_started webhook (or only its payload);
"-" reads it from standard input. The app's credentials come from the
environment, ZM_RTMS_CLIENT and ZM_RTMS_SECRET, which rtmssrc reads by itself.
Ctrl-C closes the stream on the server and finalizes the files.

Needs only the standard library, PyGObject and GStreamer's introspection data
(Debian: python3-gi gir1.2-gstreamer-1.0; run it with Debian's own python3),
and rtmssrc (GST_PLUGIN_PATH=<build>/gst/rtms when it is not installed).

Each transcript line is printed as

    [01:02.300-01:04.100] Speaker name: text

with the times from the start of the stream (minutes:seconds.milliseconds).
They come from the GstRtmsMeta that rtmssrc attaches to every transcript
buffer (docs/rtmssrc.md, "GstRtmsMeta").
"""

import argparse
import datetime
import os
import re
import signal
import sys
import threading

import gi

gi.require_version("GLib", "2.0")
gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def file_safe(name):
    """Participant names are user input: keep file names to a safe subset."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    return safe or "unknown"


def clock(ms):
    """Milliseconds as minutes:seconds.milliseconds."""
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    return "%s%02d:%02d.%03d" % (sign, ms // 60000, ms // 1000 % 60, ms % 1000)


class Recorder:
    def __init__(self, webhook, out_dir, ca_file):
        self.out_dir = out_dir
        self.exit_code = 0
        self.loop = GLib.MainLoop()
        self.lock = threading.Lock()
        # Server time (ms since the epoch) at which the stream started: the
        # FIRST_PACKET_TIMESTAMP event, posted as rtms-first-packet-timestamp.
        self.stream_start_ms = None

        self.pipeline = Gst.Pipeline.new("record-meeting")
        src = Gst.ElementFactory.make("rtmssrc", "src")
        if src is None:
            raise SystemExit("rtmssrc is not installed (set GST_PLUGIN_PATH to the build's gst/rtms)")
        src.set_property("webhook-payload", webhook)
        if ca_file:
            src.set_property("ssl-ca-file", ca_file)
        # "media" is a flags property. PyGObject cannot convert a string such
        # as "audio+transcript" to it (set_property raises TypeError), so let
        # GStreamer parse the string the way gst-launch-1.0 does. An integer
        # mask works too: src.set_property("media", 1 | 8).
        Gst.util_set_object_arg(src, "media", "audio+transcript")
        src.connect("pad-added", self.on_pad_added)
        self.pipeline.add(src)

        bus = self.pipeline.get_bus()
        # Element messages are also handled where they are posted, so the
        # stream's start is known before the first transcript line arrives
        # on its pad's thread.
        bus.enable_sync_message_emission()
        bus.connect("sync-message::element", self.on_sync_element)
        bus.add_signal_watch()
        bus.connect("message", self.on_message)

    def say(self, text):
        with self.lock:
            print(text, flush=True)

    # --- pads -------------------------------------------------------------

    def on_pad_added(self, src, pad):
        name = pad.get_name()
        if name.startswith("audio_"):
            self.record_audio(pad)
        elif name.startswith("transcript_"):
            self.print_transcript(pad)

    def add_branch(self, pad, description, configure):
        branch = Gst.parse_bin_from_description(description, True)
        configure(branch)  # before it starts: a filesink needs its location
        self.pipeline.add(branch)
        branch.sync_state_with_parent()
        if pad.link(branch.get_static_pad("sink")) != Gst.PadLinkReturn.OK:
            self.say("cannot link %s" % pad.get_name())

    def record_audio(self, pad):
        user_id = pad.get_property("participant-id")
        user_name = pad.get_property("participant-name") or ""
        who = "mixed" if user_id == 0 else str(user_id)
        path = os.path.join(self.out_dir, "%s-%s-%s.wav" % (pad.get_name(), who, file_safe(user_name)))
        self.add_branch(pad, "queue ! audiorate ! audioconvert ! wavenc ! filesink name=file",
                        lambda branch: branch.get_by_name("file").set_property("location", path))
        self.say("recording participant %d (%s) to %s" % (user_id, user_name, path))

    def print_transcript(self, pad):
        self.add_branch(pad, "queue ! appsink name=text emit-signals=true sync=false",
                        lambda branch: branch.get_by_name("text").connect("new-sample", self.on_transcript_sample))

    def on_transcript_sample(self, appsink):
        sample = appsink.emit("pull-sample")
        if sample is None:
            return Gst.FlowReturn.EOS
        buf = sample.get_buffer()
        text = buf.extract_dup(0, buf.get_size()).decode("utf-8", "replace")
        meta = buf.get_custom_meta("GstRtmsMeta")
        if meta is None:
            self.say(text)
            return Gst.FlowReturn.OK
        fields = meta.get_structure()
        speaker = fields.get_value("user-name") or "participant %d" % fields.get_value("user-id")
        start, end = fields.get_value("start-ms"), fields.get_value("end-ms")
        with self.lock:
            base = self.stream_start_ms
        if base is not None:
            span = "%s-%s" % (clock(start - base), clock(end - base))
        else:  # no start event: the server's clock, UTC
            span = "-".join(
                datetime.datetime.fromtimestamp(t / 1000, datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]
                for t in (start, end))
        self.say("[%s] %s: %s" % (span, speaker, text))
        return Gst.FlowReturn.OK

    # --- bus --------------------------------------------------------------

    def on_sync_element(self, bus, message):
        s = message.get_structure()
        if s is not None and s.get_name() == "rtms-first-packet-timestamp":
            with self.lock:
                if self.stream_start_ms is None:
                    self.stream_start_ms = s.get_value("timestamp")

    def on_message(self, bus, message):
        if message.type == Gst.MessageType.EOS:
            self.say("stream ended, files finalized")
            self.loop.quit()
        elif message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            print("error: %s" % error.message, file=sys.stderr, flush=True)
            self.exit_code = 1
            self.loop.quit()
        elif message.type == Gst.MessageType.ELEMENT:
            s = message.get_structure()
            if s is not None and s.get_name() in (
                    "rtms-participant-join", "rtms-participant-leave", "rtms-stream-stopped"):
                self.say(s.to_string())

    def on_interrupt(self):
        self.say("interrupted: closing the stream")
        self.pipeline.send_event(Gst.Event.new_eos())
        return GLib.SOURCE_CONTINUE

    def run(self):
        for signum in (signal.SIGINT, signal.SIGTERM):
            GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, self.on_interrupt)
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            self.exit_code = 1
        else:
            self.loop.run()
        self.pipeline.set_state(Gst.State.NULL)
        self.pipeline.get_bus().remove_signal_watch()
        return self.exit_code


def main():
    Gst.init(None)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("webhook", help="rtms_started webhook body (JSON file, or - for stdin)")
    parser.add_argument("out_dir", help="folder for the WAV files")
    parser.add_argument("--ca-file", help="PEM file of the CA that signed the RTMS servers' certificates")
    args = parser.parse_args()
    try:
        if args.webhook == "-":
            webhook = sys.stdin.read()
        else:
            with open(args.webhook, encoding="utf-8") as f:
                webhook = f.read()
    except OSError as e:
        print("cannot read %s: %s" % (args.webhook, e), file=sys.stderr)
        return 2
    for var in ("ZM_RTMS_CLIENT", "ZM_RTMS_SECRET"):
        if not os.environ.get(var):
            print("set %s to the app's credentials" % var, file=sys.stderr)
            return 2
    os.makedirs(args.out_dir, exist_ok=True)
    return Recorder(webhook, args.out_dir, args.ca_file).run()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora, tests/fuzz/corpus/<target>/.

The seeds come from what the project already documents by hand: the JSON
written into the protocol unit tests from the examples of Zoom's public RTMS
documentation (docs/protocol.md lists the pages)
(tests/unit/test_messages.cpp, test_media_fast.cpp, test_webhook.cpp),
WebSocket frames as RFC 6455 and the emulator send them, and base64 payloads.
Files are named by a hash of their content, so re-running is idempotent.
Run it from anywhere: python3 tests/fuzz/make_seeds.py
"""
import base64
import hashlib
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")
MAX_PER_TARGET = 40


def literals(path):
    """The raw string literals of a C++ file, adjacent ones joined."""
    text = open(os.path.join(ROOT, path), encoding="utf-8").read()
    out = []
    for m in re.finditer(r'(?:R"\((.*?)\)"\s*)+', text, re.S):
        out.append("".join(re.findall(r'R"\((.*?)\)"', m.group(0), re.S)))
    return out


def write(target, seeds):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    seen = set()
    for data in seeds:
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = hashlib.sha1(data).hexdigest()[:16]
        if name in seen:
            continue
        seen.add(name)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
        if len(seen) >= MAX_PER_TARGET:
            break


def spread(items, n):
    """n items taken evenly across the list (the tests go from simple to odd)."""
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


# ---- messages: every JSON literal with a msg_type -------------------------
messages = [s for s in literals("tests/unit/test_messages.cpp") + literals("tests/unit/test_media_fast.cpp")
            if '"msg_type"' in s]
write("messages", spread(messages, MAX_PER_TARGET))

# ---- webhook and gateway: the webhook bodies ------------------------------
webhooks = [s for s in literals("tests/unit/test_webhook.cpp") if '"event"' in s or '"payload"' in s
            or "rtms_stream_id" in s]
webhook_seeds = spread(webhooks, 30)
# Header-carrying form: the rtms_started example of Zoom's webhook reference
# (https://developers.zoom.us/docs/api/rtms/events/), signed as docs/protocol.md#webhook-events says.
doc_body = ('{"event":"meeting.rtms_started","event_ts":1626230691572,"payload":{"meeting_uuid":'
            '"4444AAAiAAAAAiAiAiiAii==","rtms_stream_id":"609340fb2a7946909659956c8aa9250c",'
            '"server_urls":"wss://127.0.0.1:443"}}')
header_seeds = [
    "#headers\nv0=0000000000000000000000000000000000000000000000000000000000000000\n1626230691\n" + doc_body,
    "#headers\n\n1626230691\n" + doc_body,
    "#headers\nv0=abc\n16262306x1\n" + doc_body,
    '#headers\nv0=abc\n1699999999\n{"event":"endpoint.url_validation","payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"}}',
]
write("webhook", webhook_seeds + header_seeds)
gateway_seeds = spread(webhooks, 24) + header_seeds + [
    '{"event":"endpoint.url_validation","payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"}}',
    '{"event":"meeting.rtms_started","payload":{"meeting_uuid":"../../etc/x{out}","rtms_stream_id":"{stream_id}\\"",'
    '"server_urls":"wss://a:443"}}',
    "rtmp://live.example.com/app/{stream_id}{meeting}",
]
write("gateway", gateway_seeds)


# ---- ws_frames: server frames, then the 6 trailer bytes the target reads ---
def frame(opcode, payload, fin=True, mask=None, rsv=0):
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    head = bytes([(0x80 if fin else 0) | rsv | opcode])
    n = len(payload)
    m = 0x80 if mask is not None else 0
    if n < 126:
        head += bytes([m | n])
    elif n < 65536:
        head += bytes([m | 126]) + struct.pack(">H", n)
    else:
        head += bytes([m | 127]) + struct.pack(">Q", n)
    if mask is not None:
        head += mask
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + payload


def trailer(limit_index, seed, max_piece):
    # FuzzedDataProvider reads integers from the end, last byte first.
    return bytes([max_piece]) + struct.pack(">I", seed) + bytes([limit_index])


media = messages[0] if messages else '{"msg_type":14,"content":{"data":"AAAA","timestamp":1}}'
ws = [
    frame(1, media),
    frame(2, media),
    frame(1, "x" * 200),
    bytes([0x82, 127]) + struct.pack(">Q", 10) + b"0123456789",
    frame(2, b"\0" * 300),
    frame(1, "frag", fin=False) + frame(9, "ping") + frame(0, "ment", fin=False) + frame(0, "ed"),
    frame(9, "") + frame(10, "pong") + frame(8, struct.pack(">H", 1000) + b"bye"),
    frame(8, b"\x03"),
    frame(1, "masked", mask=b"\x01\x02\x03\x04"),
    frame(1, "rsv", rsv=0x40),
    frame(3, "reserved opcode"),
    frame(0, "continuation first"),
    frame(9, "p" * 126),
    frame(9, "ping", fin=False),
    bytes([0x81, 127]) + struct.pack(">Q", 1 << 63),
    bytes([0x82, 127]) + struct.pack(">Q", 0xFFFFFFFFFFFFFFF0),
    bytes([0x81, 126, 0, 5]) + b"short",
    frame(1, "\xff\xfe not utf-8".encode("latin-1").decode("latin-1")),
    frame(1, "{}") * 20,
    # The server's answer to the upgrade (RFC 6455 1.3's key), then a frame;
    # the target also reads the whole input as such an answer.
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n" + frame(1, media),
    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
]
ws_seeds = []
for i, stream in enumerate(ws):
    ws_seeds.append(stream + trailer(i % 9, 0x9E3779B9 + i, 1 + (i * 37) % 250))
write("ws_frames", ws_seeds)

# ---- base64: text (flag 1) or bytes to encode (flag 0), then capacity cut ---
def b64_text(text, cut=0):
    if isinstance(text, str):
        text = text.encode("latin-1")
    return text + bytes([cut, 1])


def b64_bytes(data):
    return data + bytes([0, 0])


pcm = bytes(range(256)) * 2
b64 = [
    b64_text(base64.b64encode(pcm)),
    b64_text(base64.b64encode(pcm[:200]), cut=2),
    b64_text(base64.b64encode(pcm[:101])),
    b64_text(base64.b64encode(pcm[:100]).rstrip(b"=")),
    b64_text(b"AAAB AAIA\r\nAwAE\tAAUA"),
    b64_text(b"data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ=="),
    b64_text(b"AAAA=AAA"),
    b64_text(b"AA==AA=="),
    b64_text(b"A"),
    b64_text(b"AB="),
    b64_text(b"AAA*"),
    b64_text(b"+/+/" * 40 + b"-_"),
    b64_text(base64.b64encode(pcm) + b"\x80"),
    b64_text(b""),
    b64_bytes(b""),
    b64_bytes(b"f"),
    b64_bytes(b"fo"),
    b64_bytes(b"foo"),
    b64_bytes(pcm[:97]),
]
for s in messages:
    m = re.search(r'"data":"([A-Za-z0-9+/=]{4,})"', s)
    if m:
        b64.append(b64_text(m.group(1)))
write("base64", b64)

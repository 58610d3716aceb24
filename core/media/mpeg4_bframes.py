"""Decoding an MPEG-4 Part 2 stream (XviD, DivX, ffmpeg's mpeg4) without the B-frames nobody asked for.

A B-frame of MPEG-4 Part 2 is never a reference, so a decoder can skip one (skip_frame=NONREF)
without changing any other picture. What it cannot do by itself is say which output frame number
(select's `n`, the index the ffmpeg command counts) each B-frame would have had: B-frames come out
in display order, references one reference late, and FFmpeg's decoder drops some frames (not-coded
VOPs, B-frames before two references or with inconsistent times) without output. AVI timestamps
do not carry display order either. So this module replays, from the VOP headers alone, what
FFmpeg 5's h263/mpeg4 decoder does per packet (libavcodec/h263dec.c, mpeg4videodec.c), including
"packed B-frames" (a DivX/XviD packet holding a P and the next B, which the decoder keeps and
decodes on the next packet), and hands the decoder one VOP per call. Every output frame's picture
type is checked against the replay; on any mismatch, anything it does not model, or any error the
demuxer or decoder reports (a damaged stream, whose concealed pictures can depend on the skipped
frames) it raises Unsure, and the caller decodes every frame instead.
"""
import re
from typing import NamedTuple, Optional

import av

VOP = 0xB6
GOV = 0xB3
USER_DATA = 0xB2
MAX_NVOP_SIZE = 19  # h263dec.c: a packet this small may be a DivX "not coded" placeholder
TYPES = "IPBS"
DIVX = re.compile(rb"DivX(\d+)(?:Build|b)(\d+)(.?)")


class Call(NamedTuple):
    """One decoder call: `feed` (one VOP, with the headers before it) is handed to the decoder as a packet."""
    feed: bytes
    kind: str                 # the VOP's type: I, P, B or S
    decoded: bool             # False: the decoder drops it (not coded, or a B-frame without references)
    index: Optional[int]      # select's n of the frame this call outputs, if any
    shows: Optional[str]      # that frame's type


class Unsure(Exception):
    """The stream does something this replay does not model: decode every frame instead."""


class Bits:
    def __init__(self, data, pos):
        self.data, self.bit = data, pos * 8

    def read(self, n):
        byte, shift = self.bit >> 3, self.bit & 7
        if (self.bit + n + 7) >> 3 > len(self.data):
            raise Unsure("header runs past the packet")
        window = int.from_bytes(self.data[byte:(self.bit + n + 7) >> 3], "big")
        total = (((self.bit + n + 7) >> 3) - byte) * 8
        self.bit += n
        return (window >> (total - shift - n)) & ((1 << n) - 1)

    def peek(self, n):
        saved = self.bit
        v = self.read(n)
        self.bit = saved
        return v


def start_codes(buf, start=0):
    """(position after the 00 00 01 prefix, code) of each start code in buf from `start`."""
    i = buf.find(b"\x00\x00\x01", start)
    while 0 <= i < len(buf) - 3:
        yield i + 3, buf[i + 3]
        i = buf.find(b"\x00\x00\x01", i + 3)


class Replay:
    """FFmpeg's mpeg4 decoder state that decides which VOPs give an output frame, and in which order."""

    def __init__(self, extradata):
        self.time_bits = 0
        self.packed = False
        self.time_base = self.last_time_base = self.last_non_b_time = self.pp_time = 0
        self.resolution = 0
        self.refs = 0           # decoded references (the decoder needs two before a B-frame)
        self.stored = None      # a packed B-frame VOP kept for the next packet
        self.next_index = 0     # select's n of the next output frame
        self.pending = None     # type of the reference the decoder holds back
        if extradata:
            self.headers(bytes(extradata))

    # ---- headers ----

    def headers(self, buf):
        """Parses the headers in buf as the decoder would, up to the VOP; returns the VOP's position or None."""
        for pos, code in start_codes(buf):
            if 0x20 <= code <= 0x2F:
                self.vol(Bits(buf, pos + 1))
            elif code == USER_DATA:
                m = DIVX.match(buf, pos + 1)
                if m:
                    self.packed = m.group(3) == b"p"
            elif code == GOV:
                b = Bits(buf, pos + 1)
                if not b.peek(23):
                    raise Unsure("invalid GOV header")
                hours, minutes = b.read(5), b.read(6)
                b.read(1)
                self.time_base = b.read(6) + 60 * (minutes + 60 * hours)
            elif code == VOP:
                return pos + 1
            elif code not in (0xB0, 0xB1, 0xB5) and code > 0x1F:
                raise Unsure(f"start code {code:#x}")
        return None

    def vol(self, b):
        b.read(1)                                  # random_accessible_vol
        if b.read(8) == 0x12:                      # fine granularity scalable
            raise Unsure("FGS video object")
        if b.read(1):                              # is_object_layer_identifier: verid, priority
            b.read(7)
        if b.read(4) == 15:                        # extended pixel aspect ratio
            b.read(16)
        if b.read(1):                              # vol_control_parameters
            b.read(3)                              # chroma_format, low_delay
            if b.read(1):                          # vbv_parameters
                for n in (15, 1, 15, 1, 15, 1, 3, 11, 1, 15, 1):
                    b.read(n)
        shape = b.read(2)
        if shape != 0:
            raise Unsure("non-rectangular video object layer")
        if not b.read(1):
            raise Unsure("missing marker in the VOL header")
        self.resolution = b.read(16)
        if self.resolution == 0:
            raise Unsure("vop_time_increment_resolution 0")
        self.time_bits = max(1, (self.resolution - 1).bit_length())

    def vop(self, buf, pos):
        """The VOP header at buf[pos:]: (type, output) where output says the decoder makes a frame of it."""
        b = Bits(buf, pos)
        kind = TYPES[b.read(2)]
        incr = 0
        while b.read(1):
            incr += 1
        b.read(1)
        if self.time_bits == 0 or not b.peek(self.time_bits + 1) & 1:
            raise Unsure("time_increment_bits do not fit the VOP (no VOL header?)")
        increment = b.read(self.time_bits)
        b.read(1)
        if kind != "B":
            self.last_time_base = self.time_base
            self.time_base += incr
            time = self.time_base * self.resolution + increment
            if time < self.last_non_b_time:
                raise Unsure("VOP times go backwards")
            self.pp_time = time - self.last_non_b_time
            self.last_non_b_time = time
        else:
            time = (self.last_time_base + incr) * self.resolution + increment
            pb_time = self.pp_time - (self.last_non_b_time - time)
            if self.pp_time <= pb_time or self.pp_time <= self.pp_time - pb_time or self.pp_time <= 0:
                raise Unsure("a B-frame out of time order")  # the decoder would drop it
        if not b.read(1):
            return kind, False  # not coded: no output
        if kind == "B" and self.refs < 2:
            return kind, False  # h263dec.c: B-frames need a past reference
        return kind, True

    # ---- one packet ----

    def packet(self, buf):
        """Replays one packet: the Call the decoder makes of it."""
        if self.stored is not None and self.packed:
            first = next(start_codes(buf), None)
            if first and first[1] == 0xB0:
                raise Unsure("excessive bitstream in a packed stream")
        if self.stored is not None and (self.packed or len(buf) <= MAX_NVOP_SIZE):
            stream, from_stored = self.stored, True
        else:
            stream, from_stored = buf, False
        self.stored = None
        vop_at = self.headers(stream)
        if vop_at is None:
            raise Unsure("a packet without a VOP")
        kind, output = self.vop(stream, vop_at)
        feed = stream
        if output and self.packed:
            # ff_mpeg4_frame_end: after a decoded VOP, the next VOP start code in the packet (from
            # its start when the VOP came from the stored bytes), if an I- or B-VOP, is kept with the
            # rest of the packet and decoded in place of the next packet.
            nxt = next((p for p, c in start_codes(buf, 0 if from_stored else vop_at) if c == VOP), None)
            if nxt is not None and not buf[nxt + 1] & 0x40:
                if len(buf) - (nxt - 3) <= 7:
                    raise Unsure("a packed VOP too short to tell whether the decoder keeps it")
                self.stored = buf[nxt - 3:]
                if not from_stored:
                    feed = buf[:nxt - 3]
        if not output:
            return Call(feed, kind, False, None, None)
        if kind == "B":
            self.next_index += 1
            return Call(feed, kind, True, self.next_index - 1, "B")
        # A reference shows the previous one and is shown by the next one (or by the flush).
        shown = (self.next_index, self.pending) if self.refs else (None, None)
        if self.refs:
            self.next_index += 1
        self.refs += 1
        self.pending = kind
        return Call(feed, kind, True, *shown)

    def flush(self):
        """select's n and type of the frame the decoder's flush outputs (the last reference), or (None, None)."""
        return (self.next_index, self.pending) if self.refs else (None, None)


def decode(container, stream, wanted, last, emit):
    """Decodes `stream` skipping the B-frames whose n is not in `wanted`; calls emit(frame) for each
    wanted frame in order, and stops after n = last. Returns the number of B-frames skipped.

    Each call's packet carries the call's number as its pts, and a frame keeps the pts of the call
    that decoded it, so every output frame is checked to be the VOP the replay says (type and call).
    Raises Unsure when they disagree; the caller then starts again and decodes every frame."""
    cc = stream.codec_context
    replay = Replay(cc.extradata)
    skipped, held = 0, None  # held: the call number of the reference the decoder holds back

    def reported(logs):
        if logs:
            raise Unsure(f"the decoder reported: {logs[0][2].strip()}")

    def check(frames, index, kind, call):
        expected = [] if index is None else [(kind, call)]
        got = [(f.pict_type.name, f.pts) for f in frames]
        if got != expected:
            raise Unsure(f"decoder gave {got} where the replay expects {expected}")
        if index is not None and index in wanted:
            emit(frames[0])

    # A damaged stream: the decoder conceals errors from neighbouring pictures, and what it
    # conceals with need not be the same once frames are skipped (measured on a corrupted copy of
    # Megamind.avi). Any error the demuxer or decoder reports sends the clip to the full decode.
    previous = av.logging.get_level()
    av.logging.set_level(av.logging.ERROR)
    try:
        with av.logging.Capture() as logs:
            for number, packet in enumerate(container.demux(stream)):
                buf = bytes(packet)
                if not buf:
                    continue
                call = replay.packet(buf)
                skip = call.kind == "B" and call.decoded and call.index not in wanted
                cc.skip_frame = "NONREF" if skip else "DEFAULT"
                feed = av.Packet(call.feed)
                feed.pts = number
                try:
                    frames = cc.decode(feed)
                except av.AVError as e:
                    raise Unsure(f"decode error: {e}")
                reported(logs)
                if skip:
                    skipped += 1
                    check(frames, None, None, None)
                elif call.kind == "B":
                    check(frames, call.index, "B", number)
                else:
                    check(frames, call.index, call.shows, held)
                    if call.decoded:
                        held = number
                if replay.next_index > last:
                    return skipped
            index, kind = replay.flush()
            check(cc.decode(None), index, kind, held)
            reported(logs)
            return skipped
    finally:
        av.logging.set_level(previous)

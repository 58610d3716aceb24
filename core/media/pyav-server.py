"""Visage's long-lived video decoder: PyAV (FFmpeg's own libraries) behind a JSON-lines protocol.

One process serves one request at a time (core/media/pyav-decoder.ts keeps a pool of them), so a
batch of clips pays Python's and libav's start-up once instead of an ffprobe and an ffmpeg per clip.
It produces the bytes `ffmpeg -vf select=...,scale=... -pix_fmt rgb24 -c:v ppm` produces: the same
libavcodec decodes every frame in order (select's `n`), and the wanted ones go through the same
libavfilter chain (scale with flags=bicubic, then rgb24), which reads each frame's colour matrix and
range as the ffmpeg command does. Sources whose container carries a display matrix (rotation or
flip, which the ffmpeg command applies and PyAV 10 cannot see) are answered "unsupported", and the
caller decodes them with ffmpeg.

Requests, one JSON object per line on stdin; one JSON reply per line on stdout:
  {"op": "probe", "path": P}
      -> {"ok": true, "width", "height", "fps", "frameCount"}  (frameCount: packets, as ffprobe -count_packets)
  {"op": "decode", "path": P, "indices": [sorted distinct ints], "maxSide": int|null, "out": FILE, "maxBytes": int}
      -> {"ok": true, "frames": k}  FILE holds k binary PPM (P6, maxval 255) images
  any failure -> {"ok": false, "kind": "unsupported"|"nostream"|"empty"|"decode"|"toolarge", "detail": text}
"""
import gc
import json
import struct
import sys

try:
    import av
    import av.filter
    import mpeg4_bframes
    av.logging.set_level(av.logging.PANIC)  # libav's warnings would interleave with nothing useful
except Exception as e:  # no PyAV: say so on the first line and leave
    print(json.dumps({"ready": False, "detail": f"{type(e).__name__}: {e}"}), flush=True)
    sys.exit(0)

# Demuxers of FFmpeg 5.x that export a display matrix. Only the ISO family is read here (its
# matrices are checked below); a source from any other of these goes to the ffmpeg command.
ISO_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
# Demuxers known to carry no display matrix in FFmpeg 5.x: decoded here.
NO_DISPLAY_MATRIX = {"avi", "matroska,webm", "mpegts", "flv", "mpeg", "ogg", "asf", "nut", "gif", "image2", "ivf", "h264", "hevc", "m4v", "mjpeg", "rawvideo", "y4m", "yuv4mpegpipe"}
IDENTITY = (0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


class Refused(Exception):
    def __init__(self, kind, detail):
        super().__init__(detail)
        self.kind = kind


def iso_boxes(f, start, end):
    """(type, payload start, payload end) of the boxes in [start, end)."""
    pos = start
    while pos + 8 <= end:
        f.seek(pos)
        head = f.read(16)
        if len(head) < 8:
            return
        size, kind = struct.unpack(">I4s", head[:8])
        body = pos + 8
        if size == 1:
            if len(head) < 16:
                return
            size = struct.unpack(">Q", head[8:16])[0]
            body = pos + 16
        elif size == 0:
            size = end - pos
        if size < body - pos:
            raise Refused("unsupported", "malformed ISO box")
        yield kind, body, min(pos + size, end)
        pos += size


def iso_matrices(path):
    """Every mvhd and tkhd matrix of an ISO (mp4/mov) file, as 9-tuples."""
    out = []
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        for kind, body, end in iso_boxes(f, 0, size):
            if kind != b"moov":
                continue
            for k, b, e in iso_boxes(f, body, end):
                if k == b"mvhd":
                    f.seek(b)
                    version = f.read(1)[0]
                    f.seek(b + (4 + 28 if version == 1 else 4 + 16) + 4 + 2 + 10)  # times, rate, volume, reserved
                    out.append(struct.unpack(">9i", f.read(36)))
                elif k == b"trak":
                    for k2, b2, _ in iso_boxes(f, b, e):
                        if k2 == b"tkhd":
                            f.seek(b2)
                            version = f.read(1)[0]
                            f.seek(b2 + (4 + 32 if version == 1 else 4 + 20) + 8 + 8)  # times, id, duration; reserved, layer, group, volume
                            out.append(struct.unpack(">9i", f.read(36)))
    return out


def open_video(path):
    try:
        container = av.open(path)
    except Exception as e:
        raise Refused("decode", str(e))
    try:
        fmt = container.format.name
        if fmt == ISO_FAMILY:
            matrices = iso_matrices(path)
            if not matrices or any(m != IDENTITY for m in matrices):
                raise Refused("unsupported", "a display matrix (rotation or flip) or no movie header")
        elif fmt not in NO_DISPLAY_MATRIX:
            raise Refused("unsupported", f"container {fmt}")
        if not container.streams.video:
            raise Refused("nostream", "no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "NONE"  # clips in flight fill the cores; see video-decode.ts
        stream.thread_count = 1
        return container, stream
    except BaseException:
        container.close()
        raise


def rate(r):
    return float(r) if r is not None and r.denominator and float(r) > 0 else 0.0


def probe(req):
    container, stream = open_video(req["path"])
    with container:
        count = 0
        for packet in container.demux(stream):
            # PyAV ends each stream with an empty flush packet that ffprobe does not count.
            if packet.dts is None and packet.size == 0:
                continue
            count += 1
        if count == 0:
            raise Refused("empty", "no video frames")
        cc = stream.codec_context
        return {"width": cc.width, "height": cc.height, "fps": rate(stream.average_rate) or rate(stream.base_rate), "frameCount": count}


def filter_graph(frame, time_base, max_side):
    graph = av.filter.Graph()
    chain = [graph.add_buffer(width=frame.width, height=frame.height, format=frame.format, time_base=time_base)]
    if max_side:
        m = int(max_side)
        chain.append(graph.add("scale", f"w='min(iw,{m})':h='min(ih,{m})':force_original_aspect_ratio=decrease:flags=bicubic"))
    chain.append(graph.add("format", "rgb24"))
    chain.append(graph.add("buffersink"))
    for a, b in zip(chain, chain[1:]):
        a.link_to(b)
    graph.configure()
    return graph


def write_ppm(out, frame):
    """Writes one binary PPM image from the frame's plane, in one write (a write per row cost 20 ms a clip)."""
    plane = frame.planes[0]
    row, stride = frame.width * 3, plane.line_size
    view = memoryview(plane)
    out.write(b"P6\n%d %d\n255\n" % (frame.width, frame.height))
    if stride == row:
        out.write(view[:row * frame.height])
    else:
        out.write(b"".join([view[y * stride:y * stride + row] for y in range(frame.height)]))
    return row * frame.height


class FrameWriter:
    """Sends wanted frames through the ffmpeg command's filter chain into the PPM file."""

    def __init__(self, out, time_base, req):
        self.out, self.time_base, self.max_side, self.max_bytes = out, time_base, req.get("maxSide"), req["maxBytes"]
        self.graph, self.key, self.written, self.count = None, None, 0, 0

    def __call__(self, frame):
        if (frame.width, frame.height, frame.format.name) != self.key:
            self.key = (frame.width, frame.height, frame.format.name)
            self.graph = filter_graph(frame, self.time_base, self.max_side)
        self.graph.push(frame)
        self.written += write_ppm(self.out, self.graph.pull())
        if self.written > self.max_bytes:
            raise Refused("toolarge", f"more than {self.max_bytes} bytes of frames")
        self.count += 1


def decode(req):
    wanted = set(req["indices"])
    last = max(wanted)
    container, stream = open_video(req["path"])
    if stream.codec_context.name == "mpeg4":
        # Most of an XviD/DivX clip is B-frames, and sampling wants few of them.
        with container:
            done = decode_skipping_bframes(container, stream, req, wanted, last)
        if done:
            return done
        container, stream = open_video(req["path"])
    return decode_every_frame(container, stream, req, wanted, last)


def decode_skipping_bframes(container, stream, req, wanted, last):
    """The frames through mpeg4_bframes, or None when it is unsure (the caller decodes every frame)."""
    try:
        with open(req["out"], "wb") as out:
            emit = FrameWriter(out, stream.time_base, req)
            skipped = mpeg4_bframes.decode(container, stream, wanted, last, emit)
    except mpeg4_bframes.Unsure:
        return None
    return {"frames": emit.count, "skipped": skipped} if emit.count else None


def decode_every_frame(container, stream, req, wanted, last):
    """Decodes every frame in order, as select's `n` counts them."""
    failure = None
    with container, open(req["out"], "wb") as out:
        emit, n = FrameWriter(out, stream.time_base, req), 0
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.AVError as e:  # as the ffmpeg command does: log, skip the packet, go on
                failure = str(e)
                continue
            for frame in frames:
                if n in wanted:
                    emit(frame)
                n += 1
            if n > last:
                break
    if n == 0 and failure:
        raise Refused("decode", failure)
    return {"frames": emit.count}


def main():
    print(json.dumps({"ready": True, "av": av.__version__, "libavcodec": list(av.library_versions["libavcodec"])}), flush=True)
    for line in sys.stdin:
        try:
            req = json.loads(line)
            reply = {"ok": True, **(probe(req) if req["op"] == "probe" else decode(req))}
        except Refused as e:
            reply = {"ok": False, "kind": e.kind, "detail": str(e)}
        except Exception as e:
            reply = {"ok": False, "kind": "decode", "detail": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
        # PyAV's containers, frames and filter graphs hold one another in reference cycles, and
        # Python's cycle collector runs by object counts, not by the native memory they pin: without
        # this a server grew by about 0.4 MiB a clip (Megamind.avi, 500 clips of bench:frontend).
        gc.collect()


if __name__ == "__main__":
    main()

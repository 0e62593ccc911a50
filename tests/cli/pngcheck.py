#!/usr/bin/env python3
"""pngcheck.py FILE [MIN_COLORS]: decodes an 8-bit, non-interlaced PNG with
zlib alone (no imaging library) and fails unless it has at least
MIN_COLORS (default 3) distinct pixel colors, i.e. it is not blank."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("%s: not a PNG" % path)
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or interlace:
        raise SystemExit("%s: only 8-bit non-interlaced PNGs" % path)
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if bpp is None:
        raise SystemExit("%s: color type %d not handled" % (path, ctype))
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    out, i = [], 0
    for _ in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pr) & 255
        out.append(bytes(line))
        prev = line
    return w, h, bpp, out


def main():
    path = sys.argv[1]
    want = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    w, h, bpp, rows = pixels(path)
    colors = set()
    for r in rows:
        for x in range(0, len(r), bpp):
            colors.add(r[x:x + bpp])
    print("%s: %dx%d, %d distinct colors" % (path, w, h, len(colors)))
    if len(colors) < want:
        raise SystemExit("%s looks blank: %d colors" % (path, len(colors)))


if __name__ == "__main__":
    main()

"""A media file's length read from its own header, so the server does not take the publisher's (or the
player's) word for it: WAV (RIFF ``fmt``/``data`` chunks) and the ISO base media family — MP4, M4A,
MOV — (the ``mvhd`` box of ``moov``). Other types (MP3, WebM) return None and the publisher states the
length."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path


def duration_seconds(path: Path, content_type: str) -> int | None:
    try:
        if content_type == "audio/x-wav":
            return _wav(path)
        if content_type in {"video/mp4", "audio/mp4", "video/quicktime", "video/x-m4v", "audio/x-m4a"}:
            return _mp4(path)
    except (OSError, EOFError, wave.Error, struct.error, ValueError):
        return None
    return None


def _wav(path: Path) -> int | None:
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        return math.ceil(w.getnframes() / rate) if rate else None


def _boxes(fh, end: int):
    """(type, payload start, payload end) of the boxes between the current offset and ``end``."""
    while fh.tell() + 8 <= end:
        start = fh.tell()
        size, kind = struct.unpack(">I4s", fh.read(8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", fh.read(8))[0]
            header = 16
        elif size == 0:
            size = end - start
        if size < header:
            return
        yield kind, start + header, start + size
        fh.seek(start + size)


def _mp4(path: Path) -> int | None:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        for kind, start, end in _boxes(fh, size):
            if kind != b"moov":
                continue
            fh.seek(start)
            for inner, istart, _iend in _boxes(fh, end):
                if inner != b"mvhd":
                    continue
                fh.seek(istart)
                version = fh.read(1)[0]
                fh.read(3)
                if version == 1:
                    fh.read(16)
                    scale, length = struct.unpack(">IQ", fh.read(12))
                else:
                    fh.read(8)
                    scale, length = struct.unpack(">II", fh.read(8))
                return math.ceil(length / scale) if scale else None
            return None
    return None


def silent_wav(seconds: float, *, rate: int = 8000, tone_hz: float | None = None) -> bytes:
    """A valid mono 8-bit WAV of ``seconds`` (silence, or a quiet tone): the demo's audio lessons."""
    import io

    frames = int(seconds * rate)
    if tone_hz:
        data = bytes(128 + int(20 * math.sin(2 * math.pi * tone_hz * i / rate)) for i in range(frames))
    else:
        data = bytes([128]) * frames
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(data)
    return buf.getvalue()

"""Files known to the emulated Telegram: uploads, user media and what getFile/downloads serve."""

from __future__ import annotations

import mimetypes
import struct
from dataclasses import dataclass, field
from typing import Any

_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "animation": "CgACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "video_note": "DQACAgIAAxkBAAI",
}
_DIRECTORY = {"photo": "photos", "voice": "voice", "video_note": "video_notes"}
_PHOTO_SIDES = (90, 320, 800, 1280)


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes | None
    file_path: str
    api_object: dict[str, Any]
    group: list[dict[str, Any]] = field(default_factory=list)  # all PhotoSizes of one photo

    @property
    def size(self) -> int | None:
        return len(self.data) if self.data is not None else None


def image_kind(data: bytes) -> str | None:
    """Recognise the image formats Telegram accepts for photos by their magic bytes."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:2] == b"BM":
        return "bmp"
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    return None


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def _ids(self, kind: str) -> tuple[str, str, int]:
        self._counter += 1
        n = self._counter
        return f"{_PREFIX.get(kind, 'BQACAgIAAxkBAAI')}{n:07d}EmUlAtOr", f"AQAD{n:07d}", n

    def _register(self, kind: str, data: bytes | None, ext: str, build: dict[str, Any]) -> StoredFile:
        file_id, unique_id, n = self._ids(kind)
        path = f"{_DIRECTORY.get(kind, kind + 's')}/file_{n}.{ext}"
        api_object = {"file_id": file_id, "file_unique_id": unique_id, **build}
        if data is not None:
            api_object["file_size"] = len(data)
        stored = StoredFile(file_id, unique_id, kind, data, path, api_object)
        self._by_id[file_id] = stored
        self._by_path[path] = stored
        return stored

    def new_photo(self, data: bytes | None, width: int = 1280, height: int = 960) -> list[dict[str, Any]]:
        """A photo as Telegram stores it: several PhotoSizes, each with its own file_id."""
        if data is not None:
            width, height = image_size(data) or (width, height)
        ext = image_kind(data) or "jpg" if data is not None else "jpg"
        sizes: list[StoredFile] = []
        longest = max(width, height, 1)
        for side in _PHOTO_SIDES:
            scale = min(1.0, side / longest)
            w, h = max(1, round(width * scale)), max(1, round(height * scale))
            if sizes and (w, h) == (sizes[-1].api_object["width"], sizes[-1].api_object["height"]):
                break
            sizes.append(self._register("photo", data, ext, {"width": w, "height": h}))
        group = [s.api_object for s in sizes]
        for stored in sizes:
            stored.group = group
        return [dict(s) for s in group]

    def new_document(self, data: bytes | None, file_name: str, mime_type: str | None = None) -> dict[str, Any]:
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = self._register("document", data, ext, {"file_name": file_name, "mime_type": mime})
        return dict(stored.api_object)

    def new_media(self, kind: str, data: bytes | None, file_name: str | None, mime_type: str | None) -> dict[str, Any]:
        """video/audio/voice/animation/sticker/video_note with the fields their types require."""
        media: dict[str, dict[str, Any]] = {
            "video": {"width": 640, "height": 360, "duration": 1},
            "animation": {"width": 320, "height": 240, "duration": 1},
            "audio": {"duration": 1},
            "voice": {"duration": 1},
            "video_note": {"length": 240, "duration": 1},
            "sticker": {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False},
        }
        extra = media[kind]
        if file_name and kind in ("video", "animation", "audio"):
            extra["file_name"] = file_name
        if mime_type and kind in ("video", "animation", "audio", "voice"):
            extra["mime_type"] = mime_type
        ext = (file_name or "").rsplit(".", 1)[-1] if file_name and "." in file_name else "bin"
        return dict(self._register(kind, data, ext, extra).api_object)

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)

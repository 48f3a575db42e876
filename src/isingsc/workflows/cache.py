"""Cache of finished figure results for ``isingsc reproduce``.

A figure (its PNG, PDF and NetCDF files) is computed once per *key* and kept in
a cache folder; running ``reproduce`` again with the same settings copies the
cached files into the output folder instead of recomputing them.

The key is the SHA-256 of a canonical JSON document holding

* the figure number and the quality preset,
* every setting the figure is made with: the default arguments of its maker
  (:class:`FigureSpec`; for the paper's figures ``isingsc.plotting.figures.figure_N``, the model
  parameters ``PAPER`` included) and the module constants it names (``FIG3_QUALITY``, ...),
* the package version ``isingsc.__version__`` **and** a digest of the package's
  source files (all but the command line, the report and the cache itself): during
  development the version string does not change while the solvers do, and a cache
  must never hand back results of other code.

Layout: ``<cache>/fig<N>-<key[:16]>/`` holds the files and ``manifest.json``
(key, settings, SHA-256 and size of every file, compute time, creation date).
An entry is written into a temporary folder and renamed into place only when
complete, so an interrupted run leaves no entry.  Every lookup re-checks the
manifest and each file's size and SHA-256; an entry that fails (unreadable
manifest, missing or altered file) is reported as corrupt, deleted and
recomputed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import shutil
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from isingsc.core.version import __version__

MANIFEST = "manifest.json"
#: Format of the manifest; entries of another format are treated as missing.
CACHE_FORMAT = 1
#: Name of the default cache folder inside the output folder.
DEFAULT_CACHE_NAME = ".isingsc-cache"

@dataclasses.dataclass(frozen=True)
class FigureSpec:
    """One figure of ``isingsc reproduce``: its number, the function that makes it (``maker(out)`` or
    ``maker(out, quality=...)``, returning the files written), the module constants it depends on, and
    whether it has quality presets."""

    name: str
    maker: Callable
    constants: dict = dataclasses.field(default_factory=dict)
    has_quality: bool = False

    def make(self, out: Path, quality: str) -> list[Path]:
        return list(self.maker(out, quality=quality) if self.has_quality else self.maker(out))


def _canonical(value):
    """A JSON-able, deterministic form of a setting (dataclasses by their fields)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "as_attrs"):
            return {"__type__": type(value).__name__, **{k: _canonical(v) for k, v in value.as_attrs().items()}}
        return {"__type__": type(value).__name__,
                **{f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _canonical(value.tolist())
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


#: Package files that cannot change a figure's content, left out of :func:`source_digest`
#: (the command line, the report, the reproduce driver and this cache), relative to the package.
NOT_IN_DIGEST = ("cli", "workflows/report.py", "workflows/cache.py", "workflows/reproduce.py")


def source_digest() -> str:
    """SHA-256 over the package's Python sources and data files (path and content, sorted),
    except :data:`NOT_IN_DIGEST`."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    skip = tuple(Path(x).parts for x in NOT_IN_DIGEST)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".toml")
                       and "__pycache__" not in p.parts
                       and not any(p.relative_to(root).parts[:len(x)] == x for x in skip)):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def figure_settings(figure: FigureSpec, quality: str) -> dict:
    """Everything ``figure`` at ``quality`` is computed from (see the module docstring)."""
    defaults = {name: p.default for name, p in inspect.signature(figure.maker).parameters.items()
                if p.default is not inspect.Parameter.empty and name not in ("out", "quality")}
    # figures without quality presets: one entry serves every quality
    quality = quality if figure.has_quality else None
    return _canonical({"figure": figure.name, "quality": quality, "defaults": defaults,
                       "constants": figure.constants, "isingsc_version": __version__,
                       "source_sha256": source_digest()})


def settings_key(settings: dict) -> str:
    """SHA-256 of the canonical JSON form of ``settings``."""
    text = json.dumps(_canonical(settings), sort_keys=True, separators=(",", ":"), allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclasses.dataclass
class CacheEntry:
    """A verified cache entry: its folder and manifest."""

    path: Path
    manifest: dict

    @property
    def files(self) -> list[str]:
        return [f["name"] for f in self.manifest["files"]]

    @property
    def compute_seconds(self) -> float:
        return float(self.manifest.get("compute_seconds", float("nan")))


class CorruptEntry(Exception):
    """A cache entry failed verification (the message says why)."""


class FigureCache:
    """Folder of finished figure results keyed by :func:`settings_key`.

    ``lookup`` returns a verified :class:`CacheEntry` or None (a corrupt entry is
    deleted, and the reason kept in :attr:`last_problem`); ``store`` computes an
    entry; ``restore`` copies an entry's files to an output folder.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.last_problem: str | None = None

    def entry_dir(self, figure: str, key: str) -> Path:
        return self.root / f"fig{figure}-{key[:16]}"

    def verify(self, path: Path, key: str) -> CacheEntry:
        """Check an entry's manifest and every file (size, SHA-256); raise CorruptEntry if anything is off."""
        try:
            manifest = json.loads((path / MANIFEST).read_text())
        except FileNotFoundError:
            raise CorruptEntry("no manifest (interrupted write)") from None
        except (OSError, ValueError) as exc:
            raise CorruptEntry(f"unreadable manifest ({exc})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != CACHE_FORMAT:
            raise CorruptEntry("manifest of another format")
        if manifest.get("key") != key:
            raise CorruptEntry("manifest key does not match")
        files = manifest.get("files")
        if not isinstance(files, list) or not files:
            raise CorruptEntry("manifest lists no files")
        for item in files:
            try:
                name, size, digest = item["name"], int(item["size"]), item["sha256"]
            except (KeyError, TypeError, ValueError):
                raise CorruptEntry("malformed file record in manifest") from None
            f = path / name
            if Path(name).name != name or not f.is_file():
                raise CorruptEntry(f"{name}: missing")
            if f.stat().st_size != size:
                raise CorruptEntry(f"{name}: size {f.stat().st_size} bytes, manifest says {size}")
            if file_sha256(f) != digest:
                raise CorruptEntry(f"{name}: checksum mismatch")
        return CacheEntry(path, manifest)

    def lookup(self, figure: str, key: str) -> CacheEntry | None:
        """The verified entry for ``key``, or None (missing, or corrupt: then it is deleted)."""
        self.last_problem = None
        path = self.entry_dir(figure, key)
        if not path.exists():
            return None
        try:
            return self.verify(path, key)
        except CorruptEntry as exc:
            self.last_problem = str(exc)
            shutil.rmtree(path, ignore_errors=True)
            return None

    def store(self, figure: str, key: str, settings: dict, make: Callable[[Path], Iterable[Path]]) -> CacheEntry:
        """Run ``make(folder)`` (which writes the figure's files into ``folder`` and returns
        their paths) in a temporary folder, record the manifest and move it into place.
        Older entries of the same figure and quality (other code or settings) are removed."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-fig{figure}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        try:
            start = time.perf_counter()
            written = [Path(p) for p in make(tmp)]
            elapsed = time.perf_counter() - start
            names = []
            for p in written:
                if p.resolve().parent != tmp.resolve():
                    raise RuntimeError(f"figure {figure} wrote {p} outside its folder {tmp}")
                names.append(p.name)
            manifest = {
                "format": CACHE_FORMAT, "key": key, "figure": figure, "settings": settings,
                "isingsc_version": __version__, "compute_seconds": elapsed,
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "files": [{"name": n, "size": (tmp / n).stat().st_size, "sha256": file_sha256(tmp / n)}
                          for n in names],
            }
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, allow_nan=True) + "\n")
            final = self.entry_dir(figure, key)
            if final.exists():
                shutil.rmtree(final)
            tmp.rename(final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._prune(figure, settings.get("quality"), keep=final)
        return CacheEntry(final, manifest)

    def _prune(self, figure: str, quality, keep: Path) -> None:
        for path in self.root.glob(f"fig{figure}-*"):
            if path == keep or not path.is_dir():
                continue
            try:
                other = json.loads((path / MANIFEST).read_text())
                same_quality = other.get("settings", {}).get("quality") == quality
            except (OSError, ValueError, AttributeError):
                same_quality = True  # unreadable: of no use to anyone
            if same_quality:
                shutil.rmtree(path, ignore_errors=True)

    @staticmethod
    def restore(entry: CacheEntry, out: str | Path) -> list[Path]:
        """Copy the entry's files into ``out`` (created if needed); returns the paths written."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in entry.files:
            target = out / name
            shutil.copyfile(entry.path / name, target)
            written.append(target)
        return written


__all__ = ["CACHE_FORMAT", "DEFAULT_CACHE_NAME", "CacheEntry", "CorruptEntry", "FigureCache", "FigureSpec",
           "figure_settings", "settings_key", "source_digest"]

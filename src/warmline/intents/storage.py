"""An intent model on disk: three files, no pickle.

- ``model.json``: intents, embedder name and size, temperature, weight, threshold, the TF-IDF
  vocabularies and the training record (``info``).
- ``arrays.npz``: the classifier weights and bias, the intent centroids and the idf vectors,
  written with fixed zip timestamps (the same model gives the same bytes) and read with
  ``allow_pickle=False``.
- ``manifest.json``: the format name and version, and the sha256 of each file above. It is
  written last, so a half-written model is never taken for a whole one.

The model's checksum is the sha256 over both data files (names and bytes), so it identifies
the model version wherever the files are copied.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from warmline.errors import ConfigurationError

FORMAT: Final = "warmline-intent-model"
FORMAT_VERSION: Final = 1
MANIFEST: Final = "manifest.json"
CONFIG: Final = "model.json"
ARRAYS: Final = "arrays.npz"
_ZIP_EPOCH: Final = (1980, 1, 1, 0, 0, 0)
_REQUIRED_KEYS: Final = (
    "intents",
    "embedder",
    "dimensions",
    "temperature",
    "probability_weight",
    "threshold",
    "info",
    "vocabularies",
)


@dataclass(frozen=True)
class ModelFiles:
    config: dict[str, Any]
    arrays: dict[str, NDArray[Any]]
    contents: dict[str, bytes]
    checksum: str

    @classmethod
    def build(cls, config: dict[str, Any], arrays: dict[str, NDArray[Any]]) -> ModelFiles:
        contents = {
            CONFIG: json.dumps(config, sort_keys=True, ensure_ascii=False).encode("utf-8"),
            ARRAYS: _npz_bytes(arrays),
        }
        return cls(config, arrays, contents, _checksum(contents))


def _checksum(contents: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(contents):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(contents[name]).digest())
    return digest.hexdigest()


def _npz_bytes(arrays: dict[str, NDArray[Any]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w", force_zip64=True) as handle:
                np.lib.format.write_array(
                    handle, np.ascontiguousarray(arrays[name]), allow_pickle=False
                )
    return buffer.getvalue()


def write_model(directory: Path, files: ModelFiles) -> None:
    if directory.exists() and not directory.is_dir():
        raise ConfigurationError(f"{directory} is a file, not a folder for the model")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / MANIFEST).unlink(missing_ok=True)
        for name, content in files.contents.items():
            _write_atomically(directory / name, content)
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "checksum": files.checksum,
            "files": {name: hashlib.sha256(c).hexdigest() for name, c in files.contents.items()},
        }
        _write_atomically(directory / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
    except OSError as error:
        raise ConfigurationError(
            f"cannot write the intent model to {directory}: {error}"
        ) from error


def _write_atomically(path: Path, content: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(content)
    os.replace(partial, path)


def read_model(directory: Path, *, embedder_name: str) -> ModelFiles:
    def broken(why: str) -> ConfigurationError:
        return ConfigurationError(f"{directory} is not a usable intent model: {why}")

    if not directory.is_dir():
        raise ConfigurationError(f"{directory} is not an intent model folder (it does not exist)")
    manifest = _json(directory / MANIFEST, broken, missing="no manifest.json (train one first)")
    if manifest.get("format") != FORMAT:
        raise broken(f"manifest.json is not a {FORMAT} manifest")
    if manifest.get("version") != FORMAT_VERSION:
        raise broken(
            f"format version {manifest.get('version')!r}; this Warmline reads version "
            f"{FORMAT_VERSION} (retrain the model)"
        )
    expected = manifest.get("files")
    if not isinstance(expected, dict) or set(expected) != {CONFIG, ARRAYS}:
        raise broken("manifest.json does not list model.json and arrays.npz")
    contents = {}
    for name, digest in expected.items():
        try:
            contents[name] = (directory / name).read_bytes()
        except OSError as error:
            raise broken(f"cannot read {name} ({error.strerror or error})") from error
        if hashlib.sha256(contents[name]).hexdigest() != digest:
            raise broken(f"{name} does not match its checksum (changed or damaged)")
    try:
        config = json.loads(contents[CONFIG])
    except (ValueError, UnicodeDecodeError) as error:
        raise broken(f"model.json is not JSON: {error}") from error
    if not isinstance(config, dict) or any(key not in config for key in _REQUIRED_KEYS):
        raise broken("model.json lacks some of " + ", ".join(_REQUIRED_KEYS))
    if config["embedder"] != embedder_name:
        raise ConfigurationError(
            f"the intent model in {directory} was trained with the embedder "
            f"{config['embedder']!r}, but the configured embedder is {embedder_name!r}; "
            "retrain it or configure that embedder (WARMLINE_EMBEDDER)"
        )
    try:
        with np.load(io.BytesIO(contents[ARRAYS]), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except (ValueError, OSError, zipfile.BadZipFile) as error:
        raise broken(f"arrays.npz cannot be read: {error}") from error
    _check_shapes(config, arrays, broken)
    return ModelFiles(config, arrays, contents, _checksum(contents))


def _json(path: Path, broken: Any, *, missing: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise broken(missing) from error
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise broken(f"{path.name} cannot be read: {error}") from error
    if not isinstance(data, dict):
        raise broken(f"{path.name} is not a JSON object")
    return data


def _check_shapes(config: dict[str, Any], arrays: dict[str, NDArray[Any]], broken: Any) -> None:
    intents = config["intents"]
    if not isinstance(intents, list) or len(intents) < 2:
        raise broken("model.json lists fewer than 2 intents")
    for name in ("weights", "bias", "centroids"):
        if name not in arrays or arrays[name].dtype != np.float32:
            raise broken(f"arrays.npz has no float32 {name!r}")
    n, dimensions = len(intents), config["dimensions"]
    weights, bias, centroids = arrays["weights"], arrays["bias"], arrays["centroids"]
    if bias.shape != (n,) or centroids.shape != (n, dimensions):
        raise broken("the stored arrays do not fit the intents and embedder dimensions")
    vocabularies = config["vocabularies"]
    surface = sum(len(v) for v in vocabularies.values()) if isinstance(vocabularies, dict) else -1
    if weights.shape != (surface + dimensions, n):
        raise broken("the classifier weights do not fit the vocabularies")

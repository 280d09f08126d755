"""Where the files' bytes live: a folder under the instance (the default) or an S3-compatible
bucket (``MATERIALS_STORAGE=s3``), behind one small interface: ``put``, ``chunks``, ``delete``.

Files and rows change together. A file is written before its row; if the transaction then
does not commit (a refusal, a database error, a request that ends without committing), the
file is removed again. A row's file is deleted only once the deletion of the row has
committed, so a rolled-back purge loses nothing. Both ride on the session's own transaction
events (``install``), so every caller — a view, the purge, a command — gets them.

Keys are random (``new_key``): what the uploader called a file never becomes a path or an
object name.
"""

import logging
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
_KEY_ALPHABET = set("0123456789abcdef")


def new_key() -> str:
    return secrets.token_hex(24)


def _checked(key: str) -> str:
    # Keys are made here; one that is not ours (a path, a dot) never reaches the file system.
    if len(key) != 48 or not set(key) <= _KEY_ALPHABET:
        raise ValueError("not a materials key")
    return key


class Missing(LookupError):
    """The store has no file under the key (deleted by hand, or a store switched)."""


class LocalStore:
    """Files under ``root``, spread over 256 folders by the key's first two characters."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        key = _checked(key)
        return self.root / key[:2] / key

    def put(self, key: str, data: BinaryIO, media_type: str) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside its place and moved in whole: a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                data.seek(0)
                while chunk := data.read(CHUNK):
                    out.write(chunk)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def chunks(self, key: str) -> Iterator[bytes]:
        try:
            handle = open(self.path(key), "rb")  # noqa: SIM115 - closed by the generator
        except FileNotFoundError:
            raise Missing(key) from None

        def read() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return read()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


class S3Store:
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph, a cloud provider's object
    storage), through boto3. Credentials from the configuration, or boto3's own chain
    (environment, instance role) when none are set."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None,
                 prefix: str = "materials/"):
        import boto3
        from botocore.config import Config

        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None,
            aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
            # A store that does not answer fails the request in seconds, not minutes.
            config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}))

    def _name(self, key: str) -> str:
        return self.prefix + _checked(key)

    def put(self, key: str, data: BinaryIO, media_type: str) -> None:
        data.seek(0)
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data.read(),
                               ContentType=media_type)

    def chunks(self, key: str) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise Missing(key) from None
            raise

        def read() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

        return read()

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError:
            return False
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))


def store():
    """The configured store; built once per configuration and kept on the app."""
    config = current_app.config
    kind = (config.get("MATERIALS_STORAGE") or "local").lower()
    if kind == "s3":
        settings = tuple(config.get(name) for name in (
            "MATERIALS_S3_BUCKET", "MATERIALS_S3_ENDPOINT_URL", "MATERIALS_S3_REGION",
            "MATERIALS_S3_ACCESS_KEY_ID", "MATERIALS_S3_SECRET_ACCESS_KEY"))
    elif kind == "local":
        settings = (config.get("MATERIALS_DIR") or str(Path(current_app.instance_path)
                                                        / "materials"),)
    else:
        raise RuntimeError(f"MATERIALS_STORAGE must be 'local' or 's3', not {kind!r}")
    cache = current_app.extensions.setdefault("materials_stores", {})
    if (kind, settings) not in cache:
        if kind == "s3":
            bucket, endpoint, region, access, secret = settings
            if not bucket:
                raise RuntimeError("MATERIALS_STORAGE=s3 needs MATERIALS_S3_BUCKET")
            cache[(kind, settings)] = S3Store(bucket, endpoint_url=endpoint, region=region,
                                              access_key=access, secret_key=secret)
        else:
            cache[(kind, settings)] = LocalStore(Path(settings[0]))
    return cache[(kind, settings)]


# --- files follow the transaction -------------------------------------------------------------

_WRITTEN = "materials.written"  # (store, key) put in this transaction: removed unless it commits
_DOOMED = "materials.doomed"  # (store, key) whose rows this transaction deletes: removed once it does


def put(session: Session, data: BinaryIO, media_type: str) -> str:
    """Store ``data`` under a new key, to be removed again unless ``session`` commits."""
    target, key = store(), new_key()
    target.put(key, data, media_type)
    session.info.setdefault(_WRITTEN, []).append((target, key))
    return key


def delete_after_commit(session: Session, key: str) -> None:
    session.info.setdefault(_DOOMED, []).append((store(), key))


def _remove(files) -> None:
    for target, key in files:
        try:
            target.delete(key)
        except Exception:  # a file left over is harmless; a failed request after commit is not
            log.exception("could not delete material %s", key)


def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    _remove(session.info.pop(_DOOMED, []))


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    # Reached without ``_after_commit``: rolled back or closed. What it wrote goes, what it
    # would have deleted stays.
    _remove(session.info.pop(_WRITTEN, []))
    session.info.pop(_DOOMED, None)


def install() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)

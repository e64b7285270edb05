"""The pseudonymisation key: where it comes from and what makes it acceptable.

The secret key lives outside the repository: ``LIFETOOLS_PSEUDONYM_KEY`` or the file
named by ``LIFETOOLS_PSEUDONYM_KEY_FILE`` (mode 0600, owned by the user). It must carry
at least 256 bits. Two public keys exist: :data:`SYNTHETIC_KEY` (``--synthetic-key``)
and :data:`TEST_KEY` (the test suite); :func:`lifetools.linkage.link_directory` accepts
them only for NHS numbers in the 999 test range. Keys are never printed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from lifetools.config import project_root
from lifetools.errors import LinkageError

__all__ = ["ENV_KEY", "ENV_KEY_FILE", "MIN_KEY_BYTES", "PUBLIC_KEYS", "SYNTHETIC_KEY",
           "TEST_KEY", "check_key", "load_pseudonym_key"]

SYNTHETIC_KEY = b"lifetools-SYNTHETIC-DATA-ONLY-public-key-never-use-for-real-data"
TEST_KEY = b"lifetools-TEST-KEY-published-in-the-test-suite-never-for-real-data"
"""A public key for tests: like the synthetic key, only for NHS numbers in the 999 range."""
PUBLIC_KEYS = (SYNTHETIC_KEY, TEST_KEY)
ENV_KEY = "LIFETOOLS_PSEUDONYM_KEY"
ENV_KEY_FILE = "LIFETOOLS_PSEUDONYM_KEY_FILE"
MIN_KEY_BYTES = 32
"""A key carries at least 256 bits: 32 bytes, of at least 10 distinct byte values."""
_MAX_KEY_FILE = 4096


def check_key(key: bytes) -> bytes:
    """Return ``key`` if it may pseudonymise real data; raise LinkageError otherwise.

    Raises
    ------
    LinkageError
        If the key is shorter than :data:`MIN_KEY_BYTES`, has fewer than 10 distinct
        byte values (``"a" * 32``), or is one of the public keys. The key is never shown.
    """
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        size = len(key) if isinstance(key, bytes | bytearray) else 0
        raise LinkageError(f"the pseudonymisation key has {size} bytes; it needs at least "
                           f"{MIN_KEY_BYTES} (256 bits)",
                           hint="make one with `python -c \"import secrets; "
                           "print(secrets.token_hex(32))\"`")
    if bytes(key) in PUBLIC_KEYS:
        raise LinkageError("the pseudonymisation key is a public key (synthetic or test) "
                           "and cannot be used for real data",
                           hint="use `--synthetic-key` only with test-range NHS numbers")
    if len(set(key)) < 10:
        raise LinkageError("the pseudonymisation key repeats a few characters only; it "
                           "is not a secret", hint="make one with secrets.token_hex(32)")
    return bytes(key)


def _key_from_file(value: str) -> bytes:
    key_file = Path(value).expanduser()
    try:
        info = os.stat(key_file)
    except OSError:
        raise LinkageError(f"the key file named by {ENV_KEY_FILE} does not exist or "
                           "cannot be read") from None
    if not stat.S_ISREG(info.st_mode):
        raise LinkageError(f"{ENV_KEY_FILE} names a folder or a special file, not a key "
                           "file")
    if project_root() in key_file.resolve().parents:
        raise LinkageError(f"{ENV_KEY_FILE} points inside the project; keep the key "
                           "outside the repository")
    if info.st_mode & 0o077 or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        raise LinkageError(f"the key file is readable by others (mode "
                           f"{stat.S_IMODE(info.st_mode):04o}) or not owned by you",
                           hint="chmod 600 the key file")
    if info.st_size > _MAX_KEY_FILE:
        raise LinkageError(f"the key file is larger than {_MAX_KEY_FILE} bytes; it holds "
                           "one key only")
    return key_file.read_bytes().strip()


def load_pseudonym_key(*, synthetic: bool = False) -> bytes:
    """Return the pseudonymisation key: the public synthetic key, or the secret one.

    The secret key comes from ``LIFETOOLS_PSEUDONYM_KEY`` or the file named by
    ``LIFETOOLS_PSEUDONYM_KEY_FILE`` (outside the project, mode 0600, owned by the
    user) and is checked by :func:`check_key`.

    Raises
    ------
    LinkageError
        No key, a missing or unprotected key file, or a weak or public key.
    """
    if synthetic:
        return SYNTHETIC_KEY
    if ENV_KEY in os.environ:
        return check_key(os.environ[ENV_KEY].encode("utf-8"))
    path = os.environ.get(ENV_KEY_FILE)
    if path:
        return check_key(_key_from_file(path))
    raise LinkageError("no pseudonymisation key: set LIFETOOLS_PSEUDONYM_KEY or "
                       "LIFETOOLS_PSEUDONYM_KEY_FILE",
                       hint="for synthetic data only, use `--synthetic-key`")

"""Where the data live: a ``Source`` parsed from ``--data`` or ``analyses.yml``.

A source is one of: a folder of Parquet/CSV table files (read by embedded DuckDB), a
DuckDB database file, a PostgreSQL URL, or a Spark session (``spark://local[N]`` for
local mode, its tables those a script registered, or ``spark://local[N]?path=FOLDER``, the
folder's Parquet files as its tables; ``sc://host:port`` for Spark Connect). Credentials never travel inside the
source text: a password in a URL is refused, and :func:`read_secret` takes it from an
environment variable or from a file only its owner can read. :meth:`Source.display`
is the only way a source is printed (errors, manifests, logs): it never holds a
password.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from lifetools.errors import EngineError, UserError

__all__ = ["ENGINES", "PASSWORD_ENV", "PASSWORD_FILE_ENV", "EngineError", "Source",
           "parse_source", "read_secret", "redact_url", "rooted"]

ENGINES = ("files", "duckdb", "postgres", "spark")
PASSWORD_ENV = "LIFETOOLS_DB_PASSWORD"
"""Environment variable holding the database password (PostgreSQL's ``PGPASSWORD``
is read too)."""
PASSWORD_FILE_ENV = "LIFETOOLS_DB_PASSWORD_FILE"
"""Environment variable naming a file that holds the password (mode 600 or 400)."""

_SPARK_LOCAL = re.compile(r"^spark://local(\[(\d+|\*)\])?(\?path=(?P<path>.+))?$")


def redact_url(text: str) -> str:
    """Return ``text`` with any password of a URL removed.

    ``postgresql://user:secret@host/db?password=x&sslmode=require`` becomes
    ``postgresql://user:***@host/db?sslmode=require``. Text that is not a URL is
    returned as is.
    """
    if "://" not in text:
        return text
    try:
        parts = urlsplit(text)
    except ValueError:  # not a host URL (spark://local[2]): keep only the scheme
        return text if "@" not in text else text.split("://", 1)[0] + "://(withheld)"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in userinfo else f"{user}@{host}"
    query = "&".join(q for q in parts.query.split("&")
                     if q and "password" not in q.lower())
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


@dataclass(frozen=True)
class Source:
    """A parsed data source.

    ``engine`` is one of :data:`ENGINES`; ``location`` is a folder or file path, a
    URL without password, or a Spark master; ``user`` the database user, if any.
    """

    engine: str
    location: str
    user: str | None = None

    def display(self) -> str:
        """What errors, logs and manifests may print: engine and place, no secret, and
        of a local Spark session's folder only its name (as of a folder source)."""
        local = _SPARK_LOCAL.match(self.location) if self.engine == "spark" else None
        if local and local["path"]:
            master = self.location.split("?", 1)[0]
            return f"{self.engine}:{master}?path={Path(local['path']).name}"
        return f"{self.engine}:{redact_url(self.location)}"


def parse_source(text: str | os.PathLike) -> Source:
    """Parse ``--data`` (or the ``data:`` of ``analyses.yml``) into a :class:`Source`.

    Raises
    ------
    UserError
        If the text names no known kind of source, or a URL carries a password
        (passwords come from :data:`PASSWORD_ENV` or :data:`PASSWORD_FILE_ENV`).

    Notes
    -----
    Tested in ``tests/unit/test_engines.py``.
    """
    raw = os.fspath(text).strip()
    if raw.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(raw)
        if parts.password is not None or "password" in parts.query.lower():
            raise UserError(
                f"the data source {redact_url(raw)} has a password in it",
                hint=f"remove it: set {PASSWORD_ENV} or name an owner-only file in "
                     f"{PASSWORD_FILE_ENV}")
        if not parts.hostname and not parts.path.strip("/"):
            raise UserError(f"the data source {redact_url(raw)} names no database")
        return Source("postgres", raw, user=parts.username)
    if raw.startswith("spark://"):
        local = _SPARK_LOCAL.match(raw)
        if not local:
            raise UserError(f"the Spark source {redact_url(raw)} is not spark://local[N]",
                            hint="use spark://local[2]?path=FOLDER or a Spark Connect URL "
                                 "sc://host:port")
        if local["path"] is None:
            return Source("spark", raw)
        folder = Path(unquote(local["path"])).expanduser().resolve()
        if not folder.is_dir():
            raise UserError(f"the folder {folder.name!r} named by path= in the Spark source "
                            "is not a folder", hint="give the extract's folder of Parquet "
                            "files: spark://local[2]?path=/path/to/extract")
        return Source("spark", f"{raw.split('?', 1)[0]}?path={folder}")
    if raw.startswith("sc://"):
        if "token=" in raw.lower():
            raise UserError(
                f"the Spark Connect URL {raw.split('/;', 1)[0]} has a token in it",
                hint="remove it: set SPARK_CONNECT_AUTHENTICATE_TOKEN in the environment, "
                     "or name an owner-only file in LIFETOOLS_SPARK_TOKEN_FILE")
        return Source("spark", redact_url(raw))
    if raw.startswith("duckdb://"):
        return Source("duckdb", raw.removeprefix("duckdb://"))
    if "://" in raw:
        raise UserError(f"unknown kind of data source {redact_url(raw).split('://')[0]}://",
                        hint="give a folder, a .duckdb file, postgresql://... or "
                             "spark://local[N]")
    path = Path(raw)
    if path.is_dir():
        return Source("files", str(path))
    if path.suffix in (".duckdb", ".db") and path.is_file():
        return Source("duckdb", str(path))
    raise UserError(f"the data source {path.name!r} is neither a folder nor a DuckDB file",
                    hint="give the extract's folder, a .duckdb file, postgresql://... "
                         "or spark://local[N]")


def rooted(text: str, root: Path) -> str:
    """``text`` with the folder of ``spark://local[N]?path=FOLDER``, when relative, taken
    from ``root`` (a path in ``analyses.yml`` is the project root's, as a folder source's
    is); any other text as it is."""
    local = _SPARK_LOCAL.match(text.strip())
    if not local or local["path"] is None or Path(unquote(local["path"])).is_absolute():
        return text
    return f"{text.strip().split('?', 1)[0]}?path={Path(root) / unquote(local['path'])}"


def read_secret(env: os._Environ | dict | None = None, *,
                names: tuple[str, ...] = (PASSWORD_ENV, "PGPASSWORD"),
                file_env: str = PASSWORD_FILE_ENV, what: str = "password") -> str | None:
    """Return the database password (or another secret: ``what``, read from the
    variables ``names``, then the file named in ``file_env``) from the environment
    or an owner-only file.

    Order: :data:`PASSWORD_ENV`, ``PGPASSWORD``, then the file named in
    :data:`PASSWORD_FILE_ENV`. ``None`` when none is set (a Unix-socket or
    certificate login needs none). A Spark Connect token is read so too
    (:func:`lifetools.engines.spark.read_token`).

    Raises
    ------
    EngineError
        If the file is missing, not owned by this user, or readable by its group or
        others (as ssh refuses a readable key).
    """
    env = os.environ if env is None else env
    for name in names:
        if env.get(name):
            return env[name]
    named = env.get(file_env)
    if not named:
        return None
    path = Path(named)
    try:
        info = path.stat()
    except OSError:
        raise EngineError(f"the {what} file named in {file_env} does not exist"
                          ) from None
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise EngineError(
            f"the {what} file named in {file_env} can be read by others "
            f"(mode {stat.filemode(info.st_mode)})",
            hint=f"chmod 600 {path.name}: only its owner may read it")
    return path.read_text(encoding="utf-8").strip()

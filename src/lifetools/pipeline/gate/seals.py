"""Seals: a stamp counts only if a display function wrote it in this run.

The runner gives each kernel a fresh secret (``LIFETOOLS_SEAL_KEY``, :func:`new_key`),
never written to disk. :func:`lifetools.publication.seal` signs each display's content
and stamp with it (HMAC-SHA256). When the run ends the runner calls
:func:`verify_and_settle` with the same secret: a stamp whose seal is right is settled
(the seal is replaced by ``verified``, the SHA-256 of the content and stamp, which is the
same on every rerun, so the tidy notebook stays byte-identical); any other stamp is
marked ``forged`` and loses ``protected``. The gate (:func:`seal_findings`) refuses a
forged stamp, a stamp the runner never settled, and a settled stamp whose content has
changed since.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from lifetools.publication import SEAL_ENV, STAMP_KEY

__all__ = ["SEAL_ENV", "new_key", "seal_digest", "seal_findings", "verify_and_settle"]

FORGED = ("forged-stamp", "the output carries a lifetools stamp that no lifetools "
          "display function sealed in this run (forged or altered stamp)")


def new_key() -> str:
    """A fresh per-run secret for the kernel's ``LIFETOOLS_SEAL_KEY``."""
    return secrets.token_hex(32)


def _message(data: Any, mark: dict[str, Any]) -> bytes:
    body = {"data": data, "stamp": {k: v for k, v in mark.items()
                                    if k not in ("seal", "verified")}}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      default=str).encode()


def seal_digest(data: Any, mark: dict[str, Any], key: str) -> str:
    """HMAC-SHA256 of an output's data and stamp, as the display function computed it."""
    return hmac.new(key.encode(), _message(data, mark), hashlib.sha256).hexdigest()


def _content_digest(data: Any, mark: dict[str, Any]) -> str:
    return hashlib.sha256(_message(data, mark)).hexdigest()


def verify_and_settle(nb: Any, key: str) -> int:
    """Check every stamped output's seal; settle the good ones, mark the rest forged.

    Returns the number of forged stamps. Changes ``nb`` in place.
    """
    forged = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            mark = output.get("metadata", {}).get(STAMP_KEY)
            if not isinstance(mark, dict):
                continue
            data = output.get("data", {})
            seal = mark.get("seal")
            good = isinstance(seal, str) and hmac.compare_digest(
                seal, seal_digest(data, mark, key))
            settled = {k: v for k, v in mark.items() if k not in ("seal", "verified",
                                                                  "forged")}
            if good:
                settled["verified"] = _content_digest(data, settled)
            else:
                forged += 1
                settled.update(protected=False, forged=True)
            output["metadata"][STAMP_KEY] = settled
    return forged


def seal_findings(output: dict[str, Any]) -> list[tuple[str, str]]:
    """The gate's check of one output's stamp (empty if unstamped or verified)."""
    mark = output.get("metadata", {}).get(STAMP_KEY)
    if mark is None:
        return []
    if not isinstance(mark, dict) or mark.get("forged"):
        return [FORGED]
    verified = mark.get("verified")
    if not isinstance(verified, str):
        return [("forged-stamp", "the stamp was never verified by the runner (the "
                 "notebook did not come from this run, or the stamp was written by hand)")]
    if not hmac.compare_digest(verified, _content_digest(output.get("data", {}), mark)):
        return [("forged-stamp", "the output was altered after the runner verified "
                 "its stamp")]
    return []

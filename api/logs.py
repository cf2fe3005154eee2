"""No identity number in any log line the process writes, whatever the source.

The service never puts an identity number in a URL, but a person may type one there
(``/saker/12345678901``, ``?q=12345678901``), and the HTTP server's access log prints the
request line verbatim; a driver's error, a library's warning or a traceback may quote a
value too. So the masking is not left to each caller: :func:`install` masks every log
record *when it is made*, by wrapping the process's log-record factory — every logger (the
server's, the libraries', ours) makes its records there, whichever handler or formatter
writes them later, and whether the record propagates or not. The same masking runs as a
filter on the root logger, on uvicorn's loggers and on their handlers (a second line of
defence should another factory replace ours).

What is masked (:func:`mask`): a run of exactly eleven digits, also written as six and five
with a space between (as typed, or URL-encoded as ``+`` or ``%20``), in the message, in each
argument, in extra string attributes, in the formatted traceback and in the stack — each
becomes eleven asterisks. A UUID is left whole even where its last group happens to hold
eleven digits (the ids in our URLs stay readable in the access log).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

#: A UUID (kept whole: its last group may hold eleven digits by chance), or an identity
#: number: eleven digits, or six and five apart (a space, ``+`` or ``%20`` between).
_UUID_OR_NUMBER = re.compile(
    r"(?P<uuid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"|(?<!\d)\d{6}(?:[ \u00a0+]|%20)?\d{5}(?!\d)")
_MASK = "*" * 11


def _replace(match: re.Match[str]) -> str:
    return match.group("uuid") or _MASK

#: The attributes every LogRecord has; any other string attribute is an ``extra`` value.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime"}

#: The uvicorn loggers (the server's own messages and its access log).
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def mask(text: str) -> str:
    """``text`` with every identity-number-like run of digits replaced by asterisks
    (UUIDs are left whole)."""
    return _UUID_OR_NUMBER.sub(_replace, text)


def _masked(value: Any) -> Any:
    """A string argument masked; any other argument as it is unless its text holds a
    number, then that text masked (%s and %r still format it)."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    text = str(value)
    masked = mask(text)
    return value if masked == text else masked


def mask_record(record: logging.LogRecord) -> None:
    """Mask ``record`` in place: message, arguments, extras, traceback and stack."""
    if getattr(record, "lto_identity_numbers_masked", False):
        return
    if isinstance(record.msg, str):
        record.msg = mask(record.msg)
    elif record.msg is not None:
        text = str(record.msg)
        if mask(text) != text:
            record.msg = mask(text)
    if isinstance(record.args, Mapping):
        record.args = {k: _masked(v) for k, v in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_masked(v) for v in record.args)
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it when it is written
        message = None
    if message is not None and mask(message) != message:
        # a number the parts only make together, or one an argument's format shows
        record.msg, record.args = mask(message), ()
    for key, value in list(record.__dict__.items()):
        if key not in _STANDARD and isinstance(value, str):
            setattr(record, key, mask(value))
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    record.lto_identity_numbers_masked = True


class MaskIdentityNumbers(logging.Filter):
    """A filter that masks each record it sees (and lets it through)."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


_FILTER = MaskIdentityNumbers()


def _masking_factory(factory: Callable[..., logging.LogRecord]
                     ) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        mask_record(record)
        return record

    make.masks_identity_numbers = True  # type: ignore[attr-defined]
    return make


def _add_filter(target: logging.Logger | logging.Handler) -> None:
    if not any(isinstance(f, MaskIdentityNumbers) for f in target.filters):
        target.addFilter(_FILTER)


def install() -> None:
    """Mask identity numbers in every log record of the process (idempotent; call it at
    startup and again once the server has configured its loggers)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "masks_identity_numbers", False):
        logging.setLogRecordFactory(_masking_factory(factory))
    for name in ("", *UVICORN_LOGGERS):
        logger = logging.getLogger(name)
        _add_filter(logger)
        for handler in logger.handlers:
            _add_filter(handler)


__all__ = ["UVICORN_LOGGERS", "MaskIdentityNumbers", "install", "mask", "mask_record"]

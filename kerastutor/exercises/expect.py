"""`expect_error` and `expect_warning`: cells that must fail or warn, shown as lessons."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator

from kerastutor.i18n import gettext as _

__all__ = ["expect_error", "expect_warning"]


@contextlib.contextmanager
def expect_error(*exception_types: type[BaseException], match: str | None = None) -> Iterator[dict]:
    """Run a block that must fail: print the error it raised, and fail loudly if it did not.

    The course uses it to run Keras 2 spellings that Keras 3 refuses. Unlike nbval's
    raises-exception marker (which means *may* raise), a block that succeeds is an error, so
    a notebook stops passing if Keras ever accepts the old spelling again.

    >>> with expect_error(AttributeError, match="fit_generator"):
    ...     object().fit_generator
    Raised as expected: AttributeError: 'object' object has no attribute 'fit_generator'
    """
    types = exception_types or (Exception,)
    caught: dict = {}
    try:
        yield caught
    except types as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if match is not None and not re.search(match, str(exc)):
            raise AssertionError(
                _(
                    "The block raised {error}, but its message does not match {match!r}: {message}"
                ).format(error=type(exc).__name__, match=match, message=exc)
            ) from exc
        caught["error"] = exc
        print(
            _("Raised as expected: {error}: {message}").format(
                error=type(exc).__name__, message=message[:300]
            )
        )
        return
    names = ", ".join(t.__name__ for t in types)
    raise AssertionError(
        _("This block was expected to raise {errors}, but it ran without error.").format(
            errors=names
        )
    )


class _LogRecords(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def expect_warning(match: str) -> Iterator[list[str]]:
    """Run a block that must warn: print the warning, and fail loudly if none matching came.

    Catches Python warnings (`warnings.warn`) and the log lines of the `absl` and `tensorflow`
    loggers, which is how Keras's TensorFlow side warns. The warning is printed as the block's
    output instead of reaching stderr, so a lesson can show it, and a later Keras that stops
    warning makes the notebook fail instead of silently teaching a stale claim.

    >>> import warnings
    >>> with expect_warning("legacy"):
    ...     warnings.warn("this format is legacy")
    Warned as expected: this format is legacy
    """
    import warnings

    handler = _LogRecords()
    loggers = [logging.getLogger(name) for name in ("absl", "tensorflow")]
    saved = [(lg, lg.propagate) for lg in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    messages: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield messages
    finally:
        for logger, propagate in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate
    messages += [str(w.message) for w in caught] + handler.messages
    matching = [m for m in messages if re.search(match, m)]
    if not matching:
        raise AssertionError(
            _("This block was expected to warn about {match!r}, but it warned nothing.").format(
                match=match
            )
            if not messages
            else _(
                "This block was expected to warn about {match!r}, but it warned {warnings}."
            ).format(match=match, warnings=messages)
        )
    for message in matching:
        print(
            _("Warned as expected: {message}").format(message=message.strip().splitlines()[0][:300])
        )

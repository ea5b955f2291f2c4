"""Excel's user interface for the ribbon actions: message boxes, prompts, status bar, batch mode.

Batch mode (no screen updating, manual calculation) is written down in the user's state folder
before Excel is touched, so that if Python is killed mid-run the next action puts Excel back.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from addin.io import user_config

__all__ = ["ExcelUI", "StatusBarProgress", "restore_left_state"]

log = logging.getLogger(__name__)

_MAX_ALERT = 1_000  # a message box beyond this is unreadable; details go to the sheets
# MessageBox flags (win32con values; no pywin32 import at module level: this loads on Linux).
_MB_BUTTONS = {"ok": 0x0, "ok_cancel": 0x1, "yes_no_cancel": 0x3, "yes_no": 0x4}
_MB_ICONS = {"info": 0x40, "critical": 0x30}
# MB_SETFOREGROUND | MB_TOPMOST: Python is not the foreground process when a button runs it, so
# without them Windows may open the box *behind* Excel, which then looks frozen.
_MB_FRONT = 0x10000 | 0x40000
_MB_ANSWERS = {1: "ok", 2: "cancel", 6: "yes", 7: "no"}
_BATCH = (("screen_updating", False), ("calculation", "manual"))
_VALID = {"screen_updating": (True, False),
          "calculation": ("automatic", "manual", "semiautomatic")}


def restore_left_state(app: Any) -> dict[str, object]:
    """Put back what an action killed mid-run left switched off; what it restored."""
    left = user_config.read_state() or {}
    restored = {k: v for k, v in left.items() if v in _VALID.get(k, ())}
    for attr, value in restored.items():
        try:
            setattr(app, attr, value)
        except Exception:
            log.warning("could not restore Excel %s", attr, exc_info=True)
    if left:
        log.warning("Excel settings left by an interrupted action restored: %s", restored)
    return restored


def _native_box() -> Callable[[int, str, str, int], int] | None:
    """win32api.MessageBox on Windows (what xlwings' alert calls, minus the front flags)."""
    if sys.platform != "win32":
        return None
    try:
        import win32api  # pywin32, installed with xlwings on Windows
    except ImportError:
        return None
    return win32api.MessageBox


def _hwnd(app: Any) -> int | None:
    """Excel's main window, the box's owner; None on engines without one."""
    try:
        return int(app.hwnd)
    except Exception:
        return None


class ExcelUI:
    """The UI half of `ExcelWorkbook` (needs `self.book`, an `xw.Book`)."""

    book: Any

    def alert(
        self, message: str, title: str = "Gestimum", *, buttons: str = "ok", critical: bool = False
    ) -> str | None:
        """A message box; returns the button pressed ("ok", "yes", "no"…), None on the server."""
        if len(message) > _MAX_ALERT:
            message = message[: _MAX_ALERT - 1] + "…"
        mode = "critical" if critical else "info"
        app = self.book.app
        box, owner = _native_box(), _hwnd(app)
        if box is None or owner is None:  # not desktop Excel on Windows: xlwings' own alert
            return app.alert(message, title=title, buttons=buttons, mode=mode)
        answer = box(owner, message, title, _MB_BUTTONS[buttons] | _MB_ICONS[mode] | _MB_FRONT)
        return _MB_ANSWERS.get(answer)

    def confirm(self, message: str, title: str = "Gestimum") -> bool:
        """A yes/no question; only an explicit "yes" counts (the server engine answers None)."""
        return self.alert(message, title, buttons="yes_no", critical=True) == "yes"

    def input_box(self, prompt: str, title: str = "Gestimum", default: str = "") -> str | None:
        """Excel's own InputBox (xlwings has none); None when cancelled or unavailable."""
        try:
            answer = self.book.app.api.InputBox(prompt[:255], title, default, Type=2)
        except (NotImplementedError, AttributeError):
            return None
        # Cancel returns the boolean False; an empty answer is a valid (empty) text.
        return answer if isinstance(answer, str) else None

    def status(self, text: str | None) -> None:
        """Show text in Excel's status bar; None hands the status bar back to Excel."""
        # Remote engines have no status bar (NotImplementedError): progress is then silent.
        with suppress(NotImplementedError):
            self.book.app.status_bar = text if text else False

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Screen updating off and manual calculation for the run, restored even on errors —
        and, if this process is killed, by the next action (the settings are saved first)."""
        app = self.book.app
        restore_left_state(app)
        saved: dict[str, object] = {}
        for attr, _ in _BATCH:
            # Remote engines: getters raise NotImplementedError, nothing to restore.
            with suppress(NotImplementedError):
                saved[attr] = getattr(app, attr)
        if saved:
            user_config.write_state(saved)  # before Excel is changed: a kill can come any time
        try:
            for attr, value in _BATCH:
                if attr in saved:
                    setattr(app, attr, value)
            yield
        finally:
            restored = True
            for attr, value in saved.items():
                try:
                    setattr(app, attr, value)
                except Exception:  # restoring must never hide the run's own error
                    restored = False
                    log.warning("could not restore Excel %s", attr, exc_info=True)
            if saved and restored:  # otherwise the next action tries again
                user_config.clear_state()
            self.status(None)


class StatusBarProgress:
    """The pipeline's `Progress` shown in Excel's status bar: sheet, batch n/N, rows."""

    def __init__(self, workbook: ExcelUI, verb: str = "Import") -> None:
        self._workbook = workbook
        self._verb = verb
        self._rows: dict[str, int] = {}

    def start(self, sheet: str, batches: int, rows: int) -> None:
        self._rows[sheet] = rows
        self._workbook.status(f"Gestimum — {self._verb} {sheet} : lot 0/{batches}, 0/{rows} lignes")

    def advance(self, sheet: str, batch: int, batches: int, rows_done: int) -> None:
        total = self._rows.get(sheet, rows_done)
        self._workbook.status(
            f"Gestimum — {self._verb} {sheet} : lot {batch}/{batches}, {rows_done}/{total} lignes"
        )

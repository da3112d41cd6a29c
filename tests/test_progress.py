"""Counted progress bars: drawn on a terminal, absent from pipes and captured output."""

from __future__ import annotations

import os
import pty
import select
import sys

from finflow.progress import terminal_steps


def test_no_bar_when_output_is_not_a_terminal(capsys) -> None:
    with terminal_steps("drawing views", 3) as advance:
        for _ in range(3):
            advance()
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_bar_with_counts_on_a_terminal(monkeypatch) -> None:
    master, slave = pty.openpty()
    try:
        tty = os.fdopen(slave, "w", encoding="utf-8", buffering=1)
        monkeypatch.setattr(sys, "stdout", tty)
        monkeypatch.setattr(sys, "stderr", tty)
        with terminal_steps("drawing views", 3) as advance:
            for _ in range(3):
                advance()
        tty.flush()
        chunks = []
        while select.select([master], [], [], 0.5)[0]:  # the bar arrives in several writes
            chunks.append(os.read(master, 65536))
        shown = b"".join(chunks).decode("utf-8", "replace")
    finally:
        os.close(master)
    assert "drawing views" in shown and "3/3" in shown

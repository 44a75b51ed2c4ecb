"""`smce-bot i18n` warns about a marked message built from pieces (it cannot be translated as written), and only
about those: an f-string given as a placeholder's value is fine (babel's own warning cried wolf on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n_tools import catalogs

SOURCE = b'''
ctx._("At {time}", time=f"{hour:02d}:{minute:02d}")      # 2: a placeholder's value: fine
ctx._(f"Hello {name}")                                   # 3: an f-string message
t.gettext("Done. " + when)                               # 4: concatenated fragments
_("%s lessons" % n)                                      # 5: %-formatting
N_("{} of {}".format(a, b))                              # 6: .format() on the message
ctx.ngettext("{n} lesson", f"{n} lessons", n)            # 7: the plural message
ctx._(label, time=at)                                    # 8: a constant marked elsewhere with N_: fine
ctx._("Two halves " "of one sentence.")                  # 9: one literal: fine
ctx._(f"No substitution")                                # 10: a constant f-string: fine
ctx._("A " + "B")                                        # 11: literals only: extracted as "A B": fine
ctx.pgettext("ctx", f"{x}")                              # 12: not one of our keywords
Button(ctx._("Back"), f"{prefix}:{x}")                   # 13: an f-string next to, not in, the call
'''


def test_only_messages_built_from_pieces_are_reported() -> None:
    assert [line for line, _ in catalogs.untranslatable(SOURCE)] == [3, 4, 5, 6, 7]


def test_extraction_warns_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "handlers").mkdir()
    (tmp_path / "handlers" / "fine.py").write_text(
        'ctx._("Did you mean {time}?", time=f"{hour:02d}:00")\n', encoding="utf-8")
    (tmp_path / "handlers" / "bad.py").write_text('x = 1\nctx._(f"Hello {name}")\n', encoding="utf-8")
    template = catalogs.extract_template(tmp_path)
    assert [m.id for m in template if m.id] == ["Did you mean {time}?"]
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 1 and warnings[0].startswith(f"{tmp_path / 'handlers' / 'bad.py'}:2: warning: ")
    assert "cannot be translated as written" in warnings[0]


def test_our_sources_have_no_message_built_from_pieces(capsys: pytest.CaptureFixture[str]) -> None:
    catalogs.extract_template()
    assert capsys.readouterr().err == ""

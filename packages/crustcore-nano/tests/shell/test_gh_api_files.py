"""`gh api` sends files named by `-F key=@FILE` and `--input FILE`; `-f` sends text."""

from __future__ import annotations

from crustcore_nano.shell import OpKind, analyze


def _reads(command: str) -> set[str]:
    return {
        op.target for fact in analyze(command).commands for op in fact.operations
        if op.kind is OpKind.READ
    }  # fmt: skip


def test_field_files_and_the_input_body_are_read() -> None:
    assert "notes/a.md" in _reads("gh api gists -F 'files[a][content]=@notes/a.md'")
    assert "b.json" in _reads("gh api repos/o/r/issues --field=body=@b.json")
    assert "c.json" in _reads("gh api repos/o/r/issues -Fbody=@c.json")
    assert "body.json" in _reads("gh api repos/o/r/issues --input body.json")
    assert "d.json" in _reads("gh api repos/o/r/issues --input=d.json")


def test_text_fields_and_stdin_are_not_files() -> None:
    reads = _reads("gh api repos/o/r/issues -f title=@home -F n=3 -F x=@- --input -")
    assert reads == set()

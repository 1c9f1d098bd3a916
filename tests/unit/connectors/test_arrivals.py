import os
from datetime import date

from connectors.arrivals import cursor_of, new_exports, scan_exports

REGEX = r"(\d{4}-\d{2}-\d{2})"


def _export(folder, name: str, text: str = "a,b\n1,2\n"):
    path = folder / name
    path.write_text(text)
    return path


def test_every_file_is_new_without_a_cursor(tmp_path):
    _export(tmp_path, "readings_2026-03-02.csv")
    _export(tmp_path, "readings_2026-03-01.csv")
    found = new_exports(scan_exports([str(tmp_path / "readings_*.csv")], REGEX), None)
    assert [f.night for f in found] == [date(2026, 3, 1), date(2026, 3, 2)]


def test_a_seen_file_is_not_new_again(tmp_path):
    _export(tmp_path, "readings_2026-03-01.csv")
    current = scan_exports([str(tmp_path / "*.csv")], REGEX)
    assert new_exports(current, cursor_of(current)) == []


def test_a_rewritten_file_is_new_with_a_new_version(tmp_path):
    path = _export(tmp_path, "readings_2026-03-01.csv")
    before = scan_exports([str(tmp_path / "*.csv")], REGEX)
    path.write_text("a,b\n1,2\n3,4\n")
    after = scan_exports([str(tmp_path / "*.csv")], REGEX)
    changed = new_exports(after, cursor_of(before))
    assert len(changed) == 1 and changed[0].version != before[0].version


def test_a_touched_file_of_the_same_size_is_new(tmp_path):
    path = _export(tmp_path, "readings_2026-03-01.csv")
    before = scan_exports([str(tmp_path / "*.csv")], REGEX)
    os.utime(path, ns=(before[0].mtime_ns + 10**9, before[0].mtime_ns + 10**9))
    after = scan_exports([str(tmp_path / "*.csv")], REGEX)
    assert new_exports(after, cursor_of(before)) == after


def test_an_empty_folder_has_no_exports(tmp_path):
    assert scan_exports([str(tmp_path / "*.csv")], REGEX) == []
    assert cursor_of([]) == "[]"

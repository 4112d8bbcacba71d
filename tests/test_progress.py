"""kt.progress(): a record of solved exercises that survives kernels, races and bad files."""

import json
import subprocess
import sys

import pytest

from kerastutor import record as progress_module


@pytest.fixture(autouse=True)
def record_file(tmp_path, monkeypatch):
    path = tmp_path / "data" / "progress.json"
    monkeypatch.setenv("KERASTUTOR_PROGRESS", str(path))
    return path


def test_right_answers_are_recorded_and_shown_by_chapter(record_file):
    from kerastutor.exercises import EXERCISES

    first = next(iter(EXERCISES))
    progress_module.record_solved(first)
    progress_module.record_solved(first)  # twice is once
    table = progress_module.progress()
    chapter = first.split(".")[0]
    assert table.loc[chapter, "solved"] == 1
    assert table["exercises"].sum() == len(EXERCISES)
    assert first not in table.loc[chapter, "open"]
    assert list(json.loads(record_file.read_text())["solved"]) == [first]


def test_two_kernels_writing_at_once_lose_nothing(record_file):
    code = (
        "import sys\n"
        "from kerastutor.record import record_solved\n"
        "for i in range(40):\n"
        "    record_solved(f'{sys.argv[1]}.{i}')\n"
    )
    workers = [subprocess.Popen([sys.executable, "-c", code, name]) for name in ("a", "b", "c")]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0]
    assert len(progress_module.solved()) == 120


@pytest.mark.parametrize("text", ["{not json", '{"solved": [1, 2]}', '{"other": 1}'])
def test_an_unreadable_record_is_kept_aside_with_a_warning(record_file, text):
    record_file.parent.mkdir(parents=True)
    record_file.write_text(text)
    with pytest.warns(RuntimeWarning, match="could not be read.*kept as"):
        assert progress_module.solved() == {}
    kept = list(record_file.parent.glob("progress.json.unreadable-*"))
    assert len(kept) == 1 and kept[0].read_text() == text  # nothing is lost
    progress_module.record_solved("01.x")
    assert list(progress_module.solved()) == ["01.x"]


def test_keys_the_course_no_longer_has_are_ignored_with_a_warning():
    progress_module.record_solved("99.gone")
    with pytest.warns(RuntimeWarning, match="99.gone"):
        table = progress_module.progress()
    assert table["solved"].sum() == 0


def test_check_records_a_right_answer_and_not_a_wrong_one():
    import kerastutor as kt

    assert kt.check("08.initial_epoch", 6)
    assert not kt.check("08.initial_epoch", 7)
    assert list(progress_module.solved()) == ["08.initial_epoch"]


def test_a_record_that_cannot_be_written_does_not_break_check(monkeypatch, tmp_path):
    import kerastutor as kt

    blocker = tmp_path / "a_file"
    blocker.write_text("")
    monkeypatch.setenv("KERASTUTOR_PROGRESS", str(blocker / "progress.json"))  # not a folder
    with pytest.warns(RuntimeWarning, match="Could not record your progress"):
        assert kt.check("08.initial_epoch", 6)

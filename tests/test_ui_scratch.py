import os
import tempfile

from ui import scratch


def test_run_folders_live_under_one_root_and_stale_ones_go(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old = scratch.new_run_folder("speak")
    (old / "speech.wav").write_bytes(b"RIFF")
    day_and_a_bit_ago = old.stat().st_mtime - scratch.MAX_AGE_S - 60
    os.utime(old, (day_and_a_bit_ago, day_and_a_bit_ago))
    kept = scratch.new_run_folder("animate")

    fresh = scratch.new_run_folder("poster")

    assert old.parent == kept.parent == fresh.parent == tmp_path / "emostudio-ui"
    assert not old.exists()
    assert kept.is_dir() and fresh.is_dir() and kept != fresh
    assert fresh.name.startswith("poster-")


def test_discard_and_exit_remove_what_this_process_made(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    failed, finished = scratch.new_run_folder("speak"), scratch.new_run_folder("speak")
    (finished / "speech.wav").write_bytes(b"RIFF")
    foreign = tmp_path / "emostudio-ui" / "another-server"
    foreign.mkdir()

    scratch.discard(failed)
    assert not failed.exists() and finished.exists()
    scratch._remove_made_here()

    assert not finished.exists()
    assert foreign.exists()   # another server's fresh files are left to it


def test_remove_stale_reports_only_what_it_removed(tmp_path):
    stale, fresh = tmp_path / "a", tmp_path / "b"
    stale.mkdir()
    fresh.mkdir()
    now = fresh.stat().st_mtime
    os.utime(stale, (now - 100, now - 100))

    assert scratch.remove_stale(tmp_path, 50, now) == [stale]
    assert fresh.exists()

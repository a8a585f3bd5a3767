"""Atomic writes: the file appears whole when the writer succeeds, and nothing is left when it fails."""

from __future__ import annotations

import stat

import pytest

from common.atomic import PendingFile, atomic_folder, atomic_path, atomic_write_bytes


def test_a_path_is_renamed_into_place_only_when_the_block_succeeds(tmp_path):
    target = tmp_path / "sub" / "video.mp4"
    with atomic_path(target, suffix=".mp4") as temporary:
        assert temporary.parent == target.parent and temporary.suffix == ".mp4" and not target.exists()
        temporary.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temporary:
            temporary.write_bytes(b"half")
            raise RuntimeError("writer failed")
    assert target.read_bytes() == b"new"   # the old file stays whole
    assert sorted(p.name for p in target.parent.iterdir()) == ["video.mp4"]   # no temporary left


def test_a_pending_file_commits_or_discards(tmp_path):
    kept, dropped = PendingFile(tmp_path / "a.wav", ".part"), PendingFile(tmp_path / "b.wav", ".part")
    kept.temporary.write_bytes(b"a")
    dropped.temporary.write_bytes(b"b")
    assert kept.commit() == tmp_path / "a.wav"
    dropped.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav"]


def test_bytes_are_written_whole(tmp_path):
    atomic_write_bytes(tmp_path / "x.json", b"{}")
    atomic_write_bytes(tmp_path / "x.json", b"[1]")
    assert (tmp_path / "x.json").read_bytes() == b"[1]" and len(list(tmp_path.iterdir())) == 1


def test_a_folder_is_replaced_whole_or_not_at_all(tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "old.wav").write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_folder(folder) as staging:
            (staging / "new.wav").write_bytes(b"new")
            raise RuntimeError("interrupted")
    assert sorted(p.name for p in folder.iterdir()) == ["old.wav"]
    with atomic_folder(folder) as staging:
        (staging / "new.wav").write_bytes(b"new")
    assert sorted(p.name for p in folder.iterdir()) == ["new.wav"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clips"]  # no staging or old folder left

"""Bad collections are refused with a ``CollectionError`` naming the file and position, never half-read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import orjson
import pytest

from hygie.engines.directory.errors import CollectionError
from hygie.engines.directory.sharphound import read_sharphound


def _users_file(version: object = 6, count: int = 1) -> bytes:
    record = {"ObjectIdentifier": "S-1-5-21-1-1-1-1105", "Properties": {"name": "ALICE@CHU.LOCAL", "enabled": True}}
    return orjson.dumps({"data": [record], "meta": {"type": "users", "count": count, "version": version}})


def _error(path: Path, **kwargs: int) -> CollectionError:
    with pytest.raises(CollectionError) as caught:
        read_sharphound(path, **kwargs)
    return caught.value


class TestCorruptJson:
    """Truncated or corrupt JSON names the file and the byte position from the parser."""

    def test_truncated_file(self, tmp_path: Path) -> None:
        content = _users_file()
        (tmp_path / "20250101_users.json").write_bytes(content[: len(content) // 2])
        error = _error(tmp_path)
        assert "20250101_users.json" == error.file
        assert len(content) // 2 == error.position
        assert f"20250101_users.json: invalid JSON at line 1, column {len(content) // 2 + 1}" in str(error)

    def test_garbage_in_the_middle(self, tmp_path: Path) -> None:
        content = b'{"meta": {"type": "users", "version": 6, "count": 2}, "data": [{}, @]}'
        (tmp_path / "users.json").write_bytes(content)
        assert content.index(b"@") == _error(tmp_path).position

    def test_one_bad_file_fails_the_whole_collection(self, tmp_path: Path) -> None:
        (tmp_path / "a_users.json").write_bytes(_users_file())
        (tmp_path / "b_groups.json").write_bytes(b'{"data": [')
        assert "b_groups.json" == _error(tmp_path).file

    def test_record_that_is_not_an_object(self, tmp_path: Path) -> None:
        (tmp_path / "users.json").write_bytes(b'{"meta": {"type": "users", "version": 6, "count": 1}, "data": [3]}')
        assert "users.json: data[0] is not an object" == str(_error(tmp_path))

    def test_record_without_identifier(self, tmp_path: Path) -> None:
        content = b'{"meta": {"type": "users", "version": 6}, "data": [{"Properties": {}}]}'
        (tmp_path / "users.json").write_bytes(content)
        assert "users.json: data[0]: record has no ObjectIdentifier" == str(_error(tmp_path))

    def test_top_level_without_data(self, tmp_path: Path) -> None:
        (tmp_path / "users.json").write_bytes(b"[1, 2]")
        assert "no 'data' list" in str(_error(tmp_path))


class TestVersions:
    """Only formats 5 and 6 are read; a missing version is only a warning."""

    @pytest.mark.parametrize("version", [4, 7, "6", True])
    def test_unknown_version(self, tmp_path: Path, version: object) -> None:
        (tmp_path / "users.json").write_bytes(_users_file(version=version))
        error = _error(tmp_path)
        assert f"users.json: unsupported SharpHound format version {version!r} (supported: 5, 6)" == str(error)

    def test_missing_meta_uses_file_name(self, tmp_path: Path) -> None:
        record = {"ObjectIdentifier": "S-1-5-21-1-1-1-1105", "Properties": {"name": "ALICE@CHU.LOCAL"}}
        (tmp_path / "20250101_users.json").write_bytes(orjson.dumps({"data": [record]}))
        snapshot = read_sharphound(tmp_path)
        assert ["ALICE@CHU.LOCAL"] == snapshot.principals.get_column("name").to_list()
        assert "20250101_users.json: no 'meta' block; type taken from the file name" == snapshot.warnings[0]


class TestContainers:
    """Folders and zips without a collection file, corrupt zips and oversized files."""

    def test_empty_zip(self, tmp_path: Path) -> None:
        archive = tmp_path / "collection.zip"
        with zipfile.ZipFile(archive, "w"):
            pass
        assert "collection.zip: the zip holds no .json collection file" == str(_error(archive))

    def test_zip_without_collection_file(self, tmp_path: Path) -> None:
        archive = tmp_path / "collection.zip"
        with zipfile.ZipFile(archive, "w") as writer:
            writer.writestr("readme.txt", "hello")
            writer.writestr(
                "20250101_deleted.json",
                orjson.dumps({"data": [], "meta": {"type": "deleted", "version": 6, "count": 0}}),
            )
        assert "collection.zip: no SharpHound collection file" in str(_error(archive))

    def test_not_a_zip(self, tmp_path: Path) -> None:
        archive = tmp_path / "collection.zip"
        archive.write_bytes(b"PK\x03\x04 definitely not a zip")
        assert "collection.zip: not a readable zip archive" in str(_error(archive))

    def test_truncated_zip_member(self, tmp_path: Path) -> None:
        archive = tmp_path / "collection.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as writer:
            writer.writestr("x_users.json", _users_file()[:-10])
        error = _error(archive)
        assert "collection.zip:x_users.json" == error.file
        assert error.position is not None

    def test_empty_folder(self, tmp_path: Path) -> None:
        assert f"{tmp_path.name}: the folder holds no .json collection file" == str(_error(tmp_path))

    def test_missing_path(self, tmp_path: Path) -> None:
        assert "no such file or folder" in str(_error(tmp_path / "absent"))

    def test_file_over_the_limit(self, tmp_path: Path) -> None:
        content = _users_file()
        (tmp_path / "users.json").write_bytes(content)
        error = _error(tmp_path, max_file_bytes=len(content) - 1)
        message = f"users.json: {len(content)} bytes is more than the {len(content) - 1}-byte limit per file"
        assert ("users.json", message) == (error.file, str(error))

    def test_zip_member_over_the_limit(self, tmp_path: Path) -> None:
        archive = tmp_path / "collection.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as writer:
            writer.writestr("users.json", _users_file() + b" " * 100_000)
        assert "collection.zip:users.json" == _error(archive, max_file_bytes=50_000).file

    def test_single_json_file(self, tmp_path: Path) -> None:
        (tmp_path / "users.json").write_bytes(_users_file())
        assert 1 == read_sharphound(tmp_path / "users.json").principals.height

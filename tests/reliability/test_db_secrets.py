"""Finding the database passwords in text (no Docker)."""
import pytest

from reliability.db_secrets import db_passwords, lines_with


def test_lines_with_finds_each_line_holding_a_password():
    text = "a\nurl=postgres://app:s3cret-one@db\nb\ns3cret-two at the end"
    found = lines_with(text, [b"s3cret-one", b"s3cret-two"])
    assert found == [b"url=postgres://app:s3cret-one@db", b"s3cret-two at the end"]


def test_lines_with_finds_nothing_in_a_masked_url():
    assert lines_with(b"database=postgres://app:***@db", [b"s3cret-one"]) == []


def test_db_passwords_reads_the_first_line_of_each_file(tmp_path, monkeypatch):
    (tmp_path / "owner").write_bytes(b"owner-password\r\nignored\n")
    (tmp_path / "app").write_bytes(b"app-password\n")
    monkeypatch.setenv("PAGEVIEWS_DB_PASSWORD_FILE", "owner")
    monkeypatch.setenv("PAGEVIEWS_DB_APP_PASSWORD_FILE", str(tmp_path / "app"))
    assert db_passwords(tmp_path) == [b"owner-password", b"app-password"]


def test_db_passwords_refuses_a_password_too_short_to_search_for(tmp_path, monkeypatch):
    (tmp_path / "short").write_bytes(b"abc\n")
    monkeypatch.setenv("PAGEVIEWS_DB_PASSWORD_FILE", "short")
    monkeypatch.setenv("PAGEVIEWS_DB_APP_PASSWORD_FILE", "short")
    with pytest.raises(ValueError):
        db_passwords(tmp_path)

"""CONNECTION_PASSWORD detector: passwords in URLs and connection strings, on both backends."""

import pytest

from tests.scanner.spans import detect, scan

ENTITY = "CONNECTION_PASSWORD"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("DATABASE_URL=postgres://app:S3cret@db:5432/x", "S3cret"),
        ("see https://user:pass@host/ for it", "pass"),
        ("redis://:r3d1s-Pw@cache:6379/0", "r3d1s-Pw"),
        ("mongodb+srv://svc:p%40ss:w0rd@cluster0.example.net/db", "p%40ss:w0rd"),
        ("jdbc:postgresql://app:Zx81!q@10.0.0.5/x", "Zx81!q"),
        ("Server=db;Database=x;User Id=app;Password=Hunter2!x;", "Hunter2!x"),
        ('"Data Source=db; Initial Catalog=x; PWD = my pass ;"', "my pass"),
        ("Server=db;Password='a b c'", "a b c"),
        ("Password=S3cret;Server=db;Database=x", "S3cret"),
        ("jdbc:mysql://db/x?user=app&password=S3cret&ssl=true", "S3cret"),
        ("postgres://app:password@db/x", "password"),  # a stand-in, reported with low confidence
    ],
)
def test_finds_password(text: str, value: str) -> None:
    assert (ENTITY, value) in detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "postgres://app:${DB_PASSWORD}@db/x",
        "postgres://app:<password>@db/x",
        "postgres://app:***@db/x",
        "Server=db;Password=$DB_PASSWORD;",
        "Server=db;Password=%(password)s;",
        "Server=db;Password={password};",
        "https://user@host/ and https://host:8080/path",
        "password = getpass();",  # code, no connection string
        "x = password;",
        "mailto:jan@example.nl",
    ],
)
def test_placeholders_and_code_are_skipped(text: str) -> None:
    assert [v for e, v in detect(text) if e == ENTITY] == []


def test_password_is_masked_whole_and_critical() -> None:
    (finding,) = [f for f in scan("postgres://app:S3cret@db.example.com:5432/x") if f.entity == ENTITY]
    assert finding.masked == "********"
    assert finding.severity == "critical"
    assert "S3cret" not in finding.context and "********@db.example.com" in finding.context


def test_stand_in_words_score_low() -> None:
    (real,) = [f for f in scan("postgres://app:Zx81q7@db/x") if f.entity == ENTITY]
    (stand_in,) = [f for f in scan("postgres://app:changeme@db/x") if f.entity == ENTITY]
    assert stand_in.confidence <= 0.5 < real.confidence


def test_wins_over_the_generic_secret_and_the_email_inside() -> None:
    assert detect("Server=db;Password=Xk9#mQ2!vLp8;") == [(ENTITY, "Xk9#mQ2!vLp8")]
    assert [e for e, _ in detect("postgres://app:S3cret@db.example.com/x")] == [ENTITY]

"""The CSV parsers: training completions and GoPhish results; wrong columns, bad lines, hostile input, limits."""

from __future__ import annotations

import datetime as dt

import pytest

from hygie.apps.awareness.csvfiles import CsvError, parse_category, parse_date, pseudonym
from hygie.apps.awareness.gophish import CLICKED, NOT_SENT, SENT, SUBMITTED, category_of_position, parse_gophish
from hygie.apps.awareness.training_csv import parse_training

from .support import GOPHISH_HEADER, gophish_csv, gophish_row, training_csv

SECRET = "test-secret"  # noqa: S105 - the key of the pseudonyms in these tests
TODAY = dt.date(2026, 6, 30)


class TestTrainingCsv:
    """``parse_training``."""

    def test_good_file(self) -> None:
        """Two people, categories in English and French, ISO and French dates; names are not kept."""
        rows = parse_training(training_csv(
            "Ann.Nurse@CHU.example,Ann,Nurse,Paramédical,750712184,Phishing basics,2026-01-15",
            "bob@chu.example,Bob,Doc,medical,,Phishing basics,15/02/2026",
        ), SECRET, today=TODAY)
        assert [2, 3] == [r.line for r in rows]
        assert ["paramedical", "medical"] == [r.category for r in rows]
        assert [dt.date(2026, 1, 15), dt.date(2026, 2, 15)] == [r.completed_on for r in rows]
        assert pseudonym("ann.nurse@chu.example", SECRET) == rows[0].person
        assert "Ann" not in repr(rows[0])
        assert ["750712184", ""] == [r.establishment for r in rows]

    def test_duplicates_counted_once(self) -> None:
        """The same person and session twice (any case of e-mail): one completion, the earliest date."""
        rows = parse_training(training_csv(
            "a@chu.example,,,it,,Module 1,2026-03-01",
            "A@Chu.Example,,,it,,module 1,2026-02-01",
            "a@chu.example,,,it,,Module 2,2026-03-01",
        ), SECRET, today=TODAY)
        assert 2 == len(rows)
        assert dt.date(2026, 2, 1) == rows[0].completed_on

    def test_semicolons_and_windows_1252(self) -> None:
        """French Excel's CSV: semicolons, Windows-1252, a byte-order mark is optional."""
        data = ("email;category;establishment;session;completed_on\n"
                "c@chu.example;Technique;;Sécurité des mots de passe;01/03/2026\n").encode("cp1252")
        rows = parse_training(data, SECRET, today=TODAY)
        assert "Sécurité des mots de passe" == rows[0].session
        assert "technical" == rows[0].category

    @pytest.mark.parametrize(("header", "expected"), [
        ("email,category,session,completed_on", "missing: establishment"),
        ("email,category,establishment,session,completed_on,salary", "unexpected: salary"),
        ("mail,category,establishment,session,date", "missing: email, completed_on"),
        ("email,email,category,establishment,session,completed_on", "repeated: email"),
    ])
    def test_wrong_columns_list_the_expected_ones(self, header: str, expected: str) -> None:
        """The error says what is wrong and lists every expected column."""
        with pytest.raises(CsvError) as error:
            parse_training(training_csv(header=header), SECRET, today=TODAY)
        assert expected in str(error.value)
        assert "Expected columns: email, category, establishment, session, completed_on" in str(error.value)

    @pytest.mark.parametrize(("row", "expected"), [
        ("not-an-address,,,it,,M,2026-01-01", "Line 3: 'not-an-address' is not an e-mail address"),
        ("a@b.example,,,cook,,M,2026-01-01", "Line 3: unknown category 'cook'"),
        ("a@b.example,,,it,,M,2026-13-45", "Line 3: completed_on '2026-13-45' is not a date"),
        ("a@b.example,,,it,,M,31/02/2026", "Line 3: completed_on '31/02/2026' is not a date"),
        ("a@b.example,,,it,,M,2027-01-01", "Line 3: completed_on 2027-01-01 is in the future"),
        ("a@b.example,,,it,,,2026-01-01", "Line 3: the session is empty"),
        ("a@b.example,,,it,,M", "Line 3: 6 cells where the header has 7"),
    ])
    def test_bad_line_is_named(self, row: str, expected: str) -> None:
        """The first bad line is refused with its number (the header is line 1)."""
        with pytest.raises(CsvError) as error:
            parse_training(training_csv("ok@chu.example,,,it,,M,2026-01-01", row), SECRET, today=TODAY)
        assert expected in str(error.value)

    def test_hostile_strings(self) -> None:
        """NUL characters, very long cells and over-long titles are refused with the line."""
        with pytest.raises(CsvError, match="Line 2: NUL"):
            parse_training(training_csv("a@b.example,,,it,,M\x00,2026-01-01"), SECRET, today=TODAY)
        with pytest.raises(CsvError, match="Line 2: a cell is longer than 500"):
            parse_training(training_csv("a@b.example,,,it,," + "x" * 600 + ",2026-01-01"), SECRET, today=TODAY)
        with pytest.raises(CsvError, match="Line 2: the session title is longer than 200"):
            parse_training(training_csv("a@b.example,,,it,," + "x" * 300 + ",2026-01-01"), SECRET, today=TODAY)
        with pytest.raises(CsvError, match="malformed CSV"):
            parse_training(training_csv('a@b.example,,,it,,"M"x",2026-01-01'), SECRET, today=TODAY)

    def test_formula_kept_as_text(self) -> None:
        """A spreadsheet formula in a title is plain text here (exports neutralise it)."""
        rows = parse_training(training_csv('a@b.example,,,it,,=HYPERLINK("x"),2026-01-01'), SECRET, today=TODAY)
        assert '=HYPERLINK("x")' == rows[0].session

    def test_huge_file_refused(self) -> None:
        """Over the byte limit or the line limit: refused with the limit in the message."""
        data = training_csv(*["a@b.example,,,it,,M,2026-01-01"] * 50)
        with pytest.raises(CsvError, match=r"too large \(\d+ bytes; the limit is 1000 bytes\)"):
            parse_training(data, SECRET, today=TODAY, max_bytes=1000)
        with pytest.raises(CsvError, match="more than 10 lines"):
            parse_training(data, SECRET, today=TODAY, max_rows=10)

    def test_empty_and_header_only(self) -> None:
        """Nothing to import is an error, not a silent success."""
        with pytest.raises(CsvError, match="empty"):
            parse_training(b"", SECRET, today=TODAY)
        with pytest.raises(CsvError, match="no completions"):
            parse_training(training_csv(), SECRET, today=TODAY)


class TestHelpers:
    """Dates, categories, pseudonyms."""

    def test_dates(self) -> None:
        """ISO dates, timestamps and French dates."""
        assert dt.date(2026, 3, 2) == parse_date("2026-03-02T09:00:00.123Z", 2, "send_date")
        assert dt.date(2026, 3, 2) == parse_date("02/03/2026", 2, "d")
        assert dt.date(2026, 3, 2) == parse_date("2/3/2026", 2, "d")

    def test_categories(self) -> None:
        """English values and labels, French labels, accents and case ignored."""
        assert "it" == parse_category("Informatique", 2)
        assert "management" == parse_category("DIRECTION", 2)
        assert "paramedical" == parse_category("paramédical", 2)

    def test_pseudonym_is_keyed(self) -> None:
        """Same e-mail, same key; another secret, another key; no plain hash of the e-mail."""
        import hashlib

        key = pseudonym(" A@B.example ", "s1")
        assert key == pseudonym("a@b.example", "s1")
        assert key != pseudonym("a@b.example", "s2")
        assert key != hashlib.sha256(b"a@b.example").hexdigest()
        assert 64 == len(key)


class TestGophishCsv:
    """``parse_gophish``."""

    def test_good_export(self) -> None:
        """Statuses give stages; reported is read; positions map to categories."""
        results = parse_gophish(gophish_csv([
            ("Email Sent", "Secrétaire médicale"),
            ("Clicked Link", "Médecin urgentiste", True),
            ("Submitted Data", "Infirmière"),
            ("Error", "Technicien biomédical"),
            ("Email Reported", "Ingénieur système"),
        ]), SECRET)
        assert [SENT, CLICKED, SUBMITTED, NOT_SENT, SENT] == [r.stage for r in results]
        assert [False, True, False, False, True] == [r.reported for r in results]
        assert ["administrative", "medical", "paramedical", "technical", "it"] == [r.category for r in results]
        assert dt.date(2026, 3, 2) == results[0].sent_on

    def test_category_column_wins(self) -> None:
        """A category column added by the CISO wins over the position."""
        header = GOPHISH_HEADER + ",category"
        data = gophish_csv([gophish_row(1, "Email Opened", "Infirmier") + ",management"], header=header)
        assert "management" == parse_gophish(data, SECRET)[0].category

    def test_duplicate_recipient_counts_once(self) -> None:
        """The same e-mail twice: one recipient at the furthest stage."""
        data = gophish_csv([gophish_row(1, "Email Opened", email="x@chu.example"),
                            gophish_row(2, "Clicked Link", email="X@chu.example")])
        results = parse_gophish(data, SECRET)
        assert [CLICKED] == [r.stage for r in results]

    def test_wrong_columns(self) -> None:
        """A training file given as GoPhish results: the expected columns are listed."""
        with pytest.raises(CsvError) as error:
            parse_gophish(training_csv("a@b.example,,,it,,M,2026-01-01"), SECRET)
        assert "missing: id, status, ip" in str(error.value)
        assert "Expected columns: id, status, ip, latitude, longitude, send_date, reported" in str(error.value)

    @pytest.mark.parametrize(("row", "expected"), [
        (gophish_row(1, "Pwned"), "Line 3: unknown GoPhish status 'Pwned'"),
        (gophish_row(1, "Email Sent").replace(",false,", ",maybe,"), "Line 3: reported must be true or false"),
        (gophish_row(1, "Email Sent", send_date="yesterday"), "Line 3: send_date 'yesterday' is not a date"),
        (gophish_row(1, "Email Sent", email="nobody"), "Line 3: 'nobody' is not an e-mail address"),
    ])
    def test_bad_line(self, row: str, expected: str) -> None:
        """The bad line is named."""
        with pytest.raises(CsvError) as error:
            parse_gophish(gophish_csv([gophish_row(0, "Email Sent"), row]), SECRET)
        assert expected in str(error.value)


class TestPositions:
    """The documented mapping of job titles to staff categories."""

    @pytest.mark.parametrize(("position", "category"), [
        ("Infirmier de bloc (IBODE)", "paramedical"),
        ("IDE", "paramedical"),
        ("Aide-soignante", "paramedical"),
        ("Praticien hospitalier", "medical"),
        ("Sage-femme", "medical"),
        ("Cadre de santé", "management"),
        ("Directeur des soins", "management"),
        ("Responsable informatique", "it"),
        ("RSSI", "it"),
        ("Technicien de maintenance", "technical"),
        ("Agent administratif des admissions", "administrative"),
        ("Gestionnaire RH", "administrative"),
        ("", "unknown"),
        ("Bénévole", "unknown"),
        ("Paramédical", "paramedical"),
    ])
    def test_mapping(self, position: str, category: str) -> None:
        """First matching rule wins; nothing matching is unknown."""
        assert category == category_of_position(position)

"""Imports: one transaction, establishments resolved within the node and the user's scope, duplicates once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hygie.apps.accounts.models import AuditEvent
from hygie.apps.awareness.csvfiles import CsvError
from hygie.apps.awareness.importing import import_gophish, import_training
from hygie.apps.awareness.models import PhishingCampaign, PhishingResult, TrainingCompletion, TrainingSession

from .support import gophish_csv, gophish_row, training_csv

TODAY = dt.date(2026, 6, 30)


class TestTrainingImport:
    """``import_training``."""

    def test_import_and_reimport(self, tenants: Any) -> None:
        """Sessions created by title; completions per establishment; a second import adds only what is new."""
        data = training_csv(
            "a@chu.example,Ann,A,paramedical,750712184,Phishing basics,2026-01-15",
            "b@chu.example,Bob,B,medical,Site A1,Phishing basics,2026-01-16",
            "c@chu.example,,,it,,Passwords,2026-02-01",
        )
        result = import_training(tenants.group_a, data, user=tenants.users["analyst"], today=TODAY)
        assert (3, 2, 3, 0) == (result.lines, result.sessions_created, result.completions_created,
                                result.already_known)
        nodes = dict(TrainingCompletion.objects.values_list("category", "node__name"))
        assert {"paramedical": "Hospital A", "medical": "Site A1", "it": "GHT A"} == nodes
        again = import_training(tenants.group_a, data + b"d@chu.example,,,it,,passwords,2026-02-02\n",
                                user=None, today=TODAY)
        assert (0, 1, 3) == (again.sessions_created, again.completions_created, again.already_known)
        assert 4 == TrainingCompletion.objects.count()
        assert AuditEvent.objects.filter(object_type="awareness.TrainingCompletion", action="import").count() == 2

    def test_no_names_stored(self, tenants: Any) -> None:
        """Neither the names nor the e-mail reach the database."""
        import_training(tenants.hospital_a, training_csv("zed.person@chu.example,Zed,Person,it,,M,2026-01-01"),
                        user=None, today=TODAY)
        completion = TrainingCompletion.objects.get()
        assert "zed" not in completion.person
        assert 64 == len(completion.person)

    def test_other_tenant_establishment_refused(self, tenants: Any) -> None:
        """Hospital B's FINESS in group A's file: refused with the line, nothing stored (not even the session)."""
        data = training_csv("a@chu.example,,,it,,New session,2026-01-01", "b@chu.example,,,it,010003820,X,2026-01-01")
        with pytest.raises(CsvError, match="Line 3: establishment '010003820' is no FINESS or name of a node under"):
            import_training(tenants.group_a, data, user=tenants.users["administrator"], today=TODAY)
        assert 0 == TrainingSession.objects.count()
        assert 0 == TrainingCompletion.objects.count()

    def test_outside_the_users_add_scope(self, tenants: Any) -> None:
        """A viewer cannot attach completions to an establishment."""
        data = training_csv("a@chu.example,,,it,Hospital A,M,2026-01-01")
        with pytest.raises(CsvError, match="Line 2"):
            import_training(tenants.group_a, data, user=tenants.users["viewer"], today=TODAY)


class TestGophishImport:
    """``import_gophish``."""

    def test_campaign_with_funnel(self, tenants: Any) -> None:
        """A campaign, one result per recipient, its funnel and launch date."""
        data = gophish_csv([("Email Sent", "Secrétaire"), ("Email Opened", "Médecin"), ("Clicked Link", "Infirmier"),
                            ("Submitted Data", "Infirmière", True), ("Error", "Cuisinier")])
        campaign = import_gophish(tenants.hospital_a, data, name="Spring 2026", source_name="results.csv")
        assert dt.date(2026, 3, 2) == campaign.launched_on
        overall = campaign.funnel["overall"]
        assert (5, 4, 3, 2, 1, 1) == tuple(overall[k] for k in ("targeted", "sent", "opened", "clicked", "submitted",
                                                                  "reported"))
        assert 0.5 == campaign.click_rate
        assert 2 == campaign.funnel["categories"]["paramedical"]["clicked"]
        assert 5 == PhishingResult.objects.filter(campaign=campaign).count()

    def test_bad_file_stores_nothing(self, tenants: Any) -> None:
        """A bad line anywhere: no campaign, no result."""
        data = gophish_csv([gophish_row(1, "Email Sent"), gophish_row(2, "Exploded")])
        with pytest.raises(CsvError, match="Line 3"):
            import_gophish(tenants.hospital_a, data, name="Broken")
        assert 0 == PhishingCampaign.objects.count()
        assert 0 == PhishingResult.objects.count()

    @pytest.mark.parametrize("name", ["", "   ", "x" * 201, "a\x00b"])
    def test_bad_name(self, tenants: Any, name: str) -> None:
        """A campaign needs a printable name of 200 characters at most."""
        with pytest.raises(CsvError):
            import_gophish(tenants.hospital_a, gophish_csv([("Email Sent", "IDE")]), name=name)

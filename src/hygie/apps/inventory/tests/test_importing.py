"""CSV import: every bad line reported, all or nothing, dry runs change nothing, exports re-import."""

from __future__ import annotations

import time
from typing import Any

import pytest

from hygie.apps.accounts.models import AuditEvent
from hygie.apps.inventory.csvcolumns import ImportKind, export_columns
from hygie.apps.inventory.importing import ImportRefusedError, import_csv
from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.web.tables import csv_text

HEADER = "name,node,kind,vendor,criticality,ip_addresses,cpe\n"


def _assets(tenants: Any, *lines: str) -> bytes:
    return (HEADER + "".join(f"{line}\n" for line in lines)).encode()


def _problems(report: Any) -> list[tuple[int, str]]:
    return [(p.line, p.column) for p in report.problems]


class TestImportAssets:
    """Assets are created, then updated by (node, name), from FINESS or node ids."""

    def test_creates_then_updates(self, tenants: Any) -> None:
        """A second import of the same names updates instead of duplicating."""
        manager = tenants.users["manager"]
        data = _assets(tenants, "srv-dpi,750712184,server,Dell,vital,10.0.0.1|10.0.0.2,",
                       f"pacs-01,{tenants.site_a.pk},server,GE,high,,")
        report = import_csv(data, ImportKind.ASSETS, manager)
        assert (True, 2, 0) == (report.applied, report.created, report.updated)
        asset = Asset.objects.get(name="srv-dpi")
        assert (tenants.hospital_a, 4, ["10.0.0.1", "10.0.0.2"]) == (asset.node, asset.criticality, asset.ip_addresses)
        again = import_csv(_assets(tenants, "srv-dpi,750712184,server,HPE,vital,10.0.0.1,"), "assets", manager)
        assert (0, 1) == (again.created, again.updated)
        assert "HPE" == Asset.objects.get(name="srv-dpi").vendor
        assert 2 == Asset.objects.count()

    def test_semicolons_bom_and_cp1252(self, tenants: Any) -> None:
        """French Excel files (``;``, Windows-1252, labels instead of keys) are read."""
        text = "name;node;kind;vendor;criticality\nPoste accueil;750712184;Workstation;Société;High\n"
        report = import_csv(text.encode("cp1252"), "assets", tenants.users["analyst"])
        assert [] == report.problems
        asset = Asset.objects.get(name="Poste accueil")
        assert ("workstation", "Société") == (asset.kind, asset.vendor)
        bom = "\ufeffname,node,kind\nsrv,750712184,server\n".encode()
        assert 1 == import_csv(bom, "assets", tenants.users["analyst"]).created

    def test_every_bad_line_reported_and_nothing_saved(self, tenants: Any) -> None:
        """One report lists each wrong cell; a single bad line keeps the good ones out too."""
        data = _assets(
            tenants,
            "good,750712184,server,,,,",
            "bad-kind,750712184,toaster,,,,",
            "bad-ip,750712184,server,,,999.1.1.1,",
            "bad-cpe,750712184,server,,,,cpe:2.2:x",
            ",750712184,server,,,,",
            "foreign,010003820,server,,,,",
            "good,750712184,server,,,,",
            "x" * 201 + ",750712184,server,,,,",
            "bad-crit,750712184,server,,urgent,,",
        )
        report = import_csv(data, "assets", tenants.users["manager"])
        expected = [(3, "kind"), (4, "ip_addresses"), (5, "cpe"), (6, "name"), (7, "node"), (8, "name"), (9, "name"),
                    (10, "criticality")]
        assert expected == _problems(report)
        assert "Unknown node" in report.problems[4].reason
        assert "line 2" in report.problems[5].reason
        assert (False, 0) == (report.applied, Asset.objects.count())

    def test_dry_run_changes_nothing(self, tenants: Any) -> None:
        """A valid dry run counts what would happen and writes nothing, not even audit events."""
        events = AuditEvent.objects.count()
        report = import_csv(_assets(tenants, "srv,750712184,server,,,,"), "assets", tenants.users["manager"],
                            dry_run=True)
        assert (1, False, 0, events) == (report.created, report.applied, Asset.objects.count(),
                                         AuditEvent.objects.count())

    def test_viewer_cannot_add_anywhere(self, tenants: Any) -> None:
        """Without the add right every node is unknown."""
        report = import_csv(_assets(tenants, "srv,750712184,server,,,,"), "assets", tenants.users["viewer"])
        assert [(2, "node")] == _problems(report)

    def test_header_problems(self, tenants: Any) -> None:
        """Unknown and missing columns are reported on line 1."""
        report = import_csv(b"name,colour\nsrv,red\n", "assets", tenants.users["manager"])
        assert [(1, "colour"), (1, "kind"), (1, "node")] == _problems(report)

    @pytest.mark.parametrize("data", [b"", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", bytes(range(256)) * 4,
                                      b'name,node,kind\n"srv,750712184'])
    def test_garbage_is_refused(self, tenants: Any, data: bytes) -> None:
        """Empty, binary or broken files are refused with a message."""
        with pytest.raises(ImportRefusedError) as caught:
            import_csv(data, "assets", tenants.users["manager"])
        assert 400 == caught.value.status

    def test_too_large(self, tenants: Any, settings: Any) -> None:
        """Over the upload limit: 413 before reading."""
        settings.HYGIE_MAX_UPLOAD_BYTES = 100
        with pytest.raises(ImportRefusedError) as caught:
            import_csv(_assets(tenants, *["srv,750712184,server,,,,"] * 10), "assets", tenants.users["manager"])
        assert 413 == caught.value.status

    def test_audit_events(self, tenants: Any) -> None:
        """Each created object and the import itself are in the audit log, attributed to the actor."""
        from hygie.apps.accounts.audit import acting_as

        manager = tenants.users["manager"]
        with acting_as(manager, "cli"):
            import_csv(_assets(tenants, "a1,750712184,server,,,,", "a2,750712184,server,,,,"), "assets", manager)
        actions = sorted(AuditEvent.objects.filter(actor=manager).values_list("action", flat=True))
        assert ["create", "create", "import"] == actions


class TestImportRelations:
    """Applications and care activities name what they link to, within the group only."""

    def test_applications_and_activities(self, tenants: Any) -> None:
        """Assets, dependencies (also from the same file) and applications are linked by name."""
        manager = tenants.users["manager"]
        Asset.objects.create(node=tenants.site_a, name="srv-dpi", kind="server")
        apps = (b"name,node,category,assets,depends_on\n"
                b"DPI,750712184,patient_record,srv-dpi,AD\n"
                b"AD,750712184,infrastructure,,\n")
        report = import_csv(apps, "applications", manager)
        assert ([], 2) == (report.problems, report.created)
        dpi = Application.objects.get(name="DPI")
        assert (["srv-dpi"], ["AD"]) == ([a.name for a in dpi.assets.all()], [a.name for a in dpi.depends_on.all()])
        care = "name,node,patient_impact,max_downtime_hours,applications\nUrgences,750712184,vital,4,DPI|AD\n"
        assert 1 == import_csv(care.encode(), "care-activities", manager).created
        assert 2 == CareActivity.objects.get(name="Urgences").applications.count()

    def test_foreign_and_unknown_references(self, tenants: Any) -> None:
        """An asset of another group is unknown, like one that does not exist; self-dependency refused."""
        Asset.objects.create(node=tenants.hospital_b, name="srv-b", kind="server")
        apps = (b"name,node,category,assets,depends_on\n"
                b"DPI,750712184,patient_record,srv-b,\n"
                b"X,750712184,other,nothing,X\n")
        report = import_csv(apps, "applications", tenants.superuser)
        assert [(2, "assets"), (3, "assets"), (3, "depends_on")] == _problems(report)
        assert 0 == Application.objects.count()


class TestRoundTrip:
    """An export re-imports without a change, and fast enough for real inventories."""

    def test_export_reimports_unchanged(self, tenants: Any) -> None:
        """Every exported column is read back; nothing is updated."""
        asset = Asset.objects.create(node=tenants.hospital_a, name='=HYPERLINK("http://x";"y")', kind="medical",
                                     ip_addresses=["10.1.1.1", "fe80::1"], criticality=4, hosting="hds",
                                     cpe="cpe:2.3:h:ge:mri:1.0:*:*:*:*:*:*:*", description="line1\nline2; ok")
        app = Application.objects.create(node=tenants.site_a, name="PACS", category="pacs")
        app.assets.add(asset)
        manager = tenants.users["manager"]
        for kind, model in ((ImportKind.ASSETS, Asset), (ImportKind.APPLICATIONS, Application)):
            rows = model.objects.prefetch_related(*[c for c in ("assets", "depends_on") if model is Application])
            text = csv_text(rows, export_columns(kind))
            report = import_csv(text.encode(), kind, manager)
            assert ([], 0, 0, 1) == (report.problems, report.created, report.updated, report.unchanged)

    def test_ten_thousand_assets_in_seconds(self, tenants: Any) -> None:
        """10,000 lines import in a few seconds, and re-import with a changed column as fast."""
        lines = [f"srv-{i:05d},750712184,server,Dell,high,10.0.{i // 250}.{i % 250},\n" for i in range(10_000)]
        started = time.perf_counter()
        report = import_csv((HEADER + "".join(lines)).encode(), "assets", tenants.users["manager"])
        created_in = time.perf_counter() - started
        assert (10_000, 10_000) == (report.created, Asset.objects.count())
        started = time.perf_counter()
        again = import_csv((HEADER + "".join(ln.replace("Dell", "HPE") for ln in lines)).encode(), "assets",
                           tenants.users["manager"])
        updated_in = time.perf_counter() - started
        assert (0, 10_000, 10_000) == (again.created, again.updated, Asset.objects.filter(vendor="HPE").count())
        assert created_in < 10, created_in
        assert updated_in < 10, updated_in

    def test_many_distinct_updates(self, tenants: Any) -> None:
        """Rows receiving different new values (the bulk path) get each their own value and audit event."""
        manager = tenants.users["manager"]
        import_csv(_assets(tenants, *[f"srv-{i},750712184,server,Dell,,," for i in range(30)]), "assets", manager)
        import_csv(_assets(tenants, *[f"srv-{i},750712184,server,V{i},vital,10.0.0.{i}," for i in range(30)]),
                   "assets", manager)
        rows = sorted(Asset.objects.values_list("name", "vendor", "criticality", "ip_addresses"))
        assert [(f"srv-{i}", f"V{i}", 4, [f"10.0.0.{i}"]) for i in sorted(range(30), key=str)] == rows
        assert 30 == AuditEvent.objects.filter(action="update").count()

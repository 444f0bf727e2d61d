"""Storing frameworks: the shipped ones once, imported files per node, uploads read safely."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from hygie.apps.compliance.catalogue import (
    MAX_UPLOAD_BYTES,
    digest_of,
    document_of,
    framework_document,
    read_framework_upload,
    store_framework,
    sync_shipped,
)
from hygie.apps.compliance.models import Framework, FrameworkOrigin, FrameworkRequirement, FrameworkSection
from hygie.frameworks import DATA_DIR, FrameworkError, shipped, shipped_framework
from hygie.frameworks.tests.test_ciso_assistant import LIBRARY


class TestSyncShipped:
    """Every shipped file stored once, global, sections and requirements in file order."""

    def test_idempotent_and_in_file_order(self, db: Any) -> None:
        first = sync_shipped()
        assert {framework.id for framework in shipped()} == {stored.key for stored in first}
        counts = (Framework.objects.count(), FrameworkRequirement.objects.count(), FrameworkSection.objects.count())
        again = sync_shipped()
        assert [stored.pk for stored in first] == [stored.pk for stored in again]
        assert counts == (Framework.objects.count(), FrameworkRequirement.objects.count(),
                          FrameworkSection.objects.count())
        care = Framework.objects.get(key="care_d2")
        source = shipped_framework("care_d2")
        assert care.node is None
        assert FrameworkOrigin.SHIPPED == care.origin
        assert digest_of(document_of(source)) == care.digest
        assert [r.id for r in source.requirements] == list(care.requirements.order_by("order").values_list("ref",
                                                                                                          flat=True))
        assert [s.id for s in source.sections] == list(care.sections.order_by("order").values_list("ref", flat=True))
        offline = care.requirements.get(ref="d2.o3.c")
        assert "continuity.backup_no_offline_copy" in offline.checks
        assert source == framework_document(care)

    def test_levels_are_kept(self, db: Any) -> None:
        sync_shipped(only=["anssi_ad"])
        anssi = Framework.objects.get(key="anssi_ad")
        assert anssi.requirements.filter(level=1).exists()
        assert [1, 2, 3, 4, 5] == sorted(level["id"] for level in anssi.document["levels"])


class TestStoreFramework:
    """An imported framework belongs to its node; the same document again is the same row."""

    def test_same_document_same_row_per_node(self, tenants: Any) -> None:
        framework = shipped_framework("nis2_art21")
        stored = store_framework(framework, tenants.hospital_a, tenants.users["analyst"])
        assert FrameworkOrigin.IMPORTED == stored.origin
        assert tenants.hospital_a == stored.node
        assert tenants.users["analyst"] == stored.imported_by
        assert stored.pk == store_framework(framework, tenants.hospital_a, tenants.users["manager"]).pk
        other = store_framework(framework, tenants.hospital_b, tenants.outsider)
        assert other.pk != stored.pk
        # The shipped copy is another row again (global).
        assert stored.pk not in [row.pk for row in sync_shipped(only=["nis2_art21"])]

    def test_imported_frameworks_follow_their_node(self, tenants: Any) -> None:
        from hygie.apps.accounts.permissions import Action

        sync_shipped(only=["care_d2"])
        stored = store_framework(shipped_framework("nis2_art21"), tenants.hospital_b, tenants.outsider)
        seen = set(Framework.objects.restrict(tenants.users["viewer"], Action.VIEW).values_list("pk", flat=True))
        assert stored.pk not in seen
        assert Framework.objects.get(key="care_d2").pk in seen
        assert stored.pk in Framework.objects.restrict(tenants.outsider, Action.VIEW).values_list("pk", flat=True)


class TestReadUpload:
    """Our format or a CISO Assistant library, detected; anything else is one clear error."""

    def test_our_format(self) -> None:
        data = (DATA_DIR / "care_d1.yaml").read_bytes()
        assert "care_d1" == read_framework_upload(data, "care_d1.yaml").id

    def test_a_ciso_assistant_library(self) -> None:
        data = yaml.safe_dump(LIBRARY, allow_unicode=True).encode()
        framework = read_framework_upload(data, "library.yaml")
        assert framework.requirements

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"id: [unclosed\n", "malformed YAML"),
            (b"\xff\xfe\x00garbage", "not UTF-8"),
            (b"- a\n- list\n", "must be a mapping"),
            (b"id: x\nname: y\n", "is not valid"),
            (b"urn: x\nobjects: {}\n", "holds no framework"),
            (b"objects: {}\n", "not a CISO Assistant library"),
            (b"", "not empty"),
        ],
    )
    def test_bad_uploads_give_one_clear_error(self, data: bytes, message: str) -> None:
        with pytest.raises(FrameworkError) as error:
            read_framework_upload(data, "upload.yaml")
        text = str(error.value)
        assert text.startswith("upload.yaml")
        if message != "not empty":
            assert message in text

    def test_too_large(self) -> None:
        with pytest.raises(FrameworkError, match="more than"):
            read_framework_upload(b"#" * (MAX_UPLOAD_BYTES + 1), "big.yaml")

"""Inventory forms: node and link choices restricted; links the user cannot see are kept."""

from __future__ import annotations

from typing import Any

from hygie.apps.accounts.models import RoleAssignment, User
from hygie.apps.accounts.permissions import Role
from hygie.apps.inventory.forms import ApplicationForm, AssetForm, CareActivityForm
from hygie.apps.inventory.models import Application, Asset


class TestAssetForm:
    """Node choices are the user's ADD nodes; IP addresses are parsed from text."""

    def test_choices_and_ips(self, tenants: Any) -> None:
        """Group B's nodes are not offered; addresses are normalised; a bad one is an error."""
        form = AssetForm(user=tenants.users["analyst"])
        assert tenants.hospital_b not in form.fields["node"].queryset
        data = {"node": tenants.site_a.pk, "name": "srv", "kind": "server", "criticality": 2,
                "hosting": "on_premise", "ip_addresses": "10.0.0.1 2001:DB8::1"}
        good = AssetForm(data, user=tenants.users["analyst"])
        assert good.is_valid(), good.errors
        assert ["10.0.0.1", "2001:db8::1"] == good.cleaned_data["ip_addresses"]
        bad = AssetForm({**data, "ip_addresses": "10.0.0.1, localhost"}, user=tenants.users["analyst"])
        assert ["ip_addresses"] == list(bad.errors)


class TestLinkedForms:
    """Application and care activity links stay in the owner node's group."""

    def test_choices_in_group_only(self, tenants: Any) -> None:
        """On edit, only the visible objects of the object's group are offered."""
        own = Asset.objects.create(node=tenants.site_a, name="srv-a", kind="server")
        Asset.objects.create(node=tenants.hospital_b, name="srv-b", kind="server")
        app = Application.objects.create(node=tenants.hospital_a, name="DPI", category="patient_record")
        form = ApplicationForm(instance=app, user=tenants.superuser)
        assert [own] == list(form.fields["assets"].queryset)
        care_form = CareActivityForm(user=tenants.users["analyst"])
        assert [app] == list(care_form.fields["applications"].queryset)

    def test_hidden_links_survive(self, tenants: Any) -> None:
        """A user who sees only the site keeps the application's link to a hospital-level asset."""
        site_user = User.objects.create_user(username="site_analyst", password="x")
        RoleAssignment.objects.create(user=site_user, node=tenants.site_a, role=Role.ANALYST)
        hidden = Asset.objects.create(node=tenants.hospital_a, name="srv-hidden", kind="server")
        visible = Asset.objects.create(node=tenants.site_a, name="srv-site", kind="server")
        app = Application.objects.create(node=tenants.site_a, name="PACS", category="pacs")
        app.assets.add(hidden)
        form = ApplicationForm({"node": tenants.site_a.pk, "name": "PACS", "category": "pacs", "criticality": 2,
                                "hosting": "on_premise", "assets": [visible.pk]}, instance=app, user=site_user)
        assert form.is_valid(), form.errors
        form.save()
        assert {hidden, visible} == set(app.assets.all())

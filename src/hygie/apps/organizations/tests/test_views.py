"""Views and API of the organisation tree."""

from __future__ import annotations

from typing import Any

from django.test import Client

from hygie.apps.accounts.models import ApiToken
from hygie.apps.findings.models import Finding
from hygie.apps.organizations.models import Node, NodeKind


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: Any) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _finding(node: Node, title: str, severity: int = 4) -> Finding:
    return Finding.objects.create(node=node, source="manual", check_id="manual.test", fingerprint=title,
                                  title=title, severity=severity)


class TestDashboard:
    """A node's dashboard counts the active findings of its subtree only."""

    def test_counts_subtree(self, tenants: Any) -> None:
        """Findings of the site count for group A; those of group B do not."""
        _finding(tenants.site_a, "A finding")
        _finding(tenants.hospital_b, "B finding")
        response = _client(tenants.users["viewer"]).get(f"/organizations/{tenants.group_a.pk}/")
        assert 200 == response.status_code
        assert 1 == response.context["summary"].active
        assert 1 == response.context["summary"].critical

    def test_home_shows_top_node(self, tenants: Any) -> None:
        """The home page is the dashboard of the user's highest node."""
        response = _client(tenants.users["viewer"]).get("/")
        assert tenants.group_a == response.context["object"]

    def test_other_tenant_node_is_404(self, tenants: Any) -> None:
        """Group B's node does not exist for group A's users."""
        response = _client(tenants.users["administrator"]).get(f"/organizations/{tenants.group_b.pk}/")
        assert 404 == response.status_code

    def test_summary_api(self, tenants: Any) -> None:
        """The API gives the same figures."""
        _finding(tenants.site_a, "A finding", severity=3)
        response = _api(tenants.users["viewer"]).get(f"/api/organizations/nodes/{tenants.group_a.pk}/summary")
        assert 200 == response.status_code
        assert 1 == response.json()["active"]
        assert 12 == len(response.json()["trend"])


class TestNodeForm:
    """Creating nodes validates FINESS and the parent's kind and scope."""

    def test_bad_finess_is_refused_with_reason(self, tenants: Any) -> None:
        """A wrong check key is refused, nothing created."""
        client = _client(tenants.users["manager"])
        response = client.post("/organizations/add/", {
            "kind": NodeKind.ESTABLISHMENT, "name": "New clinic", "parent": tenants.group_a.pk,
            "finess_ej": "750712185",
        })
        assert 400 == response.status_code
        assert "check key" in response.content.decode()
        assert not Node.objects.filter(name="New clinic").exists()

    def test_create_under_own_group(self, tenants: Any) -> None:
        """A manager adds an establishment in their group."""
        client = _client(tenants.users["manager"])
        response = client.post("/organizations/add/", {
            "kind": NodeKind.ESTABLISHMENT, "name": "New clinic", "parent": tenants.group_a.pk,
            "finess_ej": "010003812",
        })
        assert 302 == response.status_code
        node = Node.objects.get(name="New clinic")
        assert node.path.startswith(tenants.group_a.path)

    def test_parent_of_other_tenant_is_refused(self, tenants: Any) -> None:
        """A manager of group A cannot hang a node under group B."""
        client = _client(tenants.users["manager"])
        response = client.post("/organizations/add/", {
            "kind": NodeKind.ESTABLISHMENT, "name": "Intruder", "parent": tenants.group_b.pk,
        })
        assert 400 == response.status_code
        assert not Node.objects.filter(name="Intruder").exists()

    def test_api_rejects_foreign_parent_and_bad_kind(self, tenants: Any) -> None:
        """The API answers 404 for a foreign parent and 422 for a site under a group."""
        api = _api(tenants.users["manager"])
        foreign = api.post("/api/organizations/nodes", {"kind": "establishment", "name": "X",
                                                        "parent_id": tenants.group_b.pk},
                           content_type="application/json")
        assert 404 == foreign.status_code
        wrong = api.post("/api/organizations/nodes", {"kind": "site", "name": "Y", "parent_id": tenants.group_a.pk},
                         content_type="application/json")
        assert 422 == wrong.status_code
        assert not Node.objects.filter(name__in=["X", "Y"]).exists()

    def test_api_move_keeps_data(self, tenants: Any) -> None:
        """Moving a node through the API keeps its findings attached and their paths follow."""
        finding = _finding(tenants.site_a, "kept")
        admin = tenants.superuser
        response = _api(admin).patch(f"/api/organizations/nodes/{tenants.hospital_a.pk}",
                                     {"parent_id": tenants.group_b.pk}, content_type="application/json")
        assert 200 == response.status_code
        finding.refresh_from_db()
        assert finding.node.path.startswith(tenants.group_b.path)

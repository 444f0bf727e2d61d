"""Forms of directory audits: upload a collection, run a live collection, manage credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hygie.apps.accounts.permissions import Action
from hygie.apps.directory.models import DirectoryCredential
from hygie.apps.directory.running import UPLOAD_SUFFIXES
from hygie.apps.organizations.models import Node
from hygie.web.forms import TenantModelForm

__all__ = ["CredentialForm", "LiveAuditForm", "UploadAuditForm"]


class UploadAuditForm(forms.Form):
    """A collection file for one node: SharpHound zip or JSON, or an LDIF export."""

    node = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("Establishment or group"))
    file = forms.FileField(
        label=_("Collection"), help_text=_("SharpHound zip or JSON file, or an LDIF export of the directory.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.restrict(user, Action.ADD)  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        """Known suffix and within the upload size limit."""
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(_("Expected a .zip, .json or .ldif file."))
        if upload.size > settings.HYGIE_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)d bytes; the limit is %(limit)d bytes).")
                % {"size": upload.size, "limit": settings.HYGIE_MAX_UPLOAD_BYTES}
            )
        return upload


class LiveAuditForm(forms.Form):
    """Pick a stored credential: the audit belongs to the credential's node."""

    credential = forms.ModelChoiceField(queryset=DirectoryCredential.objects.none(), label=_("Credential"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Usable where the user may add audits: the audit lands on the credential's node.
        self.fields["credential"].queryset = DirectoryCredential.objects.restrict(  # type: ignore[attr-defined]
            user, Action.ADD
        ).select_related("node")


class CredentialForm(TenantModelForm):
    """A credential; the password is write-only (left empty when editing: unchanged)."""

    new_password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted; never shown again. Leave empty to keep it."),
    )

    class Meta:
        model = DirectoryCredential
        fields: ClassVar[list[str]] = [
            "node",
            "label",
            "url",
            "base_dn",
            "bind_user",
            "ca_certificate",
            "verify",
            "start_tls",
        ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        # Managing credentials is for managers and administrators: the delete right marks them.
        self.fields["node"].queryset = Node.objects.restrict(user, Action.DELETE)  # type: ignore[attr-defined]

    def clean_url(self) -> str:
        """ldap:// or ldaps:// only."""
        url = str(self.cleaned_data["url"]).strip()
        if not url.lower().startswith(("ldap://", "ldaps://")):
            raise forms.ValidationError(_("The URL must start with ldaps:// (or ldap:// with StartTLS)."))
        return url

    def clean(self) -> dict[str, Any]:
        """A new credential needs a password."""
        cleaned = super().clean() or {}
        if not self.instance.password_encrypted and not cleaned.get("new_password"):
            self.add_error("new_password", _("A password is required."))
        return cleaned

    def save(self, commit: bool = True) -> DirectoryCredential:
        """Encrypt the new password, if any, before saving."""
        credential: DirectoryCredential = super().save(commit=False)
        if self.cleaned_data.get("new_password"):
            credential.set_password(self.cleaned_data["new_password"])
        if commit:
            credential.save()
        return credential

#!/usr/bin/env python3
"""Plant the known weaknesses of a seed manifest into a freshly provisioned Samba AD DC.

Usage: tools/samba_seed.py MANIFEST PRIVATE_DIR SMB_CONF

Runs before the server starts, directly on the local ``sam.ldb`` with ``samba-tool`` and
``ldbmodify``: local access is the system context, so it may set values no LDAP client can
(a pwdLastSet in 2015, for instance). Standard library only: it runs with the system Python.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# userAccountControl bits (MS-ADTS 2.2.16) the manifest may name.
UAC_FLAGS = {
    "ACCOUNTDISABLE": 0x2,
    "PASSWD_NOTREQD": 0x20,
    "ENCRYPTED_TEXT_PWD_ALLOWED": 0x80,
    "DONT_EXPIRE_PASSWORD": 0x10000,
    "TRUSTED_FOR_DELEGATION": 0x80000,
    "USE_DES_KEY_ONLY": 0x200000,
    "DONT_REQ_PREAUTH": 0x400000,
    "TRUSTED_TO_AUTH_FOR_DELEGATION": 0x1000000,
}
# Samba's DSDB_CONTROL_PASSWORD_BYPASS_LAST_SET_OID: lets the local context write a dated pwdLastSet.
_BYPASS_LAST_SET = "local_oid:1.3.6.1.4.1.7165.4.3.12:0"


class Seeder:
    """Runs the samba-tool and ldb commands against one provisioned database."""

    def __init__(self, manifest: dict[str, object], private_dir: Path, smb_conf: Path) -> None:
        self.manifest = manifest
        self.sam = str(private_dir / "sam.ldb")
        self.smb_conf = str(smb_conf)
        self.base = str(manifest["base_dn"])

    def tool(self, *args: str) -> str:
        """Run ``samba-tool`` on the local database; a failure stops the seeding with its output."""
        return self._run(["samba-tool", *args, "-H", self.sam, "-s", self.smb_conf])

    def modify(self, ldif: str, *controls: str) -> None:
        """Apply an LDIF modification with ``ldbmodify``."""
        options = [f"--controls={control}" for control in controls]
        self._run(["ldbmodify", "-H", self.sam, *options], stdin=ldif)

    def attribute(self, name: str, attribute: str) -> str:
        """One attribute of the object whose sAMAccountName is ``name`` (as ldbsearch prints it)."""
        output = self._run(["ldbsearch", "-H", self.sam, "-b", self.base, f"(sAMAccountName={name})", attribute])
        prefix = f"{attribute}: "
        for line in output.splitlines():
            if line.startswith(prefix):
                return line[len(prefix) :]
        msg = f"seed: {name} has no {attribute}"
        raise SystemExit(msg)

    def dn(self, name: str) -> str:
        """Distinguished name of ``name``."""
        output = self._run(["ldbsearch", "-H", self.sam, "-b", self.base, f"(sAMAccountName={name})", "dn"])
        for line in output.splitlines():
            if line.startswith("dn: "):
                return line[4:]
        msg = f"seed: no object named {name}"
        raise SystemExit(msg)

    @staticmethod
    def _run(argv: list[str], stdin: str | None = None) -> str:
        result = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tools
        if result.returncode != 0:
            msg = f"seed: {' '.join(argv[:3])} failed ({result.returncode}): {result.stderr.strip() or result.stdout}"
            raise SystemExit(msg)
        return result.stdout

    def create(self, item: dict[str, object]) -> None:
        """Create the object (users and computers get the manifest's password)."""
        name, kind = str(item["name"]), item["kind"]
        if item.get("existing"):
            return
        if kind == "User":
            self.tool("user", "create", name, str(self.manifest["password"]))
        elif kind == "Group":
            self.tool("group", "add", name)
        elif kind == "Computer":
            self.tool("computer", "create", name.removesuffix("$"))
        else:
            msg = f"seed: unknown kind {kind!r} for {name}"
            raise SystemExit(msg)

    def weaken(self, item: dict[str, object]) -> None:
        """Apply every weakness the manifest lists for ``item``."""
        name = str(item["name"])
        for group in item.get("member_of", []):  # type: ignore[attr-defined]
            self.tool("group", "addmembers", group, name)
        for spn in item.get("spns", []):  # type: ignore[attr-defined]
            self.tool("spn", "add", spn, name)
        set_bits = sum(UAC_FLAGS[flag] for flag in item.get("uac_set", []))  # type: ignore[attr-defined]
        clear_bits = sum(UAC_FLAGS[flag] for flag in item.get("uac_clear", []))  # type: ignore[attr-defined]
        if set_bits or clear_bits:
            uac = (int(self.attribute(name, "userAccountControl")) | set_bits) & ~clear_bits
            self.modify(_replace(self.dn(name), "userAccountControl", str(uac)))
        services = item.get("allowed_to_delegate", [])
        if services:
            lines = "".join(f"msDS-AllowedToDelegateTo: {spn}\n" for spn in services)  # type: ignore[attr-defined]
            self.modify(f"dn: {self.dn(name)}\nchangetype: modify\nadd: msDS-AllowedToDelegateTo\n{lines}")
        for actor in item.get("allowed_to_act", []):  # type: ignore[attr-defined]
            self.tool("delegation", "add-principal", name, actor)
        if "pwd_last_set" in item:
            self.modify(_replace(self.dn(name), "pwdLastSet", str(item["pwd_last_set"])), _BYPASS_LAST_SET)
        if "last_logon_timestamp" in item:
            self.modify(_replace(self.dn(name), "lastLogonTimestamp", str(item["last_logon_timestamp"])))
        for ace in item.get("aces", []):  # type: ignore[attr-defined]
            sid = self.attribute(name, "objectSid")
            target = ace["target"].format(base=self.base)
            self.tool("dsacl", "set", f"--objectdn={target}", f"--sddl={ace['sddl'].format(sid=sid)}")

    def policy(self) -> None:
        """The weak password policy and the MachineAccountQuota of the manifest."""
        policy: dict[str, int] = self.manifest["domain_policy"]  # type: ignore[assignment]
        self.tool(
            "domain",
            "passwordsettings",
            "set",
            f"--min-pwd-length={policy['min_pwd_length']}",
            f"--history-length={policy['pwd_history_length']}",
            f"--max-pwd-age={policy['max_pwd_age_days']}",
            "--min-pwd-age=0",
            f"--account-lockout-threshold={policy['lockout_threshold']}",
            "--complexity=off" if policy["pwd_properties"] & 1 == 0 else "--complexity=on",
        )
        quota = policy["machine_account_quota"]
        self.modify(_replace(self.base, "ms-DS-MachineAccountQuota", str(quota)))


def _replace(dn: str, attribute: str, value: str) -> str:
    return f"dn: {dn}\nchangetype: modify\nreplace: {attribute}\n{attribute}: {value}\n"


def main(argv: list[str]) -> int:
    """Seed the database named on the command line."""
    if len(argv) != 3:  # noqa: PLR2004 - the three documented arguments
        print(__doc__, file=sys.stderr)
        return 2
    manifest = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    seeder = Seeder(manifest, Path(argv[1]), Path(argv[2]))
    objects = manifest["objects"]
    # Every object exists before any weakness refers to it (groups, delegation actors, ACE trustees).
    for item in objects:
        seeder.create(item)
    for item in objects:
        seeder.weaken(item)
    seeder.policy()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

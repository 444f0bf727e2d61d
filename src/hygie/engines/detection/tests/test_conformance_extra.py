"""The (rule, event) pairs Hygie finds and Zircolite 3.7.0 does not are exactly the documented ones.

Each pair below is explained, with its cause and verdict, in ``docs/detection-differences.md``
("Pairs Hygie finds and Zircolite does not"). A new difference, or one that disappears, fails here
until the document and this list are brought up to date.

The hunt reuses ``test_conformance``'s fixtures (module-scoped, so pytest runs them once for this
module as well).
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from hygie.engines.detection.hunt import HuntResult
from hygie.engines.detection.tests.test_conformance import (  # noqa: F401 - fixtures, found by pytest by name
    SIGMA,
    ZIRCOLITE,
    samples_hunt,
    windows_pack,
)

pytestmark = pytest.mark.skipif(not SIGMA.is_dir(), reason=f"the public corpus is absent ({SIGMA}); set HYGIE_CORPUS")

_Pair = tuple[str, str, int]

#: Sysmon's ``Initiated`` is a JSON boolean in the EVTX: Zircolite stores it as the integer 1, which
#: never equals the rules' ``'true'``; Hygie renders it ``"true"`` as the event XML writes it.
BOOLEAN_INITIATED: frozenset[_Pair] = frozenset(
    {
        # Local Network Connection Initiated By Script Interpreter
        ("08249dc0-a28d-4555-8ba5-9255a198e08c", "sysmon_vbs_sharpshooter_stageless_meterpreter.evtx", 7683),
        # Uncommon Network Connection Initiated By Certutil.EXE
        ("0dba975d-a193-4ed1-a067-424df57570d1", "panache_sysmon_vs_EDRTestingScript.evtx", 4981),
        ("0dba975d-a193-4ed1-a067-424df57570d1", "panache_sysmon_vs_EDRTestingScript.evtx", 4982),
        # Network Connection Initiated By Regsvr32.EXE
        ("c7e91a02-d771-4a6d-a700-42587e0b1095", "PanacheSysmon_vs_AtomicRedTeam01.evtx", 4043),
        ("c7e91a02-d771-4a6d-a700-42587e0b1095", "exec_sysmon_lobin_regsvr32_sct.evtx", 16794),
        ("c7e91a02-d771-4a6d-a700-42587e0b1095", "panache_sysmon_vs_EDRTestingScript.evtx", 4934),
        ("c7e91a02-d771-4a6d-a700-42587e0b1095", "sysmon_1_persist_bitsjob_SetNotifyCmdLine.evtx", 17289),
        # Rundll32 Internet Connection
        ("cdc8da7d-c303-42f8-b08c-b4ab47230263", "panache_sysmon_vs_EDRTestingScript.evtx", 4974),
        # Outbound RDP Connections Over Non-Standard Tools
        ("ed74fe75-7594-4b4b-ae38-e38e3fd2eb23", "DE_sysmon-3-rdp-tun.evtx", 1940901),
        ("ed74fe75-7594-4b4b-ae38-e38e3fd2eb23", "DE_sysmon-3-rdp-tun.evtx", 1940919),
        ("ed74fe75-7594-4b4b-ae38-e38e3fd2eb23", "tunna_iis_rdp_smb_tunneling_sysmon_3.evtx", 35076),
        ("ed74fe75-7594-4b4b-ae38-e38e3fd2eb23", "tunna_iis_rdp_smb_tunneling_sysmon_3.evtx", 35079),
    }
)

#: Unnamed ``<Data>`` values (Application log): Zircolite names them ``Message``, so the rules'
#: ``Data`` column does not exist and their SQL fails; Hygie reads them as ``Data``.
UNNAMED_DATA: frozenset[_Pair] = frozenset(
    {
        # MSI Installation From Web
        ("5594e67a-7f92-4a04-b65d-1a42fd824a60", "rogue_msi_url_1040_1042.evtx", 3734),
        ("5594e67a-7f92-4a04-b65d-1a42fd824a60", "rogue_msi_url_1040_1042.evtx", 3735),
        # MSSQL XPCmdshell Suspicious Execution
        ("7f103213-a04e-4d59-8261-213dddf22314", "LM_xp_cmdshell_MSSQL_Events.evtx", 9693),
        # Dump Ntds.dit To Suspicious Location
        ("94dc4390-6b7c-4784-8ffc-335334404650", "dc_applog_ntdsutil_dfir_325_326_327.evtx", 1970),
        # MSSQL XPCmdshell Option Change
        ("d08dd86f-681e-4a00-a92c-1db218754417", "DE_xp_cmdshell_enabled_MSSQL_EID_15457.evtx", 9692),
        ("d08dd86f-681e-4a00-a92c-1db218754417", "DE_xp_cmdshell_enabled_MSSQL_EID_15457.evtx", 9696),
        ("d08dd86f-681e-4a00-a92c-1db218754417", "LM_xp_cmdshell_MSSQL_Events.evtx", 9692),
        ("d08dd86f-681e-4a00-a92c-1db218754417", "LM_xp_cmdshell_MSSQL_Events.evtx", 9696),
        # Ntdsutil Abuse
        ("e6e88853-5f20-4c4a-8d26-cd469fd8d31f", "dc_applog_ntdsutil_dfir_325_326_327.evtx", 1969),
        ("e6e88853-5f20-4c4a-8d26-cd469fd8d31f", "dc_applog_ntdsutil_dfir_325_326_327.evtx", 1970),
        ("e6e88853-5f20-4c4a-8d26-cd469fd8d31f", "dc_applog_ntdsutil_dfir_325_326_327.evtx", 1971),
        ("e6e88853-5f20-4c4a-8d26-cd469fd8d31f", "dc_applog_ntdsutil_dfir_325_326_327.evtx", 1972),
    }
)

#: A field no event of the corpus has (``FilterOrigin``, ``NewName``): Zircolite has no such
#: column, its SQL fails and the whole rule is skipped; Hygie reads the absent field as null.
ABSENT_FIELD: frozenset[_Pair] = frozenset(
    {
        # New DLL Added to AppInit_DLLs Registry Key (NewName, the key-rename alternative)
        ("4f84b697-c9ed-4420-8ab5-e09af5b2345d", "PanacheSysmon_vs_AtomicRedTeam01.evtx", 3635),
        # RDP over Reverse SSH Tunnel WFP (FilterOrigin, in a filter)
        ("5bed80b6-b3e8-428e-a3ae-d3c757589e41", "DE_RDP_Tunnel_5156.evtx", 227727),
        ("5bed80b6-b3e8-428e-a3ae-d3c757589e41", "DE_RDP_Tunnel_5156.evtx", 227728),
        ("5bed80b6-b3e8-428e-a3ae-d3c757589e41", "DE_RDP_Tunnel_5156.evtx", 227741),
        ("5bed80b6-b3e8-428e-a3ae-d3c757589e41", "DE_RDP_Tunnel_5156.evtx", 227742),
    }
)

#: ``StartModule: ''``: Zircolite drops empty values, so its ``StartModule=''`` never holds;
#: Hygie keeps the empty element the event carries.
EMPTY_VALUE: frozenset[_Pair] = frozenset(
    {
        # Password Dumper Remote Thread in LSASS
        ("f239b326-2f41-4d6b-9dfa-c846a60ef505", "CA_sysmon_hashdump_cmd_meterpreter.evtx", 9060),
        ("f239b326-2f41-4d6b-9dfa-c846a60ef505", "CA_sysmon_hashdump_cmd_meterpreter.evtx", 9066),
    }
)

#: Every documented pair, by cause (the headings of docs/detection-differences.md).
HYGIE_ONLY_PAIRS: dict[str, frozenset[_Pair]] = {
    "boolean Initiated": BOOLEAN_INITIATED,
    "unnamed Data": UNNAMED_DATA,
    "field absent from the corpus": ABSENT_FIELD,
    "empty value": EMPTY_VALUE,
}


def test_pairs_only_hygie_finds_are_the_documented_ones(samples_hunt: HuntResult) -> None:  # noqa: F811
    """Hygie's pairs minus Zircolite's are exactly those explained in docs/detection-differences.md."""
    reference = orjson.loads(ZIRCOLITE.read_bytes())
    theirs = {
        (rule["id"], match["OriginalLogfile"], int(match["EventRecordID"]))
        for rule in reference
        for match in rule["matches"]
    }
    ours = {(d.rule_id, Path(d.file).name, d.record_id) for d in samples_hunt.detections}
    documented = frozenset().union(*HYGIE_ONLY_PAIRS.values())
    assert sum(len(pairs) for pairs in HYGIE_ONLY_PAIRS.values()) == len(documented), "a pair has two causes"

    only_ours = ours - theirs

    assert sorted(documented - only_ours) == [], "documented pairs Hygie no longer finds alone"
    assert sorted(only_ours - documented) == [], "new pairs only Hygie finds: explain them in the document"

"""E-mail protections in the DNS: MX, SPF (with its lookup count), DMARC, DKIM on usual selectors, MTA-STS.

Only DNS records are read: the MTA-STS policy is never fetched over HTTPS.
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence
from typing import Any

from hygie.engines.exposure.dns_query import MAX_LIST, MAX_TEXT, Asker, DnsError
from hygie.engines.exposure.model import printable

__all__ = ["dkim_record", "dmarc_record", "mta_sts_record", "mx_hosts", "parse_spf", "parse_tags", "spf_record"]

SPF_LOOKUP_TERMS = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})
SPF_MAX_LOOKUPS = 10


def mx_hosts(asker: Asker, name: str) -> dict[str, Any]:
    """MX hosts by preference; a null MX (RFC 7505) means the domain accepts no mail."""
    answer = asker.ask(name, "MX")
    hosts = []
    null_mx = False
    if answer is not None and answer.rrset is not None:
        for rdata in sorted(answer.rrset, key=lambda r: r.preference)[:MAX_LIST]:
            host = rdata.exchange.to_text(omit_final_dot=True).lower()
            if host in {"", "."}:
                null_mx = True
                continue
            hosts.append({"preference": rdata.preference, "host": printable(host, 255)})
    return {"hosts": hosts, "null_mx": null_mx}


def _is_record(text: str, version: str) -> bool:
    """Whether ``text`` starts with the version tag ``version`` followed by a space, ``;`` or nothing."""
    head = text[: len(version) + 1].lower()
    return head == version.lower() or (head[:-1] == version.lower() and head[-1] in " ;\t")


def parse_spf(text: str) -> dict[str, Any]:
    """The terms of an SPF record: mechanisms with qualifiers, modifiers, ``all``, local look-up terms."""
    mechanisms: list[dict[str, str]] = []
    modifiers: dict[str, str] = {}
    targets: list[str] = []
    all_qualifier = None
    lookups = 0
    terms = text.split()[1:]
    for term in terms:
        head, equal, value = term.partition("=")
        if equal and head.isalpha():
            modifiers.setdefault(head.lower(), value)
            if head.lower() == "redirect":
                lookups += 1
                targets.append(value)
            continue
        qualifier = term[0] if term[0] in "+-~?" else "+"
        body = term.lstrip("+-~?")
        mechanism = body.split(":", 1)[0].split("/", 1)[0].lower()
        value = body.split(":", 1)[1] if ":" in body else ""
        if mechanism == "all" and all_qualifier is None:
            all_qualifier = qualifier
        if mechanism in SPF_LOOKUP_TERMS:
            lookups += 1
        if mechanism == "include":
            targets.append(value)
        if len(mechanisms) < MAX_LIST:
            mechanisms.append(
                {"qualifier": qualifier, "mechanism": printable(mechanism, 20), "value": printable(value, 120)}
            )
    return {
        "mechanisms": mechanisms,
        "terms": len(terms),
        "modifiers": {printable(k, 20): printable(v, 120) for k, v in list(modifiers.items())[:MAX_LIST]},
        "all": all_qualifier,
        "local_lookups": lookups,
        "targets": targets,
    }


def _spf_lookups(asker: Asker, targets: list[str], seen: set[str], budget: list[int]) -> tuple[int, bool, list[str]]:
    """Look-ups spent by following ``targets``' records: (count, loop met, problems). Stops past the limit."""
    count = 0
    loop = False
    problems: list[str] = []
    for target in targets:
        if budget[0] > SPF_MAX_LOOKUPS:
            break
        name = target.strip().rstrip(".").lower()
        if "%" in name or not name:
            continue  # macros expand per message: counted locally, not followed
        if name in seen:
            loop = True
            continue
        seen.add(name)
        try:
            records = [t for t in asker.texts(name) if _is_record(t, "v=spf1")]
        except DnsError as error:
            problems.append(str(error))
            continue
        if len(records) != 1:
            problems.append(f"{printable(name, 120)}: {len(records)} SPF records")
            continue
        parsed = parse_spf(records[0])
        budget[0] += parsed["local_lookups"]
        count += parsed["local_lookups"]
        inner, inner_loop, inner_problems = _spf_lookups(asker, parsed["targets"], seen, budget)
        count += inner
        loop = loop or inner_loop
        problems.extend(inner_problems)
    return count, loop, problems


def spf_record(asker: Asker, name: str, *, sends_mail: bool | None) -> dict[str, Any]:
    """Every SPF record at ``name``, each parsed, with its recursive look-up count."""
    records = []
    for text in (t for t in asker.texts(name) if _is_record(t, "v=spf1")):
        parsed = parse_spf(text)
        budget = [parsed["local_lookups"]]
        nested, loop, problems = _spf_lookups(asker, parsed.pop("targets"), {name}, budget)
        lookups = parsed["local_lookups"] + nested
        parsed |= {
            "raw": printable(text, MAX_TEXT),
            "length": len(text),
            "lookups": lookups,
            "lookups_exceeded": lookups > SPF_MAX_LOOKUPS,
            "include_loop": loop,
            "problems": problems[:MAX_LIST],
        }
        records.append(parsed)
    multiple = len(records) > 1
    return {"records": records[:MAX_LIST], "count": len(records), "multiple": multiple, "sends_mail": sends_mail}


def parse_tags(text: str) -> dict[str, str]:
    """``tag=value`` pairs of a DMARC, DKIM, MTA-STS or TLS-RPT record (first occurrence wins), cut and escaped."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        key, equal, value = part.partition("=")
        key = key.strip().lower()
        if equal and key and len(tags) < MAX_LIST:
            tags.setdefault(printable(key, 20), value.strip())
    return tags


def dmarc_record(asker: Asker, name: str) -> dict[str, Any]:
    """The DMARC record at ``_dmarc.<name>``: policy, sub-domain policy, percentage, reports, alignment."""
    texts = [t for t in asker.texts(f"_dmarc.{name}") if _is_record(t, "v=DMARC1")]
    result: dict[str, Any] = {"count": len(texts), "raw": [printable(t, MAX_TEXT) for t in texts[:MAX_LIST]]}
    if len(texts) != 1:
        # RFC 7489 section 6.6.3: several records are as good as none.
        return result | {"present": False, "problems": ["several DMARC records"] if texts else []}
    tags = parse_tags(texts[0])
    problems = []
    policy = tags.get("p", "").lower()
    if policy not in {"none", "quarantine", "reject"}:
        problems.append(f"invalid policy p={printable(policy, 40)!r}")
        policy = "invalid"
    sub_policy = tags.get("sp", "").lower() or policy
    if sub_policy not in {"none", "quarantine", "reject", "invalid"}:
        problems.append(f"invalid sub-domain policy sp={printable(sub_policy, 40)!r}")
        sub_policy = "invalid"
    try:
        pct = int(tags.get("pct", "100"))
    except ValueError:
        problems.append(f"invalid pct={printable(tags.get('pct', ''), 40)!r}")
        pct = 100
    return result | {
        "present": True,
        "p": policy,
        "sp": sub_policy,
        "sp_explicit": "sp" in tags,
        "pct": max(0, min(pct, 100)),
        "rua": printable(tags.get("rua", ""), 300),
        "ruf": printable(tags.get("ruf", ""), 300),
        "adkim": printable(tags.get("adkim", "r").lower(), 10),
        "aspf": printable(tags.get("aspf", "r").lower(), 10),
        "problems": problems,
    }


def _dkim_key(tags: dict[str, str]) -> dict[str, Any]:
    """Key type and size of a DKIM record's ``p=`` (``revoked`` when empty, ``note`` when unreadable)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    key_type = printable(tags.get("k", "rsa").lower(), 20)
    data = "".join(tags.get("p", "").split())
    if not data:
        return {"key_type": key_type, "key_bits": None, "revoked": True}
    try:
        raw = binascii.a2b_base64(data.encode("ascii", "replace"), strict_mode=True)
        if key_type == "ed25519":
            bits = 256 if len(raw) == 32 else None  # noqa: PLR2004 - RFC 8463 raw key length
        else:
            key = load_der_public_key(raw)
            bits = key.key_size if isinstance(key, rsa.RSAPublicKey) else None
    except (binascii.Error, ValueError, UnsupportedAlgorithm):
        return {"key_type": key_type, "key_bits": None, "revoked": False, "note": "key not parseable"}
    return {"key_type": key_type, "key_bits": bits, "revoked": False}


def dkim_record(asker: Asker, name: str, selectors: Sequence[str]) -> dict[str, Any]:
    """DKIM keys published under the usual ``selectors`` (a heuristic: other selectors may exist)."""
    found = []
    failures = []
    tried = [printable(s, 63) for s in list(selectors)[:MAX_LIST]]
    for selector in tried:
        try:
            texts = asker.texts(f"{selector}._domainkey.{name}")
        except DnsError as error:
            failures.append(str(error))
            continue
        for text in texts:
            tags = parse_tags(text)
            if _is_record(text, "v=DKIM1") or "p" in tags:
                found.append({"selector": selector, **_dkim_key(tags)})
                break
    if failures and not found and len(failures) == len(tried):
        raise DnsError(failures[0])
    return {
        "selectors_tried": tried,
        "found": found,
        "failures": failures[:MAX_LIST],
        "heuristic": "only the usual selectors were tried; a domain may sign with a selector not listed",
    }


def mta_sts_record(asker: Asker, name: str) -> dict[str, Any]:
    """The MTA-STS and TLS-RPT TXT records; the HTTPS policy file is deliberately not fetched."""
    sts = [t for t in asker.texts(f"_mta-sts.{name}") if _is_record(t, "v=STSv1")]
    rpt = [t for t in asker.texts(f"_smtp._tls.{name}") if _is_record(t, "v=TLSRPTv1")]
    return {
        "present": len(sts) == 1,
        "records": len(sts),
        "id": printable(parse_tags(sts[0]).get("id", ""), 64) if sts else "",
        "tls_rpt": {"present": bool(rpt), "rua": printable(parse_tags(rpt[0]).get("rua", ""), 300) if rpt else ""},
        "policy_checked": False,
        "note": "only the _mta-sts TXT record was checked; the HTTPS policy file was not fetched",
    }

"""DNS and e-mail checks: judge a declared domain's :class:`~hygie.engines.exposure.model.DomainReport`.

The observations come from :func:`hygie.engines.exposure.dns.collect_domain` (or an imported result);
a check whose observation is missing, because its query failed, says nothing: a timeout is not a
missing record. A domain with no MX still gets its SPF and DMARC judged, since anybody can forge
mail from it; the remediation then asks for the non-sending form (``v=spf1 -all``, ``p=reject``).
"""

from __future__ import annotations

from typing import Any

from hygie.engines._core import Finding, Severity
from hygie.engines.exposure.model import DomainReport, domain_object
from hygie.engines.exposure.registry import JudgeContext, domain_check, make_finding

__all__: list[str] = []

_NON_SENDING = (
    "This domain has no MX and sends no mail: publish 'v=spf1 -all' and a DMARC record with p=reject "
    "so that nobody can send mail in its name."
)
_POLICY_STRENGTH = {"none": 0, "invalid": 0, "quarantine": 1, "reject": 2}
_SPF_RFC = "https://www.rfc-editor.org/rfc/rfc7208"
_DMARC_RFC = "https://www.rfc-editor.org/rfc/rfc7489"
_ANSSI_MAIL = "https://cyber.gouv.fr/publications/bonnes-pratiques-de-securisation-de-la-messagerie"


def _record(report: DomainReport, key: str) -> dict[str, Any] | None:
    """The observation under ``key`` when it was collected (not failed)."""
    value = report.records.get(key)
    return value if isinstance(value, dict) and key not in report.errors else None


def _handles_mail(report: DomainReport) -> bool:
    """Whether the domain has MX hosts (True when unknown: a failed MX query must not silence checks)."""
    mx = _record(report, "mx")
    return bool(mx is None or mx.get("hosts"))


def _mail_finding(check_id: str, report: DomainReport, evidence: dict[str, Any], **kwargs: Any) -> Finding:
    """A finding on the domain; for a domain with no MX, evidence and remediation say it sends no mail."""
    sends = _handles_mail(report)
    if not sends:
        kwargs.setdefault("remediation", _NON_SENDING)
    return make_finding(check_id, [domain_object(report.domain)], evidence | {"sends_mail": sends}, **kwargs)


def _spf_records(report: DomainReport) -> list[dict[str, Any]] | None:
    spf = _record(report, "spf")
    if spf is None:
        return None
    records = spf.get("records")
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


@domain_check(
    "exposure.mail_spf_missing",
    title_en="No SPF record",
    title_fr="Aucun enregistrement SPF",
    severity=Severity.MEDIUM,
    remediation="Publish one SPF record listing the servers allowed to send the domain's mail, ending in '-all'.",
    references=[_SPF_RFC, _ANSSI_MAIL],
)
def spf_missing(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """The domain publishes no SPF record: anybody may send mail in its name unchallenged."""
    records = _spf_records(report)
    if records is None or records:
        return []
    return [_mail_finding("exposure.mail_spf_missing", report, {})]


@domain_check(
    "exposure.mail_spf_permissive",
    title_en="SPF allows any sender (+all or ?all)",
    title_fr="SPF autorise tout expéditeur (+all ou ?all)",
    severity=Severity.HIGH,
    remediation="End the SPF record with '-all' (or '~all' while DMARC reports are being reviewed).",
    references=[_SPF_RFC],
)
def spf_permissive(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """An SPF record ends in ``+all`` or ``?all`` (or has no ``all``): it authorises or ignores every sender."""
    findings = []
    for record in _spf_records(report) or []:
        qualifier = record.get("all")
        redirect = "redirect" in (record.get("modifiers") or {})
        if qualifier in {"+", "?"} or (qualifier is None and not redirect):
            evidence = {"record": record.get("raw", ""), "all": qualifier}
            findings.append(_mail_finding("exposure.mail_spf_permissive", report, evidence))
    return findings[:1]


@domain_check(
    "exposure.mail_spf_softfail",
    title_en="SPF ends in soft fail (~all)",
    title_fr="SPF se termine par un échec léger (~all)",
    severity=Severity.LOW,
    remediation="Once DMARC reports show every legitimate sender, end the SPF record with '-all'.",
    references=[_SPF_RFC],
)
def spf_softfail(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """An SPF record ends in ``~all``: forged mail is only marked, the DMARC policy has to reject it."""
    for record in _spf_records(report) or []:
        if record.get("all") == "~":
            return [_mail_finding("exposure.mail_spf_softfail", report, {"record": record.get("raw", "")})]
    return []


@domain_check(
    "exposure.mail_spf_too_many_lookups",
    title_en="SPF needs more than 10 DNS look-ups",
    title_fr="SPF nécessite plus de 10 requêtes DNS",
    severity=Severity.MEDIUM,
    remediation=(
        "Reduce the includes, 'a', 'mx', 'ptr' and 'exists' terms (flatten includes into ip4/ip6 ranges): "
        "past 10 look-ups receivers treat the record as an error and ignore it."
    ),
    references=[_SPF_RFC + "#section-4.6.4"],
)
def spf_too_many_lookups(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """An SPF record costs more than the 10 DNS look-ups RFC 7208 allows, so receivers ignore it."""
    for record in _spf_records(report) or []:
        if record.get("lookups_exceeded") or record.get("include_loop"):
            evidence = {
                "record": record.get("raw", ""),
                "lookups": record.get("lookups"),
                "loop": record.get("include_loop"),
            }
            return [_mail_finding("exposure.mail_spf_too_many_lookups", report, evidence)]
    return []


@domain_check(
    "exposure.mail_spf_multiple",
    title_en="Several SPF records",
    title_fr="Plusieurs enregistrements SPF",
    severity=Severity.MEDIUM,
    remediation="Merge the SPF records into one: with several, receivers treat SPF as a permanent error.",
    references=[_SPF_RFC + "#section-4.5"],
)
def spf_multiple(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """The domain publishes more than one SPF record, which makes SPF fail everywhere."""
    records = _spf_records(report) or []
    if len(records) < 2:  # noqa: PLR2004 - one record is the rule
        return []
    return [_mail_finding("exposure.mail_spf_multiple", report, {"records": [r.get("raw", "") for r in records]})]


@domain_check(
    "exposure.mail_dmarc_missing",
    title_en="No DMARC record",
    title_fr="Aucun enregistrement DMARC",
    severity=Severity.HIGH,
    remediation=(
        "Publish a DMARC record at _dmarc.<domain>, with reports (rua=), then move to p=quarantine and p=reject."
    ),
    references=[_DMARC_RFC, _ANSSI_MAIL],
)
def dmarc_missing(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """No (single, valid) DMARC record: receivers get no policy for mail failing SPF and DKIM."""
    dmarc = _record(report, "dmarc")
    if dmarc is None or dmarc.get("present"):
        return []
    return [_mail_finding("exposure.mail_dmarc_missing", report, {"records": dmarc.get("raw", [])})]


def _dmarc_present(report: DomainReport) -> dict[str, Any] | None:
    dmarc = _record(report, "dmarc")
    return dmarc if dmarc is not None and dmarc.get("present") else None


@domain_check(
    "exposure.mail_dmarc_monitor_only",
    title_en="DMARC policy does not protect (p=none)",
    title_fr="La politique DMARC ne protège pas (p=none)",
    severity=Severity.MEDIUM,
    remediation="After reviewing the aggregate reports, raise the DMARC policy to p=quarantine, then p=reject.",
    references=[_DMARC_RFC],
)
def dmarc_monitor_only(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """DMARC is published with ``p=none`` (or an invalid policy): forged mail is still delivered."""
    dmarc = _dmarc_present(report)
    if dmarc is None or dmarc.get("p") not in {"none", "invalid"}:
        return []
    evidence = {"record": (dmarc.get("raw") or [""])[0], "p": dmarc.get("p"), "problems": dmarc.get("problems", [])}
    return [_mail_finding("exposure.mail_dmarc_monitor_only", report, evidence)]


@domain_check(
    "exposure.mail_dmarc_partial",
    title_en="DMARC policy applied to part of the mail only (pct<100)",
    title_fr="Politique DMARC appliquée à une partie du courrier seulement (pct<100)",
    severity=Severity.LOW,
    remediation="Remove the pct tag (or set pct=100) once the policy has been tried on a share of the mail.",
    references=[_DMARC_RFC],
)
def dmarc_partial(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """An enforcing DMARC policy covers less than 100 % of the failing mail."""
    dmarc = _dmarc_present(report)
    if dmarc is None or dmarc.get("p") in {"none", "invalid"} or dmarc.get("pct", 100) >= 100:  # noqa: PLR2004
        return []
    return [_mail_finding("exposure.mail_dmarc_partial", report, {"p": dmarc.get("p"), "pct": dmarc.get("pct")})]


@domain_check(
    "exposure.mail_dmarc_subdomain_weaker",
    title_en="DMARC sub-domain policy weaker than the domain's (sp)",
    title_fr="Politique DMARC des sous-domaines plus faible que celle du domaine (sp)",
    severity=Severity.MEDIUM,
    remediation="Set sp= to the same policy as p= (or remove sp=): attackers forge sub-domains that have no record.",
    references=[_DMARC_RFC],
)
def dmarc_subdomain_weaker(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """``sp=`` is weaker than ``p=``: mail forged from any sub-domain escapes the policy."""
    dmarc = _dmarc_present(report)
    if dmarc is None:
        return []
    policy = _POLICY_STRENGTH.get(str(dmarc.get("p")), 0)
    sub_policy = _POLICY_STRENGTH.get(str(dmarc.get("sp")), 0)
    if sub_policy >= policy:
        return []
    evidence = {"p": dmarc.get("p"), "sp": dmarc.get("sp")}
    return [_mail_finding("exposure.mail_dmarc_subdomain_weaker", report, evidence)]


@domain_check(
    "exposure.mail_dkim_missing",
    title_en="No DKIM key found on the usual selectors",
    title_fr="Aucune clé DKIM trouvée sur les sélecteurs usuels",
    severity=Severity.LOW,
    remediation=(
        "Sign outgoing mail with DKIM (2048-bit RSA or Ed25519 keys). This is a heuristic: only the usual "
        "selectors were tried, so check with the mail provider which selector signs the domain's mail."
    ),
    references=["https://www.rfc-editor.org/rfc/rfc6376"],
)
def dkim_missing(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """No DKIM key under any usual selector, for a domain that sends mail (a heuristic)."""
    dkim = _record(report, "dkim")
    if dkim is None or dkim.get("found") or not dkim.get("selectors_tried"):
        return []
    if not _handles_mail(report) or _declares_no_mail(report):
        return []
    evidence = {"selectors_tried": dkim.get("selectors_tried", []), "heuristic": dkim.get("heuristic", "")}
    return [_mail_finding("exposure.mail_dkim_missing", report, evidence)]


def _declares_no_mail(report: DomainReport) -> bool:
    """Whether the only SPF record is ``v=spf1 -all``: the domain says it sends nothing to sign."""
    records = _spf_records(report) or []
    return len(records) == 1 and records[0].get("all") == "-" and len(records[0].get("mechanisms", [])) == 1


@domain_check(
    "exposure.mail_mta_sts_missing",
    title_en="No MTA-STS policy",
    title_fr="Aucune politique MTA-STS",
    severity=Severity.LOW,
    remediation=(
        "Publish an MTA-STS policy (_mta-sts TXT record and https://mta-sts.<domain>/.well-known/mta-sts.txt) "
        "and a TLS-RPT record, so that senders refuse to deliver the domain's mail without TLS."
    ),
    references=["https://www.rfc-editor.org/rfc/rfc8461", "https://www.rfc-editor.org/rfc/rfc8460"],
)
def mta_sts_missing(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """A domain receiving mail (it has MX) publishes no MTA-STS record: delivery to it can be downgraded."""
    sts = _record(report, "mta_sts")
    if sts is None or sts.get("present") or not _handles_mail(report):
        return []
    evidence = {"tls_rpt": sts.get("tls_rpt", {}), "note": sts.get("note", "")}
    return [make_finding("exposure.mail_mta_sts_missing", [domain_object(report.domain)], evidence)]


@domain_check(
    "exposure.dns_dnssec_missing",
    title_en="DNSSEC not enabled",
    title_fr="DNSSEC non activé",
    severity=Severity.MEDIUM,
    remediation="Sign the zone (DNSSEC) and publish its DS record at the registrar.",
    references=["https://www.rfc-editor.org/rfc/rfc9364"],
)
def dnssec_missing(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """The domain's zone publishes no DNSKEY, or no DS at its parent: its answers can be forged."""
    dnssec = _record(report, "dnssec")
    if dnssec is None:
        return []
    ds = dnssec.get("ds") or {}
    if dnssec.get("enabled") and ds.get("present") is not False:
        return []
    evidence = {"zone": dnssec.get("zone"), "dnskey": dnssec.get("dnskey"), "ds_present": ds.get("present")}
    return [make_finding("exposure.dns_dnssec_missing", [domain_object(report.domain)], evidence)]


@domain_check(
    "exposure.dns_dnssec_invalid",
    title_en="DNSSEC signatures invalid",
    title_fr="Signatures DNSSEC invalides",
    severity=Severity.HIGH,
    remediation=(
        "Re-sign the zone (expired or broken signatures make validating resolvers reject the whole domain) "
        "and automate signing, e.g. with BIND's dnssec-policy."
    ),
    references=["https://www.rfc-editor.org/rfc/rfc4035"],
)
def dnssec_invalid(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """The zone is signed but its signatures do not validate, or its DS matches none of its keys."""
    dnssec = _record(report, "dnssec")
    if dnssec is None or not dnssec.get("enabled"):
        return []
    ds = dnssec.get("ds") or {}
    broken_ds = ds.get("present") is True and ds.get("matches_key") is False
    if dnssec.get("valid") and not broken_ds:
        return []
    evidence = {"zone": dnssec.get("zone"), "signatures": dnssec.get("signatures", {}), "ds": ds}
    return [make_finding("exposure.dns_dnssec_invalid", [domain_object(report.domain)], evidence)]


@domain_check(
    "exposure.dns_caa_missing",
    title_en="No CAA record",
    title_fr="Aucun enregistrement CAA",
    severity=Severity.LOW,
    remediation="Publish CAA records naming the certificate authorities allowed to issue for the domain.",
    references=["https://www.rfc-editor.org/rfc/rfc8659"],
)
def caa_missing(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """Neither the domain nor a parent publishes CAA: any authority may issue certificates for it."""
    caa = _record(report, "caa")
    if caa is None or caa.get("records"):
        return []
    return [make_finding("exposure.dns_caa_missing", [domain_object(report.domain)], {})]


@domain_check(
    "exposure.dns_zone_transfer",
    title_en="DNS zone transfer open",
    title_fr="Transfert de zone DNS ouvert",
    severity=Severity.HIGH,
    remediation="Allow zone transfers (AXFR) only to the secondary name servers, by address and TSIG key.",
    references=["https://www.rfc-editor.org/rfc/rfc5936"],
)
def zone_transfer(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """A name server hands the whole zone to anybody: the map of every host of the domain."""
    axfr = _record(report, "axfr")
    if axfr is None:
        return []
    open_servers = [a for a in axfr.get("attempts", []) if isinstance(a, dict) and a.get("status") == "open"]
    if not open_servers:
        return []
    servers = [{"address": a.get("address"), "records": a.get("records")} for a in open_servers]
    evidence = {"zone": axfr.get("zone"), "servers": servers}
    return [make_finding("exposure.dns_zone_transfer", [domain_object(report.domain)], evidence)]


@domain_check(
    "exposure.dns_dangling_cname",
    title_en="Dangling CNAME (sub-domain takeover risk)",
    title_fr="CNAME orphelin (risque de prise de contrôle de sous-domaine)",
    severity=Severity.HIGH,
    remediation=(
        "Delete the CNAME, or re-create the resource it points to. At a hosting provider, anybody can claim "
        "the name and serve pages or collect cookies under the hospital's domain: remove it first."
    ),
    references=["https://developer.mozilla.org/en-US/docs/Web/Security/Subdomain_takeovers"],
)
def dangling_cname(report: DomainReport, context: JudgeContext) -> list[Finding]:
    """A name under the domain is an alias of a name that does not exist; critical at a takeover-prone provider."""
    cnames = _record(report, "cnames")
    findings = []
    for chain in (cnames or {}).get("chains", []):
        if not isinstance(chain, dict) or not chain.get("dangling"):
            continue
        provider = chain.get("provider")
        evidence = {"name": chain.get("name"), "chain": chain.get("chain", []), "provider": provider}
        findings.append(
            make_finding(
                "exposure.dns_dangling_cname",
                [domain_object(str(chain.get("name") or report.domain))],
                evidence,
                severity=Severity.CRITICAL if provider else None,
            )
        )
    return findings

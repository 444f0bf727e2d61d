"""Demo incident response: regulatory profiles, crisis cells, incidents with their logs and clocks.

Everything goes through the platform's own operations (``open_incident``, ``add_log_entry``,
``record_obligation``, ``set_status``, the declarations, the lessons learned and the crisis kit),
with explicit past times relative to ``now``, so the clocks, the crisis logs and the statistics
are consistent with what a crisis cell would have written. What the demo shows
(docs/user-guide/incidents.md):

1. an **open ransomware** at CH Montbrézin, aware 30 hours ago: CERT Santé reported (declaration
   generated and marked sent, with the portal's receipt), ARS informed, the **NIS2 early warning
   overdue** (the red banner on every page), the CNIL, complaint and insurer clocks still running;
2. a **closed data theft** at the EPSM five months ago: every clock done in time, lessons learned,
   two post-incident actions in the findings register;
3. a **closed outage** at the support hospital (an OSE, not malicious: no complaint clock),
   recovered in 6 hours;
4. a **fraud** after a phishing at the private clinic (not insured: no insurer nor complaint
   clock), contained last month.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from itertools import product
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hygie.apps.findings.models import SeverityChoices
from hygie.apps.incidents import evidence_store
from hygie.apps.incidents.declarations import build_content, content_text, mark_sent
from hygie.apps.incidents.kit import generate_kit
from hygie.apps.incidents.lessons import actions_to_findings, close_task_finding
from hygie.apps.incidents.models import (
    CommunicationTemplate,
    CrisisCell,
    CrisisMember,
    CrisisRole,
    Declaration,
    DeclarationKind,
    DutyShift,
    Incident,
    IncidentKind,
    IncidentStatus,
    IncidentTask,
    Indicator,
    IndicatorKind,
    LogEntryKind,
    RegulatoryProfile,
    TaskKind,
    TaskStatus,
)
from hygie.apps.incidents.services import add_log_entry, open_incident, record_obligation, set_status
from hygie.apps.inventory.models import Application, Asset, CareActivity
from hygie.apps.organizations.models import Node
from hygie.demo.establishments import ESTABLISHMENTS
from hygie.demo.incidents_data import (
    CELLS,
    DEPUTY_ROLES,
    FIRST_NAMES,
    LAST_NAMES,
    PROFILES,
    RANSOMWARE_LOG,
    ROLES,
    TEMPLATES,
    CellSpec,
)
from hygie.engines.incidents import PARIS

if TYPE_CHECKING:
    from hygie.engines._core import Progress

__all__ = ["seed_incidents"]

SEED = 8
HOUR = dt.timedelta(hours=1)
#: Weeks of duty rota written ahead (the kit shows the next 14 days).
ROTA_WEEKS = 3


def _ascii(text: str) -> str:
    """``Émilie`` -> ``emilie``: e-mail addresses stay plain ASCII."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


class _Numbers:
    """Fictional phone numbers from the ARCEP ranges reserved for fiction, never twice the same."""

    def __init__(self) -> None:
        self._next = 1001

    def mobile(self) -> str:
        number, self._next = self._next, self._next + 1
        return f"+33 6 39 98 {number // 100:02d} {number % 100:02d}"

    def landline(self) -> str:
        number, self._next = self._next, self._next + 1
        return f"+33 4 65 71 {number // 100:02d} {number % 100:02d}"


def _seed_profiles(owners: dict[str, Node]) -> None:
    for key, spec in PROFILES.items():
        RegulatoryProfile.objects.create(
            node=owners[key], nis2_status=spec.nis2_status, insured=spec.insured, insurer=spec.insurer,
            policy_number=spec.policy_number, insurer_hotline=spec.insurer_hotline,
            insurer_notice_hours=spec.insurer_notice_hours)


def _rota_start(now: dt.datetime) -> dt.datetime:
    """The on-call week changes at 08:00 Paris time; the current week started today or yesterday at 08:00."""
    local = now.astimezone(PARIS)
    start = dt.datetime.combine(local.date(), dt.time(8), tzinfo=PARIS)
    return start if start <= local else start - dt.timedelta(days=1)


def _seed_cell(spec: CellSpec, node: Node, *, people: list[tuple[str, str]], numbers: _Numbers,
               accounts: dict[str, Any], now: dt.datetime) -> None:
    """One crisis cell: settings, internal roles (holder and deputies), outside contacts, on-call rota."""
    CrisisCell.objects.create(
        node=node, plan_blanc_url=f"https://intranet.{spec.mail_domain}/plan-blanc",
        plan_blanc_location=spec.plan_blanc_location, meeting_place=spec.meeting_place,
        fallback_meeting_place=spec.fallback_meeting_place,
        conference_bridge=f"Pont audio de secours (opérateur externe) : {numbers.landline()}, code 4711#",
        notes="Exercice de crise cyber annuel ; liste des membres vérifiée chaque trimestre.")
    on_call: dict[str, list[CrisisMember]] = {}
    for role, position in ROLES:
        for rank in (1, 2) if role in DEPUTY_ROLES else (1,):
            first, last = people.pop()
            member = CrisisMember.objects.create(
                node=node, role=role, rank=rank, name=f"{first} {last}",
                position=position if rank == 1 else f"{position} (suppléant·e)", organisation=node.short_name,
                mobile=numbers.mobile(), personal_email=f"{_ascii(first)}.{_ascii(last)}@example.org",
                work_email=f"{_ascii(first)}.{_ascii(last)}@{spec.mail_domain}",
                user=accounts.get(role) if rank == 1 else None)
            on_call.setdefault(role, []).append(member)
    externals = [
        (CrisisRole.ARS, "Point focal régional (astreinte)", "ARS Auvergne-Rhône-Alpes"),
        (CrisisRole.POLICE, "Accueil des plaintes (cybercriminalité)", spec.police),
        (CrisisRole.PROVIDER, "Astreinte technique", spec.provider),
    ]
    if PROFILES.get(spec.key, PROFILES["group"]).insured != "no":
        externals.append((CrisisRole.INSURER, "Cellule de crise cyber", PROFILES["group"].insurer))
    for role, name, organisation in externals:
        hotline = PROFILES["group"].insurer_hotline if role == CrisisRole.INSURER else numbers.landline()
        CrisisMember.objects.create(node=node, role=role, name=name, organisation=organisation, landline=hotline)
    # On call: the director of the day and the IT on-call alternate holder and deputy week by week.
    start = _rota_start(now)
    for role in ("director", "cio"):
        for week in range(ROTA_WEEKS):
            DutyShift.objects.create(member=on_call[role][week % 2], starts_at=start + dt.timedelta(weeks=week),
                                     ends_at=start + dt.timedelta(weeks=week + 1))


def _seed_cells(owners: dict[str, Node], users: dict[str, Any], now: dt.datetime) -> None:
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo names, not secrets
    needed = len(CELLS) * (len(ROLES) + len(DEPUTY_ROLES))
    people = rng.sample(list(product(FIRST_NAMES, LAST_NAMES)), needed)
    numbers = _Numbers()
    prefixes = {spec.key: spec.prefix.lower() for spec in ESTABLISHMENTS}
    for spec in CELLS:
        ciso = users["demo.manager"] if spec.key == "group" else users.get(f"demo.manager.{prefixes[spec.key]}")
        _seed_cell(spec, owners[spec.key], people=people, numbers=numbers, accounts={"ciso": ciso}, now=now)
    for key in ("group", "clinic"):  # the clinic is outside the GHT: it writes its own
        for audience, title, body in TEMPLATES:
            CommunicationTemplate.objects.create(node=owners[key], audience=audience, title=title, body=body)


def _complete(incident: Incident, user: Any, schedule: dict[str, float]) -> None:
    """Record obligations done ``hours`` after awareness, each with a plausible proof."""
    for obligation, hours in schedule.items():
        record_obligation(incident, obligation, done_at=incident.aware_at + hours * HOUR, user=user,
                          reference=f"{incident.reference}/{obligation.upper()}-{int(hours * 10):04d}")


def _log(incident: Incident, user: Any, hours: float, kind: str, text: str) -> Any:
    return add_log_entry(incident, kind=kind, text=text, user=user, occurred_at=incident.aware_at + hours * HOUR)


def _close(incident: Incident, user: Any, contained: float, recovered: float, closed: float) -> None:
    aware = incident.aware_at
    set_status(incident, IncidentStatus.CONTAINED, user=user, at=aware + contained * HOUR)
    set_status(incident, IncidentStatus.RECOVERING, user=user, at=aware + recovered * HOUR, recovered=True)
    set_status(incident, IncidentStatus.CLOSED, user=user, at=aware + closed * HOUR)


def _ransomware(owners: dict[str, Node], users: dict[str, Any], now: dt.datetime) -> Incident:
    """The open ransomware at CH Montbrézin, 30 hours in, with an overdue NIS2 early warning."""
    node, user = owners["general"], users["demo.manager.mbz"]
    aware = now - 30 * HOUR
    apps = list(Application.objects.filter(node=node).order_by("name"))
    incident = open_incident(
        node=node, user=user, kind=IncidentKind.RANSOMWARE, aware_at=aware, occurred_at=aware - 3 * HOUR,
        title="Rançongiciel : serveurs et postes chiffrés à Montbrézin", severity=SeverityChoices.CRITICAL,
        significant=True, personal_data_breach=True, persons_affected=18500,
        description="Chiffrement des serveurs de fichiers et du laboratoire d'urgence, note de rançon "
                    "« LockVBX » sur les postes ; exfiltration de données probable avant le chiffrement.",
        scope="Les deux sites du CH Montbrézin ; urgences, médecine et chirurgie en mode dégradé.",
        systems_and_data="Serveur de fichiers (dossiers administratifs et comptes rendus), middleware du "
                         "laboratoire d'urgence, 42 postes de travail ; données de santé et données du personnel.",
        handling_status="Sites isolés du réseau du GHT, sauvegardes hors ligne vérifiées, prestataire de réponse "
                        "à incident mandaté, reconstruction de l'annuaire en préparation.",
        impact_data="Fichiers chiffrés ; environ 12 Go probablement exfiltrés.",
        impact_people="Prise en charge maintenue en mode dégradé ; bloc programmé délesté vers le CH Valbrise.",
        impact_is="7 serveurs et 42 postes chiffrés ; interfaces avec le GHT coupées.",
        impact_structure="Activité programmée réduite de moitié ; communication de crise engagée.",
        causes="Hypothèse : compte de service du portail d'accès distant compromis (à confirmer).",
        establishments=[node], sites=list(node.children.all()), applications=apps,
        activities=list(CareActivity.objects.filter(node=node)),
        assets=list(Asset.objects.filter(node__parent=node, name__startswith="MBZ-SRV").order_by("name")[:7]),
    )
    entries: list[Any] = []
    for spec in RANSOMWARE_LOG:
        corrects = entries[spec.corrects] if spec.corrects is not None else None
        entries.append(add_log_entry(incident, kind=spec.kind, text=spec.text, user=user, author_name=spec.author,
                                     occurred_at=aware + spec.hours * HOUR, corrects=corrects))
    for kind, value, note in (
        (IndicatorKind.FILE_NAME, "README-RESTORE.txt", "Note de rançon déposée sur les postes"),
        (IndicatorKind.OTHER, ".lockvbx", "Extension des fichiers chiffrés"),
        (IndicatorKind.IP, "203.0.113.45", "Connexions sortantes vers cette adresse avant le chiffrement"),
        (IndicatorKind.DOMAIN, "files-transfer.invalid", "Destination probable de l'exfiltration"),
        (IndicatorKind.ACCOUNT, "svc_portail_distant", "Compte de service utilisé par l'attaquant"),
        (IndicatorKind.HASH, "9f2b5c7e1a4d8b3f6e0c2a9d7b5e3f1c8a6d4b2e0f9c7a5b3d1e8f6a4c2b0d9e",
         "SHA-256 de l'exécutable de chiffrement"),
    ):
        Indicator.objects.create(incident=incident, kind=kind, value=value, note=note, first_seen=aware - 2 * HOUR)
    for title, status, hours, owner in (
        ("Isoler les deux sites du réseau du GHT", TaskStatus.DONE, 1, "Astreinte informatique"),
        ("Vérifier l'intégrité des sauvegardes hors ligne", TaskStatus.DONE, 8, "Astreinte informatique"),
        ("Reconstruire l'annuaire et les comptes à privilèges", TaskStatus.IN_PROGRESS, 72, "Prestataire RI"),
        ("Déposer plainte à la brigade de gendarmerie", TaskStatus.TODO, 48, "Direction"),
        ("Notifier la violation de données à la CNIL", TaskStatus.TODO, 60, "DPO"),
        ("Déclarer le sinistre à l'assureur", TaskStatus.TODO, 96, "Affaires juridiques"),
    ):
        IncidentTask.objects.create(incident=incident, title=title, status=status, owner_name=owner,
                                    due=aware + hours * HOUR, owner=user if owner == "Direction" else None,
                                    done_at=aware + hours * HOUR if status == TaskStatus.DONE else None)
    evidence_store.store_bytes(
        incident, title="Note de rançon (copie)", name="README-RESTORE.txt", user=user,
        data="Vos fichiers ont été chiffrés. (copie de démonstration, contenu fictif)\n".encode())
    # The CERT Santé report, generated from the case 3 hours in and sent on the portal half an hour later.
    generated = aware + 3 * HOUR
    content = build_content(incident, DeclarationKind.CERT_SANTE, user=user, now=generated)
    declaration = Declaration.objects.create(incident=incident, kind=DeclarationKind.CERT_SANTE, content=content,
                                             text=content_text(content), generated_by=user, generated_at=generated)
    add_log_entry(incident, kind=LogEntryKind.ACTION, user=user, occurred_at=generated,
                  text=_("Declaration generated: %(title)s.") % {"title": content["title"]})
    mark_sent(declaration, aware + 3.5 * HOUR, "Portail de signalement : SIG-2026-118734", user)
    receipt = evidence_store.store_bytes(
        incident, title="Accusé de réception du signalement", name="accuse-reception-signalement.txt", user=user,
        data="Signalement SIG-2026-118734 reçu. (accusé de réception fictif de la démonstration)\n".encode())
    record = incident.obligations.get(obligation="cert_sante")
    record.evidence = receipt
    record.save(update_fields=["evidence"])
    _complete(incident, user, {"ars": 4.0})
    return incident


def _data_theft(owners: dict[str, Node], users: dict[str, Any], now: dt.datetime) -> Incident:
    """The data theft at the EPSM five months ago: closed, every clock done, two actions in the register."""
    node, user = owners["psychiatry"], users["demo.manager.eps"]
    aware = now - dt.timedelta(days=150)
    incident = open_incident(
        node=node, user=user, kind=IncidentKind.DATA_THEFT, aware_at=aware, occurred_at=aware - 6 * 24 * HOUR,
        title="Vol de données de patients par un accès distant compromis", severity=SeverityChoices.HIGH,
        significant=True, personal_data_breach=True, high_risk_to_persons=True, persons_affected=2300,
        description="Un extrait du dossier de soins psychiatriques (identités, motifs d'hospitalisation) est "
                    "proposé à la vente sur un forum ; l'accès venait d'un compte de télétravail sans MFA.",
        systems_and_data="Dossier de soins psychiatriques : identités et motifs d'hospitalisation.",
        causes="Mot de passe d'un compte de télétravail réutilisé ; accès VPN sans second facteur.",
        establishments=[node], applications=list(Application.objects.filter(node=node)),
    )
    Indicator.objects.create(incident=incident, kind=IndicatorKind.IP, value="198.51.100.23",
                             note="Connexions VPN du compte compromis")
    Indicator.objects.create(incident=incident, kind=IndicatorKind.ACCOUNT, value="teletravail.cadre07")
    _log(incident, user, 1, LogEntryKind.DECISION, "Compte désactivé, sessions VPN coupées, cellule de crise réunie.")
    _log(incident, user, 20, LogEntryKind.COMMUNICATION, "Plainte déposée à la brigade de gendarmerie de Chaselles.")
    _complete(incident, user, {"cert_sante": 5, "ars": 6, "nis2_early_warning": 18, "criminal_complaint": 20,
                               "cnil": 52, "nis2_notification": 60, "data_subjects": 70, "insurer": 90,
                               "nis2_final_report": 60 + 25 * 24})
    _close(incident, user, contained=2, recovered=5 * 24, closed=40 * 24)
    incident.lessons_learned = (
        "Le VPN acceptait encore des comptes sans second facteur ; la détection n'alertait pas sur les connexions "
        "nocturnes depuis l'étranger. Les patients ont été informés par courrier en 3 jours.")
    incident.save(update_fields=["lessons_learned"])
    actions = [
        IncidentTask.objects.create(incident=incident, kind=TaskKind.ACTION, owner=user,
                                    status=TaskStatus.IN_PROGRESS, due=aware + 30 * 24 * HOUR,
                                    title="Imposer le second facteur sur tous les accès VPN"),
        IncidentTask.objects.create(incident=incident, kind=TaskKind.ACTION, owner=user,
                                    status=TaskStatus.IN_PROGRESS, due=now + dt.timedelta(days=45),
                                    title="Alerter sur les connexions distantes inhabituelles (heure, pays)",
                                    details="Règle de détection sur les journaux du VPN, revue chaque semaine."),
    ]
    actions_to_findings(incident, user, actions)
    # The first action is done since: closing the task marks its finding fixed, as in the register's workflow.
    done = actions[0]
    done.status, done.done_at = TaskStatus.DONE, aware + 21 * 24 * HOUR
    done.save(update_fields=["status", "done_at"])
    close_task_finding(done, user)
    return incident


def _outage(owners: dict[str, Node], users: dict[str, Any], now: dt.datetime) -> Incident:
    """The storage outage at the support hospital (an OSE): not malicious, recovered in 6 hours."""
    node, user = owners["support"], users["demo.manager.vbr"]
    aware = now - dt.timedelta(days=75)
    shared = owners["group"]
    incident = open_incident(
        node=node, user=user, kind=IncidentKind.OUTAGE, aware_at=aware, severity=SeverityChoices.HIGH, significant=True,
        title="Panne de la baie de stockage : DPI et urgences indisponibles",
        description="Une mise à jour du micrologiciel de la baie de stockage a rendu les volumes du DPI "
                    "inaccessibles pendant 6 heures.",
        causes="Défaut du micrologiciel de la baie (corrigé par le constructeur).", establishments=[node],
        applications=list(Application.objects.filter(node=shared, name__in=[
            "Dossier patient informatisé (DPI)", "Urgences – dossier des urgences"])),
        activities=list(CareActivity.objects.filter(node=node, name__in=["Urgences adultes", "Bloc opératoire"])),
    )
    _log(incident, user, 0.5, LogEntryKind.DECISION, "Procédures dégradées activées aux urgences et au bloc.")
    _complete(incident, user, {"cert_sante": 2, "ars": 2.5, "anssi_ose": 3, "nis2_early_warning": 4,
                               "nis2_notification": 48, "insurer": 72, "nis2_final_report": 48 + 26 * 24})
    _close(incident, user, contained=2, recovered=6, closed=72)
    return incident


def _fraud(owners: dict[str, Node], users: dict[str, Any], now: dt.datetime) -> Incident:
    """The fraud attempt after a phishing at the clinic (not insured), contained last month."""
    node, user = owners["clinic"], users["demo.manager.cdp"]
    aware = now - dt.timedelta(days=33)
    incident = open_incident(
        node=node, user=user, kind=IncidentKind.FRAUD, aware_at=aware, severity=SeverityChoices.MEDIUM,
        significant=True,
        title="Faux changement de coordonnées bancaires d'un fournisseur après hameçonnage",
        description="La messagerie de la comptabilité, compromise par hameçonnage, a servi à demander le "
                    "changement du RIB d'un fournisseur ; le virement a été bloqué par la banque.",
        establishments=[node],
    )
    Indicator.objects.create(incident=incident, kind=IndicatorKind.EMAIL, value="factures@fournisseur-medical.invalid",
                             note="Expéditeur usurpé")
    _log(incident, user, 1, LogEntryKind.ACTION, "Mot de passe de la boîte comptable changé, règles de transfert "
                                                  "supprimées, banque prévenue.")
    _complete(incident, user, {"cert_sante": 6, "ars": 8, "nis2_early_warning": 20, "nis2_notification": 50,
                               "nis2_final_report": 50 + 25 * 24})
    set_status(incident, IncidentStatus.CONTAINED, user=user, at=aware + 26 * HOUR)
    return incident


def seed_incidents(owners: dict[str, Node], users: dict[str, Any], progress: Progress, now: dt.datetime) -> None:
    """Seed the demo group's regulatory profiles, crisis cells, four incidents and a crisis kit."""
    progress.start("Incidents", total=7)
    _seed_profiles(owners)
    progress.advance()
    _seed_cells(owners, users, now)
    progress.advance()
    # Oldest first, so that the references follow the order of awareness.
    for seed in (_data_theft, _outage, _fraud, _ransomware):
        seed(owners, users, now)
        progress.advance()
    generate_kit(owners["general"], user=users["demo.manager.mbz"])
    progress.advance()

"""Scenarios, governance and exercises of the demo group's continuity programme (declarative data)."""

from __future__ import annotations

from hygie.demo.continuity_data import DC_SITE, RESTORE_EXERCISE, ExerciseSpec, ProgrammeSpec, ScenarioSpec

__all__ = [
    "EXERCISES",
    "POWER_LOSS",
    "PROGRAMMES",
    "RANSOMWARE",
    "SAAS_OUTAGE",
    "SCENARIOS",
]


RANSOMWARE = "Ransomware: directory, Windows servers and hypervisors encrypted, online backups destroyed"
SAAS_OUTAGE = "SaaS patient record unavailable 10 days"
POWER_LOSS = "Data centre power loss (8 hours)"

SCENARIOS: tuple[ScenarioSpec, ...] = (
    ScenarioSpec(
        "group",
        RANSOMWARE,
        "The attacker holds the domain for days, encrypts the Windows servers and the ESXi hosts, "
        "then deletes every backup reachable online through the Veeam console.",
        lost=("category:directory", "platform:windows", "category:hypervisor"),
        online_backups_destroyed=True,
    ),
    ScenarioSpec(
        "group",
        SAAS_OUTAGE,
        "The vendor of the nursing home's resident record is hit by a ransomware; its service is down for ten days.",
        outages={"EHPAD – dossier de soins résidents": 240.0},
    ),
    ScenarioSpec(
        "group",
        POWER_LOSS,
        "The data centre's power supply and its generator fail together; everything restarts by itself "
        "after eight hours.",
        outages={f"site:{DC_SITE}": 8.0},
    ),
    ScenarioSpec(
        "clinic",
        "Ransomware at the clinic's hosting provider",
        "The provider's Windows servers are encrypted; its immutable copies survive.",
        lost=("platform:windows",),
        online_backups_destroyed=True,
    ),
)


_CRISIS = (
    'Cyber risks are part of the "plan blanc": crisis cell chaired by the director on call, '
    "the security officer alerts CERT Santé and the ARS within the hour."
)

PROGRAMMES: tuple[ProgrammeSpec, ...] = (
    ProgrammeSpec(
        "group",
        "DSI du GHT",
        700,
        200,
        300,
        plan_blanc_covers_cyber=True,
        business_referent="DIM GHT",
        organisation="One continuity and recovery plan for the GHT, one annex per establishment.",
        governance="Continuity committee every quarter (DSI, RSSI, DIM, directors of care).",
        crisis_procedures=_CRISIS,
    ),
    ProgrammeSpec(
        "support",
        "Directeur adjoint CH Valbrise",
        700,
        200,
        300,
        plan_blanc_covers_cyber=True,
        business_referent="DIM GHT",
        organisation="The GHT's plan; annex for the support hospital.",
        governance="Continuity committee of the GHT.",
        crisis_procedures=_CRISIS,
    ),
    ProgrammeSpec(
        "general",
        "Directeur CH Montbrézin",
        650,
        400,
        300,
        plan_blanc_covers_cyber=True,
        business_referent="CME Montbrézin",
        organisation="The GHT's plan; annex for Montbrézin.",
        governance="Continuity committee of the GHT.",
        crisis_procedures=_CRISIS,
    ),
    ProgrammeSpec(
        "psychiatry",
        "Directeur EPSM",
        600,
        150,
        300,
        plan_blanc_covers_cyber=False,
        business_referent="DIM EPSM",
        organisation="The GHT's plan; annex for the EPSM.",
        governance="Continuity committee of the GHT.",
        crisis_procedures="",
    ),
    ProgrammeSpec(
        "nursing_home",
        "Directrice EHPAD",
        None,
        None,
        None,
        plan_blanc_covers_cyber=False,
        business_referent="Cadre de santé EHPAD",
        organisation="",
        governance="",
        crisis_procedures="",
    ),
    ProgrammeSpec(
        "clinic",
        "Directeur de la clinique",
        500,
        100,
        200,
        plan_blanc_covers_cyber=True,
        business_referent="Direction des soins clinique",
        organisation="The clinic's own plan, with its HDS provider's recovery commitments.",
        governance="Quarterly review with the provider.",
        crisis_procedures=_CRISIS,
    ),
)

EXERCISES: tuple[ExerciseSpec, ...] = (
    ExerciseSpec(
        "group",
        "tabletop",
        "Ransomware tabletop exercise of the GHT",
        "held",
        -150,
        "Friday 02:00: the Windows servers are encrypted, the Veeam console is unreachable.",
        "Director on call, DSI, RSSI, DIM, emergency and maternity managers, communication",
        entities=("support", "general", "psychiatry", "nursing_home"),
        activities=("Urgences adultes", "Maternité et salle de naissance", "Admissions et accueil"),
        timings=(
            {"step": "Crisis cell convened", "planned_h": 1.0, "measured_h": 1.5},
            {"step": "Decision to cut the Internet link", "planned_h": 0.5, "measured_h": 2.0},
        ),
        lessons="Nobody knew who may cut the Internet link; paper forms missing at the maternity.",
        actions=(
            ("Give the director on call the authority to cut the Internet link", "high", 30),
            ("Print and stock paper partograms in the labour ward", "medium", 45),
        ),
    ),
    ExerciseSpec(
        "group",
        "pca_field_test",
        "Field test of the continuity plan: downtime procedures",
        "held",
        -90,
        "Patient record and admissions unavailable for four hours in two establishments.",
        "Care managers of both establishments, admissions office, DIM",
        entities=("support", "psychiatry"),
        activities=("Urgences adultes", "Admissions et accueil", "Hospitalisation psychiatrique"),
        timings=(
            {"step": "Paper forms in use in every unit", "planned_h": 0.5, "measured_h": 0.75},
            {"step": "Records keyed in after the restart", "planned_h": 4.0, "measured_h": 9.0},
        ),
        lessons="Keying the paper records back in took twice the planned time.",
        actions=(("Plan extra staff to key paper records back in after a downtime", "medium", 90),),
    ),
    ExerciseSpec(
        "support",
        "restore_test",
        RESTORE_EXERCISE,
        "held",
        -60,
        "Restore of the patient record database and the emergency record to the production servers.",
        "Application team, DIM GHT, emergency department referent",
        entities=("support",),
        activities=("Urgences adultes",),
        timings=({"step": "Database restored", "planned_h": 10.0, "measured_h": 14.0},),
        lessons="The restore took 14 hours against 10 planned: the staging disk was too slow.",
    ),
    ExerciseSpec(
        "group",
        "crisis_exercise",
        "Yearly cyber crisis exercise of the GHT",
        "planned",
        120,
        "Ransomware with data theft; media pressure; ARS and CERT Santé involved.",
        "Crisis cell of every establishment",
        entities=("support", "general", "psychiatry", "nursing_home"),
    ),
    ExerciseSpec(
        "clinic",
        "pca_field_test",
        "Day surgery on paper: field test of the clinic's plan",
        "held",
        -200,
        "The hosted patient record is unreachable for a morning of day surgery.",
        "Day-surgery team, anaesthetists, the HDS provider's on-call engineer",
        entities=("clinic",),
        activities=("Chirurgie ambulatoire de la clinique",),
        timings=({"step": "Paper day-surgery records in use", "planned_h": 0.5, "measured_h": 0.5},),
        lessons="The provider's escalation number on the paper procedure was out of date.",
    ),
)

"""Write the demo group's continuity model (:mod:`hygie.demo.continuity_data` and its siblings), simulate, audit.

Everything goes through the models, so the audit log shows the demo building its plan. At the end
the seed runs one recovery simulation per scenario synchronously (500 Monte Carlo runs: enough for
stable percentiles, cheap enough for ``make demo``) and the model audit of each node that owns a
model, so the continuity pages and the findings register have something to show.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hygie.apps.continuity.models import (
    BackupCopy,
    BackupPlan,
    BackupSystem,
    BusinessImpact,
    Component,
    ContinuityProgramme,
    DegradedMode,
    Exercise,
    RecoveryScenario,
    RecoveryTeam,
    RestoreTest,
    Simulation,
)
from hygie.apps.inventory.models import Application, CareActivity
from hygie.demo.continuity_components import APPLICATION_COMPONENTS, DIRECTORY, HYPERVISORS, INFRASTRUCTURE, NETWORK
from hygie.demo.continuity_data import BACKUP_PROFILES, BACKUP_SYSTEMS, TEAMS, ComponentSpec
from hygie.demo.continuity_governance import EXERCISES, PROGRAMMES, SCENARIOS
from hygie.demo.continuity_impacts import ACTIVITY_IMPACTS, EXTRA_ACTIVITIES, GRIDS
from hygie.demo.establishments import ESTABLISHMENTS

if TYPE_CHECKING:
    from hygie.apps.inventory.models import Asset
    from hygie.apps.organizations.models import Node
    from hygie.engines._core import Progress

__all__ = ["SIMULATION_RUNS", "seed_continuity"]

#: Monte Carlo runs of the demo's simulations.
SIMULATION_RUNS = 500
#: Sites of the GHT's data centre, where Windows and Linux servers run on the shared VMware cluster.
_CLUSTER_SITES = frozenset({"VBR-DC", "VBR-Mère-enfant"})


def _select(assets: dict[str, list[Asset]], selector: str) -> list[Asset]:
    """The first ``count`` assets (in name order) whose host name starts with ``PREFIX-CODE-``."""
    pattern, _, count = selector.partition(":")
    prefix = pattern.split("-", 1)[0]
    owner = next(spec.key for spec in ESTABLISHMENTS if spec.prefix == prefix)
    matching = sorted((a for a in assets.get(owner, []) if a.name.startswith(f"{pattern}-")), key=lambda a: a.name)
    return matching[: int(count or 1)]


def _base_dependencies(spec: ComponentSpec, owner_key: str) -> list[str]:
    """What an application needs beyond its inventory dependencies: the cluster, the directory, the network."""
    if owner_key == "clinic":
        return []  # the clinic's provider hosts it: its dependencies are given in the data
    base: list[str] = []
    if spec.platform in {"windows", "linux"} and spec.site in _CLUSTER_SITES:
        base.append(HYPERVISORS)
    if spec.platform == "windows":
        base.append(DIRECTORY)  # every Windows server is joined to the GHT's domain
    if spec.platform == "appliance" and spec.site.startswith("VBR"):
        base.append(NETWORK)
    return base


class _Seeder:
    """Holds what the steps share: owners, today's date, the rows created so far by name."""

    def __init__(self, owners: dict[str, Node], assets: dict[str, list[Asset]], user: Any, now: dt.datetime) -> None:
        self.owners = owners
        self.assets = assets
        self.user = user
        self.today = now.date()
        self.teams: dict[str, RecoveryTeam] = {}
        self.systems: dict[str, BackupSystem] = {}
        self.components: dict[str, Component] = {}
        self.exercises: dict[str, Exercise] = {}
        self.applications = {
            app.name: app
            for app in Application.objects.filter(node__in=list(owners.values()))
            .select_related("node")
            .prefetch_related("assets", "depends_on")
        }

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)

    def teams_and_systems(self) -> None:
        for team in TEAMS:
            self.teams[team.key] = RecoveryTeam.objects.create(
                node=self.owners[team.owner_key], name=team.name, capacity=team.capacity, members=team.members
            )
        for system in BACKUP_SYSTEMS:
            self.systems[system.key] = BackupSystem.objects.create(
                node=self.owners[system.owner_key],
                name=system.name,
                product=system.product,
                authentication=system.authentication,
                mfa=system.mfa,
                isolation=system.isolation,
                supervised=system.supervised,
                central_alerts=system.central_alerts,
                failure_procedure=system.failure_procedure,
            )

    def components_and_dependencies(self) -> None:
        owner_keys = {node.pk: key for key, node in self.owners.items()}
        specs = [(spec, self.owners[spec.owner_key]) for spec in INFRASTRUCTURE]
        specs += [(spec, self.applications[spec.application].node) for spec in APPLICATION_COMPONENTS]
        by_application: dict[str, str] = {}
        for spec, node in specs:
            application = self.applications[spec.application] if spec.application else None
            component = Component.objects.create(
                node=node,
                name=spec.name,
                kind=spec.kind,
                category=spec.category,
                application=application,
                site=spec.site,
                platform=spec.platform,
                team=self.teams[spec.team],
                critical=spec.critical,
                restore_h=spec.restore_h,
                data_gb=spec.data_gb,
                throughput_gb_h=spec.throughput_gb_h,
                setup_h=spec.setup_h,
                rebuild_h=spec.rebuild_h,
                runbook=spec.runbook,
            )
            linked = [a for selector in spec.assets for a in _select(self.assets, selector)]
            if not linked and application is not None:
                linked = list(application.assets.all())
            if linked:
                component.assets.add(*linked)
            self.components[spec.name] = component
            if spec.application:
                by_application[spec.application] = spec.name
        for spec, node in specs:
            wanted = list(spec.depends_on)
            if spec.kind == "application":
                wanted += _base_dependencies(spec, owner_keys[node.pk])
                inventory = self.applications[spec.application].depends_on.all()
                wanted += [by_application[dep.name] for dep in inventory if dep.name in by_application]
            dependencies = [self.components[name] for name in dict.fromkeys(wanted) if name != spec.name]
            if dependencies:
                self.components[spec.name].depends_on.add(*dependencies)

    def backups(self) -> None:
        for spec in (*INFRASTRUCTURE, *APPLICATION_COMPONENTS):
            component = self.components[spec.name]
            if spec.backup:
                profile = BACKUP_PROFILES[spec.backup]
                plan = BackupPlan.objects.create(
                    component=component,
                    system=self.systems[profile.system],
                    method=profile.method,
                    frequency_h=profile.frequency_h,
                    retention_days=profile.retention_days,
                    covered_by_contract=profile.covered_by_contract,
                )
                for copy in profile.copies:
                    BackupCopy.objects.create(
                        plan=plan,
                        site=copy.site,
                        medium=copy.medium,
                        online=copy.online,
                        immutable=copy.immutable,
                        encrypted=copy.encrypted,
                        frequency_h=copy.frequency_h,
                    )

    def restore_tests(self) -> None:
        for spec in (*INFRASTRUCTURE, *APPLICATION_COMPONENTS):
            for test in spec.tests:
                RestoreTest.objects.create(
                    component=self.components[spec.name],
                    date=self.day(-test.days_ago),
                    success=test.success,
                    duration_h=test.duration_h,
                    to_production=test.to_production,
                    functional_check_by=test.functional_check_by,
                    notes=test.notes,
                    exercise=self.exercises.get(test.exercise),
                )

    def impacts(self) -> None:
        for extra in EXTRA_ACTIVITIES:
            activity = CareActivity.objects.create(
                node=self.owners[extra.owner_key],
                name=extra.name,
                patient_impact=extra.patient_impact,
                max_downtime_hours=extra.max_downtime_hours,
                description=extra.description,
            )
            activity.applications.add(*(self.applications[name] for name in extra.applications))
        activities = {a.name: a for a in CareActivity.objects.filter(node__in=list(self.owners.values()))}
        for spec in ACTIVITY_IMPACTS:
            activity = activities[spec.activity]
            impact = BusinessImpact(
                activity=activity,
                kind=spec.kind,
                grid=GRIDS[spec.grid],
                assessed_on=self.day(-240),
                assessed_by=spec.assessed_by,
            )
            impact.full_clean()  # the grid validator runs here, not on save
            impact.save()
            if spec.extra_needs:
                impact.extra_needs.add(*(self.components[name] for name in spec.extra_needs))
            for mode in spec.degraded_modes:
                DegradedMode.objects.create(
                    activity=activity,
                    name=mode.name,
                    procedure=mode.procedure,
                    hold_h=mode.hold_h,
                    owner=mode.owner,
                    last_tested=self.day(-mode.tested_days_ago) if mode.tested_days_ago is not None else None,
                )

    def scenarios(self) -> list[RecoveryScenario]:
        made = []
        for spec in SCENARIOS:
            scenario = RecoveryScenario(
                node=self.owners[spec.owner_key],
                name=spec.name,
                description=spec.description,
                lost=list(spec.lost),
                outages=dict(spec.outages),
                online_backups_destroyed=spec.online_backups_destroyed,
            )
            scenario.full_clean()
            scenario.save()
            made.append(scenario)
        return made

    def governance(self) -> None:
        for programme in PROGRAMMES:
            ContinuityProgramme.objects.create(
                node=self.owners[programme.owner_key],
                plan_owner=programme.plan_owner,
                security_policy_signed_on=self._past(programme.policy_signed_days_ago),
                security_policy_reviewed_on=self._past(programme.policy_reviewed_days_ago),
                backup_policy_validated_on=self._past(programme.backup_policy_days_ago),
                plan_blanc_covers_cyber=programme.plan_blanc_covers_cyber,
                business_referent=programme.business_referent,
                organisation=programme.organisation,
                governance=programme.governance,
                crisis_procedures=programme.crisis_procedures,
            )
        activities = {a.name: a for a in CareActivity.objects.filter(node__in=list(self.owners.values()))}
        for exercise_spec in EXERCISES:
            held = exercise_spec.status == "held"
            exercise = Exercise(
                node=self.owners[exercise_spec.owner_key],
                kind=exercise_spec.kind,
                title=exercise_spec.title,
                scenario=exercise_spec.scenario,
                status=exercise_spec.status,
                planned_on=self.day(exercise_spec.days),
                held_on=self.day(exercise_spec.days) if held else None,
                participants=exercise_spec.participants,
                timings=[dict(step) for step in exercise_spec.timings],
                lessons=exercise_spec.lessons,
            )
            exercise.full_clean()
            exercise.save()
            exercise.entities.add(*(self.owners[key] for key in exercise_spec.entities))
            exercise.activities.add(*(activities[name] for name in exercise_spec.activities))
            self.exercises[exercise_spec.title] = exercise

    def exercise_actions(self) -> int:
        from hygie.apps.continuity.actions import add_exercise_action

        count = 0
        for spec in EXERCISES:
            for title, severity, due_in in spec.actions:
                add_exercise_action(
                    self.exercises[spec.title],
                    actor=self.user,
                    title=title,
                    severity=severity,
                    due_date=self.day(spec.days + due_in),
                )
                count += 1
        return count

    def _past(self, days_ago: int | None) -> dt.date | None:
        return self.day(-days_ago) if days_ago is not None else None


def seed_continuity(
    owners: dict[str, Node], assets: dict[str, list[Asset]], user: Any, progress: Progress, now: dt.datetime
) -> int:
    """The continuity model of the demo group and the clinic, simulated and audited; returns the components."""
    progress.start("Continuity and recovery", total=4 + len(SCENARIOS))
    seeder = _Seeder(owners, assets, user, now)
    seeder.teams_and_systems()
    seeder.components_and_dependencies()
    progress.advance()
    seeder.backups()
    seeder.governance()
    seeder.restore_tests()  # after the exercises: a test may belong to one
    seeder.exercise_actions()
    progress.advance()
    seeder.impacts()
    scenarios = seeder.scenarios()
    progress.advance()
    # Imported here: the running and assessment services pull in the engine and the job machinery.
    from hygie.apps.continuity.assessment import audit_node
    from hygie.apps.continuity.running import SimulationFailedError, run_simulation
    from hygie.engines.continuity.loader import ModelError

    for scenario in scenarios:
        simulation = Simulation.objects.create(scenario=scenario, runs=SIMULATION_RUNS, seed=0, created_by=user)
        try:
            run_simulation(simulation)
        except SimulationFailedError as exc:  # stored on the simulation; the rest of the demo still loads
            progress.log(f"Demo simulation failed: {exc}")
        progress.advance()
    # The models' roots: the group (its establishments' components included) and the clinic outside it.
    # Auditing each establishment as well would raise every finding twice in the group's register.
    for key in ("group", "clinic"):
        try:
            audit_node(owners[key], as_of=seeder.today)
        except ModelError as exc:
            progress.log(f"Demo continuity audit failed: {exc}")
    progress.advance()
    return len(seeder.components)

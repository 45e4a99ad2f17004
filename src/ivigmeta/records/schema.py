"""The study-record schema: which fields each part of a record has and what they must hold.

:class:`RecordReader` reads the node tree of one file (:mod:`ivigmeta.records.yaml_reader`)
into the model objects of :mod:`ivigmeta.records.model`, refusing unknown, duplicate and
missing fields with a did-you-mean, and values outside the vocabulary
(:mod:`ivigmeta.records.vocabulary`). Documented for extractors in docs/records.md.
"""

from __future__ import annotations

from typing import Any

import yaml

from ivigmeta.printed import ReportedP
from ivigmeta.records.comparison_schema import ID_TEXT as _ID_TEXT
from ivigmeta.records.comparison_schema import ComparisonReader
from ivigmeta.records.model import (
    AdverseEvent,
    Characteristic,
    Concomitant,
    Confirm,
    Intervention,
    Outcome,
    Population,
    Proportion,
    ReportedTest,
    Study,
    Summary,
)
from ivigmeta.records.vocabulary import DESIGNS, OUTCOME_TYPES, TESTS
from ivigmeta.records.yaml_reader import (
    TAG,
    describe,
    is_null,
)

_REVIEW_COUNTS = (
    "studies",
    "patients",
    "patients_ivig",
    "records_screened",
    "mrss_studies",
    "mrss_studies_with_benefit",
    "studies_with_concomitant_immunosuppressants",
    "studies_reporting_side_effects",
    "studies_with_corticosteroid_reduction",
    "pro_studies",
    "pro_studies_with_improvement",
    "outcomes",
    "outcome_categories",
)
_REVIEW_TEXT = ("search_start", "search_end")


class RecordReader(ComparisonReader):
    """Turns the node tree of one study record into model objects, checking as it goes.

    ``outcomes`` is the outcome vocabulary the record is checked against (default: the bundled
    one; a folder's ``outcomes.yaml`` adds to it, :mod:`ivigmeta.records.outcomes_file`)."""

    # -- record parts
    def summary(self, node: yaml.Node, path: str) -> Summary:
        f = self.fields(node, path, ("mean", "sd", "se", "n"))
        return Summary(
            mean=self.number(f.get("mean"), f"{path}.mean"),
            sd=self.positive(f.get("sd"), f"{path}.sd"),
            se=self.positive(f.get("se"), f"{path}.se"),
            n=self.integer(f.get("n"), f"{path}.n", minimum=1),
        )

    def proportion(self, node: yaml.Node, path: str) -> Proportion:
        f = self.fields(node, path, ("count", "percent", "n"))
        count = self.integer(f.get("count"), f"{path}.count", minimum=0)
        n = self.integer(f.get("n"), f"{path}.n", minimum=1)
        percent = self.percent(f.get("percent"), f"{path}.percent")
        self.count_within(path, f, count, n)
        if count is None and percent is None:
            raise self.fail(node, path, "expected a count or a percent")
        return Proportion(count=count, percent=percent, n=n)

    def reported(self, node: yaml.Node, path: str) -> ReportedTest:
        f = self.fields(node, path, ("p", "test", "statistic", "df"))
        return ReportedTest(
            p=self.p_value(f.get("p"), f"{path}.p"),
            test=self.choice(f.get("test"), f"{path}.test", TESTS),
            statistic=self.number(f.get("statistic"), f"{path}.statistic"),
            df=self.positive(f.get("df"), f"{path}.df"),
        )

    def p_value(self, node: yaml.Node | None, path: str) -> ReportedP | None:
        if node is None or is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode) and node.tag in (
            TAG + "str",
            TAG + "int",
            TAG + "float",
        ):
            try:
                return ReportedP.parse(node.value)
            except ValueError:
                pass
        raise self.fail(
            node, path, f'expected a p-value such as 0.005 or "<0.0001", got {describe(node)}'
        )

    def timepoint(self, node: yaml.Node, path: str, f: dict) -> dict[str, Any]:
        months = self.number(f.get("timepoint_months"), f"{path}.timepoint_months")
        weeks = self.number(f.get("timepoint_weeks"), f"{path}.timepoint_weeks")
        label = self.text(f.get("timepoint"), f"{path}.timepoint")
        for value, key in ((months, "timepoint_months"), (weeks, "timepoint_weeks")):
            if value is not None and value < 0:
                raise self.fail(f[key], f"{path}.{key}", f"expected a number >= 0, got {value}")
        if months is not None and weeks is not None:
            raise self.fail(
                f["timepoint_weeks"],
                f"{path}.timepoint_weeks",
                "give timepoint_months or timepoint_weeks, not both",
            )
        if months is None and weeks is None and label is None:
            raise self.fail(
                node,
                f"{path}.timepoint_months",
                "required: timepoint_months, timepoint_weeks or a timepoint description",
            )
        return {"timepoint_months": months, "timepoint_weeks": weeks, "timepoint": label}

    def outcome(self, node: yaml.Node, path: str) -> Outcome:
        known = (
            "outcome",
            "type",
            "timepoint_months",
            "timepoint_weeks",
            "timepoint",
            "unit",
            "baseline",
            "followup",
            "change",
            "before",
            "after",
            "reported",
            "flags",
            "notes",
        )
        f = self.fields(node, path, known, required=("outcome", "type"))
        kind_of_type = self.choice(f["type"], f"{path}.type", OUTCOME_TYPES)
        kind = OUTCOME_TYPES[kind_of_type]
        parts = ("baseline", "followup", "change") if kind == "continuous" else ("before", "after")
        for key in ("baseline", "followup", "change", "before", "after"):
            if key in f and key not in parts:
                raise self.fail(
                    f[key],
                    f"{path}.{key}",
                    f"not a part of a {kind_of_type} outcome (expected {', '.join(parts)})",
                )
        read = self.summary if kind == "continuous" else self.proportion
        values = {
            key: read(f[key], f"{path}.{key}") if key in f and not is_null(f[key]) else None
            for key in parts
        }
        reported = self.reported(f["reported"], f"{path}.reported") if "reported" in f else None
        if all(v is None for v in values.values()) and (reported is None or reported.p is None):
            raise self.fail(
                node, path, f"outcome has no numbers (expected {', '.join(parts)} or reported.p)"
            )
        name = self.outcome_name(f["outcome"], f"{path}.outcome", kind)
        for key in ("baseline", "followup", "change"):
            if values.get(key) is not None:
                self.check_scale(name, f[key], f"{path}.{key}", values[key].mean, key == "change")
        return Outcome(
            outcome=name,
            type=kind_of_type,
            unit=self.text(f.get("unit"), f"{path}.unit"),
            reported=reported,
            flags=self.texts(f.get("flags"), f"{path}.flags"),
            notes=self.text(f.get("notes"), f"{path}.notes"),
            location=self.where(node),
            **self.timepoint(node, path, f),
            **values,
        )

    def adverse_event(self, node: yaml.Node, path: str) -> AdverseEvent:
        known = ("event", "count", "events", "percent", "n", "arm", "serious", "severe", "notes")
        f = self.fields(node, path, known, ("event",))
        count = self.integer(f.get("count"), f"{path}.count", minimum=0)
        events = self.integer(f.get("events"), f"{path}.events", minimum=0)
        n = self.integer(f.get("n"), f"{path}.n", minimum=1)
        percent = self.percent(f.get("percent"), f"{path}.percent")
        self.count_within(path, f, count, n)
        if count is None and events is None and percent is None:
            raise self.fail(node, path, "expected a count (patients), events or a percent")
        return AdverseEvent(
            event=self.text(f["event"], f"{path}.event"),
            count=count,
            events=events,
            percent=percent,
            n=n,
            arm=self.text(f.get("arm"), f"{path}.arm"),
            serious=self.boolean(f.get("serious"), f"{path}.serious"),
            severe=self.boolean(f.get("severe"), f"{path}.severe"),
            notes=self.text(f.get("notes"), f"{path}.notes"),
            location=self.where(node),
        )

    def concomitant(self, node: yaml.Node, path: str) -> Concomitant:
        f = self.fields(node, path, ("agent", "count", "n"), ("agent",))
        count = self.integer(f.get("count"), f"{path}.count", minimum=0)
        n = self.integer(f.get("n"), f"{path}.n", minimum=1)
        self.count_within(path, f, count, n)
        return Concomitant(agent=self.text(f["agent"], f"{path}.agent"), count=count, n=n)

    def characteristic(self, node: yaml.Node, path: str) -> Characteristic:
        known = ("name", "arm", "mean", "sd", "count", "percent", "n", "notes")
        f = self.fields(node, path, known, ("name",))
        count = self.integer(f.get("count"), f"{path}.count", minimum=0)
        n = self.integer(f.get("n"), f"{path}.n", minimum=1)
        self.count_within(path, f, count, n)
        return Characteristic(
            name=self.text(f["name"], f"{path}.name"),
            arm=self.text(f.get("arm"), f"{path}.arm"),
            mean=self.number(f.get("mean"), f"{path}.mean"),
            sd=self.positive(f.get("sd"), f"{path}.sd"),
            count=count,
            percent=self.percent(f.get("percent"), f"{path}.percent"),
            n=n,
            notes=self.text(f.get("notes"), f"{path}.notes"),
            location=self.where(node),
        )

    def population(self, node: yaml.Node | None, path: str) -> Population:
        if node is None or is_null(node):
            return Population()
        f = self.fields(node, path, ("n", "subtype", "refractory", "description"))
        return Population(
            n=self.integer(f.get("n"), f"{path}.n", minimum=1),
            subtype=self.text(f.get("subtype"), f"{path}.subtype"),
            refractory=self.boolean(f.get("refractory"), f"{path}.refractory"),
            description=self.text(f.get("description"), f"{path}.description"),
        )

    def intervention(self, node: yaml.Node | None, path: str) -> Intervention | None:
        if node is None or is_null(node):
            return None
        f = self.fields(node, path, ("agent", "dose", "addon", "description"), ("agent",))
        return Intervention(
            agent=self.text(f["agent"], f"{path}.agent"),
            dose=self.text(f.get("dose"), f"{path}.dose"),
            addon=self.boolean(f.get("addon"), f"{path}.addon"),
            description=self.text(f.get("description"), f"{path}.description"),
        )

    def review(self, node: yaml.Node | None, path: str) -> dict | None:
        if node is None or is_null(node):
            return None
        f = self.fields(node, path, (*_REVIEW_COUNTS, *_REVIEW_TEXT, "designs"))
        review: dict[str, Any] = {}
        for key in _REVIEW_COUNTS:
            if key in f:
                review[key] = self.integer(f[key], f"{path}.{key}", minimum=0)
        for key in _REVIEW_TEXT:
            if key in f:
                review[key] = self.text(f[key], f"{path}.{key}")
        if "designs" in f:
            designs = self.fields(f["designs"], f"{path}.designs", DESIGNS)
            review["designs"] = {
                d: self.integer(v, f"{path}.designs.{d}", minimum=0) for d, v in designs.items()
            }
        return review

    def confirm(self, node: yaml.Node, path: str) -> Confirm:
        f = self.fields(node, path, ("field", "quote", "start", "end", "why"), ("why",))
        start = self.integer(f.get("start"), f"{path}.start", minimum=0)
        end = self.integer(f.get("end"), f"{path}.end", minimum=0)
        if start is not None and end is not None and end < start:
            raise self.fail(f["end"], f"{path}.end", f"end {end} is before start {start}")
        return Confirm(
            why=self.text(f["why"], f"{path}.why"),
            field=self.text(f.get("field"), f"{path}.field"),
            quote=self.text(f.get("quote"), f"{path}.quote"),
            start=start,
            end=end,
        )

    def study(self, node: yaml.MappingNode, stem: str) -> Study:
        known = (
            "id",
            "citation",
            "year",
            "source",
            "design",
            "population",
            "intervention",
            "concomitant",
            "risk_of_bias",
            "outcomes",
            "comparisons",
            "adverse_events",
            "characteristics",
            "review",
            "flags",
            "notes",
            "confirm",
        )
        f = self.fields(node, "", known, what="a study record (a YAML mapping of fields)")
        confirm = self.many(f.get("confirm"), "confirm", self.confirm)
        # a draft (with confirm: entries) may leave citation, year and design null
        required = ("id", "source") if confirm else ("id", "citation", "year", "source", "design")
        self.fields(node, "", known, required)
        study_id = self.text(f["id"], "id")
        if not _ID_TEXT.match(study_id):
            raise self.fail(
                f["id"], "id", f"expected lowercase letters, digits and '_', got {study_id!r}"
            )
        if study_id != stem:
            raise self.fail(
                f["id"], "id", f"{study_id!r} does not match the file name (expected {stem!r})"
            )
        year = self.integer(f.get("year"), "year")
        if year is not None and not 1900 <= year <= 2100:
            raise self.fail(f["year"], "year", f"expected a year from 1900 to 2100, got {year}")
        return Study(
            id=study_id,
            citation=self.text(f.get("citation"), "citation"),
            year=year,
            source=self.text(f["source"], "source"),
            design=self.choice(f.get("design"), "design", DESIGNS),
            population=self.population(f.get("population"), "population"),
            intervention=self.intervention(f.get("intervention"), "intervention"),
            concomitant=self.many(f.get("concomitant"), "concomitant", self.concomitant),
            risk_of_bias=self.text(f.get("risk_of_bias"), "risk_of_bias"),
            outcomes=self.many(f.get("outcomes"), "outcomes", self.outcome),
            comparisons=self.many(f.get("comparisons"), "comparisons", self.comparison),
            adverse_events=self.many(f.get("adverse_events"), "adverse_events", self.adverse_event),
            characteristics=self.many(
                f.get("characteristics"), "characteristics", self.characteristic
            ),
            review=self.review(f.get("review"), "review"),
            flags=self.texts(f.get("flags"), "flags"),
            notes=self.text(f.get("notes"), "notes"),
            location=self.where(node),
            confirm=confirm,
        )

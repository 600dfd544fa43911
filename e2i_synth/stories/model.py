"""A story: declarative YAML validated into a typed model, with errors that name the line
and the field, so the person who wrote the file can fix it without reading code."""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from e2i_synth.catalog import BRANDS, COLUMN_VOCABULARY, DGPS, REGIONS
from e2i_synth.errors import E2IError
from e2i_synth.settings import parse_scale

HCP_SEGMENT_COLUMNS = ("specialty", "adoption_stage", "preferred_channel")
"""HCP attributes no DGP reads: a hero segment may be relabelled without touching the truth."""
TRUTHS = ("underperformer_region", "largest_cate_region", "smallest_cate_region")
MONTHS = tuple(name.lower() for name in calendar.month_name[1:])


class StoryError(E2IError):
    """A story file that cannot be used as written."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioSpec(Strict):
    brand: Literal[tuple(BRANDS)]  # type: ignore[valid-type]
    dgp: Literal[tuple(DGPS)]  # type: ignore[valid-type]
    scale: int | str = "small"
    seed: int = Field(42, ge=0)

    @property
    def n_patients(self) -> int:
        return parse_scale(self.scale)

    @model_validator(mode="after")
    def _scale_parses(self) -> ScenarioSpec:
        try:
            parse_scale(self.scale)
        except E2IError as exc:
            raise ValueError(str(exc)) from None
        return self


class BrandHero(Strict):
    value: str
    alias: str | None = None  # shown instead of the brand when the audience is external


class RegionHero(Strict):
    """Regions carry the causal effect (heterogeneous DGP): checked by queries, never moved."""

    value: Literal[REGIONS]  # type: ignore[valid-type]


class SegmentHero(Strict):
    column: Literal[HCP_SEGMENT_COLUMNS]  # type: ignore[valid-type]
    value: str
    share: float = Field(gt=0, lt=1)  # of all patients, seen by HCPs of this segment

    @model_validator(mode="after")
    def _known_value(self) -> SegmentHero:
        allowed = COLUMN_VOCABULARY[self.column]
        if self.value not in allowed:
            raise ValueError(f"{self.value!r} is not a {self.column}; use one of {allowed}")
        return self


class ProductHero(Strict):
    """One of the brand's presentations (catalog `Brand.products`), on `share` of the
    patients who start therapy."""

    value: str
    share: float = Field(gt=0, lt=1)


class HcpHero(Strict):
    share: float = Field(gt=0, lt=0.5)  # of all patients, seen by the one top prescriber


class Heroes(Strict):
    brand: BrandHero | None = None
    region: RegionHero | None = None
    hcp_segment: SegmentHero | None = None
    product: ProductHero | None = None
    hcp: HcpHero | None = None


class Temporal(Strict):
    """Where the story's patients and field activity fall in time: `window_share` of them
    inside the windows its queries filter on, each calendar month's days weighted by
    `seasonality` (month name -> multiplier; 1 for a month not named)."""

    window_share: float | None = Field(None, gt=0, lt=1)
    seasonality: dict[Literal[MONTHS], Annotated[float, Field(gt=0, le=10)]] = Field(  # type: ignore[valid-type]
        default_factory=dict
    )


class TopRow(Strict):
    """The first row's `column` equals a literal, a hero's value, or a DGP truth."""

    column: str
    equals: str | None = None
    hero: Literal["brand", "region", "hcp_segment", "product", "hcp"] | None = None
    truth: Literal[TRUTHS] | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _one_target(self) -> TopRow:
        if sum(x is not None for x in (self.equals, self.hero, self.truth)) != 1:
            raise ValueError("give exactly one of equals, hero, truth")
        return self


class Threshold(Strict):
    column: str
    value: float
    rows: Literal["first", "all"] = "first"


class Trend(Strict):
    """The column, in the answer's row order, moves this way by at least `min_change`
    (relative change of the least-squares line from the first row to the last)."""

    column: str
    direction: Literal["up", "down"]
    min_change: float = Field(0.05, gt=0)


class TruthMatch(Strict):
    """Each row's `column` within a tolerance of the effect the DGP planted: `ate`, or `cate`
    of the segment named in the row's `by` column. The tolerance is the larger of the stated
    one and 3.29 standard errors of the estimate at the story's scale (golden.TRUTH_Z)."""

    column: str
    effect: Literal["ate", "cate"]
    by: str | None = None
    tolerance: float | None = Field(None, gt=0, le=0.5)

    @model_validator(mode="after")
    def _by_for_cate(self) -> TruthMatch:
        if (self.effect == "cate") != (self.by is not None):
            raise ValueError("effect cate needs `by` (the segment column); ate takes none")
        return self


class Expectation(Strict):
    """Exactly one of the kinds; `non_empty` (rows that are not all 0 or NULL) holds for
    every query anyway."""

    non_empty: bool | None = None
    top_row: TopRow | None = None
    above: Threshold | None = None
    below: Threshold | None = None
    trend: Trend | None = None
    truth: TruthMatch | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Expectation:
        if sum(v is not None for v in self.__dict__.values()) != 1:
            raise ValueError(
                "give exactly one of non_empty, top_row, above, below, trend, truth per item"
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k, v in self.__dict__.items() if v is not None)


class GoldenQuery(Strict):
    sequence: int = Field(ge=1)
    complexity: Literal["simple", "medium", "complex"]
    question: str = Field(min_length=1)
    expected_sql: str = Field(min_length=1)
    tables: list[str] | None = None  # as the author states them: the SQL must read exactly these
    expect: list[Expectation] = Field(default_factory=list)


class Story(Strict):
    title: str = Field(min_length=1)
    audience: Literal["internal", "external"]
    as_of: date = Field(default_factory=date.today)
    dialect: Literal["duckdb", "postgres", "bigquery"] = "duckdb"
    dataset: str | None = Field(None, pattern=r"^[A-Za-z_][\w-]*(\.[A-Za-z_]\w*)?$")
    """The dataset (or `project.dataset`) the exported tables are loaded into: queries may
    name a table `dataset.table` as BigQuery users do."""
    scenario: ScenarioSpec
    heroes: Heroes = Heroes()
    temporal: Temporal | None = None
    retries: Annotated[int, Field(ge=0, le=10)] = 2
    queries: list[GoldenQuery] = Field(min_length=1)
    _source: str = PrivateAttr("<story>")
    _lines: dict[tuple, int] = PrivateAttr(default_factory=dict)
    _sql_lines: dict[int, int] = PrivateAttr(default_factory=dict)
    _file_index: list[int] = PrivateAttr(default_factory=list)  # kept query -> file index

    def with_scale(self, scale: int | str) -> Story:
        """The story built at `scale` patients instead of the file's (`story build --scale`)."""
        try:
            scenario = ScenarioSpec.model_validate({**self.scenario.model_dump(), "scale": scale})
        except ValidationError as exc:
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise StoryError(f"--scale {scale}: {message}") from None
        return self.model_copy(update={"scenario": scenario})

    def where(self, *path: str | int, sql_line: int | None = None) -> str:
        """`file line N` of a field (`"queries", 0, "expect", 1`), or of line `sql_line`
        of query `path[1]`'s SQL, for errors found after the file parsed."""
        if sql_line is not None and path[:1] == ("queries",) and path[1] in self._sql_lines:
            return f"{self._source} line {self._sql_lines[path[1]] + sql_line - 1}"
        line, _ = _located(path, self._lines) if self._lines else (None, "")
        return f"{self._source} line {line}" if line else self._source


def cross_problems(story: Story) -> list[tuple[tuple, str]]:
    """(location, problem) for what one field cannot know about another."""
    problems: list[tuple[tuple, str]] = []
    sequences = [q.sequence for q in story.queries]
    for i, q in enumerate(story.queries):
        if sequences.count(q.sequence) > 1:
            problems.append((("queries", i, "sequence"), f"sequence {q.sequence} repeats"))
        for j, e in enumerate(q.expect):
            if e.top_row and e.top_row.hero and getattr(story.heroes, e.top_row.hero) is None:
                problems.append(
                    (
                        ("queries", i, "expect", j, "top_row", "hero"),
                        f"hero {e.top_row.hero!r} is not declared under heroes",
                    )
                )
    brand, segment, product = story.heroes.brand, story.heroes.hcp_segment, story.heroes.product
    if brand and brand.value != story.scenario.brand:
        problems.append(
            (("heroes", "brand", "value"), f"not the scenario's brand {story.scenario.brand!r}")
        )
    products = BRANDS[story.scenario.brand].products
    if product and product.value not in products:
        problems.append(
            (
                ("heroes", "product", "value"),
                f"{story.scenario.brand}'s products are {', '.join(map(repr, products))}",
            )
        )
    specialties = BRANDS[story.scenario.brand].specialties
    if segment and segment.column == "specialty" and segment.value not in specialties:
        problems.append(
            (
                ("heroes", "hcp_segment", "value"),
                f"{story.scenario.brand} HCPs are {' or '.join(specialties)}",
            )
        )
    return problems


def _line_map(node: yaml.Node, path: tuple = ()) -> dict[tuple, int]:
    """Every path in the YAML document -> its 1-based line, from the composer's marks."""
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines.update(_line_map(value, (*path, key.value)))
            lines[(*path, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(_line_map(item, (*path, i)))
    return lines


def _located(loc: tuple, lines: dict[tuple, int]) -> tuple[int, str]:
    """The line of the deepest part of `loc` that exists in the file, and a dotted field."""
    parts = tuple(p for p in loc if not (isinstance(p, str) and (p[:1].isupper() or p == "[key]")))
    for cut in range(len(parts), -1, -1):
        if parts[:cut] in lines:
            line = lines[parts[:cut]]
            break
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
    return line, field or "(top level)"


class TextDateLoader(yaml.SafeLoader):
    """YAML without implicit timestamps: `as_of: 2026-02-30` reaches the model as text and
    is refused there with its line, instead of failing inside the YAML reader."""


TextDateLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _sql_first_lines(root: yaml.Node) -> dict[int, int]:
    """Query index -> the file line of the first line of its expected_sql (a block
    scalar, `|`, starts on the line after its indicator)."""
    out: dict[int, int] = {}
    queries = next((v for k, v in getattr(root, "value", []) if k.value == "queries"), None)
    for i, item in enumerate(getattr(queries, "value", None) or []):
        if not isinstance(item, yaml.MappingNode):
            continue
        for key, value in item.value:
            if key.value == "expected_sql":
                block = value.style in ("|", ">")
                out[i] = value.start_mark.line + (2 if block else 1)
    return out


def _yaml_of(text: str, source: str) -> tuple[yaml.Node, dict]:
    try:
        root = yaml.compose(text, Loader=TextDateLoader)
        data: Any = yaml.load(text, Loader=TextDateLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise StoryError(f"{source}{where}: not valid YAML ({problem})") from None
    if not isinstance(data, dict) or root is None:
        raise StoryError(f"{source}: a story is a YAML mapping with title, audience, scenario...")
    return root, data


def _salvaged(
    data: dict, errors: list[dict], lines: dict[tuple, int], sql_lines: dict[int, int]
) -> tuple[Story | None, str | None]:
    """The story without the queries the schema refused, so hero declarations and the other
    queries can still be checked; or None and the one line saying why nothing further is."""
    outside = sorted({str(e["loc"][0]) for e in errors if e["loc"][:1] != ("queries",)})
    bad = {e["loc"][1] for e in errors if e["loc"][:1] == ("queries",) and len(e["loc"]) > 1}
    if outside:
        return None, f"heroes and queries not checked further: fix {', '.join(outside)} first"
    queries = data.get("queries")
    kept = [i for i in range(len(queries)) if i not in bad] if isinstance(queries, list) else []
    if not kept:
        return None, "heroes not checked further: no query passed the schema"
    try:
        story = Story.model_validate({**data, "queries": [queries[i] for i in kept]})
    except ValidationError:
        return None, "heroes and queries not checked further: the story is not readable"
    renumber = {old: new for new, old in enumerate(kept)}
    story._lines = {
        (p[0], renumber[p[1]], *p[2:]) if p[:1] == ("queries",) and len(p) > 1 else p: line
        for p, line in lines.items()
        if not (p[:1] == ("queries",) and len(p) > 1 and p[1] not in renumber)
    }
    story._sql_lines = {renumber[i]: line for i, line in sql_lines.items() if i in renumber}
    story._file_index = kept
    return story, None


def read_story(text: str, source: str = "<story>") -> tuple[Story | None, list[str]]:
    """The story in `text` and every problem of its schema and hero declarations, each as
    `file line N, field: ...`. With problems, the story holds only the queries the schema
    accepted (None when nothing further can be checked) for the query analysis to go on."""
    root, data = _yaml_of(text, source)
    lines, sql_lines = _line_map(root), _sql_first_lines(root)
    notes: list[str] = []
    try:
        story: Story | None = Story.model_validate(data)
        story._lines, story._sql_lines = lines, sql_lines
        errors: list[dict] = []
    except ValidationError as exc:
        errors = [dict(e) for e in exc.errors()]
        story, note = _salvaged(data, errors, lines, sql_lines)
        notes = [f"{source}: {note}"] if note else []
    located = [(e["loc"], e["msg"].removeprefix("Value error, ")) for e in errors]
    if story is not None:
        story._source = source
        located += [(story_path(story, loc), message) for loc, message in cross_problems(story)]
    problems = [
        "{} line {}, {}: {}".format(source, *_located(loc, lines), message)
        for loc, message in located
    ]
    return story, problems + notes


def story_path(story: Story, loc: tuple) -> tuple:
    """A salvaged story's field path in the file's numbering of queries."""
    if loc[:1] != ("queries",) or len(loc) < 2:
        return loc
    return ("queries", story._file_index[loc[1]], *loc[2:]) if story._file_index else loc


def problem_list(problems: list[str], what: str) -> str:
    return f"{len(problems)} problem(s) in {what}:\n  " + "\n  ".join(problems)


def parse_story(text: str, source: str = "<story>") -> Story:
    """The story in `text`, or one StoryError listing each problem with its line."""
    story, problems = read_story(text, source)
    if problems or story is None:
        raise StoryError(problem_list(problems, "the story"))
    return story


def story_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise StoryError(f"cannot read story {str(path)!r}: {exc.strerror or exc}") from None


def load_story(path: str | Path) -> Story:
    return parse_story(story_text(path), Path(path).name)

"""Options and the project config file, ``newsspan.toml``.

Each stage's options are one frozen dataclass, validated on construction, whose defaults say why
they are what they are. ``newsspan.toml`` (in the working directory, or given with ``--config``)
overrides them key by key, one table per stage::

    [ingest]
    language = "en"
    max_bytes = 2_000_000

Unknown tables or keys are errors that list the allowed ones, so a typo never passes silently.
Command-line options override the file.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from newsspan.dataset.errors import ConfigError
from newsspan.dataset.labels import Origin
from newsspan.dataset.options import Options

__all__ = [
    "CONFIG_FILE_NAME",
    "BuildOptions",
    "EngineOptions",
    "GoldOptions",
    "IngestOptions",
    "LabelStudioOptions",
    "PreannotateOptions",
    "Settings",
    "load_settings",
]

CONFIG_FILE_NAME = "newsspan.toml"


@dataclass(frozen=True, slots=True)
class IngestOptions(Options):
    """Options of ``newsspan ingest`` (table ``[ingest]`` in ``newsspan.toml``)."""

    # Largest article accepted, in bytes (a .txt file or one JSONL line). News articles are
    # 2-30 kB; anything above 5 MB is a dump, a log or a binary, and would stall annotation.
    max_bytes: int = 5_000_000
    # Not UTF-8: "detect" picks the codec whose text reads as a language, else refuses; "cp1252" forces one.
    fallback_encoding: str = "detect"
    # Corpus language (ISO 639) when the articles do not state it; never guessed.
    language: str | None = None
    # The stance target for documents whose metadata does not name one.
    stance_target: str | None = None
    # Words outside boilerplate lines an article needs (promos run to ~25 a line, articles to hundreds).
    min_body_words: int = 40
    # Documents per Arrow batch: bounds memory on large corpora without hurting throughput.
    batch_size: int = 1000

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise ConfigError(f"ingest.max_bytes must be positive, got {self.max_bytes}")
        if self.min_body_words < 0:
            raise ConfigError(f"ingest.min_body_words must be >= 0, got {self.min_body_words}")
        if self.batch_size <= 0:
            raise ConfigError(f"ingest.batch_size must be positive, got {self.batch_size}")
        if self.language is not None and not re.fullmatch(r"[a-z]{2,3}", self.language):
            raise ConfigError(f"ingest.language (or --language) is {self.language!r}; use an ISO 639 code: 'en', 'deu'")
        if self.fallback_encoding not in ("detect", "strict"):
            import codecs

            try:
                codecs.lookup(self.fallback_encoding)
            except LookupError:
                raise ConfigError(
                    f"ingest.fallback_encoding {self.fallback_encoding!r} is not a codec Python knows; "
                    "use 'detect', 'strict' or a codec name such as 'cp1252'"
                ) from None


@dataclass(frozen=True, slots=True)
class BuildOptions(Options):
    """Options of ``newsspan build`` (table ``[build]`` in ``newsspan.toml``)."""

    # Where the build folder goes. Not "build/" itself: setuptools writes there too.
    out: str = "build/corpus"
    # Two articles are one story when a paragraph of one is this similar to a paragraph of the
    # other (Jaccard of word 5-grams): 0.5 catches edited wire copy, not shared stock phrases.
    story_threshold: float = 0.5
    # Shares of stories per split: train, validation, test.
    split_ratios: tuple[float, ...] = (0.8, 0.1, 0.1)
    # Processes making the dataset's rows; unset: two (one per core here) from 4,000 documents up.
    workers: int | None = None
    # Publish the pre-annotation rules' proposals as the dataset (a silver build of articles no one
    # annotated: `build --predictions-only`); the card says they are machine-made and how good.
    predictions_only: bool = False

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise ConfigError(f"build.workers must be at least 1 (1: in this process), got {self.workers}")
        if not 0 < self.story_threshold <= 1:
            raise ConfigError(f"build.story_threshold must be in (0, 1], got {self.story_threshold}")
        if len(self.split_ratios) != 3 or abs(sum(self.split_ratios) - 1) > 1e-6 or min(self.split_ratios) <= 0:
            raise ConfigError(
                f"build.split_ratios must be three positive shares adding up to 1, got {self.split_ratios}"
            )

    @property
    def published(self) -> Origin:
        """The origin of the layer the dataset carries: the gold layer, or the rules' predictions."""
        return "prediction" if self.predictions_only else "gold"


@dataclass(frozen=True, slots=True)
class EngineOptions(Options):
    """Where the row-level stages run (table ``[engine]`` in ``newsspan.toml``; ``--engine``)."""

    # "local": this process (and its workers); "spark": Apache Spark (pip install 'newsspan[spark]').
    name: Literal["local", "spark"] = "local"
    # Spark's master URL: local[N] on this machine, or a cluster's (spark://host:7077, yarn, k8s://...).
    master: str = "local[2]"
    # Partitions of a shuffle (Spark's default of 200 is far too many below a few cores).
    partitions: int = 4
    # The driver's heap: it holds plans and small results (counts, provenance), never a table.
    driver_memory: str = "1g"
    # Further Spark settings as written in spark-defaults.conf ({"spark.executor.memory" = "4g"}).
    conf: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.partitions <= 0:
            raise ConfigError(f"engine.partitions must be positive, got {self.partitions}")
        bad = sorted(k for k, v in self.conf.items() if not (isinstance(k, str) and isinstance(v, str)))
        if bad or any(not k.startswith("spark.") for k in self.conf):
            odd = bad or sorted(k for k in self.conf if not k.startswith("spark."))
            raise ConfigError(
                f"engine.conf: {', '.join(map(repr, odd))}: keys are Spark settings ('spark.…') with string values"
            )


@dataclass(frozen=True, slots=True)
class LabelStudioOptions(Options):
    """Options of ``newsspan label ...`` (table ``[label_studio]`` in ``newsspan.toml``).

    The API token is read from ``LABEL_STUDIO_API_KEY`` (or ``api_key`` here, or the
    credentials ``newsspan label serve`` stored in ``data_dir``); it is never printed or logged.
    """

    # The server's address. Env LABEL_STUDIO_URL overrides it. Loopback only for `serve`.
    url: str = "http://127.0.0.1:8089"
    # Prefer the environment variable: a token in a config file ends up in version control.
    api_key: str | None = None
    # The project is found by id when set, else by title (created when absent).
    project_title: str = "newsspan"
    project_id: int | None = None
    # Where `serve` keeps its database, logs, pid file and generated credentials.
    data_dir: str = ".newsspan/label-studio"
    # Where `serve` installs Label Studio (its own virtualenv, shared by projects).
    # Default: ~/.cache/newsspan/label-studio-<version>.
    venv: str | None = None
    # The admin user `serve` creates on first start. Password: env LABEL_STUDIO_PASSWORD, this
    # key, or generated and stored (mode 0600) in data_dir/credentials.json.
    username: str = "admin@newsspan.local"
    password: str | None = None
    # Tasks open with the predictions in the draft ("Use predictions to prelabel tasks"), so Submit
    # accepts what is left untouched; false: the label stream starts blank, predictions kept.
    prefill_predictions: bool = True
    # Tasks per import request: Label Studio imports 1,000 tasks in ~0.3 s; 200 keeps requests small.
    batch_size: int = 200
    # Tries per request on a 5xx or a dropped connection, with backoff doubling from `backoff` s.
    retries: int = 4
    backoff: float = 1.0
    # Seconds to wait for one API request, and for a starting server to answer.
    timeout: float = 120.0
    start_timeout: float = 300.0

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ConfigError(f"label_studio.url must start with http:// or https://, got {self.url!r}")
        for name in ("batch_size", "retries"):
            if getattr(self, name) < 1:
                raise ConfigError(f"label_studio.{name} must be at least 1, got {getattr(self, name)}")


@dataclass(frozen=True, slots=True)
class PreannotateOptions(Options):
    """Thresholds of the pre-annotation rules (table ``[preannotate]`` in ``newsspan.toml``)."""

    # A promo is a sentence or two; a longer line starting "Get ..." is prose.
    promo_max_words: int = 60
    # Widget text ("Comments", "Hashtags", "No comments yet. Be the first ...") is short.
    widget_max_chars: int = 80
    # Account widgets and legal links ("Manage My Account", "Terms of Use") are a few words; a
    # sentence that mentions a subscription or a privacy policy is longer.
    widget_max_words: int = 15
    # A byline ("By Meg James, Staff Writer") is a name and a title, not a sentence.
    byline_max_words: int = 14
    # A truncated teaser ("... talks stall over pay...") has a few words at least.
    teaser_min_words: int = 4
    # A "Read more: <headline>" link is one headline long.
    teaser_max_words: int = 30
    caption_min_words: int = 4
    # A caption is a sentence or two; a paragraph ending in a credit-like parenthesis is prose.
    caption_max_words: int = 60
    # jusText's defaults (characters, stop-word share), tuned by its author on news pages: shorter
    # than length_low is "short", longer than length_high with stopwords_high is "good".
    length_low: int = 70
    length_high: int = 200
    stopwords_low: float = 0.30
    stopwords_high: float = 0.32
    # Plain text has no link density (jusText's surest menu sign), so a line that reads as a
    # sentence stays near-good down to this stop-word share: names and figures lower it.
    sentence_stopwords_min: float = 0.15
    # The main block is the one with the most prose, times (1 + title_weight x the share of the
    # headline's words it names): a page's teaser lists have prose too, but not its headline's topic.
    title_weight: float = 3.0
    # A sentence has a subject, a verb and something more: fewer words is a label or a menu item.
    sentence_min_words: int = 4
    # Article paragraphs stay one block across a caption, an ad slot or a "Read more" link (1-4
    # lines); menus, footers and comment sections stand further away.
    block_max_gap: int = 4
    # Sentences in a row (near-good lines that read as sentences) that count as article paragraphs
    # whatever stands around them: short-paragraph pages have few long lines; one sentence alone
    # may be a caption or a teaser.
    prose_run_min: int = 2
    # Lines this close to an article block (headline, dek, separator, "More to follow.") are kept
    # unless a rule or a menu run labels them.
    main_block_margin: int = 2
    # Menus are runs of lines of a few words ("Home", "World", "Things to Do"); three in a row
    # outside the article is a menu, two may be a headline and a byline.
    menu_min_run: int = 3
    menu_max_words: int = 5
    # Another story opens with a headline of this many words; shorter lines are subheadings.
    headline_min_words: int = 5
    headline_max_words: int = 20
    # Four headlines in a row, without prose on both sides, are a teaser list of other stories;
    # an article's own short lists stand between its paragraphs.
    headline_run_min: int = 4
    # Share of a block's content words found in the article's main block below which the block is
    # off the article's topic (another story, a promo); same-topic blocks are kept.
    topic_min_overlap: float = 0.3
    # An off-topic block with at least this many prose lines, mostly prose, and no story shape
    # (headline and body, teaser list, "Related" cue right above) is kept when it is joined to the
    # article: at most block_join_max_gap lines (a table, a related list, an ad slot) and not the
    # page's headline between. Paragraphs of one article share few words; a promo or a footer
    # stands further away.
    off_topic_keep_lines: int = 2
    block_join_max_gap: int = 12
    # How far a second story reaches (lines) from its headline: bounded, so a false start never
    # eats the rest of an article.
    second_story_max_lines: int = 40
    # Repetition across documents of one source (outlet, else folder): a line in at least this
    # many documents and this share of them is the source's template. Two documents may share
    # wire copy; three that print the same line are a template.
    repeat_min_documents: int = 3
    repeat_min_share: float = 0.05
    # Sentence-like lines longer than this (words) must repeat in repeat_prose_share of the
    # source's documents: updated versions of a story repeat paragraphs in a few of them.
    repeat_prose_words: int = 12
    repeat_prose_share: float = 0.5
    # The quality signal: a document that lost more than this share of its prose-looking
    # characters to boilerplate spans is listed in the preannotate summary.
    prose_loss_share: float = 0.2
    # A one-word quote is a scare quote unless a reporting verb attributes it.
    min_quote_words: int = 2
    # A speaker mention is a name or a short noun phrase ("the North Korean Foreign Ministry official").
    max_speaker_words: int = 8
    # How far before a quote (characters, never past its sentence's start) "X said ..." is looked
    # for; 240 reaches the subject of "Name, a long appositive, said ... “…”" in one sentence.
    attribution_window: int = 240
    # A quote of its own sentence with no attribution continues the previous quote's (the same
    # speaker goes on) unless a reporting verb between them introduces another; off to review
    # only explicitly attributed quotes.
    inherit_attribution: bool = True
    # Scare quotes (an unattributed quote shorter than min_quote_words: called the plan
    # “disgusting”) and quoted titles ("Meet the Press") are not speech; true proposes them too,
    # as QUOTE under their own rules (scare_quote, quoted_title), for a team whose guidelines
    # count them, to filter or push by rule.
    scare_quotes: bool = False

    def __post_init__(self) -> None:
        positive = (
            "promo_max_words", "widget_max_chars", "widget_max_words", "byline_max_words", "teaser_max_words",
            "caption_max_words", "length_low", "length_high", "sentence_min_words", "menu_min_run",
            "menu_max_words", "prose_run_min", "headline_min_words", "headline_max_words", "headline_run_min",
            "off_topic_keep_lines", "second_story_max_lines",
            "repeat_min_documents", "repeat_prose_words", "max_speaker_words", "attribution_window",
        )  # fmt: skip
        for name in positive:
            if getattr(self, name) < 1:
                raise ConfigError(f"preannotate.{name} must be at least 1, got {getattr(self, name)}")
        for name in ("inherit_attribution", "scare_quotes"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"preannotate.{name} must be true or false, got {getattr(self, name)!r}")
        for name in ("block_max_gap", "main_block_margin", "block_join_max_gap"):
            if getattr(self, name) < 0:
                raise ConfigError(f"preannotate.{name} must be >= 0, got {getattr(self, name)}")
        shares = (
            "stopwords_low", "stopwords_high", "sentence_stopwords_min", "topic_min_overlap", "repeat_min_share",
            "repeat_prose_share", "prose_loss_share",
        )  # fmt: skip
        for name in shares:
            if not 0 <= getattr(self, name) <= 1:
                raise ConfigError(f"preannotate.{name} must be in [0, 1], got {getattr(self, name)}")
        if self.title_weight < 0:
            raise ConfigError(f"preannotate.title_weight must be >= 0, got {self.title_weight}")
        if self.length_low > self.length_high or self.stopwords_low > self.stopwords_high:
            raise ConfigError(
                "preannotate: length_low must not exceed length_high, nor stopwords_low stopwords_high; "
                f"got {self.length_low}/{self.length_high} and {self.stopwords_low}/{self.stopwords_high}"
            )
        if self.headline_min_words > self.headline_max_words:
            raise ConfigError(
                f"preannotate.headline_min_words ({self.headline_min_words}) exceeds "
                f"headline_max_words ({self.headline_max_words})"
            )


@dataclass(frozen=True, slots=True)
class GoldOptions(Options):
    """How the gold layer is adjudicated (table ``[gold]`` in ``newsspan.toml``)."""

    # "majority": more than half of a document's annotations marked the span and label;
    # "threshold": at least `threshold` of them did; "prefer": a reviewer's annotation wins
    # (the named reviewers, or Label Studio's ground-truth flag), majority elsewhere.
    strategy: Literal["majority", "threshold", "prefer"] = "majority"
    threshold: float = 0.5
    reviewers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ConfigError(f"gold.threshold must be in (0, 1], got {self.threshold}")


@dataclass(frozen=True, slots=True)
class AgreementOptions(Options):
    """What agreement compares (table ``[agreement]`` in ``newsspan.toml``)."""

    # Label Studio pre-fills a task with its predictions; a span two annotators both accepted
    # unchanged agrees because the model proposed it. True leaves such spans (provenance
    # "prediction") out of the span figures; the report says whether it did, either way.
    exclude_accepted_predictions: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.exclude_accepted_predictions, bool):
            raise ConfigError(
                "agreement.exclude_accepted_predictions must be true or false, "
                f"got {self.exclude_accepted_predictions!r}"
            )


@dataclass(frozen=True, slots=True)
class Settings:
    """All options, one field per ``newsspan.toml`` table."""

    ingest: IngestOptions = field(default_factory=IngestOptions)
    build: BuildOptions = field(default_factory=BuildOptions)
    label_studio: LabelStudioOptions = field(default_factory=LabelStudioOptions)
    gold: GoldOptions = field(default_factory=GoldOptions)
    agreement: AgreementOptions = field(default_factory=AgreementOptions)
    preannotate: PreannotateOptions = field(default_factory=PreannotateOptions)
    engine: EngineOptions = field(default_factory=EngineOptions)
    path: str | None = None  # the file they were read from, for messages

    @classmethod
    def from_mapping(cls, data: dict[str, Any], *, where: str) -> Settings:
        sections = {f.name: f for f in dataclasses.fields(cls) if f.name != "path"}
        unknown = sorted(set(data) - set(sections))
        if unknown:
            raise ConfigError(f"{where}: unknown table(s) {', '.join(unknown)}; allowed: {', '.join(sorted(sections))}")
        parsed: dict[str, Any] = {}
        for name, value in data.items():
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: [{name}] must be a table of keys")
            option_type = typing.get_type_hints(cls)[name]
            parsed[name] = option_type.from_mapping(value, where=f"{where} [{name}]")
        return cls(**parsed, path=where)


def load_settings(path: Path | None = None, *, cwd: Path | None = None) -> Settings:
    """Read ``path``, or ``newsspan.toml`` in ``cwd`` if it exists, over the defaults."""
    if path is None:
        candidate = (cwd or Path.cwd()) / CONFIG_FILE_NAME
        if not candidate.is_file():
            return Settings()
        path = candidate
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}", path=path) from None
    return Settings.from_mapping(data, where=path.name)

"""The extractor stack as one spaCy pipeline: components registered by name, run in order.

Order matters where a component reads another's items: citations go first so that
the dates inside them are not taken for deadlines; tasks read units and deadlines;
indicators read the tasks' and units' results for their responsible units.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import spacy
from spacy.language import Language

from ..model import Section, Table
from .context import ITEM_KINDS, prepare

#: Component names in the order they run; "kehoach_x" is registered by module `pipeline.extractors.x`.
COMPONENTS = ("kehoach_deadlines",)


def _register(components: tuple[str, ...]) -> None:
    for name in components:
        importlib.import_module(f".{name.removeprefix('kehoach_')}", __package__)


@dataclass
class Extracted:
    """What the extractor stack found in one document."""

    items: dict[str, list] = field(default_factory=dict)  # contract key -> items
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # component -> time spent (tokenizer: "tokenize")


@lru_cache(maxsize=4)
def make_nlp(components: tuple[str, ...] = COMPONENTS) -> Language:
    """A blank multi-language pipeline (rule-based tokenizer: offsets only) with our components."""
    _register(components)
    nlp = spacy.blank("xx")
    for name in components:
        nlp.add_pipe(name)
    return nlp


def run_extractors(text: str, sections: list[Section], tables: list[Table],
                   page_at: Callable[[int], int | None] | None = None,
                   components: tuple[str, ...] = COMPONENTS) -> Extracted:
    """Run the stack over one normalized text, timing each component."""
    nlp = make_nlp(components)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    doc = prepare(nlp.make_doc(text), sections, tables, page_at)
    seconds["tokenize"] = time.perf_counter() - clock
    for name, component in nlp.pipeline:
        clock = time.perf_counter()
        doc = component(doc)
        seconds[name] = time.perf_counter() - clock
    return Extracted({kind: doc._.get(kind) for kind in ITEM_KINDS}, list(doc._.warnings), seconds)

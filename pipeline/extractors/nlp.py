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

import regex
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..model import Footnote, Section, Table
from .context import ITEM_KINDS, prepare

#: Component names in the order they run; "kehoach_x" is registered by module `pipeline.extractors.x`.
COMPONENTS = ("kehoach_citations", "kehoach_deadlines", "kehoach_units", "kehoach_tasks", "kehoach_percentages", "kehoach_indicators")


def _register(components: tuple[str, ...]) -> None:
    for name in components:
        importlib.import_module(f".{name.removeprefix('kehoach_')}", __package__)


@dataclass
class Extracted:
    """What the extractor stack found in one document."""

    items: dict[str, list] = field(default_factory=dict)  # contract key -> items
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # component -> time spent (tokenizer: "tokenize")


class WhitespaceTokenizer:
    """Tokens are the runs of non-space characters; runs of other whitespace are tokens of their own.

    The extractors read the text with their own patterns and only need a `Doc` whose
    offsets are the text's; spaCy's rule tokenizer (affixes, exceptions) cost a third
    of the stack's time for nothing. Callable like a spaCy tokenizer."""

    _RUN = regex.compile(r"(\S+)(\s*)")

    def __init__(self, vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words, spaces = [], []
        lead = len(text) - len(text.lstrip())
        if lead:
            words.append(text[:lead])
            spaces.append(False)
        for m in self._RUN.finditer(text, lead):
            gap = m.group(2)
            words.append(m.group(1))
            spaces.append(gap.startswith(" "))
            rest = gap[1:] if gap.startswith(" ") else gap
            if rest:
                words.append(rest)
                spaces.append(False)
        return Doc(self.vocab, words=words, spaces=spaces)


@lru_cache(maxsize=4)
def make_nlp(components: tuple[str, ...] = COMPONENTS) -> Language:
    """A blank multi-language pipeline (whitespace tokens: offsets only) with our components."""
    _register(components)
    nlp = spacy.blank("xx")
    nlp.tokenizer = WhitespaceTokenizer(nlp.vocab)
    for name in components:
        nlp.add_pipe(name)
    return nlp


def run_extractors(text: str, sections: list[Section], tables: list[Table],
                   page_at: Callable[[int], int | None] | None = None,
                   components: tuple[str, ...] = COMPONENTS, footnotes: list[Footnote] | None = None) -> Extracted:
    """Run the stack over one normalized text (and its footnotes, kept apart), timing each component."""
    nlp = make_nlp(components)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    doc = prepare(nlp.make_doc(text), text, sections, tables, page_at, footnotes or [])
    seconds["tokenize"] = time.perf_counter() - clock
    for name, component in nlp.pipeline:
        clock = time.perf_counter()
        doc = component(doc)
        seconds[name] = time.perf_counter() - clock
    return Extracted({kind: doc._.get(kind) for kind in ITEM_KINDS}, list(doc._.warnings), seconds)

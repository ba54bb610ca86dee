"""Responsible units: split a list of bodies, canonicalise each name, and (the
`kehoach_units` component) collect every unit a plan names as lead, co-operating or
implementing body, from table columns and prose.

`unit_names("Thanh tra Sở, Phòng Kế hoạch - Tài chính, các cơ sở giáo dục")` ->
["Thanh tra Sở", "Phòng Kế hoạch - Tài chính", "Các cơ sở giáo dục"]. A list splits
only where the next part opens a unit name (the body vocabulary of rules/units.yaml),
so "Sở Giáo dục và Đào tạo", "Phòng Văn hóa - Xã hội" and "Phòng GDTX, GDNN&ĐH" stay
whole. Canonical names come from rules/unit_aliases.yaml: a whole-name alias table,
acronyms spelled out after a head word, qualifiers "(đối với …)" cut off as a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import regex

from ..normalize import unicode_nfc  # NFC and one tone placement: "Uỷ" = "Ủy", as in the text
from ..rules import load as load_rules
from ..rules import phrase_alternation

#: A run of capitals (and & -) that stands for words: GDĐT, KHTC, GDTrH, GDNN&ĐH.
ACRONYM = regex.compile(r"^(?=(?:[^\p{Lu}]*\p{Lu}){2})\p{Lu}[\p{L}\d&\-]*$")
#: Separators of a list of units; "-" / "+" only with spaces around (list markers, glued cells).
SEPARATOR = regex.compile(r"\s*(?:[;,]|\n|(?<=\s)(?:và|hoặc)(?=\s)|(?<=\s|^)[-–—+•](?=\s))\s*")
_LEAD = regex.compile(r"[\s\-–—+•*.,;:]*")
_TRAIL = regex.compile(r"[\s.,;:]*$")
_SPACES = regex.compile(r"\s+")
_WORD = regex.compile(r"[\p{L}\p{N}]+")
#: Between two units of a list in running text: "Thanh tra Sở, các cơ sở …", "… và Tỉnh đoàn".
LIST_GAP = regex.compile(r"[ \t]*(?:,|;|và|cùng)[ \t]*")
_GLUED_DASH = regex.compile(r"(?<=\S)-(?=\S)")
_SPACED_DASH = regex.compile(r"\s[-–—]|[-–—]\s")
_DASH = regex.compile(r"\s*[-–—‐]\s*")
_EDGE = regex.compile(r"^[\s\-–—+•*.,;:]+|[\s.,;:]+$")


@dataclass(frozen=True)
class UnitName:
    """One unit named in a list: canonical name, the text as printed, where, and any qualifier."""

    name: str
    raw: str  # as printed, qualifier included, list markers and trailing punctuation cut
    start: int  # offsets of `raw` in the text that was split
    end: int
    note: str | None = None  # "đối với các cơ sở giáo dục phổ thông"
    rule: str = "as_printed"  # alias | acronym | as_printed
    type: str = "other"


# --- vocabulary (rules/units.yaml + rules/unit_aliases.yaml) ------------------------------------


@lru_cache(maxsize=1)
def _rules() -> dict:
    return load_rules("unit_aliases.yaml")


@lru_cache(maxsize=1)
def heads() -> tuple[str, ...]:
    """Every word a unit name may open with (printed case)."""
    units = load_rules("units.yaml")
    return tuple(dict.fromkeys(units["bodies"] + units["body_abbreviations"] + units["other_heads"]
                               + _rules()["extra_heads"]))


@lru_cache(maxsize=1)
def head_pattern() -> regex.Pattern:
    """A unit name's opening words, at the start of a string. The first letter of the first word
    may be lower-case ("phòng Kế hoạch", "các cơ sở") except for words that are ordinary
    lower-case words ("hội thi"); later words of a head may be written either way ("Các Sở, ban,
    ngành" and "các sở" open the same collective), acronyms as printed."""
    strict = set(_rules()["case_sensitive_heads"])
    heads_longest_first = sorted(heads(), key=len, reverse=True)
    alternatives = "|".join(_head_regex(h, lower_first=h not in strict) for h in heads_longest_first)
    return regex.compile(rf"(?:{alternatives})(?![\p{{L}}\d])")


def _either_case(word: str) -> str:
    if ACRONYM.match(word) or not word[0].isalpha():
        return regex.escape(word)
    return f"[{word[0].upper()}{word[0].lower()}]{regex.escape(word[1:])}"


def _head_regex(head: str, lower_first: bool) -> str:
    first, *rest = head.split()
    opening = _either_case(first) if lower_first else regex.escape(first)
    return r"\s+".join([opening, *map(_either_case, rest)])


@lru_cache(maxsize=1)
def _glue_ends() -> frozenset[str]:
    return frozenset(load_rules("units.yaml")["name_ends"])


@lru_cache(maxsize=1)
def _completing() -> regex.Pattern:
    return regex.compile(rf"(?:{phrase_alternation(_rules()['completing_heads'])})(?![\p{{L}}\d])")


@lru_cache(maxsize=1)
def _dangling() -> frozenset[str]:
    return frozenset(load_rules("units.yaml")["dangling_words"]) | {"phòng"}


def _dangles(text: str, end: int) -> bool:
    """Does the text before `end` stop on a word that cannot end a name ("thuộc", "của", "Phòng")?"""
    words = _WORD.findall(text[max(0, end - 30):end])
    return bool(words) and words[-1] in _dangling()


def starts_unit(text: str, pos: int = 0) -> int:
    """Length of the head word a unit name opens with at `pos`, 0 when none."""
    m = head_pattern().match(text, pos)
    return m.end() - pos if m else 0


# --- canonical names ----------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def key(name: str) -> str:
    """Matching key: tones folded, dashes and spaces normalised, case-insensitive, no end dots.
    Cached: the same few hundred names are compared thousands of times per plan."""
    text = unicode_nfc(name)
    text = _DASH.sub(" - ", text).replace("&", " & ")
    text = _SPACES.sub(" ", text)
    return _EDGE.sub("", text).casefold().replace(" & ", "&")


@lru_cache(maxsize=1)
def _alias_table() -> dict[str, tuple[str, str]]:
    """key -> (canonical name, rule id)."""
    table: dict[str, tuple[str, str]] = {}
    for entry in _rules()["aliases"]:
        for form in [entry["name"], *entry.get("aliases", [])]:
            table[key(form)] = (entry["name"], entry["id"])
    return table


@lru_cache(maxsize=1)
def _qualifiers() -> tuple[tuple[str, regex.Pattern], ...]:
    return tuple((q["id"], regex.compile(q["pattern"], regex.I)) for q in _rules()["qualifiers"])


@lru_cache(maxsize=1)
def _types() -> tuple[tuple[str, regex.Pattern], ...]:
    return tuple((t["type"], regex.compile(t["pattern"], regex.I)) for t in _rules()["types"])


@lru_cache(maxsize=1)
def _acronym_head() -> regex.Pattern:
    return regex.compile(rf"^(?:các\s+)?(?:{phrase_alternation(_rules()['acronym_heads'])})(?![\p{{L}}\d])", regex.I)


_ACRONYM_TOKEN = regex.compile(r"[\p{L}\d]+(?:&[\p{L}\d]+)*")


def _spell_out(name: str) -> str:
    """Acronyms after a head word spelled out: "Phòng GDMN-GDTH" -> "Phòng Giáo dục Mầm non - Giáo dục Tiểu học"."""
    if not _acronym_head().match(name):
        return name
    table = _rules()["acronyms"]

    def one(m: regex.Match) -> str:
        word = m.group()
        if word in table:
            return table[word]
        if "&" in word and all(p in table for p in word.split("&")):
            return " và ".join(table[p] for p in word.split("&"))
        return word

    out = _ACRONYM_TOKEN.sub(one, name)
    out = _GLUED_DASH.sub(" - ", out) if out != name else out
    return out


def unit_type(name: str) -> str:
    for kind, pattern in _types():
        if pattern.search(name):
            return kind
    return "other"


def qualifiers(text: str) -> tuple[str, str | None, list[str]]:
    """(name without brackets, the notes they held or None, the other names they gave)."""
    notes: list[str] = []
    aliases: list[str] = []
    for rule_id, pattern in _qualifiers():
        def cut(m: regex.Match, rule_id=rule_id) -> str:
            inner = m.groupdict().get("alias") or m.group().strip("() \n")
            inner = _SPACES.sub(" ", inner).strip()
            short = rule_id == "qualifier.any_parenthesis" and starts_unit(inner) and len(inner.split()) <= 5
            (aliases if "alias" in m.groupdict() or short else notes).append(inner)
            return " "
        text = pattern.sub(cut, text)
    return _SPACES.sub(" ", text).strip(), "; ".join(notes) or None, aliases


def split_qualifier(text: str) -> tuple[str, str | None]:
    """(name without its qualifier, the qualifier's words or None)."""
    name, note, _ = qualifiers(text)
    return name, note


def canonical(raw: str) -> tuple[str, str]:
    """(canonical name, rule) of one unit name as printed (no list separators inside)."""
    name, _ = split_qualifier(raw)
    name = _EDGE.sub("", _SPACES.sub(" ", name))
    if not name:
        return "", "empty"
    hit = _alias_table().get(key(name))
    if hit:
        return hit[0], hit[1]
    spelled = _spell_out(unicode_nfc(name))
    hit = _alias_table().get(key(spelled))
    if hit:
        return hit[0], hit[1]
    rule = "acronym" if spelled != unicode_nfc(name) else "as_printed"
    spelled = _DASH.sub(" - ", spelled) if _SPACED_DASH.search(spelled) else spelled
    spelled = spelled.replace("–", "-").replace("—", "-")
    return spelled[0].upper() + spelled[1:], rule


# --- splitting a list ---------------------------------------------------------------------------


def _paren_depths(text: str) -> list[int]:
    depth, out = 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        out.append(depth)
        if ch == ")":
            depth = max(0, depth - 1)
    return out


def _glue_points(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Whitespace inside one part where a PDF glued two cells: "Phòng GDTrH Phòng GDMN-GDTH",
    "Thanh tra Sở Các đơn vị thuộc Sở", "Văn phòng Phòng GDTrH"."""
    points = []
    for m in regex.finditer(r"\s+", text[lo:hi]):
        s, e = lo + m.start(), lo + m.end()
        n = starts_unit(text, e)
        if not n or not text[e].isupper():
            continue
        before = text[lo:s].split()
        if not before:
            continue
        prev = before[-1].rstrip(",;")
        # a bare head ("Văn phòng") is a name by itself, unless a superior body completes it
        whole_head = " ".join(before) in _rules()["standalone_heads"] and not _completing().match(text, e)
        if ACRONYM.match(prev) or prev in _glue_ends() or whole_head:
            points.append((s, e))
    return points


def split_units(text: str) -> list[UnitName]:
    """The units of one cell or list, in order, with offsets into `text`."""
    depth = _paren_depths(text)
    cuts: list[tuple[int, int]] = []
    for m in SEPARATOR.finditer(text):
        s, e = m.span()
        if s == e or depth[s] > 0 or e >= len(text):
            continue
        if m.group().strip() == "" and _dangles(text, s):
            continue  # a line break after "thuộc", "của" … goes on with the same name
        if starts_unit(text, e):
            cuts.append((s, e))
    bounds, pos = [], 0
    for s, e in cuts:
        bounds.append((pos, s))
        pos = e
    bounds.append((pos, len(text)))
    pieces = []
    for lo, hi in bounds:
        inner = _glue_points(text, lo, hi)
        for s, e in inner:
            pieces.append((lo, s))
            lo = e
        pieces.append((lo, hi))
    found = []
    for lo, hi in pieces:
        lo2 = lo + _LEAD.match(text, lo, hi).end() - lo
        hi2 = lo2 + _TRAIL.search(text, lo2, hi).start() - lo2
        raw = text[lo2:hi2]
        if not raw:
            continue
        name, rule = canonical(raw)
        if not name:
            continue
        _, note = split_qualifier(raw)
        found.append(UnitName(name, raw, lo2, hi2, note, rule, unit_type(name)))
    return found


def unit_names(text: str) -> list[str]:
    """Canonical names of the units in a cell or list, in order, without repeats."""
    return list(dict.fromkeys(u.name for u in split_units(text)))


# --- the `kehoach_units` component --------------------------------------------------------------
#
# Mentions come from (1) the lead / support / implementer columns of tables, (2) label lines
# ("- Đơn vị chủ trì: …"), (3) sub-headings of the duty sections ("1. Sở Giáo dục và Đào tạo"),
# (4) lists after cue phrases in running text ("phối hợp với …", "giao … chủ trì") and (5) every
# other place the plan names a unit that (1)-(4) gave a role. Where a name ends in running text is
# decided by the names the plan and the alias table already know, else by the span classifier of
# unit_model.py (its probability is the confidence), else by a rule (with a warning).

#: Confidence of a mention by how its name was read.
CONFIDENCE = {"alias": 0.97, "acronym": 0.95, "known": 0.95, "table": 0.9, "label": 0.9, "heading": 0.9,
              "rule": 0.6}


@dataclass
class UnitMention:
    """One place a unit is named, with the role that place gives it (None: only named)."""

    name: str
    raw: str
    start: int
    end: int
    role: str | None  # lead | support | implementing
    how: str  # table | label | heading | cue | name
    confidence: float
    provenance: object  # Provenance
    note: str | None = None
    type: str = "other"
    aliases: list[str] = field(default_factory=list)  # other names the text gives it there ("(CTHSSV)")


def _register_extension() -> None:
    from spacy.tokens import Doc

    if not Doc.has_extension("unit_mentions"):
        Doc.set_extension("unit_mentions", default=None)


_register_extension()


@lru_cache(maxsize=1)
def _label_pattern() -> regex.Pattern:
    labels = _rules()["labels"]
    alts = "|".join(f"(?P<{role}>{phrase_alternation(words)})" for role, words in labels.items())
    # the value runs on over wrapped lines until the next list item, numbered heading or label
    any_label = "|".join(phrase_alternation(words) for words in labels.values())
    time_labels = "|".join(load_rules("deadlines.yaml")["labels"])
    more = (rf"(?:\n(?![ \t]*(?:[-+•*]|\d+(?:\.\d+)*\.|[a-zđ]\)|[IVX]+\.)(?:\s|$))"
            rf"(?![ \t]*(?:{any_label}|{time_labels})\s*:)[^\n]*)")
    return regex.compile(rf"(?m)^[ \t]*(?:[-+•*]\s*)?(?:{alts})\s*:[ \t]*(?P<value>[^\n]*{more}{{0,3}})")


@lru_cache(maxsize=1)
def _cues() -> tuple[tuple[str, str, regex.Pattern], ...]:
    return tuple((c["id"], c["role"], regex.compile(c["pattern"])) for c in _rules()["cues"])


@lru_cache(maxsize=1)
def _lead_after() -> regex.Pattern:
    return regex.compile(rf"\s*,?\s*(?:{phrase_alternation(_rules()['lead_after'])})(?!\p{{L}})")


@lru_cache(maxsize=1)
def _scope_tail() -> regex.Pattern:
    return regex.compile(_rules()["scope_tail"])


@lru_cache(maxsize=1)
def _heading_opener() -> regex.Pattern:
    return regex.compile(rf"(?:{phrase_alternation(_rules()['heading_openers'])})\s+")


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    return frozenset(key(n) for n in _rules()["generic_names"])


def _role_of_duty(cell: str) -> str:
    openers = _rules()["duty_openers"]
    for role in ("lead", "support"):
        if any(regex.match(rf"{regex.escape(w)}(?!\p{{L}})", cell.strip(), regex.I) for w in openers[role]):
            return role
    return "implementing"


_COLUMN_ROLE = {"lead": "lead", "support": "support", "implementer": "implementing"}


class UnitsComponent:
    """`kehoach_units`: the span model loads once, here; underthesea tags sentences on demand."""

    def __init__(self, use_model: bool = True, model_path: str | None = None):
        from .. import modelfile
        from .unit_model import MODEL_FILE, SentenceTagger, load_model

        self.model = None
        self.missing = None
        if use_model:
            import warnings as _w

            with _w.catch_warnings(record=True) as caught:
                _w.simplefilter("always")
                self.model = load_model(Path(model_path) if model_path else modelfile.model_dir() / MODEL_FILE.name)
            if self.model is None:
                self.missing = "; ".join(str(w.message) for w in caught) or "unit model not loaded"
        self.tagger = SentenceTagger()

    def __call__(self, doc):
        from .context import warn

        if self.missing:
            warn(doc, f"units: {self.missing}")
        reader = _Reader(doc, self.model, self.tagger)
        mentions = reader.read()
        doc._.unit_mentions = mentions
        doc._.units = build_units(mentions)
        return doc


class _Reader:
    """One document's unit mentions."""

    def __init__(self, doc, model, tagger):
        self.doc = doc
        from .context import text_of

        self.text = text_of(doc)
        self.model = model
        self.tagger = tagger
        self.mentions: list[UnitMention] = []
        self.known: dict[str, str] = {k: v[0] for k, v in _alias_table().items()}  # key -> canonical
        self.rule_fallbacks = 0
        skip_kinds = ("header", "title", "closing")
        self.skip = [(s.start, s.end) for s in doc._.sections if s.kind in skip_kinds]
        self.skip += [(c.start, c.end) for c in (doc._.citations or [])]

    # -- helpers --
    def _where(self, start: int, end: int):
        from .context import cell_provenance, text_provenance

        for table in self.doc._.tables:
            if table.start <= start < table.end:
                for r, row in enumerate(table.rows):
                    if row.start <= start < row.end:
                        return cell_provenance(self.doc, table, r, start, end)
        return text_provenance(self.doc, start, end)

    def _skipped(self, start: int) -> bool:
        return any(s <= start < e for s, e in self.skip)

    def _taken(self, start: int, end: int) -> bool:
        return any(m.start < end and start < m.end for m in self.mentions)

    def _add(self, raw: str, start: int, end: int, role: str | None, how: str, confidence: float | None = None,
             provenance=None, note: str | None = None, name: str | None = None) -> UnitMention | None:
        raw_name, qualifier, glosses = qualifiers(raw)
        tail = _scope_tail().search(raw_name)
        if tail and not name:
            qualifier = "; ".join(x for x in (qualifier, tail.group().strip()) if x)
            raw_name = raw_name[:tail.start()]
        canon, rule = canonical(raw_name) if not name else (name, "known")
        extra = []
        for gloss in glosses:
            g_canon, g_rule = canonical(gloss)
            if g_rule.startswith("unit.") and not rule.startswith("unit."):
                # "Các trường Mầm non, … (gọi tắt là các cơ sở giáo dục)": the name every plan uses wins
                extra.append(" ".join(raw_name.split()))
                canon, rule = g_canon, g_rule
            else:
                extra.append(gloss)
        if not canon or key(canon) in _generic():
            return None
        if confidence is None:
            confidence = CONFIDENCE.get(rule if rule in ("acronym",) else ("alias" if rule.startswith("unit.")
                                                                            else how), 0.9)
        m = UnitMention(canon, raw, start, end, role, how, round(confidence, 3),
                        provenance or self._where(start, end), note or qualifier, unit_type(canon), extra)
        self.mentions.append(m)
        for form in (canon, raw_name, *extra):
            self.known.setdefault(key(form), canon)
        return m

    # -- passes --
    def read(self) -> list[UnitMention]:
        self.tables()
        self.labels()
        self.headings()
        self.cues()
        self.repeats()
        if self.rule_fallbacks:
            from .context import warn

            warn(self.doc, f"units: {self.rule_fallbacks} name end(s) in prose set by rule only (no unit model)")
        _merge_local(self.mentions)
        return sorted(self.mentions, key=lambda m: (m.start, m.end))

    def tables(self) -> None:
        from .context import cell_provenance, locate_cell, locate_words

        for table in self.doc._.tables:
            for j, column in enumerate(table.columns):
                role = _COLUMN_ROLE.get(column.role)
                if not role:
                    continue
                duty = regex.match(_rules()["duty_headers"], column.name)
                header_units = split_units(column.name[duty.end():]) if duty else []
                for r, row in enumerate(table.rows):
                    cell = row.cells[j].strip() if j < len(row.cells) else ""
                    if not cell:
                        continue
                    s, e = locate_cell(self.doc, table, r, j)
                    if not header_units and starts_unit(cell.lstrip("-–+• ")):
                        for u in split_units(cell):
                            us, ue = locate_words(self.text, u.raw, s, e)
                            self._add(u.raw, us, ue, role, "table", provenance=cell_provenance(self.doc, table, r, us, ue))
                    elif header_units:
                        # a duty cell: the unit is the column's ("Trách nhiệm của Sở GDĐT")
                        duty_role = _role_of_duty(cell)
                        for u in header_units:
                            self._add(u.raw, s, e, duty_role, "table", provenance=cell_provenance(self.doc, table, r, s, e))

    def labels(self) -> None:
        inside_tables = [(t.start, t.end) for t in self.doc._.tables]
        for m in _label_pattern().finditer(self.text):
            if any(s <= m.start() < e for s, e in inside_tables) or self._skipped(m.start()):
                continue
            role = next(r for r in _rules()["labels"] if m.group(r))
            self.skip.append((m.start(), m.start("value")))
            value, base = m.group("value"), m.start("value")
            if not value.strip() or not starts_unit(value.lstrip("-–+• ")):
                continue
            for u in split_units(value):
                end = u.end
                if len(u.raw.split()) > 8 and key(_name_only(u.raw)) not in self.known:
                    span = self._span_end(base + u.start, "label")
                    if span is None:
                        continue
                    end = span[1] - base
                self._add(value[u.start:end], base + u.start, base + end, role, "label")

    def headings(self) -> None:
        from .context import locate_words

        duty = regex.compile(_rules()["duty_sections"])
        by_id = {s.id: s for s in self.doc._.sections}
        for s in self.doc._.sections:
            if s.list_item or not s.heading or s.kind != "body":
                continue
            parent, inside = by_id.get(s.parent), False
            while parent is not None:
                if parent.heading and duty.search(parent.heading) and not parent.list_item:
                    inside = True
                    break
                parent = by_id.get(parent.parent)
            if not inside:
                continue
            heading = s.heading
            cue = _heading_opener().match(heading)
            if cue:
                heading = heading[cue.end():]
            if not starts_unit(heading) or len(split_qualifier(heading)[0].split()) > 40:
                continue
            hs, he = locate_words(self.text, heading, s.start, s.end)
            for u in split_units(self.text[hs:he]):
                self._add(u.raw, hs + u.start, hs + u.end, "implementing", "heading")

    def cues(self) -> None:
        for _, role, pattern in _cues():
            for m in pattern.finditer(self.text):
                pos = m.end()
                if self._skipped(pos):
                    continue
                while starts_unit(self.text, pos) and not self._taken(pos, pos + 1):
                    span = self._known_end(pos) or self._span_end(pos, "cue")
                    if span is None:
                        break
                    s, e, conf = span
                    self._add(self.text[s:e], s, e, role, "cue", confidence=conf)
                    nxt = LIST_GAP.match(self.text[e:e + 12])
                    if not nxt or not starts_unit(self.text, e + nxt.end()):
                        break
                    pos = e + nxt.end()

    def repeats(self) -> None:
        """Every other place a unit with a role is named (capitalised, as printed)."""
        from .unit_model import starts_in

        roled = {m.name for m in self.mentions if m.role}
        known = {k: v for k, v in self.known.items() if v in roled}
        for start in starts_in(self.text, capital_only=True):
            if self._skipped(start) or self._taken(start, start + 1):
                continue
            span = self._known_end(start, known)
            if not span:
                continue
            s, e, conf = span
            lead = _lead_after().match(self.text, e)
            self._add(self.text[s:e], s, e, "lead" if lead else None, "name", confidence=conf,
                      name=known[key(self.text[s:e])])

    # -- name ends --
    def _known_end(self, start: int, known: dict[str, str] | None = None) -> tuple[int, int, float] | None:
        """The longest name the plan or the alias table knows, starting at `start`."""
        from .unit_model import candidate_ends

        known = self.known if known is None else known
        best = None
        for span in candidate_ends(self.text, start):
            if key(self.text[start:span.end]) in known:
                best = (start, span.end, CONFIDENCE["known"])
        return best

    def _span_end(self, start: int, how: str) -> tuple[int, int, float] | None:
        """Where a name no list knows ends: the classifier over the clause, else the rule."""
        from .unit_model import THRESHOLD, clause, rule_end

        lo, hi = clause(self.text, start)
        sentence = self.text[lo:hi]
        if self.model is not None:
            best = self.model.best(sentence, start - lo, how, self.tagger(sentence))
            if best is None:
                return None
            if best[1] < THRESHOLD:
                # after a cue a unit is expected: the model's best end stands when the rule picks it too
                rule = rule_end(sentence, start - lo) if how == "cue" else None
                if rule is None or (rule.start, rule.end) != (best[0].start, best[0].end):
                    return None
                return lo + best[0].start, lo + best[0].end, max(best[1], CONFIDENCE["rule"])
            return lo + best[0].start, lo + best[0].end, best[1]
        span = rule_end(sentence, start - lo)
        if span is None:
            return None
        self.rule_fallbacks += 1
        return lo + span.start, lo + span.end, CONFIDENCE["rule"]


def _name_only(raw: str) -> str:
    return split_qualifier(raw)[0]


def _merge_local(mentions: list[UnitMention]) -> None:
    """Within one plan, "X xã" is X when X is named too ("Phòng Văn hóa - Xã hội xã"), and a bare
    head that opens exactly one of its names is that unit ("Văn phòng" beside "Văn phòng Sở")."""
    names = {m.name for m in mentions}
    words = sorted(_rules()["locality_words"], key=len, reverse=True)
    for m in mentions:
        if m.name in _rules()["standalone_heads"]:
            longer = [n for n in names if n.startswith(m.name + " ")]
            if len(longer) == 1:
                m.name = longer[0]
                continue
        for w in words:
            if m.name.endswith(" " + w):
                base = m.name[: -len(w) - 1]
                if base in names and unit_type(base) != "ủy ban":
                    m.name = base
                break


def mentions_by_row(doc) -> dict[tuple[str, int], list[UnitMention]]:
    """The unit mentions the component read in table cells, by (table id, row index): what the
    task and indicator extractors give a row, so every item names units as `doc.units` does."""
    rows: dict[tuple[str, int], list[UnitMention]] = {}
    for m in doc._.unit_mentions or []:
        p = m.provenance
        if m.how == "table" and p.table is not None:
            rows.setdefault((p.table, p.row), []).append(m)
    return rows


def build_units(mentions: list[UnitMention]):
    """One `Unit` per canonical name: other spellings as aliases, roles in the order first given."""
    from ..model import Unit

    units: dict[str, Unit] = {}
    for m in mentions:
        u = units.get(m.name)
        if u is None:
            u = units[m.name] = Unit(m.name, [], m.type, 0, 0.0)
        u.mentions += 1
        u.confidence = max(u.confidence, m.confidence)
        printed = " ".join(_name_only(m.raw).split()).strip(" .;,")
        # a qualified mention keeps its printed form, qualifier included, among the aliases:
        # "Phòng Giáo dục phổ thông (đối với các cơ sở giáo dục phổ thông)"
        qualified = " ".join(m.raw.split()).strip(" .;,") if m.note else ""
        for form in (printed, qualified, *m.aliases):
            if form and form != m.name and form not in u.aliases:
                u.aliases.append(form)
        if m.role and m.role not in u.roles:
            u.roles.append(m.role)
        u.provenance.append(m.provenance)
    # a unit only named, never given a role, is not a responsible unit of this plan
    return [u for u in units.values() if u.roles]


def make_units(nlp, name: str, use_model: bool, model_path: str):
    return UnitsComponent(use_model, model_path or None)


def _register_factory() -> None:
    from spacy.language import Language

    if not Language.has_factory("kehoach_units"):
        Language.factory("kehoach_units", default_config={"use_model": True, "model_path": ""},
                         func=make_units)


_register_factory()

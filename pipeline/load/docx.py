"""Word .docx: the body as lines of text, in the order a reader meets them.

Later stages see only text, so everything Word draws but does not store as
text has to be put back here: list numbers ("I.", "1.", "a)", "-") that the
section segmenter needs at the start of lines, footnote markers, and the
reading order of the layout tables that hold the header and signature block.

Output shape (`LoadedText.text`):
- one body paragraph per line ("\\n" between paragraphs; empty paragraphs stay
  as empty lines; a line break inside a paragraph (w:br) is a "\\n" too);
- a data table is one line per row, one cell per grid column joined by "\\t"
  (a merged cell's text once, then empty cells for the columns it spans; a
  cell covered by the one above is empty); a cell's own paragraphs are
  joined by " " so that a row never spans two lines;
- "\\t" means "next cell" and nothing else: tabs typed inside paragraphs only
  indent or align ("I.<tab>MỤC ĐÍCH", a leading tab), so a run of them becomes
  one space and leading/trailing ones are dropped; otherwise a body line
  would look like a table row to the table finder;
- a layout table (header, "Nơi nhận" / signature) is plain lines, left column
  first, then the right one (see `is_layout_table`);
- each footnote is a line "¹ text" after the paragraph or table that cites it,
  and the citing place holds the same superscript number.

`LoadedText.paragraphs` maps each line's offset to the 0-based index of its
body block: body-level w:p and w:tbl, counted in document order with content
controls (w:sdt) opened up; every row of a table maps to the table's index.
"""

from __future__ import annotations

import io
import itertools
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from lxml import etree

from ..limits import Limits, check_unpacked
from . import register
from .base import LoadedText, LoadError, OffsetMap
from ..encoding import UNICODE, convert_run, font_encoding, run_verdict
from ..numerals import to_roman
from ..textshape import TO_SUPERSCRIPT

MAIN_PART = "word/document.xml"
CONTENT_TYPES = "[Content_Types].xml"  # every Office Open XML package has it
WORD_FOLDER = "word/"
RELS_SUFFIX = ".rels"
# Parts without which no package can be opened: the body, the package's relationships, the content types.
REQUIRED_PARTS = (MAIN_PART, "_rels/.rels", CONTENT_TYPES)
# Parts that name the kind of a package that is not a Word document.
OTHER_PACKAGES = (
    ("xl/", "an Excel workbook (.xlsx)"),
    ("ppt/", "a PowerPoint presentation (.pptx)"),
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names inside an OLE2 container, stored as UTF-16LE in its directory.
ENCRYPTED_STREAM = "EncryptionInfo".encode("utf-16-le")
WORD97_STREAM = "WordDocument".encode("utf-16-le")

# A layout table is small: the header block and the signature block have 1-3
# grid columns (text | spacer | text) and at most a handful of rows.
MAX_LAYOUT_COLUMNS = 3
MAX_LAYOUT_ROWS = 6
# How paragraphs of the header or signature block begin (casefolded, NFC, one
# kind of dash); matched at the start so that a data table merely citing
# "... nước Cộng hòa xã hội chủ nghĩa Việt Nam" is not taken for a header.
LAYOUT_CUES = (
    "nơi nhận",
    "cộng hòa xã hội chủ nghĩa",
    "cộng hoà xã hội chủ nghĩa",  # old tone placement, still common
    "độc lập - tự do",
)
DASHES = str.maketrans("–—", "--")
# Border edges that separate columns; top/bottom rules are used as underlines
# in layout tables, so they do not make a table a grid.
VERTICAL_EDGES = ("insideV", "left", "right", "start", "end")
INVISIBLE_BORDERS = ("nil", "none")
INVISIBLE_COLORS = ("FFFFFF",)

BULLET_LABEL = "-"
TAB_RUN = re.compile(r"\t+")
MAX_STYLE_LINKS = 5  # numStyleLink / basedOn chains longer than this are broken files

W_P, W_TBL, W_TR, W_TC, W_T = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:t")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_VAL = qn("w:val")
W_TXBX = qn("w:txbxContent")
W_ALT_CHUNK = qn("w:altChunk")
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
M_T = "{http://schemas.openxmlformats.org/officeDocument/2006/math}t"  # text in equations
# Wrappers whose content belongs to the surrounding level (content controls,
# custom XML, tracked insertions and moves): read through them.
TRANSPARENT = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:ins"), qn("w:moveTo")}
# Subtrees with no visible running text: properties, deleted text, field
# instructions, the fallback copy of drawings, text boxes (read separately).
SKIPPED = {
    qn("w:pPr"), qn("w:rPr"), qn("w:sdtPr"), qn("w:sdtEndPr"), qn("w:del"), qn("w:moveFrom"),
    qn("w:instrText"), qn("w:delText"), W_TXBX, MC_FALLBACK,
}
LEAF_TEXT = {
    qn("w:tab"): "\t", qn("w:ptab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "-", qn("w:softHyphen"): "",
}
NOTE_REFERENCES = {qn("w:footnoteReference"), qn("w:endnoteReference")}


@register(".docx")
def load_docx(path: Path, limits: Limits | None = None) -> LoadedText:
    """Load a .docx body as text lines with list numbers and footnotes restored."""
    path = Path(path)
    document, repairs = _open_document(path, limits or Limits())
    styles = Styles(document.styles.element)
    reader = BodyReader(
        styles=styles,
        numbering=Numbering(_numbering_element(document), styles),
        notes=_read_notes(document),
        fonts=LegacyFonts(styles, document.styles.element, document.element.body),
    )
    body = document.element.body
    text, paragraphs = join_blocks(reader.read(body))
    return LoadedText(
        path=str(path), format="docx", text=text, paragraphs=paragraphs,
        warnings=repairs + reader.warnings(body),
    )


# ---------------------------------------------------------------- opening


def _open_document(path: Path, limits: Limits) -> tuple[docx.document.Document, list[str]]:
    """Open with python-docx, turning every failure into a one-line LoadError; with a warning
    when parts the document refers to are missing and it was opened without them."""
    with path.open("rb") as fh:
        head = fh.read(len(OLE2_MAGIC))
    if head == OLE2_MAGIC:
        raise LoadError(path, ole2_reason(path.read_bytes()))
    if not zipfile.is_zipfile(path):
        raise LoadError(path, "corrupt DOCX: not a ZIP archive")
    _check_package(path, limits)
    try:
        return docx.Document(str(path)), []
    except KeyError as exc:  # a part that a relationship names is not in the archive
        return _open_without_missing_parts(path, exc)
    except MemoryError:  # the memory limit, not a broken file
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx fails on broken packages with
        # whatever its parser trips over (KeyError, AttributeError, XMLSyntaxError, ...);
        # the reason is reported, not swallowed.
        raise LoadError(path, _open_failure(path, exc)) from exc


def _open_without_missing_parts(path: Path, error: KeyError) -> tuple[docx.document.Document, list[str]]:
    """python-docx refuses a package whose relationships name a missing part (an image, the
    thumbnail, settings: files cut by a careless generator), which Word repairs and LibreOffice
    skips. Drop those relationships and open again; the body itself cannot be missing."""
    with zipfile.ZipFile(path) as archive:
        missing = dangling_targets(archive)
        if not missing or MAIN_PART in missing:
            raise LoadError(path, _open_failure(path, error)) from error
        repaired = without_relationships_to(archive, missing)
    try:
        document = docx.Document(repaired)
    except Exception as exc:  # noqa: BLE001 - as in _open_document
        raise LoadError(path, _open_failure(path, exc)) from exc
    return document, [f"damaged DOCX: opened without {len(missing)} missing part(s) ({', '.join(sorted(missing))})"]


def _relationship_targets(archive: zipfile.ZipFile, rels_name: str) -> Iterator[tuple[etree._Element, str]]:
    """(Relationship element, the part it points to) for the internal relationships of one .rels part;
    "word/_rels/document.xml.rels" holds word/document.xml's, with targets relative to "word/"."""
    base = posixpath.dirname(posixpath.dirname(rels_name))
    root = etree.fromstring(archive.read(rels_name))
    for rel in root:
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External" or not target:
            continue
        target = unquote(target)
        yield rel, target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))


def dangling_targets(archive: zipfile.ZipFile) -> set[str]:
    """Parts that relationships name but the archive lacks."""
    names = set(archive.namelist())
    return {target for name in names if name.endswith(RELS_SUFFIX)
            for _, target in _relationship_targets(archive, name) if target not in names}


def without_relationships_to(archive: zipfile.ZipFile, missing: set[str]) -> io.BytesIO:
    """A copy of the package, in memory, whose .rels parts no longer name the `missing` parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename.endswith(RELS_SUFFIX):
                data = _drop_relationships(archive, info.filename, missing)
            copy.writestr(info.filename, data)
    out.seek(0)
    return out


def _drop_relationships(archive: zipfile.ZipFile, rels_name: str, missing: set[str]) -> bytes:
    pairs = list(_relationship_targets(archive, rels_name))
    if not pairs:
        return archive.read(rels_name)
    root = pairs[0][0].getparent()
    for rel, target in pairs:
        if target in missing:
            root.remove(rel)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _check_package(path: Path, limits: Limits) -> None:
    """Before anything is unpacked, from the ZIP directory alone: the parts' unpacked size is within
    the limit (python-docx unpacks every part into memory; a ZIP bomb would take it all), and the
    archive is a Word document, not another ZIP renamed .docx."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LoadError(path, f"corrupt DOCX: {' '.join(str(exc).split()) or type(exc).__name__}") from exc
    check_unpacked(path, sum(part.file_size for part in parts), limits)
    names = {part.filename for part in parts}
    if MAIN_PART in names:
        return
    kind = next((kind for marker, kind in OTHER_PACKAGES if any(n.startswith(marker) for n in names)), None)
    if kind:
        raise LoadError(path, f"not a Word document: {kind} named .docx")
    if CONTENT_TYPES not in names and not any(n.startswith(WORD_FOLDER) for n in names):
        raise LoadError(path, "not a Word document: a ZIP archive without Word parts")


def _open_failure(path: Path, exc: Exception) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        names = []
    for part in REQUIRED_PARTS:
        if part not in names:
            return f"corrupt DOCX: missing {part}"
    message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc  # KeyError's str() adds quotes
    detail = " ".join(str(message).split()) or type(exc).__name__
    return f"corrupt DOCX: {detail}"


def ole2_reason(data: bytes) -> str:
    """Why an OLE2 container is not a DOCX: Office encrypts DOCX into OLE2, and .doc is OLE2."""
    if ENCRYPTED_STREAM in data:
        return ("encrypted or legacy Office file: password-protected document; "
                "remove the password in Word and save again")
    if WORD97_STREAM in data:
        return "encrypted or legacy Office file: a Word 97-2003 document named .docx; rename it to .doc"
    return "encrypted or legacy Office file: an OLE2 (Office 97-2003) container, not a DOCX"


def _numbering_element(document: docx.document.Document) -> etree._Element:
    """numbering.xml's root, or an empty one: a document without lists has no such
    part, and python-docx cannot create it on demand."""
    try:
        return document.part.part_related_by(RT.NUMBERING).element
    except KeyError:
        return parse_xml(f'<w:numbering xmlns:w="{W_NS}"/>')


def _read_notes(document: docx.document.Document) -> dict[tuple[str, str], etree._Element]:
    """Footnote and endnote bodies by (kind, id); python-docx does not expose them."""
    notes: dict[tuple[str, str], etree._Element] = {}
    for kind, reltype in (("footnote", RT.FOOTNOTES), ("endnote", RT.ENDNOTES)):
        try:
            part = document.part.part_related_by(reltype)
        except KeyError:
            continue
        for note in parse_xml(part.blob).iterchildren(qn(f"w:{kind}")):
            if note.get(qn("w:type")) in (None, "normal"):
                notes[(kind, note.get(qn("w:id")))] = note
    return notes


# ---------------------------------------------------------------- small XML helpers


def _val(el: etree._Element | None, default: str | None = None) -> str | None:
    return default if el is None else el.get(W_VAL, default)


def _child_val(el: etree._Element | None, tag: str, default: str | None = None) -> str | None:
    return default if el is None else _val(el.find(qn(tag)), default)


def _is_on(el: etree._Element | None) -> bool:
    """A Word toggle property (<w:vanish/>, <w:isLgl w:val="0"/>)."""
    return el is not None and _val(el, "true") not in ("0", "false", "off")


def children(el: etree._Element, tags: set[str] | str) -> Iterator[etree._Element]:
    """Child elements with the given tags, reading through content controls."""
    tags = {tags} if isinstance(tags, str) else tags
    for child in el:
        if child.tag in tags:
            yield child
        elif child.tag in TRANSPARENT:
            yield from children(child, tags)


def _find(el: etree._Element | None, *path: str) -> etree._Element | None:
    """el/path[0]/path[1]/..., or None where a step is missing."""
    for tag in path:
        if el is None:
            return None
        el = el.find(qn(tag))
    return el


def _grid_int(el: etree._Element | None, tag: str) -> int:
    return int(_child_val(el, tag, "0") or 0)


# ---------------------------------------------------------------- styles


class Styles:
    """Look-ups in styles.xml: basedOn chains and default styles."""

    def __init__(self, styles_el: etree._Element):
        self._by_id = {s.get(qn("w:styleId")): s for s in styles_el.iterchildren(qn("w:style"))}
        self._defaults = {
            s.get(qn("w:type")): s.get(qn("w:styleId"))
            for s in self._by_id.values()
            if _is_on_attr(s.get(qn("w:default")))
        }

    def chain(self, style_id: str | None, kind: str) -> Iterator[etree._Element]:
        """The style and the styles it is based on; the default style when unset."""
        style_id = style_id or self._defaults.get(kind)
        seen: set[str] = set()
        while style_id and style_id in self._by_id and style_id not in seen and len(seen) < MAX_STYLE_LINKS:
            seen.add(style_id)
            style = self._by_id[style_id]
            yield style
            style_id = _child_val(style, "w:basedOn")

    def get(self, style_id: str) -> etree._Element | None:
        return self._by_id.get(style_id)


def _is_on_attr(value: str | None) -> bool:
    return value in ("1", "true", "on")


class LegacyFonts:
    """Text of runs in legacy Vietnamese fonts (.VnTime, .VnTimeH: TCVN3; VNI-Times: VNI) to Unicode.

    The run's font is the one Word draws its non-ASCII letters with (w:hAnsi,
    else w:ascii): the run's own, its character style's, its paragraph style's,
    the document default. The font says the table, and for TCVN3 the case
    (encoding.font_encoding); whether the document's runs in such fonts are
    mostly legacy text or mostly Unicode (an old template) says how sure a run
    must be. Counts the paragraphs it converted, per encoding.
    """

    def __init__(self, styles: Styles, styles_el: etree._Element, body: etree._Element):
        self._styles = styles
        self._default = _font_name(_find(styles_el, "w:docDefaults", "w:rPrDefault", "w:rPr"))
        self._by_styles: dict[tuple[str | None, str | None], str | None] = {}  # (rStyle, pStyle) -> font
        # runs (elements, not id(): lxml proxies come and go) -> their legacy font name
        self._run_fonts: dict[etree._Element, str] = {}
        self._converted: dict[str, set[etree._Element]] = {}
        self._font_names: dict[str, set[str]] = {}
        named = (_font_name(fonts.getparent()) for part in (styles_el, body) for fonts in part.iter(W_RFONTS))
        in_use = any(font_encoding(name) for name in named)  # most documents: no run to look at
        self._legacy_document = self._read_runs(body) if in_use else {}

    def text(self, t: etree._Element) -> str:
        text = t.text or ""
        name = self._run_fonts.get(t.getparent()) if text else None
        if name is None:
            return text
        font = font_encoding(name)
        converted = convert_run(text, font, self._legacy_document.get(font.encoding, False))
        if converted != text:
            paragraph = next(t.iterancestors(W_P), t)
            self._converted.setdefault(font.encoding, set()).add(paragraph)
            self._font_names.setdefault(font.encoding, set()).add(name)
        return converted

    def warnings(self) -> list[str]:
        return [f"legacy encoding: {len(paragraphs)} paragraph{'s' * (len(paragraphs) != 1)} converted from {encoding} "
                f"(fonts {', '.join(sorted(self._font_names[encoding]))})"
                for encoding, paragraphs in sorted(self._converted.items())]

    def _read_runs(self, body: etree._Element) -> dict[str, bool]:
        """Note the runs in legacy fonts; per encoding, tell whether those runs that tell are
        mostly legacy text or Unicode (a document made from an old template keeps .VnTime)."""
        told: dict[tuple[str, str], int] = {}
        for t in body.iter(W_T):
            run = t.getparent()
            name = self._font_of(run) if t.text and run.tag == W_R else None
            font = font_encoding(name)
            if font is None:
                continue
            self._run_fonts[run] = name
            verdict = run_verdict(t.text, font)
            if verdict is not None:
                told[(font.encoding, verdict)] = told.get((font.encoding, verdict), 0) + 1
        return {encoding: told.get((encoding, encoding), 0) > told.get((encoding, UNICODE), 0)
                for encoding, _ in told}

    def _font_of(self, run: etree._Element) -> str | None:
        rpr = run.find(W_RPR)
        own = _font_name(rpr)
        if own:
            return own
        paragraph = next(run.iterancestors(W_P), None)
        p_style = _child_val(_find(paragraph, "w:pPr"), "w:pStyle") if paragraph is not None else None
        key = (_child_val(rpr, "w:rStyle"), p_style)
        if key not in self._by_styles:
            chains = (self._styles.chain(key[0], "character"), self._styles.chain(p_style, "paragraph"))
            names = (_font_name(style.find(W_RPR)) for chain in chains for style in chain)
            self._by_styles[key] = next((n for n in names if n), None) or self._default
        return self._by_styles[key]


W_R, W_RPR, W_RFONTS, W_HANSI, W_ASCII = qn("w:r"), qn("w:rPr"), qn("w:rFonts"), qn("w:hAnsi"), qn("w:ascii")


def _font_name(rpr: etree._Element | None) -> str | None:
    fonts = None if rpr is None else rpr.find(W_RFONTS)
    return None if fonts is None else fonts.get(W_HANSI) or fonts.get(W_ASCII)


# ---------------------------------------------------------------- list numbering


@dataclass(frozen=True)
class Level:
    """One level of a Word list (w:lvl): how its number is drawn."""

    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    legal: bool = False  # isLgl: show every level's number as decimal
    restart: int | None = None  # lvlRestart: 1-based level after which it restarts; 0 = never

    @classmethod
    def parse(cls, lvl: etree._Element) -> "Level":
        return cls(
            fmt=_child_val(lvl, "w:numFmt", "decimal") or "decimal",
            text=_child_val(lvl, "w:lvlText", "") or "",
            start=int(_child_val(lvl, "w:start", "1") or 1),
            legal=_is_on(lvl.find(qn("w:isLgl"))),
            restart=_optional_int(_child_val(lvl, "w:lvlRestart")),
        )

    def restarts_after(self, ilvl: int) -> bool:
        """Whether using level `ilvl` (0-based, above this one) resets this counter."""
        return self.restart is None or ilvl < self.restart


def _optional_int(value: str | None) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True)
class ListDefinition:
    """A w:num instance: the abstract list it draws from, with its overrides applied."""

    key: str  # abstractNumId: Word keeps one set of counters per abstract list
    levels: dict[int, Level]
    restarted: frozenset[int] = field(default_factory=frozenset)  # levels with a startOverride


def read_list_definitions(numbering_el: etree._Element, styles: Styles) -> dict[str, ListDefinition]:
    """numId -> ListDefinition, from numbering.xml."""
    abstracts = {a.get(qn("w:abstractNumId")): a for a in numbering_el.iterchildren(qn("w:abstractNum"))}
    nums = {n.get(qn("w:numId")): n for n in numbering_el.iterchildren(qn("w:num"))}
    definitions = {}
    for num_id, num in nums.items():
        abstract_id = _resolve_style_link(_child_val(num, "w:abstractNumId"), abstracts, nums, styles)
        if abstract_id not in abstracts:
            continue
        lvls = abstracts[abstract_id].iterchildren(qn("w:lvl"))
        levels = {int(lvl.get(qn("w:ilvl"))): Level.parse(lvl) for lvl in lvls}
        definitions[num_id] = _apply_overrides(ListDefinition(abstract_id, levels), num)
    return definitions


def _resolve_style_link(abstract_id, abstracts, nums, styles: Styles) -> str | None:
    """Follow numStyleLink: a list defined by a numbering style lives in another abstractNum."""
    for _ in range(MAX_STYLE_LINKS):
        abstract = abstracts.get(abstract_id)
        link = _child_val(abstract, "w:numStyleLink")
        style = styles.get(link) if link else None
        if style is None:
            return abstract_id
        num_id = _child_val(_find(style, "w:pPr", "w:numPr"), "w:numId")
        abstract_id = _child_val(nums.get(num_id), "w:abstractNumId")
    return abstract_id


def _apply_overrides(definition: ListDefinition, num: etree._Element) -> ListDefinition:
    levels = dict(definition.levels)
    restarted = set()
    for override in num.iterchildren(qn("w:lvlOverride")):
        ilvl = int(override.get(qn("w:ilvl")))
        lvl = override.find(qn("w:lvl"))
        if lvl is not None:
            levels[ilvl] = Level.parse(lvl)
        start = _child_val(override, "w:startOverride")
        if start is not None:
            levels[ilvl] = replace(levels.get(ilvl, Level()), start=int(start))
            restarted.add(ilvl)
    return replace(definition, levels=levels, restarted=frozenset(restarted))


class Numbering:
    """Word list counters, advanced paragraph by paragraph in document order.

    Counters belong to the abstract list, so two w:num instances of one list
    continue each other; a w:num with a startOverride restarts those levels the
    first time it is used (Word's "Restart at 1"). Using a level resets the
    levels below it unless their lvlRestart says otherwise.
    """

    def __init__(self, numbering_el: etree._Element, styles: Styles):
        self._styles = styles
        self._lists = read_list_definitions(numbering_el, styles)
        self._counters: dict[str, dict[int, int]] = {}
        self._used: set[str] = set()
        self.unknown_formats: set[str] = set()

    def label(self, p: etree._Element) -> str:
        """The number Word draws before paragraph `p` ("II.", "1.2.", "a)", "-"), or ""."""
        reference = self._reference(p)
        if reference is None:
            return ""
        num_id, ilvl = reference
        definition = self._lists.get(num_id)
        if definition is None or ilvl not in definition.levels:
            return ""
        counters = self._advance(definition, num_id, ilvl)
        return self._render(definition.levels, ilvl, counters)

    def _reference(self, p: etree._Element) -> tuple[str, int] | None:
        """(numId, ilvl) from the paragraph's own w:numPr, else from its style chain."""
        ppr = p.find(qn("w:pPr"))
        style_id = _child_val(ppr, "w:pStyle")
        sources = [ppr] + [s.find(qn("w:pPr")) for s in self._styles.chain(style_id, "paragraph")]
        num_id = ilvl = None
        for source in sources:
            num_pr = _find(source, "w:numPr")
            ilvl = ilvl if ilvl is not None else _child_val(num_pr, "w:ilvl")
            num_id = _child_val(num_pr, "w:numId")
            if num_id is not None:
                break
        if num_id in (None, "0"):  # numId 0 switches off a style's numbering
            return None
        return num_id, int(ilvl or 0)

    def _advance(self, definition: ListDefinition, num_id: str, ilvl: int) -> dict[int, int]:
        counters = self._counters.setdefault(definition.key, {})
        if num_id not in self._used:
            self._used.add(num_id)
            for level in definition.restarted:
                counters.pop(level, None)
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else definition.levels[ilvl].start
        for deeper in [k for k in counters if k > ilvl]:
            if definition.levels.get(deeper, Level()).restarts_after(ilvl):
                del counters[deeper]
        return counters

    def _render(self, levels: dict[int, Level], ilvl: int, counters: dict[int, int]) -> str:
        level = levels[ilvl]
        if level.fmt == "bullet":
            return BULLET_LABEL

        def number(match: re.Match) -> str:
            k = int(match.group(1)) - 1
            source = levels.get(k, Level())
            value = counters.get(k, source.start)
            return self._format(value, "decimal" if level.legal else source.fmt)

        return re.sub(r"%([1-9])", number, level.text).strip()

    def _format(self, value: int, fmt: str) -> str:
        if fmt == "none":
            return ""
        if fmt in NUMBER_FORMATS:
            return NUMBER_FORMATS[fmt](value)
        self.unknown_formats.add(fmt)
        return str(value)


def to_letters(value: int) -> str:
    """Word's letter numbering: a..z, then aa, bb, ... (the letter repeats)."""
    if value < 1:
        return str(value)
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)


NUMBER_FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "upperRoman": to_roman,
    "lowerRoman": lambda n: to_roman(n).lower(),
    "upperLetter": lambda n: to_letters(n).upper(),
    "lowerLetter": to_letters,
}


# ---------------------------------------------------------------- tables


def table_rows(tbl: etree._Element) -> list[etree._Element]:
    return list(children(tbl, W_TR))


def row_cells(tr: etree._Element) -> list[etree._Element]:
    return list(children(tr, W_TC))


def grid_width(tbl: etree._Element) -> int:
    grid = tbl.find(qn("w:tblGrid"))
    columns = 0 if grid is None else len(grid.findall(qn("w:gridCol")))
    return columns or max((len(row_cells(tr)) for tr in table_rows(tbl)), default=0)


def cell_span(tc: etree._Element) -> int:
    return int(_child_val(tc.find(qn("w:tcPr")), "w:gridSpan", "1") or 1)


def is_merge_continuation(tc: etree._Element) -> bool:
    """A cell covered by the one above (w:vMerge without "restart")."""
    tc_pr = tc.find(qn("w:tcPr"))
    merge = None if tc_pr is None else tc_pr.find(qn("w:vMerge"))
    return merge is not None and _val(merge, "continue") == "continue"


def is_layout_table(tbl: etree._Element, styles: Styles) -> bool:
    """Whether a table only places text side by side (header, signature block).

    Vietnamese administrative documents put the issuing body next to the
    national motto, and "Nơi nhận" next to the signature, in borderless tables.
    A table counts as layout when it is small (at most MAX_LAYOUT_COLUMNS grid
    columns and MAX_LAYOUT_ROWS rows) and either draws no vertical rules
    (column lines from the table, its style chain or any cell) or contains a
    paragraph that begins like those blocks do (LAYOUT_CUES). Horizontal rules do not count:
    the short line under the issuing body is often a cell's bottom border.
    """
    if grid_width(tbl) > MAX_LAYOUT_COLUMNS or len(table_rows(tbl)) > MAX_LAYOUT_ROWS:
        return False
    return not has_vertical_rules(tbl, styles) or _has_layout_cue(tbl)


def has_vertical_rules(tbl: etree._Element, styles: Styles) -> bool:
    borders = table_borders(tbl, styles)
    if any(_visible(borders.get(edge)) for edge in VERTICAL_EDGES):
        return True
    for cell_borders in tbl.iter(qn("w:tcBorders")):
        if any(_visible(cell_borders.find(qn(f"w:{edge}"))) for edge in VERTICAL_EDGES):
            return True
    return False


def table_borders(tbl: etree._Element, styles: Styles) -> dict[str, etree._Element]:
    """Effective table borders per edge: direct formatting over the style chain."""
    tbl_pr = tbl.find(qn("w:tblPr"))
    style_id = _child_val(tbl_pr, "w:tblStyle")
    sources = [tbl_pr] + [s.find(qn("w:tblPr")) for s in styles.chain(style_id, "table")]
    borders: dict[str, etree._Element] = {}
    for edges in (_find(source, "w:tblBorders") for source in sources):
        for edge in [] if edges is None else edges.iterchildren(tag=etree.Element):
            borders.setdefault(etree.QName(edge).localname, edge)
    return borders


def _visible(border: etree._Element | None) -> bool:
    if border is None or _val(border, "none") in INVISIBLE_BORDERS:
        return False
    return (border.get(qn("w:color")) or "auto").upper() not in INVISIBLE_COLORS


def _has_layout_cue(tbl: etree._Element) -> bool:
    for p in tbl.iter(W_P):
        text = unicodedata.normalize("NFC", "".join(t.text or "" for t in p.iter(W_T)))
        text = " ".join(text.translate(DASHES).casefold().split())
        if text.startswith(LAYOUT_CUES):
            return True
    return False


# ---------------------------------------------------------------- the body


class BodyReader:
    """Turns body blocks into text lines; owns the state that runs through a document.

    List counters and the footnote sequence advance in document order, across
    paragraphs and table cells alike, which is why one object reads the whole body.
    """

    def __init__(self, styles: Styles, numbering: Numbering, notes: dict[tuple[str, str], etree._Element],
                 fonts: LegacyFonts | None = None):
        self._styles = styles
        self._numbering = numbering
        self._notes = notes
        self._fonts = fonts
        self._note_count = 0
        self._pending_notes: list[str] = []

    def read(self, body: etree._Element) -> list[tuple[int, list[str]]]:
        """(block index, lines) for each body-level paragraph and table."""
        blocks = []
        for index, block in enumerate(children(body, {W_P, W_TBL})):
            lines = self._block_lines(block)
            lines.extend(self._pending_notes)
            self._pending_notes = []
            blocks.append((index, lines))
        return blocks

    def warnings(self, body: etree._Element) -> list[str]:
        formats = sorted(self._numbering.unknown_formats)
        warnings = [f"unknown list number format '{fmt}' shown as decimal" for fmt in formats]
        chunks = sum(1 for _ in body.iter(W_ALT_CHUNK))
        if chunks:
            # imported HTML/RTF/DOCX pieces stay in their own parts; Word merges them on open
            warnings.append(
                f"{chunks} embedded document chunk(s) (w:altChunk) not read; open and re-save the file in Word"
            )
        return warnings + (self._fonts.warnings() if self._fonts is not None else [])

    def _block_lines(self, block: etree._Element) -> list[str]:
        if block.tag == W_P:
            return self.paragraph_lines(block)
        if is_layout_table(block, self._styles):
            return self.layout_lines(block)
        return [self.row_line(tr) for tr in table_rows(block)]

    # paragraphs

    def paragraph_lines(self, p: etree._Element) -> list[str]:
        """The paragraph with its list number, then the text of any text boxes it anchors."""
        label = self._numbering.label(p)
        text = untab(self.inline_text(p))
        first = f"{label} {text}" if label else text
        return [first] + [line for box in _text_boxes(p) for line in self._box_lines(box)]

    def _box_lines(self, box: etree._Element) -> list[str]:
        lines = []
        for block in children(box, {W_P, W_TBL}):
            lines.extend(self._block_lines(block))
        return lines

    def inline_text(self, el: etree._Element) -> str:
        return "".join(self._pieces(el))

    def _pieces(self, el: etree._Element) -> Iterator[str]:
        """Visible characters of a paragraph, in order, skipping hidden and deleted text."""
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIPPED:
                continue
            if tag == W_T and self._fonts is not None:
                yield self._fonts.text(child)
            elif tag in (W_T, M_T):
                yield child.text or ""
            elif tag in LEAF_TEXT:
                yield LEAF_TEXT[tag]
            elif tag == qn("w:sym"):
                yield chr(int(child.get(qn("w:char"), "20"), 16))
            elif tag in NOTE_REFERENCES:
                yield self._note_marker(child)
            elif tag == qn("w:r") and _is_hidden(child):
                continue
            else:
                yield from self._pieces(child)

    def _note_marker(self, reference: etree._Element) -> str:
        """Number the note as Word does (order of citation) and queue its line."""
        kind = "footnote" if reference.tag == qn("w:footnoteReference") else "endnote"
        note = self._notes.get((kind, reference.get(qn("w:id"))))
        if note is None:
            return ""
        self._note_count += 1
        marker = str(self._note_count).translate(TO_SUPERSCRIPT)
        body = " ".join(" ".join(self.inline_text(p).split()) for p in note.iter(W_P))
        self._pending_notes.append(f"{marker} {body.strip()}")
        return marker

    # tables

    def layout_lines(self, tbl: etree._Element) -> list[str]:
        """A layout table read column by column (by grid column), each cell's lines in order."""
        columns: dict[int, list[str]] = {}
        for tr in table_rows(tbl):
            column = _grid_int(tr.find(qn("w:trPr")), "w:gridBefore")
            for tc in row_cells(tr):
                columns.setdefault(column, []).extend(self._layout_cell_lines(tc))
                column += cell_span(tc)
        return [line for column in sorted(columns) for line in columns[column]]

    def _layout_cell_lines(self, tc: etree._Element) -> list[str]:
        """Non-empty lines; spaces and tabs there only position text, so they are trimmed."""
        lines = []
        for block in children(tc, {W_P, W_TBL}):
            for line in self._block_lines(block):
                lines.extend(part.strip() for part in line.split("\n"))
        return [line for line in lines if line]

    def row_line(self, tr: etree._Element) -> str:
        """One cell per grid column, so that every row of a table has as many cells.

        A merged cell's text appears once, in its first grid column; the columns
        it spans are empty. Without them a full-width group row ("II. Lĩnh vực
        ...") would have no tab at all and look like a paragraph.
        """
        tr_pr = tr.find(qn("w:trPr"))
        cells = [""] * _grid_int(tr_pr, "w:gridBefore")
        for tc in row_cells(tr):
            cells += [self.cell_text(tc)] + [""] * (cell_span(tc) - 1)
        cells += [""] * _grid_int(tr_pr, "w:gridAfter")
        return "\t".join(cells)

    def cell_text(self, tc: etree._Element) -> str:
        """A cell on one line: its paragraphs (and nested tables) joined by spaces."""
        if is_merge_continuation(tc):
            return ""
        parts = []
        for block in children(tc, {W_P, W_TBL}):
            lines = self.paragraph_lines(block) if block.tag == W_P else [self.row_line(tr) for tr in table_rows(block)]
            parts.extend(line.replace("\n", " ").strip() for line in lines)
        return " ".join(part for part in parts if part)


def untab(text: str) -> str:
    """Tabs typed in a paragraph are spacing, not cell boundaries (see module doc)."""
    return TAB_RUN.sub(" ", text.strip("\t"))


def _is_hidden(run: etree._Element) -> bool:
    rpr = run.find(qn("w:rPr"))
    return rpr is not None and _is_on(rpr.find(qn("w:vanish")))


def _text_boxes(p: etree._Element) -> list[etree._Element]:
    """Text boxes anchored in a paragraph, once each: not the VML fallback copy,
    not boxes nested in another box (those are read with their own box)."""
    boxes = []
    for box in p.iter(W_TXBX):
        between = itertools.takewhile(lambda a: a is not p, box.iterancestors())
        if not any(a.tag in (MC_FALLBACK, W_TXBX) for a in between):
            boxes.append(box)
    return boxes


def join_blocks(blocks: list[tuple[int, list[str]]]) -> tuple[str, OffsetMap]:
    """One text, "\\n" between lines, and a breakpoint wherever the block index changes."""
    parts: list[str] = []
    pairs: list[tuple[int, int]] = []
    offset = 0
    for index, lines in blocks:
        for line in lines:
            if not pairs or pairs[-1][1] != index:
                pairs.append((offset, index))
            parts.append(line)
            offset += len(line) + 1
    return "\n".join(parts), OffsetMap.from_pairs(pairs)

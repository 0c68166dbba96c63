"""What every PDF the program writes has in common: embedded fonts, tags, and PDF/A-2b metadata.

* **Fonts.** The PDF base-14 fonts (Helvetica, Courier) are not embedded, so how a form prints
  depends on the reader's machine, and archival formats forbid them. Every PDF here uses DejaVu
  Sans, DejaVu Sans Bold and DejaVu Sans Mono (``fonts-dejavu-core``, which ``scripts/setup``
  installs), registered with reportlab as TrueType fonts, which embeds the glyphs it uses.
  Where DejaVu is not installed, reportlab's own Bitstream Vera (DejaVu's parent) is used: the
  fonts are embedded either way.
* **Tags.** :class:`TaggedCanvas` records a structure tree while platypus draws (headings,
  paragraphs, tables with header and data cells, page furniture as artifacts) and writes it as
  the document's ``StructTreeRoot`` with marked content, ``MarkInfo``, the language and the
  title, so a screen reader reads the form in order, not as loose glyphs.
* **PDF/A-2b** (``pdfa=True``, for what goes into evidence): XMP metadata that repeats the
  document information (with ``pdfaid:part 2``, ``conformance B``), an sRGB output intent, and
  the creation time fixed to the time of the export, so the form is reproducible.

Pages are held until the end (``showPage`` stores them) so that each can say "Page x of y";
subclasses draw that in :meth:`TaggedCanvas.decorate`, which is marked as a page artifact.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable

FONT, BOLD, MONO = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"
_FILES = {FONT: ("DejaVuSans.ttf", "Vera.ttf"), BOLD: ("DejaVuSans-Bold.ttf", "VeraBd.ttf"),
          MONO: ("DejaVuSansMono.ttf", "Vera.ttf")}
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
             "/usr/share/fonts/dejavu-sans-fonts", "/usr/share/fonts/dejavu-sans-mono-fonts",
             "/usr/share/fonts/TTF", "/usr/local/share/fonts", "~/.local/share/fonts",
             "~/Library/Fonts", "/Library/Fonts", r"C:\Windows\Fonts")
LANG = "en-US"
CREATOR = "ALPR Investigator Workstation"
_registered: dict[str, Path] = {}


def font_path(name: str) -> Path:
    """The TrueType file for one of our font names: DejaVu where installed, else Vera."""
    dejavu, vera = _FILES[name]
    dirs = [os.environ.get("ALPR_FONT_DIR", "")] + list(FONT_DIRS)
    for d in dirs:
        if d and (p := Path(d).expanduser() / dejavu).is_file():
            return p
    import reportlab
    return Path(reportlab.__file__).parent / "fonts" / vera


def register_fonts() -> dict[str, Path]:
    """Register the three fonts (once per process); returns name -> file."""
    if not _registered:
        from reportlab import rl_config
        rl_config.useA85 = 0             # binary (Flate) page streams: ASCII85 in Python is slow
        for name in (FONT, BOLD, MONO):
            path = font_path(name)
            pdfmetrics.registerFont(TTFont(name, str(path)))
            _registered[name] = path
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    return dict(_registered)


# -- the structure tree ----------------------------------------------------------------------------
@dataclass(eq=False)
class Element:
    """One structure element: a container (``kids``) or a leaf with marked content (``marks``)."""

    tag: str
    parent: Element | None = None
    kids: list[Element] = field(default_factory=list)
    marks: list[tuple[int, int]] = field(default_factory=list)     # (page index, MCID)
    name: str = ""


class TaggedCanvas(rl_canvas.Canvas):
    """A canvas that records what it draws as a structure tree and holds pages for "x of y"."""

    def __init__(self, *args, pdfa: bool = False, title: str = "", author: str = "",
                 subject: str = "", keywords: str = "", created: float | None = None, **kwargs) -> None:
        register_fonts()
        kwargs["initialFontName"] = FONT
        kwargs.setdefault("lang", LANG)
        super().__init__(*args, **kwargs)
        self.root = Element("Document")
        self._parents: list[Element] = [self.root]
        self._page_index = 0
        self._mcids: list[int] = [0]
        self._held: list[dict] = []
        self._page_refs: list = []
        self._pdfa = pdfa
        self._meta = dict(title=title, author=author, subject=subject, keywords=keywords)
        self._created = created
        self.setTitle(title)
        self.setAuthor(author)
        self.setSubject(subject)
        self.setKeywords(keywords)
        self.setCreator(CREATOR)

    # -- recording ---------------------------------------------------------------------------
    def element(self, tag: str, parent: Element | None = None) -> Element:
        parent = parent or self._parents[-1]
        e = Element(tag, parent)
        parent.kids.append(e)
        return e

    def push(self, e: Element) -> None:
        self._parents.append(e)

    def pop(self) -> None:
        self._parents.pop()

    def begin(self, e: Element, code: list | None = None) -> None:
        """Start marked content belonging to ``e`` (into ``code``: a text object's, or the page's)."""
        mcid = self._mcids[self._page_index]
        self._mcids[self._page_index] = mcid + 1
        e.marks.append((self._page_index, mcid))
        (self._code if code is None else code).append(f"/{e.tag} <</MCID {mcid}>> BDC")

    def end(self, code: list | None = None) -> None:
        (self._code if code is None else code).append("EMC")

    def begin_artifact(self, kind: str = "Layout") -> None:
        self._code.append(f"/Artifact <</Type /{kind}>> BDC")

    # -- pages -------------------------------------------------------------------------------
    def showPage(self) -> None:                 # noqa: N802 (reportlab's name)
        self._held.append(dict(self.__dict__))
        self._startPage()
        self._page_index += 1
        self._mcids.append(0)

    def decorate(self, page: int, total: int) -> None:
        """Running header and footer of one page (drawn last, as a pagination artifact)."""

    def _setAnnotations(self, page) -> None:    # noqa: N802 - reportlab's hook, once per page written
        super()._setAnnotations(page)
        page.StructParents = len(self._page_refs)
        page.Tabs = pdfdoc.PDFName("S")
        page.__NoDefault__ = list(pdfdoc.PDFPage.__NoDefault__) + ["StructParents", "Tabs"]
        self._page_refs.append(self._doc.thisPageRef())

    def save(self) -> None:
        total = len(self._held)
        for n, state in enumerate(self._held, 1):
            self.__dict__.update(state)
            self.saveState()
            self.begin_artifact("Pagination")
            self.decorate(n, total)
            self.end()
            self.restoreState()
            rl_canvas.Canvas.showPage(self)
        self._write_structure()
        if self._pdfa:
            self._write_pdfa()
        super().save()

    def _write_structure(self) -> None:
        doc, catalog = self._doc, self._doc.Catalog
        order: list[Element] = []

        def walk(e: Element) -> None:
            e.name = f"StructElem{len(order)}"
            order.append(e)
            for k in e.kids:
                walk(k)
        walk(self.root)
        by_page: dict[int, dict[int, Element]] = {}
        for e in order:
            ref = pdfdoc.PDFObjectReference
            d = {"Type": pdfdoc.PDFName("StructElem"), "S": pdfdoc.PDFName(e.tag),
                 "P": ref(e.parent.name if e.parent else "StructTreeRoot")}
            if e.marks:
                for page, mcid in e.marks:
                    by_page.setdefault(page, {})[mcid] = e
                pages = {p for p, _ in e.marks}
                if len(pages) == 1:
                    d["Pg"] = self._page_refs[e.marks[0][0]]
                    mcids = [m for _, m in e.marks]
                    d["K"] = mcids[0] if len(mcids) == 1 else pdfdoc.PDFArray(mcids)
                else:
                    d["K"] = pdfdoc.PDFArray([pdfdoc.PDFDictionary(
                        {"Type": pdfdoc.PDFName("MCR"), "Pg": self._page_refs[p], "MCID": m})
                        for p, m in e.marks])
            elif e.kids:
                d["K"] = pdfdoc.PDFArray([ref(k.name) for k in e.kids])
            doc.Reference(pdfdoc.PDFDictionary(d), e.name)
        refs = {e.name: pdfdoc.PDFObjectReference(e.name) for e in order if e.marks}
        nums: list = []
        for page in range(len(self._page_refs)):
            marks = by_page.get(page, {})
            nums += [page, pdfdoc.PDFArray([refs[marks[m].name] for m in sorted(marks)])]
        parent_tree = doc.Reference(pdfdoc.PDFDictionary({"Nums": pdfdoc.PDFArray(nums)}),
                                    "StructParentTree")
        doc.Reference(pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("StructTreeRoot"), "K": pdfdoc.PDFObjectReference(self.root.name),
            "ParentTree": parent_tree, "ParentTreeNextKey": len(self._page_refs)}), "StructTreeRoot")
        catalog.StructTreeRoot = pdfdoc.PDFObjectReference("StructTreeRoot")
        catalog.MarkInfo = pdfdoc.PDFDictionary({"Marked": pdfdoc.PDFtrue})
        self.setViewerPreference("DisplayDocTitle", "true")

    # -- PDF/A-2b ----------------------------------------------------------------------------
    def _write_pdfa(self) -> None:
        doc, catalog = self._doc, self._doc.Catalog
        created = datetime.fromtimestamp(self._created if self._created is not None else
                                         doc._timeStamp.t, timezone.utc).replace(microsecond=0)
        stamp = created.strftime("D:%Y%m%d%H%M%S+00'00'")
        doc.info._dateFormatter = lambda *_ymdhms: stamp       # Info and XMP say the same time
        xmp = pdfdoc.PDFStream(content=_xmp(self._meta, doc.info.producer, doc.info.creator,
                                            created).encode("utf-8"))
        xmp.dictionary["Type"] = pdfdoc.PDFName("Metadata")
        xmp.dictionary["Subtype"] = pdfdoc.PDFName("XML")
        catalog.Metadata = doc.Reference(xmp, "XMPMetadata")
        icc = pdfdoc.PDFStream(content=srgb_profile())
        icc.dictionary["N"] = 3
        icc.filters = [pdfdoc.PDFZCompress]
        catalog.OutputIntents = pdfdoc.PDFArray([pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("OutputIntent"), "S": pdfdoc.PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": pdfdoc.PDFString("sRGB IEC61966-2.1"),
            "Info": pdfdoc.PDFString("sRGB IEC61966-2.1"),
            "DestOutputProfile": doc.Reference(icc, "sRGBProfile")})])
        catalog.__NoDefault__ = list(pdfdoc.PDFCatalog.__NoDefault__) + ["OutputIntents"]


_ICC: list[bytes] = []


def srgb_profile() -> bytes:
    """An sRGB ICC profile (little CMS, via Pillow), declared version 4.2 with a fixed date."""
    if not _ICC:
        from PIL import ImageCms
        data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
        data[8:12] = bytes((4, 0x20, 0, 0))                     # ICC.1:2004-10, as PDF 1.7 cites
        data[24:36] = bytes((0x07, 0xE8, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0))   # 2024-01-01 00:00:00
        _ICC.append(bytes(data))
    return _ICC[0]


def _xmp(meta: dict, producer: str, creator: str, created: datetime) -> str:
    when = created.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    def alt(text: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(text)}</rdf:li></rdf:Alt>'
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/">\n'
        '   <pdfaid:part>2</pdfaid:part>\n   <pdfaid:conformance>B</pdfaid:conformance>\n'
        '   <dc:format>application/pdf</dc:format>\n'
        f'   <dc:title>{alt(meta["title"])}</dc:title>\n'
        f'   <dc:creator><rdf:Seq><rdf:li>{escape(meta["author"])}</rdf:li></rdf:Seq></dc:creator>\n'
        f'   <dc:description>{alt(meta["subject"])}</dc:description>\n'
        f'   <pdf:Keywords>{escape(meta["keywords"])}</pdf:Keywords>\n'
        f'   <pdf:Producer>{escape(producer)}</pdf:Producer>\n'
        f'   <xmp:CreatorTool>{escape(creator)}</xmp:CreatorTool>\n'
        f'   <xmp:CreateDate>{when}</xmp:CreateDate>\n   <xmp:ModifyDate>{when}</xmp:ModifyDate>\n'
        f'   <xmp:MetadataDate>{when}</xmp:MetadataDate>\n'
        '  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n' + " " * 200 + '\n<?xpacket end="w"?>')


# -- tagging flowables ---------------------------------------------------------------------------
class Tag(Flowable):
    """Draws ``inner`` as one structure element (H1, H2, P, ...); the parts of a flowable split
    across pages stay one element. A ``Table`` is a container: its rows and cells are tagged by
    :func:`table_tagger`, passed to the Table as ``renderCB``."""

    def __init__(self, tag: str, inner: Flowable, element: list | None = None) -> None:
        super().__init__()
        self.tag, self.inner = tag, inner
        self._element = element if element is not None else []       # shared by split parts

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width, self.height = self.inner.wrap(aw, ah)
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        return [Tag(self.tag, p, self._element) for p in self.inner.split(aw, ah)]

    def getSpaceBefore(self) -> float:          # noqa: N802
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self) -> float:           # noqa: N802
        return self.inner.getSpaceAfter()

    def drawOn(self, canvas, x, y, _sW=0) -> None:       # noqa: N802
        if not isinstance(canvas, TaggedCanvas):
            self.inner.drawOn(canvas, x, y, _sW)
            return
        if not self._element:
            self._element.append(canvas.element(self.tag))
        e = self._element[0]
        if self.tag == "Table":
            canvas.push(e)
            try:
                self.inner.drawOn(canvas, x, y, _sW)
            finally:
                canvas.pop()
            return
        canvas.begin(e)
        self.inner.drawOn(canvas, x, y, _sW)
        canvas.end()


def table_tagger(header_rows: int = 0, header_cols: int = 0):
    """A Table ``renderCB``: rows as TR, cells as TH (the first ``header_rows`` rows and
    ``header_cols`` columns) or TD; background and rules as artifacts."""
    def callback(table, event: str, *args) -> None:
        c = table.canv
        if not isinstance(c, TaggedCanvas):
            return
        if event in ("startBG", "startLines"):
            c.begin_artifact()
        elif event in ("endBG", "endLines"):
            c.end()
        elif event == "startRow":
            c.push(c.element("TR"))
        elif event == "endRow":
            c.pop()
        elif event == "startCell":
            row, col = args[0], args[1]
            c.begin(c.element("TH" if row < header_rows or col < header_cols else "TD"))
        elif event == "endCell":
            c.end()
    return callback


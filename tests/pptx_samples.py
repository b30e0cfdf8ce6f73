"""PowerPoint decks (.pptx) for the tests, written part by part: slides of a title, text boxes and a table, in an
order that differs from the slides' file numbers (as after moving slides in PowerPoint)."""
from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def shape(paragraphs: list[str], placeholder: str | None = None) -> str:
    """A text shape (``p:sp``); ``placeholder``: its type (``title``, ``sldNum``, ``body`` ...) or None (a text box)."""
    ph = "" if placeholder is None else f'<p:ph type="{placeholder}"/>'
    body = "".join(f"<a:p><a:r><a:t>{escape(t)}</a:t></a:r></a:p>" if t else "<a:p/>" for t in paragraphs)
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="2" name="s"/><p:cNvSpPr/><p:nvPr>{ph}</p:nvPr></p:nvSpPr><p:spPr/>'
            f"<p:txBody><a:bodyPr/>{body}</p:txBody></p:sp>")


def table(rows: list[list[str]]) -> str:
    cells = "".join("<a:tr>" + "".join(f"<a:tc><a:txBody><a:p><a:r><a:t>{escape(c)}</a:t></a:r></a:p></a:txBody></a:tc>"
                                       for c in row) + "</a:tr>" for row in rows)
    return ('<p:graphicFrame><a:graphic><a:graphicData><a:tbl>' + cells + "</a:tbl></a:graphicData></a:graphic>"
            "</p:graphicFrame>")


def smartart() -> str:
    """A SmartArt graphic's frame: its words live in a diagram part of their own."""
    return ('<p:graphicFrame><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/diagram"/>'
            "</a:graphic></p:graphicFrame>")


def pptx(path: Path, slides: list[str], order: list[int] | None = None, raw: dict[int, bytes] | None = None,
         notes: list[str] = ()) -> Path:
    """A deck of ``slides`` (the shapes of each, as XML), stored as slide1.xml ... and shown in ``order`` (indexes
    into ``slides``; default as given); ``raw`` replaces a slide part's bytes; ``notes``: speaker notes parts (the
    notes text of each, "" for an empty one)."""
    order = order if order is not None else list(range(len(slides)))
    raw = raw or {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types '
                    'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        ids = "".join(f'<p:sldId id="{256 + k}" r:id="rId{i + 1}"/>' for k, i in enumerate(order))
        zf.writestr("ppt/presentation.xml", f'<?xml version="1.0"?><p:presentation {P} {R}><p:sldIdLst>{ids}'
                    "</p:sldIdLst></p:presentation>")
        rels = "".join(f'<Relationship Id="rId{i + 1}" Type="slide" Target="slides/slide{i + 1}.xml"/>'
                       for i in range(len(slides)))
        zf.writestr("ppt/_rels/presentation.xml.rels", '<?xml version="1.0"?><Relationships '
                    f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        for i, shapes in enumerate(slides):
            xml = (f'<?xml version="1.0"?><p:sld {P} {A} {R}><p:cSld><p:spTree>{shapes}</p:spTree></p:cSld></p:sld>')
            zf.writestr(f"ppt/slides/slide{i + 1}.xml", raw.get(i, xml.encode("utf-8")))
        for i, text in enumerate(notes):
            body = shape([text], "body") + shape(["3"], "sldNum")
            zf.writestr(f"ppt/notesSlides/notesSlide{i + 1}.xml",
                        f'<?xml version="1.0"?><p:notes {P} {A}><p:cSld><p:spTree>{body}</p:spTree></p:cSld></p:notes>')
    return path

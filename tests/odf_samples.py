"""OpenDocument text (.odt) packages for the tests: a minimal writer and a short report that uses headings,
lists, a caption, a speaker, a footnote, a comment and a tracked deletion."""
from __future__ import annotations

import zipfile
from pathlib import Path

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')


def odt(path: Path, body: str, content: str | None = None) -> Path:
    """A minimal OpenDocument text package with ``body`` as its office:text (or ``content`` as content.xml)."""
    xml = content if content is not None else (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS} office:version="1.3">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
        zf.writestr("content.xml", xml.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    return path


REPORT = (
    '<text:h text:outline-level="1">Knelpunten</text:h>'
    "<text:p>Zorgcoördinatoren hebben te weinig uren.<text:note><text:note-body>"
    "<text:p>Voetnoot: bron verslag maart.</text:p></text:note-body></text:note></text:p>"
    '<text:list><text:list-item><text:p>Er is geen<text:s text:c="2"/>aanmeldproces voor de opvang.</text:p>'
    "</text:list-item><text:list-item><text:p>Jan (NLA): meer controles bij<text:line-break/>uitzendbureaus."
    "</text:p></text:list-item></text:list>"
    "<text:p/>"
    "<text:p>Ambities:</text:p>"
    "<text:p>Elke regio een zorgcoördinator.</text:p>"
    "<text:tracked-changes><text:changed-region><text:deletion><text:p>Geschrapte zin die weg is.</text:p>"
    "</text:deletion></text:changed-region></text:tracked-changes>"
    "<text:p>Opmerking<office:annotation><text:p>commentaar van een lezer</text:p></office:annotation>"
    " over de NLA.</text:p>"
)

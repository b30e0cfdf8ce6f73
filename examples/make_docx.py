"""Generate examples/verslag.docx: a short Dutch meeting report written for the project (python-docx)."""
from __future__ import annotations

from pathlib import Path

import docx

HERE = Path(__file__).resolve().parent

CONTENT: list[tuple[str, str]] = [
    ("Title", "Verslag expertmeeting mensenhandel Noord-Holland"),
    ("Normal", "Deelnemers: gemeente Haarlem, gemeente Zaanstad, Veilig Thuis, RIEC, NLA, OM, IND en CoMensha."),
    ("Heading 1", "Ontwikkelingen"),
    ("List Bullet", "De politie ziet dat uitbuiting steeds vaker achter gesloten deuren plaatsvindt, "
                    "in woningen in plaats van in clubs."),
    ("List Bullet", "Minderjarigen worden vaker ingezet voor criminele uitbuiting, zoals drugskoeriers."),
    ("Heading 1", "Knelpunten"),
    ("Normal", "Het OM merkt dat slachtoffers pas laat aangifte doen, omdat zij zichzelf niet als "
               "slachtoffer zien of bang zijn voor de daders."),
    ("List Bullet", "Zorgcoördinatoren hebben te weinig uren om alle slachtoffers goed te begeleiden."),
    ("List Bullet", "Er is geen duidelijk aanmeldproces voor de opvang, iedere regio werkt anders."),
    ("Heading 1", "Wat goed gaat"),
    ("Normal", "De NLA en de gemeente Zaanstad hebben samen controles uitgevoerd bij uitzendbureaus; "
               "dat leverde meerdere signalen op."),
    ("List Bullet", "Het netwerk van aandachtsfunctionarissen in de wijkteams groeit."),
    ("Heading 1", "Ambities"),
    ("List Number", "Betere juridische kaders zodat gegevensdeling tussen ketenpartners mogelijk wordt."),
    ("List Number", "Meer inzet op daders en op het afpakken van crimineel vermogen."),
    ("List Number", "Structurele scholing voor professionals in zorg, onderwijs en handhaving."),
]


def build(path: Path = HERE / "verslag.docx") -> Path:
    """Write the report to ``path`` and return it."""
    document = docx.Document()
    for style, text in CONTENT:
        if style == "Title":
            document.add_heading(text, level=0)
        elif style.startswith("Heading"):
            document.add_heading(text, level=int(style.split()[-1]))
        else:
            document.add_paragraph(text, style=style)
    document.core_properties.author = "mh-nlp examples"
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(build())

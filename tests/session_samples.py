"""A table of two round-table sessions for the tests of reading a table in order one note per session
(``label --in-order --note-column``, the screen's column page): the first session keeps to one theme, the second
is kept by question (each line labelled with its stance)."""
from __future__ import annotations

SESSIONS = {"a": ["Er zijn te weinig opvangplekken voor mannelijke slachtoffers van mensenhandel.",
                  "Dat is echt een probleem.",
                  "Slachtoffers moeten maanden wachten op een plek in de opvang."],
            "b": ["Knelpunt: gemeenten delen geen informatie met elkaar.",
                  "Knelpunt: te weinig capaciteit bij de politie voor onderzoek.",
                  "Ambitie: elke gemeente een aandachtsfunctionaris mensenhandel."]}


def sessions_csv() -> str:
    """The sessions as a .csv with the columns ``sessie`` and ``tekst``."""
    return "sessie,tekst\n" + "".join(f'{k},"{t}"\n' for k, texts in SESSIONS.items() for t in texts)

"""Build data/entities/gold_development.jsonl and gold_external.jsonl from the hand annotation in this folder.

The annotation (dev_ann.txt, ext_ann.txt) lists per sentence the spans a person marked, as text and label; this
script only finds their offsets (each span at the first whole-word occurrence not already taken, longer spans first)
and adds the id of the gazetteer record the span names, from the hand-made table ID below (null when the
organisation or law is not on the list). It fails on a span it cannot place.

    /work/main/.venv/bin/python training/annotation/build_entity_gold.py
"""
from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

# span text -> id of the record in data/entities/*.jsonl that names it (None: not on the list); written by hand
ID = {
    "ACM": "acm-amsterdam", "ACVZ": "acvz", "ANP": None, "AVG": "avg", "AVIM’s": "avim", "Aanjaagteam": "aanjaagteam-arbeidsmigranten",
    "Afdelingen Vreemdelingen, Identificatie en Mensenhandel": "avim",
    "Algemene Verordening Gegevensbescherming": "avg", "Arbeidsinspectie": "nla",
    "Arbeidsuitbuiting": "arbeidsuitbuiting", "arbeidsuitbuiting": "arbeidsuitbuiting",
    "Belastingdienst": "belastingdienst", "Bureau Jeugdzorg Limburg": None, "CKM": "ckm", "COA": "coa",
    "Centrum tegen Kinderhandel en Mensenhandel": "ckm", "CoMensha": "comensha", "Comensha": "comensha",
    "Coördinatiecentrum Mensenhandel": "comensha", "Coördinatiecentrum tegen Mensenhandel": "comensha",
    "coördinatiecentrum tegen Mensenhandel": "comensha",
    "Defence for Children Nederland": "defence-for-children", "Defence for Children": "defence-for-children",
    "Digital Services Act": None, "Europol": "europol", "FairWork": "fairwork", "Fier Fryslân": "fier",
    "Fier": "fier", "GGD IJsselland": "ggd", "GGD": "ggd", "Het Kopland": None, "IND": "ind", "ISZW": "nla",
    "Immigratie- en Naturalisatiedienst": "ind", "Inspectie Gezondheidszorg en Jeugd": "igj",
    "Inspectie SZW": "nla", "Inspectie": "nla", "Justitie en Veiligheid": "min-jenv",
    "Veiligheid en Justitie": "min-jenv", "KMar": "kmar", "Kinky.nl": None, "Koninklijke Marechaussee": "kmar",
    "marechaussee": "kmar", "Leger des Heils": "leger-des-heils", "Meld Misdaad Anoniem": "mma",
    "Ministerie van J&V": "min-jenv", "Ministerie van Justitie en Veiligheid": "min-jenv",
    "Nationaal Rapporteur Mensenhandel en Seksueel Geweld tegen Kinderen": "nrm",
    "Nationaal Rapporteur Mensenhandel": "nrm", "Nationaal Rapporteur": "nrm", "OCW": "min-ocw", "OM": "om",
    "Openbaar Ministerie Limburg": "om", "Openbaar Ministerie": "om", "openbaar ministerie": "om",
    "RIEC": "riec", "RUPS": None, "Raad van Europa": "raad-van-europa", "Rode Kruis": "rode-kruis",
    "SZW": "min-szw", "Seksuele uitbuiting": "seksuele-uitbuiting", "seksuele uitbuiting": "seksuele-uitbuiting",
    "seksuele kinderuitbuiting": "seksuele-uitbuiting", "gedwongen prostitutie": "seksuele-uitbuiting",
    "Spine": None, "Sterk Huis": "sterk-huis", "Stichting Koraal": None,
    "Stichting Veilig Thuis Noord- en Midden-Limburg": "veilig-thuis", "Terre des Hommes": "terre-des-hommes",
    "Terres des Hommes": "terre-des-hommes", "Trouw": None, "Tweede Kamer": "tweede-kamer",
    "Universiteit van Tilburg": None, "VNG": "vng", "VVD": None, "VWS": "min-vws",
    "Veilig Thuis Flevoland": "veilig-thuis", "VluchtelingenWerk": "vluchtelingenwerk",
    "WATCH Nederland": "watch-nederland", "Watch Nederland": "watch-nederland",
    "Wet regulering sekswerk": "wrs", "wet regulering sekswerk": "wrs", "Wrs": "wrs",
    "Wetboek van Strafrecht": "wetboek-van-strafrecht",
    "artikel 273f van het Wetboek van Strafrecht": "art-273f-sr", "Zorg- en Veiligheidshuis": "zvh",
    "commissie Lenferink": None, "criminele uitbuiting": "criminele-uitbuiting",
    "gedwongen criminaliteit": "criminele-uitbuiting", "gemeente De Bilt": "gemeente-de-bilt", "gemeente Eindhoven": "gemeente-eindhoven",
    "gemeente Tilburg": "gemeente-tilburg", "gemeente Weert": "gemeente-weert", "politie": "politie",
}


def read_annotation(path: Path) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        sid, _, rest = line.partition("\t")
        assert sid not in out, f"{path.name}: {sid} twice"
        spans = []
        for part in rest.split(" ; "):
            if part.strip():
                text, label = part.strip().rsplit("|", 1)
                spans.append((text, label))
        out[sid] = spans
    return out


def place(text: str, spans: list[tuple[str, str]], sid: str) -> list[dict]:
    taken: list[tuple[int, int]] = []
    placed = []
    for span_text, label in sorted(spans, key=lambda s: -len(s[0])):
        for m in re.finditer(r"(?<![\w])" + re.escape(span_text) + r"(?![\w])", text):
            if all(m.end() <= a or m.start() >= b for a, b in taken):
                taken.append((m.start(), m.end()))
                placed.append({"start": m.start(), "end": m.end(), "label": label, "id": ID[span_text],
                               "text": span_text})
                break
        else:
            raise SystemExit(f"{sid}: cannot place {span_text!r}")
    return sorted(placed, key=lambda s: s["start"])


def build(sentences: Path, annotation: Path, out: Path, set_name: str) -> None:
    ann = read_annotation(annotation)
    rows = [json.loads(l) for l in sentences.read_text(encoding="utf-8").splitlines() if l.strip()]
    assert [r["id"] for r in rows] == list(ann), f"{annotation.name}: ids differ from {sentences}"
    with out.open("w", encoding="utf-8") as f:
        for r in rows:
            spans = place(r["text"], ann[r["id"]], r["id"])
            for s in spans:
                assert r["text"][s["start"]:s["end"]] == s["text"]
            f.write(json.dumps({"id": r["id"], "text": r["text"], "spans": spans, "source": r["source"],
                                "set": set_name}, ensure_ascii=False) + "\n")
    print(f"{out.relative_to(ROOT)}: {len(rows)} sentences, {sum(len(v) for v in ann.values())} spans")


if __name__ == "__main__":
    build(ROOT / "data/development/sentences.jsonl", HERE / "dev_ann.txt",
          ROOT / "data/entities/gold_development.jsonl", "development")
    build(ROOT / "data/external/sentences.jsonl", HERE / "ext_ann.txt",
          ROOT / "data/entities/gold_external.jsonl", "external")

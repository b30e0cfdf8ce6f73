"""Write the records of the Dutch municipalities into ``data/entities/organisations.jsonl`` (stop 51).

The list is the 342 municipalities of 1 January 2024 (CBS, *Gemeentelijke indeling op 1 januari 2024*), written by
hand by province. Each becomes one ``ORG`` record ``gemeente-<name>`` whose alias is a token pattern: *gemeente* in
any case, then the name's tokens case-exact (*gemeente Eindhoven*, *Gemeente Eindhoven*), so that a named
municipality is one span while a bare *gemeente* stays untagged (the gazetteer tags no generic word) and *de gemeente
Veilig Thuis belt* finds no municipality. A token pattern, not a text: the ruler adds it without tokenising it, so the
340 records cost a pipeline's start nothing noticeable (as text aliases they added 0.2 s to every start); the names'
tokens come from the pipeline's own tokenizer, and a test checks that every record finds its municipality. Amsterdam has its own record from the anthology (``gemeente-amsterdam``); the two Bergens are left
out (*gemeente Bergen* names either). Every run replaces the records it wrote before (by their ids) with new ones
at the end of the file, so running it twice changes nothing.

    python training/annotation/municipalities.py
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

PROVINCES = {
    "Drenthe": "Aa en Hunze, Assen, Borger-Odoorn, Coevorden, De Wolden, Emmen, Hoogeveen, Meppel, Midden-Drenthe, "
               "Noordenveld, Tynaarlo, Westerveld",
    "Flevoland": "Almere, Dronten, Lelystad, Noordoostpolder, Urk, Zeewolde",
    "Friesland": "Achtkarspelen, Ameland, Dantumadiel, De Fryske Marren, Harlingen, Heerenveen, Leeuwarden, "
                 "Noardeast-Fryslân, Ooststellingwerf, Opsterland, Schiermonnikoog, Smallingerland, Súdwest-Fryslân, "
                 "Terschelling, Tytsjerksteradiel, Vlieland, Waadhoeke, Weststellingwerf",
    "Gelderland": "Aalten, Apeldoorn, Arnhem, Barneveld, Berg en Dal, Berkelland, Beuningen, Bronckhorst, Brummen, "
                  "Buren, Culemborg, Doesburg, Doetinchem, Druten, Duiven, Ede, Elburg, Epe, Ermelo, Harderwijk, "
                  "Hattem, Heerde, Heumen, Lingewaard, Lochem, Maasdriel, Montferland, Neder-Betuwe, Nijkerk, "
                  "Nijmegen, Nunspeet, Oldebroek, Oost Gelre, Oude IJsselstreek, Overbetuwe, Putten, Renkum, Rheden, "
                  "Rozendaal, Scherpenzeel, Tiel, Voorst, Wageningen, West Betuwe, West Maas en Waal, Westervoort, "
                  "Wijchen, Winterswijk, Zaltbommel, Zevenaar, Zutphen",
    "Groningen": "Eemsdelta, Groningen, Het Hogeland, Midden-Groningen, Oldambt, Pekela, Stadskanaal, Veendam, "
                 "Westerkwartier, Westerwolde",
    "Limburg": "Beek, Beekdaelen, Beesel, Bergen (L.), Brunssum, Echt-Susteren, Eijsden-Margraten, Gennep, "
               "Gulpen-Wittem, Heerlen, Horst aan de Maas, Kerkrade, Landgraaf, Leudal, Maasgouw, Maastricht, "
               "Meerssen, Mook en Middelaar, Nederweert, Peel en Maas, Roerdalen, Roermond, Simpelveld, "
               "Sittard-Geleen, Stein, Vaals, Valkenburg aan de Geul, Venlo, Venray, Voerendaal, Weert",
    "Noord-Brabant": "Alphen-Chaam, Altena, Asten, Baarle-Nassau, Bergeijk, Bergen op Zoom, Bernheze, Best, Bladel, Boekel, Boxtel, "
                     "Breda, Cranendonck, Deurne, Dongen, Drimmelen, Eersel, Eindhoven, Etten-Leur, Geertruidenberg, "
                     "Geldrop-Mierlo, Gemert-Bakel, Gilze en Rijen, Goirle, Halderberge, Heeze-Leende, Helmond, "
                     "'s-Hertogenbosch, Heusden, Hilvarenbeek, Laarbeek, Land van Cuijk, Loon op Zand, Maashorst, "
                     "Meierijstad, Moerdijk, Nuenen; Gerwen en Nederwetten, Oirschot, Oisterwijk, Oosterhout, Oss, "
                     "Reusel-De Mierden, Roosendaal, Rucphen, Sint-Michielsgestel, Someren, Son en Breugel, "
                     "Steenbergen, Tilburg, Valkenswaard, Veldhoven, Vught, Waalre, Waalwijk, Woensdrecht, Zundert",
    "Noord-Holland": "Aalsmeer, Alkmaar, Amstelveen, Amsterdam, Bergen (NH.), Beverwijk, Blaricum, Bloemendaal, "
                     "Castricum, Den Helder, Diemen, Dijk en Waard, Drechterland, Edam-Volendam, Enkhuizen, "
                     "Gooise Meren, Haarlem, Haarlemmermeer, Heemskerk, Heemstede, Heiloo, Hilversum, Hollands Kroon, "
                     "Hoorn, Huizen, Koggenland, Landsmeer, Laren, Medemblik, Oostzaan, Opmeer, Ouder-Amstel, "
                     "Purmerend, Schagen, Stede Broec, Texel, Uitgeest, Uithoorn, Velsen, Waterland, Wijdemeren, "
                     "Wormerland, Zaanstad, Zandvoort",
    "Overijssel": "Almelo, Borne, Dalfsen, Deventer, Dinkelland, Enschede, Haaksbergen, Hardenberg, Hellendoorn, "
                  "Hengelo, Hof van Twente, Kampen, Losser, Oldenzaal, Olst-Wijhe, Ommen, Raalte, Rijssen-Holten, "
                  "Staphorst, Steenwijkerland, Tubbergen, Twenterand, Wierden, Zwartewaterland, Zwolle",
    "Utrecht": "Amersfoort, Baarn, Bunnik, Bunschoten, De Bilt, De Ronde Venen, Eemnes, Houten, IJsselstein, Leusden, "
               "Lopik, Montfoort, Nieuwegein, Oudewater, Renswoude, Rhenen, Soest, Stichtse Vecht, Utrecht, "
               "Utrechtse Heuvelrug, Veenendaal, Vijfheerenlanden, Wijk bij Duurstede, Woerden, Woudenberg, Zeist",
    "Zeeland": "Borsele, Goes, Hulst, Kapelle, Middelburg, Noord-Beveland, Reimerswaal, Schouwen-Duiveland, Sluis, "
               "Terneuzen, Tholen, Veere, Vlissingen",
    "Zuid-Holland": "Alblasserdam, Albrandswaard, Alphen aan den Rijn, Barendrecht, Bodegraven-Reeuwijk, "
                    "Capelle aan den IJssel, Delft, Dordrecht, Goeree-Overflakkee, Gorinchem, Gouda, 's-Gravenhage, "
                    "Hardinxveld-Giessendam, Hendrik-Ido-Ambacht, Hillegom, Hoeksche Waard, Kaag en Braassem, Katwijk, "
                    "Krimpen aan den IJssel, Krimpenerwaard, Lansingerland, Leiden, Leiderdorp, Leidschendam-Voorburg, "
                    "Lisse, Maassluis, Midden-Delfland, Molenlanden, Nieuwkoop, Nissewaard, Noordwijk, Oegstgeest, "
                    "Papendrecht, Pijnacker-Nootdorp, Ridderkerk, Rijswijk, Rotterdam, Schiedam, Sliedrecht, Teylingen, "
                    "Vlaardingen, Voorne aan Zee, Voorschoten, Waddinxveen, Wassenaar, Westland, Zoetermeer, "
                    "Zoeterwoude, Zuidplas, Zwijndrecht",
}
COUNTS = {"Drenthe": 12, "Flevoland": 6, "Friesland": 18, "Gelderland": 51, "Groningen": 10, "Limburg": 31,
          "Noord-Brabant": 56, "Noord-Holland": 44, "Overijssel": 25, "Utrecht": 26, "Zeeland": 13,
          "Zuid-Holland": 50}  # CBS, 1 January 2024: 342 in all
LEFT_OUT = {"Amsterdam": "its own record, from the anthology", "Bergen (L.)": "gemeente Bergen names either",
            "Bergen (NH.)": "gemeente Bergen names either"}
EVERYDAY_NAMES = {"'s-Gravenhage": ["Den Haag"], "'s-Hertogenbosch": ["Den Bosch"],
                  "Nuenen, Gerwen en Nederwetten": ["Nuenen"]}


def municipalities() -> list[str]:
    out = []
    for province, names in PROVINCES.items():
        got = [n.strip().replace(";", ",") for n in names.split(", ")]
        if len(got) != COUNTS[province]:
            sys.exit(f"{province}: {len(got)} names, CBS counts {COUNTS[province]}")
        out += got
    if len(out) != 342 or len(set(out)) != 342:
        sys.exit(f"{len(out)} names ({len(set(out))} different), CBS counts 342")
    return out


def slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain.replace("'s-", "s-")).strip("-")


def records() -> list[dict]:
    from mh_nlp.nlp.pipeline import load_pipeline

    tokenizer = load_pipeline("blank").tokenizer
    out = []
    for name in municipalities():
        if name in LEFT_OUT:
            continue
        names = [name] + EVERYDAY_NAMES.get(name, [])
        aliases = [{"pattern": [{"LOWER": "gemeente"}] + [{"ORTH": t.text} for t in tokenizer(n)]} for n in names]
        out.append({"id": f"gemeente-{slug(name)}", "label": "ORG", "name": f"Gemeente {name}", "source": "domain",
                    "aliases": aliases})
    return out


def main() -> int:
    path = Path(__file__).resolve().parents[2] / "data" / "entities" / "organisations.jsonl"
    new = records()
    ids = {r["id"] for r in new}
    kept = [ln for ln in path.read_text(encoding="utf-8").splitlines()
            if not (ln.startswith('{"id": "gemeente-') and json.loads(ln)["id"] in ids)]  # an earlier run's records
    path.write_text("\n".join(kept + [json.dumps(r, ensure_ascii=False) for r in new]) + "\n", encoding="utf-8")
    print(f"{path}: {len(new)} municipality records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The demo's municipality facts: MADE-UP settlement figures per municipality for 2024–2026.

None of these figures is IMDi's or any municipality's real one. They are drawn from a seeded
generator (the same every run) so that the board's coverage, the size classes and the reports
by size class have something to show; the file the demo imports is named so
(``demo-oppdiktede-bosettingstall-<year>.csv``). The figures go in through the same import a
directorate user makes (``places.services.facts_import``), as a CSV file in the documented
format, before the surveys are answered: a response takes its size class from the
respondent's municipality when it is submitted.

A year that has figures is left as it is, so running the demo again changes nothing.
"""

import random

from sqlalchemy import select

from eventapp.extensions import db

# 2027 is the current gathering's year: its requests and decisions are out, nothing settled yet,
# so the board counts the settling municipalities and suggests caps for the large ones.
YEARS = (2024, 2025, 2026, 2027)
# The largest municipalities of the demo's counties request most every year.
LARGE = {"0301": 900, "4601": 420, "5001": 380, "1103": 300, "4204": 220, "3201": 200,
         "5501": 160, "3205": 150, "1108": 140, "1508": 110, "4003": 90, "1806": 70,
         "1804": 80, "3403": 70}
FILENAME = "demo-oppdiktede-bosettingstall-{year}.csv"


def made_up_csv(year: int) -> bytes:
    """The year's made-up figures for every municipality, as the import reads them. Most
    municipalities settle; a few ask for none, some settle fewer than decided; 2026's settled
    column is left empty for a fifth of them (not yet published), 2027's for all."""
    from eventapp.places.models import Municipality

    rng = random.Random(f"eventapp-demo-facts-{year}")
    units = db.session.scalars(select(Municipality).where(
        Municipality.kind == "municipality", Municipality.active.is_(True))
        .order_by(Municipality.number)).all()
    lines = ["kommunenummer;kommune;anmodet;vedtatt;bosatt"]
    for unit in units:
        if unit.number not in LARGE and rng.random() < 0.3:
            requested = decided = settled = 0
        else:
            base = LARGE.get(unit.number) or int(rng.lognormvariate(2.6, 0.8))
            # Fewer Ukrainians arrived after 2024: the requests fall a little each year.
            requested = max(1, round(base * (1 - 0.12 * (year - 2024)) * rng.uniform(0.8, 1.2)))
            decided = max(0, round(requested * rng.uniform(0.7, 1.0)))
            settled = max(0, round(decided * rng.uniform(0.75, 1.05)))
        shown_settled = ("" if year == 2027 or (year == 2026 and rng.random() < 0.2)
                         else str(settled))
        lines.append(f"{unit.number};{unit.name};{requested};{decided};{shown_settled}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def demo_facts(directorate) -> list[int]:
    """Import each year's made-up figures once; the years imported now."""
    from eventapp.places.services.facts import has_facts
    from eventapp.places.services.facts_import import import_facts

    done = []
    for year in YEARS:
        if not has_facts(year):
            import_facts(directorate, year, FILENAME.format(year=year), made_up_csv(year))
            done.append(year)
    db.session.flush()
    return done

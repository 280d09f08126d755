"""The demo's two years before 2026: four counties' gatherings of 2024 and five of 2025, played
through like 2026's (``grants``), so the national pages can sum a period and compare years.

Not always the same counties: Innlandet held its first gathering in 2026, Møre og Romsdal and
Troms only in 2024, Akershus and Telemark only in 2025, so each year (and the period) has
counties without one. Each year has its own grant rules (``grants.RULES``): 2024 paid 3 500 kr
for those who came both days, 2025 3 800 kr for anyone who came, speakers too. Reports of both
years are approved; the personal data of all but Rogaland 2025 (reminded, not yet deleted) is
gone. Troms 2024 and Telemark 2025 held no talk on Ukrainian refugees.
"""

from datetime import date

from eventapp.demo.plans import Plan, budget

PLANS_2024 = (
    Plan(
        county="11", host_email="vert.rogaland@demo.eventapp.no", host_name="Ingvild Tjelta",
        start=date(2024, 4, 10), venue="Scandic Stavanger City", participants=46,
        county_staff=8, partners=5, speakers=2, no_shows=3, municipalities=18,
        raised_caps={"1103": 4, "1108": 3}, travel_from=("1111", "1133", "1144"),
        planned=55, applied=190_000, granted=180_000,
        decision_comment=("Innvilget 180 000 kr av 190 000 kr søkt. Satsen for 2024 gir rom for "
                          "de deltakerne som er med begge dager."),
        lines=budget(190_000, 171_400, "Reisestøtte til kommuner i Ryfylke og Dalane",
                     (96, 92, 90, 88, 80, 70, 60)),
        follow_up=(
            "Felles mal for henvisning fra programrådgiver til karriereveileder.\n"
            "Karrieresenteret har fått en fast kontaktperson for hver kommune.\n"
            "Digitale møter for programrådgivere hver måned."),
        remarks=None, report="approved", purged=True, submitted_after=24, decided_after=48,
        counsellor_share=0.1,
    ),
    Plan(
        county="50", host_email="vert.trondelag@demo.eventapp.no", host_name="Marte Lien",
        start=date(2024, 5, 14), venue="Clarion Hotel Trondheim", participants=54,
        county_staff=9, partners=5, speakers=3, no_shows=4, municipalities=25,
        raised_caps={"5001": 5}, travel_from=("5007", "5049", "5052", "5044"),
        planned=60, applied=210_000, granted=210_000, decision_comment="Innvilget som søkt.",
        lines=budget(210_000, 214_600, "Reisestøtte til kommuner i Namdalen",
                     (102, 104, 98, 101, 95, 110, 90)),
        follow_up=(
            "Ny samarbeidsavtale mellom fylkeskommunen og kommunene om karriereveiledning.\n"
            "Veiledningstimer også digitalt for kommuner i Namdalen.\n"
            "Samlingen gjentas om to år."),
        remarks="Merforbruket dekkes av karrieresenterets driftsbudsjett.",
        report="approved", purged=True, submitted_after=35, decided_after=60,
        counsellor_share=0.15,
    ),
    Plan(
        county="15", host_email="vert.moreogromsdal@demo.eventapp.no",
        host_name="Brit Lyngstad", start=date(2024, 9, 18), venue="Scandic Seilet, Molde",
        participants=37, county_staff=6, partners=4, speakers=2, no_shows=2,
        municipalities=18, raised_caps={"1508": 4, "1506": 3},
        travel_from=("1573", "1576", "1511"),
        planned=45, applied=150_000, granted=140_000,
        decision_comment=("Innvilget 140 000 kr av 150 000 kr søkt. Budsjettet for middag er "
                          "høyere enn satsen gir rom for."),
        lines=budget(150_000, 128_900, "Reisestøtte til kommuner på Nordmøre",
                     (90, 85, 88, 80, 75, 95, 50)),
        follow_up=(
            "Informasjonsmateriell om karriereveiledning til alle flyktningetjenestene.\n"
            "Karrieresenteret besøker kommunene på Nordmøre og Sunnmøre i løpet av året."),
        remarks="Første samling i fylket; flere kommuner ba om en ny neste år.",
        report="approved", purged=True, submitted_after=30, decided_after=55,
    ),
    Plan(
        county="55", host_email="vert.troms@demo.eventapp.no", host_name="Elin Johansen",
        start=date(2024, 10, 16), venue="Clarion Hotel The Edge, Tromsø", participants=31,
        county_staff=6, partners=4, speakers=2, no_shows=3, municipalities=14,
        raised_caps={"5501": 4}, travel_from=("5546", "5544", "5542", "5534"),
        planned=40, applied=140_000, granted=140_000, decision_comment="Innvilget som søkt.",
        lines=budget(140_000, 118_300, "Reisestøtte til kommuner i Nord-Troms",
                     (92, 80, 85, 95, 70, 100, 40)),
        follow_up=(
            "Digitale veiledningstimer for kommuner langt fra Tromsø.\n"
            "Felles rutine for kompetansekartlegging, prøvd ut i fire kommuner."),
        remarks="Tre meldte avbud fordi flyet fra Nord-Troms ble innstilt.",
        report="approved", purged=True, submitted_after=40, decided_after=70,
        instead_of_ukraine="Realkompetansevurdering: hva kan deltakerne fra før?",
    ),
)

PLANS_2025 = (
    Plan(
        county="46", host_email=None, host_name="", start=date(2025, 3, 12),
        venue="Quality Hotel Edvard Grieg, Bergen", participants=57, county_staff=9,
        partners=6, speakers=3, no_shows=2, municipalities=27, raised_caps={"4601": 5},
        travel_from=("4636", "4640", "4649"),
        planned=65, applied=240_000, granted=240_000, decision_comment="Innvilget som søkt.",
        lines=budget(240_000, 226_700, "Reisestøtte til kommuner i Sogn og Nordfjord",
                     (97, 95, 92, 90, 85, 88, 70)),
        follow_up=(
            "Fast kontaktperson hos Karriere Vestland for hver kommune.\n"
            "Regelmessige digitale møter for programrådgivere og karriereveiledere.\n"
            "Veiledning med tolk på eget språk ved behov."),
        remarks=None, report="approved", purged=True, submitted_after=26, decided_after=50,
        counsellor_share=0.1,
    ),
    Plan(
        county="11", host_email="vert.rogaland@demo.eventapp.no", host_name="Ingvild Tjelta",
        start=date(2025, 3, 26), venue="Sola Strand Hotel", participants=51, county_staff=9,
        partners=5, speakers=2, no_shows=3, municipalities=19,
        raised_caps={"1103": 5, "1108": 3}, travel_from=("1111", "1134"),
        planned=60, applied=220_000, granted=220_000, decision_comment="Innvilget som søkt.",
        lines=budget(220_000, 233_900, "Reisestøtte til kommuner i Ryfylke",
                     (104, 108, 106, 100, 98, 105, 95)),
        follow_up=(
            "Mal for veilederens notat tilbake til kommunen etter veiledningstimen.\n"
            "Alle kommunene har fått tilbud om besøk av karrieresenteret."),
        remarks="Flere enn planlagt ble med på middagen; merforbruket dekkes av fylket.",
        report="approved", reminded=True, submitted_after=22, decided_after=44,
    ),
    Plan(
        county="42", host_email="vert.agder@demo.eventapp.no", host_name="Tone Kristiansen",
        start=date(2025, 4, 23), venue="Clarion Hotel Ernst, Kristiansand", participants=40,
        county_staff=7, partners=5, speakers=2, no_shows=1, municipalities=17,
        raised_caps={"4204": 4}, travel_from=("4220", "4221"),
        planned=45, applied=165_000, granted=150_000,
        decision_comment=("Innvilget 150 000 kr av 165 000 kr søkt. Posten for overnatting er "
                          "redusert."),
        lines=budget(165_000, 143_200, "Reisestøtte til kommuner i Setesdal",
                     (95, 90, 92, 75, 90, 85, 80)),
        follow_up=(
            "Bookingsystem for veiledningstimer prøves ut i fem kommuner.\n"
            "Regionale møter i Lister og Setesdal."),
        remarks=None, report="approved", purged=True, submitted_after=28, decided_after=52,
        counsellor_share=0.2,
    ),
    Plan(
        county="32", host_email="vert.akershus@demo.eventapp.no", host_name="Nina Holm",
        start=date(2025, 5, 20), venue="Quality Hotel Olavsgaard, Skjetten", participants=44,
        county_staff=8, partners=5, speakers=2, no_shows=3, municipalities=16,
        raised_caps={"3201": 4, "3203": 4, "3205": 3}, travel_from=("3242", "3226"),
        planned=50, applied=185_000, granted=185_000, decision_comment="Innvilget som søkt.",
        lines=budget(185_000, 152_500, "Reisestøtte til kommuner på Romerike",
                     (85, 80, 82, 60, 95, 70, 90)),
        follow_up=(
            "Felles oversikt over praksisplasser for deltakerne i introduksjonsprogrammet.\n"
            "Trepartsmøter med deltaker, kommune og NAV før programmet slutter."),
        remarks="Færre enn ventet trengte overnatting.", report="approved", purged=True,
        submitted_after=30, decided_after=58,
    ),
    Plan(
        county="40", host_email="vert.telemark@demo.eventapp.no", host_name="Gunhild Aas",
        start=date(2025, 10, 8), venue="Clarion Collection Hotel Bryggeparken, Skien",
        participants=30, county_staff=6, partners=4, speakers=2, no_shows=2, municipalities=13,
        raised_caps={"4003": 3}, travel_from=("4036", "4034", "4032"),
        planned=35, applied=130_000, granted=130_000, decision_comment="Innvilget som søkt.",
        lines=budget(130_000, 121_800, "Reisestøtte til kommuner i Vest-Telemark",
                     (95, 92, 96, 90, 85, 100, 75)),
        follow_up=(
            "Digitale møter mellom karrieresenteret og flyktningetjenestene hver sjette uke.\n"
            "En andre veiledningstime for alle som ønsker det."),
        remarks=None, report="approved", purged=True, submitted_after=30, decided_after=60,
        counsellor_share=0.1,
        instead_of_ukraine="NAV og kvalifisering: tiltak for flyktninger etter programmet",
    ),
)

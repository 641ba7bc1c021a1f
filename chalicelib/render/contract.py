"""The standard data access contract (datatoegangscontract), filled in for one organisation."""

from __future__ import annotations

from ..domain.vocabulary import Channel
from .pdfdoc import new_document, paragraph
from .requests import ContractDetails

CHANNEL_TEXT = {
    Channel.PORTAL: "Via Mijn Fluvius (portaal)",
    Channel.PORTAL_AND_API: "Via de API en Mijn Fluvius (portaal)",
}

ARTICLES = [
    (
        "Artikel 1 - Voorwerp",
        "Deze overeenkomst regelt de toegang van de energiedienstverlener (hierna: EDV) tot de "
        "meetgegevens van netgebruikers die daarvoor uitdrukkelijk toestemming hebben gegeven. "
        "Het gaat om volumes per dag, per kwartier (elektriciteit) en per uur (gas), afname en "
        "injectie, en piekvermogens.",
    ),
    (
        "Artikel 2 - Toestemming van de klant",
        "De EDV raadpleegt enkel meetgegevens waarvoor de klant een mandaat heeft verleend, voor "
        "één EAN-code, met de gekozen granulariteit en binnen de gekozen verbruiksperiode. Een "
        "mandaat is drie jaar geldig. De klant of de netgebruiker kan het op elk moment "
        "beëindigen; de EDV kan dat niet.",
    ),
    (
        "Artikel 3 - Gebruik, bewaring en verwijdering",
        "De EDV gebruikt de meetgegevens uitsluitend voor de dienst die hij de klant aanbiedt en "
        "verwerkt ze volgens de Algemene Verordening Gegevensbescherming. Wordt de einddatum van "
        "de verbruiksperiode vervroegd door een marktscenario (klantenwissel, verhuis, fysiek "
        "afsluiten), dan verwijdert de EDV de opgehaalde gegevens vanaf die datum.",
    ),
    (
        "Artikel 4 - Kanaal en beveiliging",
        "De EDV raadpleegt de gegevens via het gekozen kanaal. Toegangsgegevens van de API "
        "(client-ID, geheim, certificaat, abonnementssleutel) zijn vertrouwelijk; bij misbruik "
        "of lekken trekt de EDV ze onmiddellijk in.",
    ),
    (
        "Artikel 5 - Vergoeding",
        "Het gebruik van de dienst wordt maandelijks aangerekend volgens de door de regulator "
        "goedgekeurde tarieven, op basis van het aantal mandaatdagen per granulariteit.",
    ),
    (
        "Artikel 6 - Duur en opzegging",
        "De overeenkomst geldt voor onbepaalde duur vanaf de goedkeuring door de netbeheerder. "
        "De EDV kan ze op elk moment opzeggen; alle lopende mandaten eindigen dan.",
    ),
]


def format_enterprise_number(number: str) -> str:
    return f"{number[:4]}.{number[4:7]}.{number[7:]}"


def render_contract(details: ContractDetails) -> bytes:
    pdf = new_document(f"Datatoegangscontract {details.contract_number}")
    paragraph(pdf, "Datatoegangscontract energiedienstverlener", size=17, bold=True, line=9)
    paragraph(pdf, "Standaardovereenkomst, goedgekeurd door de regulator", line=6)
    pdf.ln(4)
    rows = [
        ("Contractnummer", details.contract_number),
        ("Organisatie", details.organisation_name),
        ("Ondernemingsnummer", format_enterprise_number(details.enterprise_number)),
        ("Kanaal", CHANNEL_TEXT[details.channel]),
        ("Contactpersoon", details.contact_name),
        ("Datum", details.date.strftime("%d/%m/%Y")),
    ]
    pdf.set_font("dejavu", "", 11)
    with pdf.table(col_widths=(45, 125), first_row_as_headings=False) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label)
            row.cell(value)
    pdf.ln(4)
    for title, text in ARTICLES:
        paragraph(pdf, title, size=11, bold=True, line=7)
        paragraph(pdf, text)
        pdf.ln(2)
    pdf.ln(6)
    paragraph(pdf, "Handtekeningen", size=11, bold=True, line=7)
    paragraph(
        pdf,
        f"Voor {details.organisation_name}:\nNaam, functie, datum en handtekening:\n\n\n\n"
        "Voor de netbeheerder: na goedkeuring van de aanvraag in het portaal.",
        line=6,
    )
    return bytes(pdf.output())

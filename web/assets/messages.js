// What every error code of the API (chalicelib/api/problems.py) says to a person, in the reader's
// language (written in Dutch, translated by i18n.js). One table, keyed by `code`;
// tests/unit/test_portal_messages.py fails when a code has no message. A message may use the
// problem's fields (`problem.grid_user_since`, …).
import { t } from "./i18n.js";
import { formatDate } from "./portal.js";

export const PROBLEM_MESSAGES = {
  bad_request: () => t("Dit verzoek kunnen we niet lezen. Herlaad de pagina en probeer opnieuw."),
  invalid_cursor: () => t("Deze lijst is intussen veranderd. Herlaad de pagina."),
  invalid_grant: () => t("Je aanmelding is niet meer geldig. Meld je opnieuw aan."),
  invalid_request: () => t("Dit aanmeldverzoek is onvolledig."),
  unsupported_grant_type: () => t("Deze manier van aanmelden wordt niet ondersteund."),
  unsupported_response_type: () => t("Deze manier van aanmelden wordt niet ondersteund."),
  invalid_client: () => t("Deze API-client is onbekend of ingetrokken."),
  unauthenticated: () => t("Je bent niet (meer) aangemeld. Meld je opnieuw aan."),
  forbidden: () => t("Dat mag je niet doen met je huidige rechten."),
  not_a_member: () => t("Je bent niet verbonden aan deze organisatie."),
  edv_not_active: () => t("Deze energiedienstverlener is (nog) niet actief."),
  api_not_enabled: () => t("Deze energiedienstverlener gebruikt het portaal, niet de API."),
  no_mandate: () => t("Er is geen geldige toestemming (meer) voor deze aansluiting."),
  not_grid_user: () => t("Je bent niet de netgebruiker van deze aansluiting. Enkel de netgebruiker kan toestemming geven."),
  outside_mandate_period: () => t("Deze periode valt buiten de verbruiksperiode waarvoor de klant toestemming gaf."),
  granularity_not_consented: () => t("De klant deelde enkel dagwaarden: kies dag, week, maand of jaar."),
  not_found: () => t("Dat vonden we niet (meer)."),
  method_not_allowed: () => t("Deze handeling bestaat niet."),
  not_acceptable: () => t("Dit formaat kunnen we niet leveren."),
  conflict: () => t("Dit is intussen gewijzigd. Herlaad de pagina en probeer opnieuw."),
  quota_exceeded: (problem) => t("Je organisatie heeft er al het maximum van ({limit}). Verwijder er eerst een.", { limit: problem.limit ?? "" }),
  too_many_exports: () => t("Er lopen al twee exports: wacht tot er een klaar is."),
  too_many_changes: (problem) => t("Vandaag kan je de toestemming voor deze dienstverlener op deze aansluiting niet meer wijzigen (hoogstens {limit} keer per dag). Probeer morgen opnieuw.", { limit: problem.limit ?? 5 }),
  too_many_attempts: () => t("Het meternummer was vandaag te vaak fout voor deze aansluiting. Probeer morgen opnieuw."),
  renewal_not_due: (problem) => problem.renewable_from
    ? t("Vernieuwen kan pas vanaf {date}, 90 dagen voor het mandaat verloopt.", { date: formatDate(problem.renewable_from.slice(0, 10)) })
    : t("Vernieuwen kan pas in de laatste 90 dagen van het mandaat."),
  last_administrator: () => t("Dit is de laatste beheerder van de organisatie: duid eerst een andere beheerder aan."),
  grid_user_change_needs_scenario: () => t("Een nieuwe netgebruiker komt er enkel via een marktscenario (verhuis, klantwissel, …)."),
  payload_too_large: () => t("Dit bestand is te groot."),
  unsupported_media_type: () => t("Dit soort bestand aanvaarden we hier niet."),
  invalid_ean: () => t("Dit is geen geldige EAN-code: 18 cijfers, waarvan het laatste een controlecijfer is."),
  invalid_enterprise_number: () => t("Dit is geen geldig ondernemingsnummer (10 cijfers)."),
  invalid_period: () => t("Het einde van de periode moet na het begin liggen."),
  invalid_pdf: () => t("Dit is geen geldig PDF-bestand."),
  not_available: () => t("Deze gegevens bestaan niet voor deze aansluiting."),
  invalid_granularity: () => t("Deze detailgraad bestaat niet voor deze energiesoort: kwartierwaarden zijn er voor elektriciteit, uurwaarden voor gas."),
  period_before_grid_user: (problem) => problem.grid_user_since
    ? t("De verbruiksperiode mag niet beginnen vóór je netgebruiker werd ({date}).", { date: formatDate(problem.grid_user_since) })
    : t("De verbruiksperiode mag niet beginnen vóór de huidige netgebruiker er netgebruiker werd."),
  range_too_large: () => t("Deze periode is te lang: tot 366 dagen per kwartier of uur, tot 5 jaar per dag of grover."),
  too_many_results: () => t("Dat zijn te veel resultaten om in één keer te tonen. Kies een EAN of een dienstverlener."),
  validation_error: () => t("Niet alles is correct ingevuld. Controleer de gemarkeerde velden."),
  rate_limited: () => t("Te veel verzoeken na elkaar. Wacht even en probeer opnieuw."),
  internal_error: () => t("Er ging bij ons iets mis. Probeer het later opnieuw."),
  response_too_large: () => t("Dit antwoord is te groot. Kies een kortere periode of download de CSV."),
  service_unavailable: () => t("De dienst is even niet beschikbaar. Probeer het zo dadelijk opnieuw."),
};

export function problemMessage(status, problem) {
  const message = PROBLEM_MESSAGES[problem.code];
  return message ? message(problem) : t("Er ging iets mis (fout {status}).", { status });
}

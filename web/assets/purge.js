// "Wijzigingen en te verwijderen gegevens": the EDV's purge duties as the server computed them
// (GET …/purge-duties: what it held and may no longer keep), each confirmed by an administrator
// once deleted, and the change feed as a person reads it. The page computes no duty itself.
import {
  accessToken, addDays, api, errorBox, formatDate, formatDateTime, formatPeriod, h, label, login, moreButton, n,
  renderAccount, show, t,
} from "./portal.js";
import { currentOrganisation, organisationPicker } from "./organisation.js";

const app = document.getElementById("app");
const EVENTS = {
  requested: n("Aangevraagd"), rejected: n("Geweigerd"), granted: n("Toegekend"), ended: n("Beëindigd"),
  expired: n("Verlopen"), period_truncated: n("Periode ingekort"),
  renewal_requested: n("Vernieuwing gevraagd"), expiring: n("Loopt binnen 30 dagen af"),
  purge_due: n("Te verwijderen"), consent_declined: n("Aanvraag geweigerd"),
};
const COLUMNS = [n("Wanneer"), n("Wijziging"), n("EAN"), n("Details")];
let en = "";
let administrator = false;

renderAccount();
if (!accessToken()) login();
else show(app, render);

async function render() {
  const { person, organisation } = await currentOrganisation();
  en = organisation.enterprise_number;
  administrator = organisation.role === "admin";
  const duties = h("ul", { id: "purges", class: "cards" });
  const moreDuties = h("div", { class: "actions" });
  await loadDuties(duties, moreDuties, null);
  const body = h("tbody");
  const more = h("div", { class: "actions" });
  await loadFeed(body, more, null);
  return [
    organisationPicker(person, organisation),
    h("section", { "aria-labelledby": "purge-title" },
      h("h2", { id: "purge-title" }, t("Te verwijderen gegevens")),
      h("p", {}, t("Het datatoegangscontract vraagt dat je deze gegevens verwijdert. Ook wat je vroeger ophaalde, valt eronder.")),
      administrator ? null : h("p", { class: "note" }, t("Een beheerder van je organisatie bevestigt dat de gegevens verwijderd zijn.")),
      duties, moreDuties),
    h("section", { "aria-labelledby": "feed-title" },
      h("h2", { id: "feed-title" }, t("Alle wijzigingen")),
      h("div", { class: "table-wrap" }, h("table", { id: "feed", class: "stacked" },
        h("caption", { class: "visually-hidden" }, t("Alle wijzigingen")),
        h("thead", {}, h("tr", {}, COLUMNS.map((text) => h("th", { scope: "col" }, t(text))))),
        body)),
      more),
  ];
}

/** One page of the open duties, oldest first; "Meer tonen" follows next_cursor. */
async function loadDuties(list, more, cursor) {
  const query = new URLSearchParams({ limit: "50" });
  if (cursor) query.set("cursor", cursor);
  const page = await api(`/v1/organisations/${en}/purge-duties?${query}`);
  if (!cursor && !page.items.length) {
    list.replaceChildren(h("li", { class: "note" }, t("Er zijn geen gegevens die je moet verwijderen.")));
  }
  list.append(...page.items.map(dutyCard));
  more.replaceChildren(page.next_cursor ? moreButton(() => loadDuties(list, more, page.next_cursor), more) : "");
}

function dutyCard(duty) {
  const message = h("div");
  const card = h("li", { class: "card", "data-duty": duty.id },
    h("h3", {}, `EAN ${duty.ean}`),
    h("p", { class: "status ended" }, duty.keep === "day"
      ? t("Verwijder de kwartier- en uurwaarden; de dagwaarden mag je bewaren")
      : t("Verwijder alle meetgegevens")),
    h("dl", { class: "facts" },
      h("dt", {}, t("Periode")), h("dd", {}, formatPeriod(duty.from, duty.to)),
      h("dt", {}, t("Waarom")), h("dd", {}, label(duty.reason === "expired" ? "expired_reason" : duty.reason)),
      h("dt", {}, t("Sinds")), h("dd", {}, formatDateTime(duty.since))),
    message);
  if (administrator) {
    const button = h("button", {
      onclick: async () => {
        button.disabled = true;
        try {
          const confirmed = await api(`/v1/organisations/${en}/purge-duties/${encodeURIComponent(duty.id)}/confirm`, { method: "POST" });
          button.replaceWith(h("p", { class: "status active", role: "status" },
            t("Bevestigd op {date}: de klant ziet dat je de gegevens verwijderde.", { date: formatDateTime(confirmed.confirmed_at) })));
        } catch (error) {
          button.disabled = false;
          message.replaceChildren(errorBox(error));
        }
      },
    }, t("Ik heb deze gegevens verwijderd"));
    card.append(h("div", { class: "actions" }, button));
  }
  return card;
}

/** One page of the feed (oldest first, as it is kept), newest on top. */
async function loadFeed(body, more, cursor) {
  const query = new URLSearchParams({ limit: "200" });
  if (cursor) query.set("cursor", cursor);
  const page = await api(`/v1/organisations/${en}/mandate-events?${query}`);
  for (const event of page.items) body.prepend(eventRow(event));
  more.replaceChildren(page.next_cursor ? moreButton(() => loadFeed(body, more, page.next_cursor), more) : "");
}

function eventRow(event) {
  const d = event.details || {};
  let details = "";
  if (event.type === "granted" || event.type === "requested") {
    details = d.period_start && d.period_end ? `${label(d.granularity)}, ${formatPeriod(d.period_start, d.period_end)}` : label(d.granularity);
    if (d.renews) details = t("{details}; vernieuwing, geldig tot {end}", { details, end: formatDate(d.valid_until) });
  } else if (event.type === "renewal_requested" || event.type === "expiring") {
    details = t("loopt af op {end}", { end: formatDate(d.valid_until) });
  } else if (event.type === "period_truncated") {
    details = d.purge_from
      ? t("nieuw einde {end}; verwijderen vanaf {date}", { end: formatDate(addDays(d.new_end, -1)), date: formatDate(d.purge_from) })
      : t("nieuw einde {end}", { end: formatDate(addDays(d.new_end, -1)) });
  } else if (event.type === "purge_due") {
    details = d.keep === "day"
      ? t("kwartier- en uurwaarden verwijderen, {period}", { period: formatPeriod(d.from, d.to) })
      : t("alles verwijderen, {period}", { period: formatPeriod(d.from, d.to) });
  } else if (event.type === "consent_declined") {
    details = t("referentie {reference}", { reference: d.reference_number });
  } else if (d.end_reason) {
    details = label(d.end_reason === "expired" ? "expired_reason" : d.end_reason);
  }
  const cells = [formatDateTime(event.at), t(EVENTS[event.type] ?? event.type), event.ean ?? "–", details || "–"];
  return h("tr", {}, cells.map((cell, i) => h("td", { "data-label": t(COLUMNS[i]) }, cell)));
}

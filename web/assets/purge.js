// "Wijzigingen en te verwijderen gegevens": the EDV's change feed as a person reads it, and what
// it obliges: a mandate that ended (all its data goes) or a period cut short by a market scenario
// (the data from `purge_from` on goes). For every EDV, the portal-only ones included.
import {
  accessToken, addDays, api, errorBox, formatDate, formatDateTime, formatPeriod, h, label, login, n,
  renderAccount, show, t,
} from "./portal.js";
import { currentOrganisation, organisationPicker } from "./organisation.js";

const app = document.getElementById("app");
const EVENTS = {
  requested: n("Aangevraagd"), rejected: n("Geweigerd"), granted: n("Toegekend"), ended: n("Beëindigd"),
  expired: n("Verlopen"), period_truncated: n("Periode ingekort"),
  renewal_requested: n("Vernieuwing gevraagd"), expiring: n("Loopt binnen 30 dagen af"),
};
const COLUMNS = [n("Wanneer"), n("Wijziging"), n("EAN"), n("Details")];
let en = "";

renderAccount();
if (!accessToken()) login();
else show(app, render);

async function render() {
  const { person, organisation } = await currentOrganisation();
  en = organisation.enterprise_number;
  const obligations = h("ul", { id: "purges", class: "cards" });
  const body = h("tbody");
  const more = h("div", { class: "actions" });
  const state = { purges: new Map() };
  await load(state, obligations, body, more, null);
  return [
    organisationPicker(person, organisation),
    h("section", { "aria-labelledby": "purge-title" },
      h("h2", { id: "purge-title" }, t("Te verwijderen gegevens")),
      h("p", {}, t("Het datatoegangscontract vraagt dat je deze gegevens verwijdert. Ook wat je vroeger ophaalde, valt eronder.")),
      obligations),
    h("section", { "aria-labelledby": "feed-title" },
      h("h2", { id: "feed-title" }, t("Alle wijzigingen")),
      h("div", { class: "table-wrap" }, h("table", { id: "feed", class: "stacked" },
        h("caption", { class: "visually-hidden" }, t("Alle wijzigingen")),
        h("thead", {}, h("tr", {}, COLUMNS.map((text) => h("th", { scope: "col" }, t(text))))),
        body)),
      more),
  ];
}

/** One page of the feed (oldest first, as it is kept); each event also updates the obligations. */
async function load(state, obligations, body, more, cursor) {
  const query = new URLSearchParams({ limit: "200" });
  if (cursor) query.set("cursor", cursor);
  const page = await api(`/v1/organisations/${en}/mandate-events?${query}`);
  for (const event of page.items) {
    body.prepend(eventRow(event));
    const purge = obligation(event);
    if (purge) state.purges.set(`${event.mandate_id}:${event.type}:${event.seq}`, purge);
  }
  obligations.replaceChildren(...(state.purges.size
    ? [...state.purges.values()].reverse()
    : [h("li", { class: "note" }, t("Er zijn geen gegevens die je moet verwijderen."))]));
  more.replaceChildren(page.next_cursor ? h("button", {
    class: "secondary",
    onclick: async (event) => {
      event.target.disabled = true;
      try {
        await load(state, obligations, body, more, page.next_cursor);
      } catch (error) {
        more.replaceChildren(errorBox(error));
      }
    },
  }, t("Meer tonen")) : "");
}

function obligation(event) {
  if (event.type === "period_truncated") {
    return h("li", { class: "card" },
      h("h3", {}, `EAN ${event.ean}`),
      h("p", { class: "status ended" }, t("Verwijder de gegevens vanaf {date}", { date: formatDate(event.details.purge_from) })),
      h("p", {}, t("Een marktscenario ({scenario}) op {date} kortte de verbruiksperiode in tot {end}.", {
        scenario: label(event.details.scenario), date: formatDate(event.details.effective_date), end: formatDate(addDays(event.details.new_end, -1)),
      })));
  }
  if (event.type === "ended" || event.type === "expired") {
    return h("li", { class: "card" },
      h("h3", {}, `EAN ${event.ean}`),
      h("p", { class: "status ended" }, t("Verwijder alle gegevens van dit mandaat")),
      h("p", {}, t("Het mandaat is {what} op {date}{reason}.", {
        what: t(event.type === "ended" ? "beëindigd" : "verlopen"),
        date: formatDateTime(event.at),
        reason: event.details.end_reason ? ` (${label(event.details.end_reason === "expired" ? "expired_reason" : event.details.end_reason)})` : "",
      })));
  }
  return null;
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
    details = t("nieuw einde {end}; verwijderen vanaf {date}", { end: formatDate(addDays(d.new_end, -1)), date: formatDate(d.purge_from) });
  } else if (d.end_reason) {
    details = label(d.end_reason === "expired" ? "expired_reason" : d.end_reason);
  }
  const cells = [formatDateTime(event.at), t(EVENTS[event.type] ?? event.type), event.ean, details || "–"];
  return h("tr", {}, cells.map((cell, i) => h("td", { "data-label": t(COLUMNS[i]) }, cell)));
}


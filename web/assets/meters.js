// "Meters van anderen": the EANs whose customers share data with this EDV, with search and filters.
// On a phone each row is a card (portal.css, by the cells' data-label).
import {
  accessToken, api, errorBox, formatDate, h, label, login, n, renderAccount, show, t,
} from "./portal.js";
import { currentOrganisation, organisationPicker } from "./organisation.js";

const app = document.getElementById("app");
const FILTERS = {
  energy: ["electricity", "gas"],
  meter_type: ["digital", "amr"],
  granularity: ["quarter_hour", "hour", "day"],
  status: ["active", "ended", "expired"],
};
const FILTER_LABELS = { energy: n("Energie"), meter_type: n("Meter"), granularity: n("Gegevens"), status: n("Mandaat") };
const COLUMNS = [n("EAN-code"), n("Energie"), n("Meter"), n("Adres"), n("Gegevens"), n("Mandaat"), n("Geldig tot")];

renderAccount();
if (!accessToken()) login();
else show(app, render);

async function render() {
  const { person, organisation } = await currentOrganisation();
  const en = organisation.enterprise_number;
  const results = h("div", { id: "results", "aria-live": "polite" });
  const form = h("form", { role: "search", onsubmit: (event) => {
    event.preventDefault();
    search(en, new FormData(form), results);
  } },
    h("div", { class: "row" },
      h("div", { class: "field" },
        h("label", { for: "ean" }, t("EAN-code"), h("span", { class: "hint" }, t("of het begin ervan"))),
        h("input", { type: "search", id: "ean", name: "ean", inputmode: "numeric", autocomplete: "off" })),
      Object.entries(FILTERS).map(([name, values]) => h("div", { class: "field" },
        h("label", { for: name }, t(FILTER_LABELS[name])),
        h("select", { id: name, name, onchange: () => form.requestSubmit() },
          h("option", { value: "" }, t("Alle")),
          values.map((value) => h("option", { value }, label(value))))))),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("Zoeken"))));
  search(en, new FormData(form), results);
  return [organisationPicker(person, organisation), form, results];
}

async function search(en, data, results, cursor = null, rows = null) {
  const query = new URLSearchParams({ limit: "50" });
  for (const [name, value] of data.entries()) if (value) query.set(name, value);
  if (cursor) query.set("cursor", cursor);
  try {
    const page = await api(`/v1/organisations/${en}/access-points?${query}`);
    const body = rows || h("tbody");
    body.append(...page.items.map((point) => row(en, point)));
    if (!rows) {
      results.replaceChildren(page.items.length ? table(body) : h("p", {}, t("Geen meters gevonden.")));
    }
    results.querySelector(".more")?.remove();
    if (page.next_cursor) {
      results.append(h("div", { class: "actions more" }, h("button", {
        class: "secondary", onclick: () => search(en, data, results, page.next_cursor, body),
      }, t("Meer tonen"))));
    }
  } catch (error) {
    results.replaceChildren(errorBox(error));
  }
}

function table(body) {
  return h("div", { class: "table-wrap" }, h("table", { id: "meters", class: "stacked" },
    h("caption", { class: "visually-hidden" }, t("Meters van anderen")),
    h("thead", {}, h("tr", {}, COLUMNS.map((text) => h("th", { scope: "col" }, t(text))))),
    body));
}

function row(en, point) {
  const href = `/verbruik/meter/?org=${en}&ean=${point.ean}`;
  const cells = [
    h("a", { href }, point.ean),
    label(point.energy),
    `${label(point.meter_type)}${point.meter_type === "amr" ? ` (${label(point.direction).toLowerCase()})` : ""}`,
    point.address || "–",
    label(point.granularity),
    h("span", { class: `status ${point.status}` }, label(point.status)),
    point.status === "active" ? formatDate(point.valid_until) : "–",
  ];
  return h("tr", {}, cells.map((cell, i) => h("td", { "data-label": t(COLUMNS[i]) }, cell)));
}

// "Mijn mandaten": the customer's mandates, with a button to end each active one, and who read
// their data (the access log, R12).
import {
  accessToken, alertBox, api, edvName, errorBox, formatDate, formatDateTime, formatPeriod, h, label, login,
  renderAccount, show,
} from "./portal.js";

const app = document.getElementById("app");

renderAccount();
if (!accessToken()) login();
else show(app, render);

async function render() {
  const [mandates, log] = await Promise.all([
    api("/v1/me/mandates?limit=200"),
    api("/v1/me/access-log?limit=50"),
  ]);
  const names = await namesOf([...mandates.items, ...log.items].map((item) => item.edv));
  return [
    h("section", { "aria-labelledby": "mandates-title" },
      h("h2", { id: "mandates-title" }, "Toestemmingen"),
      mandates.items.length
        ? h("ul", { class: "cards", id: "mandates" }, mandates.items.map((m) => mandateCard(m, names)))
        : h("p", {}, "Je gaf nog geen enkele energiedienstverlener toegang tot je meetgegevens.")),
    h("section", { "aria-labelledby": "log-title" },
      h("h2", { id: "log-title" }, "Wie raadpleegde je meetgegevens?"),
      log.items.length ? accessLog(log.items, names) : h("p", {}, "Nog niemand raadpleegde je meetgegevens.")),
  ];
}

async function namesOf(numbers) {
  const unique = [...new Set(numbers)];
  const resolved = await Promise.all(unique.map(edvName));
  return new Map(unique.map((number, i) => [number, resolved[i]]));
}

function mandateCard(mandate, names) {
  const status = h("p", { class: `status ${mandate.status}` }, label(mandate.status),
    mandate.end_reason ? ` (${label(mandate.end_reason === "expired" ? "expired_reason" : mandate.end_reason)})` : "");
  const adjustments = mandate.period_adjustments.map((a) => h("li", {},
    `Einde verbruiksperiode ${formatDate(a.previous_end)} → ${formatDate(a.new_end)} (wijziging van netgebruiker op ${formatDate(a.effective_date)})`));
  const message = h("div");
  return h("li", { class: "card", "data-mandate": mandate.id },
    h("h3", {}, names.get(mandate.edv)),
    status,
    h("dl", { class: "facts" },
      h("dt", {}, "EAN"), h("dd", {}, mandate.ean),
      h("dt", {}, "Gegevens"), h("dd", {}, label(mandate.granularity)),
      h("dt", {}, "Verbruiksperiode"), h("dd", {}, formatPeriod(mandate.period_start, mandate.period_end)),
      mandate.status === "requested" ? null : h("dt", {}, mandate.status === "active" ? "Geldig tot" : "Beëindigd op"),
      mandate.status === "requested" ? null : h("dd", {}, mandate.status === "active" ? formatDate(mandate.valid_until) : formatDateTime(mandate.ended_at) || formatDate(mandate.valid_until))),
    adjustments.length ? h("ul", { class: "note" }, adjustments) : null,
    mandate.status === "requested" ? h("p", { class: "note" }, mandate.you_decide
      ? "Iemand op je adres of in je organisatie vroeg deze toestemming. Ze geldt pas als jij ze goedkeurt."
      : "Je vroeg deze toestemming aan. Ze geldt pas als de netgebruiker ze goedkeurt.") : null,
    message,
    mandate.status === "active"
      ? h("div", { class: "actions" }, h("button", {
        class: "secondary",
        onclick: (event) => end(event.target, mandate, names.get(mandate.edv), message),
      }, "Stopzetten"))
      : null,
    mandate.status === "requested" && mandate.you_decide
      ? h("div", { class: "actions" },
        h("button", { onclick: (event) => decide(event.target, mandate, "approve", names.get(mandate.edv), message) }, "Goedkeuren"),
        h("button", { class: "secondary", onclick: (event) => decide(event.target, mandate, "refuse", names.get(mandate.edv), message) }, "Weigeren"))
      : null,
  );
}

async function decide(button, mandate, decision, name, message) {
  button.disabled = true;
  try {
    await api(`/v1/me/mandates/${mandate.id}/${decision}`, { method: "POST" });
    await show(app, render);
    const done = decision === "approve"
      ? `${name} heeft nu toegang tot de meetgegevens van EAN ${mandate.ean}.`
      : `De aanvraag voor ${name} is geweigerd.`;
    app.prepend(alertBox("ok", h("p", {}, done)));
  } catch (error) {
    button.disabled = false;
    message.replaceChildren(errorBox(error));
  }
}

async function end(button, mandate, name, message) {
  if (!window.confirm(`Wil je de toestemming voor ${name} op EAN ${mandate.ean} stopzetten? ${name} kan je meetgegevens dan niet meer raadplegen.`)) return;
  button.disabled = true;
  try {
    await api(`/v1/me/mandates/${mandate.id}/end`, { method: "POST" });
    await show(app, render);
    app.prepend(alertBox("ok", h("p", {}, `De toestemming voor ${name} is stopgezet.`)));
  } catch (error) {
    button.disabled = false;
    message.replaceChildren(errorBox(error));
  }
}

function accessLog(items, names) {
  const resolution = (r) => ({ quarter_hour: "kwartier", hour: "uur", day: "dag", week: "week", month: "maand", year: "jaar" })[r] || r;
  return h("div", { class: "table-wrap" }, h("table", { id: "access-log" },
    h("caption", { class: "visually-hidden" }, "Raadplegingen van je meetgegevens"),
    h("thead", {}, h("tr", {}, ["Wanneer", "Wie", "EAN", "Periode", "Detail", "Via"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, items.map((entry) => h("tr", {},
      h("td", {}, formatDateTime(entry.at)),
      h("td", {}, names.get(entry.edv)),
      h("td", {}, entry.ean),
      h("td", {}, `${formatDate(entry.range_from)} – ${formatDate(entry.range_to)}`),
      h("td", {}, entry.what === "peak_power" ? "piekvermogen" : `per ${resolution(entry.resolution)}`),
      h("td", {}, entry.face === "api" ? "API" : "portaal")))),
  ));
}

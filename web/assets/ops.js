// "Beheer", the operators' console (role ops): the queue of EDV applications with their signed
// contract, approve or reject with a reason; an access point's grid users, market scenarios and
// what they cut short (and reporting one); ingest reports with their rejected rows; the tariff
// table and its revisions; usage per EDV and month (CSV); the scheduled jobs and their runs.
import {
  accessToken, alertBox, allItems, api, download, errorBox, formatDate, formatDateTime, formatEnterpriseNumber, formatEuro, formatNumber,
  formatPeriod, h, label, login, me, moreButton, n, renderAccount, show, stackedTable, t, today,
} from "./portal.js";

const app = document.getElementById("app");
const TABS = {
  aanvragen: [n("Aanvragen"), applications],
  aansluitingen: [n("Aansluitingen"), accessPoints],
  inlezingen: [n("Inlezingen"), ingestReports],
  tarieven: [n("Tarieven"), tariffs],
  gebruik: [n("Gebruik"), usage],
  taken: [n("Taken"), jobs],
};
const JOBS = {
  "mandate-expiry": n("Mandaten laten verlopen"),
  "market-scenarios": n("Marktscenario's uitvoeren"),
  "publish-pages": n("Stappenplannen publiceren"),
  "webhook-dispatch": n("Webhooks versturen"),
};
const COUNTS = {
  expired: n("verlopen"), events_applied: n("scenario's uitgevoerd"), mandates_truncated: n("mandaten ingekort"),
  published: n("pagina's gepubliceerd"), queued: n("leveringen klaargezet"),
};

renderAccount();
if (!accessToken()) login();
else show(app, start);

async function start() {
  const person = await me();
  if (!person.roles.includes("ops")) {
    return alertBox("warn", h("p", {}, t("Deze pagina is voor de medewerkers van de netbeheerder.")));
  }
  const body = h("div", { id: "tab-body", role: "tabpanel" });
  const wanted = location.hash.slice(1) in TABS ? location.hash.slice(1) : "aanvragen";
  const tabs = h("div", { class: "tabs", role: "tablist" }, Object.entries(TABS).map(([key, [text]]) => h("button", {
    role: "tab", id: `tab-${key}`, "aria-selected": String(key === wanted), "aria-controls": "tab-body",
    onclick: (event) => {
      for (const other of event.target.parentElement.children) other.setAttribute("aria-selected", String(other === event.target));
      history.replaceState(null, "", `#${key}`);
      open(body, key);
    },
  }, t(text))));
  open(body, wanted);
  return [tabs, body];
}

function open(body, key) {
  body.setAttribute("aria-labelledby", `tab-${key}`);
  show(body, () => TABS[key][1](body));
}

function table(id, columns, rows) {
  return stackedTable(columns, rows, { id, caption: columns.join(", ") });
}

// Aanvragen ------------------------------------------------------------------------------------

async function applications(body, status = "signed") {
  const found = await allItems(`/v1/ops/edv-applications?status=${status}`);
  const picker = h("div", { class: "field" }, h("label", { for: "queue-status" }, t("Status")),
    h("select", { id: "queue-status", onchange: (event) => show(body, () => applications(body, event.target.value)) },
      ["signed", "requested", "active", "rejected", "cancelled", "terminated"].map((value) => h("option", { value, selected: value === status }, label(value)))));
  return [
    picker,
    found.length ? h("ul", { class: "cards", id: "applications" }, found.map((a) => applicationCard(body, a, status)))
      : h("p", {}, t("Geen aanvragen met deze status.")),
  ];
}

function applicationCard(body, application, status) {
  const en = application.enterprise_number;
  const message = h("div");
  const reason = h("textarea", { id: `reason-${en}`, rows: "2", maxlength: "500" });
  const decide = async (button, decision) => {
    if (decision === "reject" && !reason.value.trim()) {
      message.replaceChildren(alertBox("error", h("p", {}, t("Geef een reden voor de weigering: de aanvrager ziet ze."))));
      reason.focus();
      return;
    }
    button.disabled = true;
    try {
      await api(`/v1/ops/edv-applications/${en}/${decision}`, decision === "reject"
        ? { method: "POST", json: { reason: reason.value.trim() } } : { method: "POST" });
      await show(body, () => applications(body, status));
      body.prepend(alertBox("ok", h("p", {}, decision === "approve"
        ? t("{name} is nu energiedienstverlener.", { name: application.organisation_name })
        : t("De aanvraag van {name} is geweigerd.", { name: application.organisation_name }))));
    } catch (error) {
      button.disabled = false;
      message.replaceChildren(errorBox(error));
    }
  };
  return h("li", { class: "card", "data-enterprise-number": en },
    h("h3", {}, application.organisation_name),
    h("p", {}, h("span", { class: `status ${application.contract_status}` }, label(application.contract_status))),
    h("dl", { class: "facts" },
      h("dt", {}, t("Ondernemingsnummer")), h("dd", {}, formatEnterpriseNumber(en)),
      h("dt", {}, t("Kanaal")), h("dd", {}, label(application.channel)),
      h("dt", {}, t("Contractnummer")), h("dd", {}, application.contract_number),
      h("dt", {}, t("Aangevraagd op")), h("dd", {}, formatDate(application.requested_at)),
      application.signed_at ? [h("dt", {}, t("Ondertekend op")), h("dd", {}, formatDateTime(application.signed_at))] : null,
      application.rejection_reason ? [h("dt", {}, t("Reden")), h("dd", {}, application.rejection_reason)] : null),
    application.signed_contract_sha256 ? h("div", { class: "actions" }, h("button", {
      class: "secondary",
      onclick: () => download(`/v1/ops/edv-applications/${en}/signed-contract`, `${application.contract_number}-ondertekend.pdf`).catch((error) => message.replaceChildren(errorBox(error))),
    }, t("Ondertekend contract (PDF)"))) : null,
    status === "signed" ? [
      h("div", { class: "field" }, h("label", { for: `reason-${en}` }, t("Reden bij weigering")), reason),
      h("div", { class: "actions" },
        h("button", { onclick: (event) => decide(event.target, "approve") }, t("Goedkeuren")),
        h("button", { class: "secondary", onclick: (event) => decide(event.target, "reject") }, t("Weigeren"))),
    ] : null,
    message);
}

// Aansluitingen --------------------------------------------------------------------------------

function accessPoints() {
  const result = h("div", { "aria-live": "polite" });
  const form = h("form", { role: "search", onsubmit: (event) => {
    event.preventDefault();
    const ean = String(new FormData(form).get("ean")).trim();
    show(result, () => pointHistory(ean, result));
  } },
    h("div", { class: "field" }, h("label", { for: "ops-ean" }, t("EAN-code")),
      h("input", { type: "search", id: "ops-ean", name: "ean", inputmode: "numeric", required: true, pattern: "[0-9]{18}", autocomplete: "off" })),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("Opzoeken"))));
  return [form, result];
}

function gridUser(user) {
  if (!user) return t("niemand (leegstand)");
  return user.kind === "org" ? t("organisatie {number}", { number: formatEnterpriseNumber(user.id) }) : t("persoon {id}", { id: user.id });
}

async function pointHistory(ean, result) {
  const found = await api(`/v1/ops/access-points/${ean}`);
  const point = found.access_point;
  const byId = new Map(found.mandates.map((m) => [m.mandate_id, m]));
  return [
    h("h2", {}, `EAN ${point.ean}`),
    h("dl", { class: "facts" },
      h("dt", {}, t("Meter")), h("dd", {}, `${label(point.energy)}, ${label(point.meter_type).toLowerCase()}, ${label(point.direction).toLowerCase()} · ${point.meter_number}`),
      h("dt", {}, t("Adres")), h("dd", {}, point.address)),
    h("h3", {}, t("Netgebruikers")),
    table("tenures", [t("Sinds"), t("Netgebruiker")], point.tenures.map((tenure) => [formatDate(tenure.since), gridUser(tenure.grid_user)])),
    h("h3", {}, t("Marktscenario's")),
    found.market_events.length ? table("market-events", [t("Scenario"), t("Ingangsdatum"), t("Status"), t("Gemeld op"), t("Ingekorte mandaten")],
      found.market_events.map((event) => [
        label(event.scenario), formatDate(event.effective_date), label(event.status), formatDateTime(event.recorded_at),
        event.truncated.length ? event.truncated.map((id) => byId.get(id)).filter(Boolean)
          .map((m) => t("{edv}: einde {end}", { edv: formatEnterpriseNumber(m.edv), end: formatDate(m.period_end) })).join("; ") : "–",
      ])) : h("p", {}, t("Geen marktscenario's gemeld.")),
    marketEventForm(point.ean, result),
    h("h3", {}, t("Mandaten")),
    found.mandates.length ? table("point-mandates", [t("Dienstverlener"), t("Status"), t("Gegevens"), t("Verbruiksperiode"), t("Geldig tot")],
      found.mandates.map((m) => [
        formatEnterpriseNumber(m.edv),
        h("span", { class: `status ${m.status}` }, label(m.status), m.end_reason ? ` (${label(m.end_reason === "expired" ? "expired_reason" : m.end_reason)})` : ""),
        label(m.granularity), formatPeriod(m.period_start, m.period_end), formatDate(m.valid_until),
      ])) : h("p", {}, t("Geen mandaten op deze aansluiting.")),
  ];
}

function marketEventForm(ean, result) {
  const problems = h("div");
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { ean, scenario: data.get("scenario"), effective_date: data.get("effective_date") };
    const newUser = String(data.get("new_grid_user") || "").trim();
    if (newUser) body.new_grid_user = /^[0-9]{10}$/.test(newUser) ? { enterprise_number: newUser } : { sub: newUser };
    event.submitter.disabled = true;
    try {
      await api("/v1/ops/market-events", { method: "POST", json: body });
      await show(result, () => pointHistory(ean, result));
    } catch (error) {
      event.submitter.disabled = false;
      problems.replaceChildren(errorBox(error));
    }
  } },
    h("h4", {}, t("Marktscenario melden")),
    h("div", { class: "row" },
      h("div", { class: "field" }, h("label", { for: "scenario" }, t("Scenario")),
        h("select", { id: "scenario", name: "scenario" }, ["customer_switch", "combined_switch", "move_in", "move_out", "supplier_switch", "physical_disconnection"]
          .map((value) => h("option", { value }, label(value))))),
      h("div", { class: "field" }, h("label", { for: "effective_date" }, t("Ingangsdatum")),
        h("input", { type: "date", id: "effective_date", name: "effective_date", required: true, value: today() })),
      h("div", { class: "field" }, h("label", { for: "new_grid_user" }, t("Nieuwe netgebruiker"), h("span", { class: "hint" }, t("ondernemingsnummer of persoon; niet bij uithuis of afsluiting"))),
        h("input", { type: "text", id: "new_grid_user", name: "new_grid_user", autocomplete: "off" }))),
    problems,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, t("Melden"))));
  return form;
}

// Inlezingen -----------------------------------------------------------------------------------

function ingestReports() {
  const result = h("div", { "aria-live": "polite" });
  const day = h("input", { type: "date", id: "ingest-day", value: today(), onchange: () => show(result, () => reportsOf(day.value)) });
  show(result, () => reportsOf(day.value));
  return [h("div", { class: "field" }, h("label", { for: "ingest-day" }, t("Ontvangen op")), day), result];
}

async function reportsOf(day) {
  const page = await api(`/v1/ops/ingest-reports?day=${day}&limit=100`);
  if (!page.items.length) return h("p", {}, t("Geen inlezingen op deze dag."));
  const list = h("ul", { class: "cards", id: "ingest-reports" });
  const more = h("div", { class: "actions" });
  addReports(list, more, day, page);
  return [list, more];
}

/** A page of a day's reports, and "Meer tonen" for the next while there is one. */
function addReports(list, more, day, page) {
  list.append(...page.items.map(reportCard));
  const next = async () => addReports(list, more, day, await api(`/v1/ops/ingest-reports?day=${day}&limit=100&cursor=${encodeURIComponent(page.next_cursor)}`));
  more.replaceChildren(page.next_cursor ? moreButton(next, more) : "");
}

function reportCard(report) {
  return h("li", { class: "card" },
    h("h3", {}, report.source),
    h("p", { class: `status ${report.status === "ok" ? "active" : report.status === "partial" ? "requested" : "ended"}` }, label(report.status)),
    h("dl", { class: "facts" },
      h("dt", {}, t("Ontvangen")), h("dd", {}, formatDateTime(report.received_at)),
      h("dt", {}, t("Rijen")), h("dd", {}, t("{rows} rijen: {accepted} aanvaard, {rejected} geweigerd", report)),
      report.file_error ? [h("dt", {}, t("Bestand")), h("dd", {}, report.file_error)] : null),
    report.errors.length ? h("details", {},
      h("summary", {}, t("Geweigerde rijen ({count})", { count: report.errors.length + report.errors_not_listed })),
      table(`errors-${report.report_id}`, [t("Rij"), t("Veld"), t("Fout")], report.errors.map((e) => [String(e.row), e.field, e.message])),
      report.errors_not_listed ? h("p", { class: "note" }, t("en nog {count} die niet afzonderlijk bewaard zijn", { count: report.errors_not_listed })) : null) : null);
}

// Tarieven -------------------------------------------------------------------------------------

async function tariffs() {
  const revisions = await api("/v1/ops/tariffs/revisions");
  if (!revisions.items.length) return h("p", {}, t("Er is nog geen tarieftabel."));
  const columns = [t("Geldig"), t("Per EAN per dag (dag)"), t("(uur)"), t("(kwartier)"), t("Jaarbijdrage"), t("Per geëxporteerde EAN"), t("Beslissing")];
  return revisions.items.map((revision, index) => h("section", { class: index ? "card" : "card current" },
    h("h2", {}, index ? t("Versie {revision}", revision) : t("Versie {revision} (van kracht)", revision)),
    revision.changed_at ? h("p", { class: "note" }, t("Gewijzigd op {date} door {by}", { date: formatDateTime(revision.changed_at), by: revision.changed_by })) : null,
    table(`tariffs-${revision.revision}`, columns, revision.entries.map((entry) => [
      entry.valid_to ? formatPeriod(entry.valid_from, entry.valid_to) : t("vanaf {date}", { date: formatDate(entry.valid_from) }),
      formatEuro(Number(entry.per_ean_day.day), 4), formatEuro(Number(entry.per_ean_day.hour), 4),
      formatEuro(Number(entry.per_ean_day.quarter_hour), 4), formatEuro(Number(entry.yearly_fee), 2),
      formatEuro(Number(entry.per_exported_ean), 4), entry.decision,
    ]))));
}

// Gebruik --------------------------------------------------------------------------------------

function usage() {
  const result = h("div", { "aria-live": "polite" });
  const month = h("input", { type: "month", id: "usage-month", value: today().slice(0, 7), onchange: () => show(result, () => usageOf(month.value)) });
  show(result, () => usageOf(month.value));
  return [
    h("div", { class: "row" }, h("div", { class: "field" }, h("label", { for: "usage-month" }, t("Maand")), month)),
    h("div", { class: "actions" }, h("button", {
      class: "secondary", onclick: () => download(`/v1/ops/usage?month=${month.value}&format=csv`, `gebruik-${month.value}.csv`),
    }, t("Gebruik downloaden (CSV)"))),
    result,
  ];
}

async function usageOf(month) {
  const answer = await api(`/v1/ops/usage?month=${month}`);
  if (!answer.items.length) return h("p", {}, t("Geen gebruik in deze maand."));
  const columns = [t("Dienstverlener"), t("Mandaatdagen"), t("Geëxporteerde EAN's"), t("Bedrag"), t("Dagen zonder tarief")];
  return [
    table("usage", columns, answer.items.map((item) => [
      formatEnterpriseNumber(item.edv),
      Object.entries(item.mandate_days).map(([granularity, days]) => `${label(granularity)}: ${days}`).join(", ") || "0",
      String(item.exported_eans),
      formatEuro(Number(item.total), 2),
      String(item.days_without_tariff),
    ])),
    h("p", {}, h("strong", {}, t("Totaal: {amount}", { amount: formatEuro(Number(answer.total)) }))),
  ];
}

// Taken ----------------------------------------------------------------------------------------

async function jobs(body) {
  const runs = await api("/v1/ops/job-runs?limit=10");
  const message = h("div");
  const run = async (button, job) => {
    button.disabled = true;
    try {
      await api(`/v1/ops/jobs/${job}/run`, { method: "POST" });
      await show(body, () => jobs(body));
    } catch (error) {
      button.disabled = false;
      message.replaceChildren(errorBox(error));
    }
  };
  return [
    h("p", {}, t("Elke taak loopt op haar schema; hier start je ze ook meteen. Een taak die niets meer te doen vindt, verandert niets.")),
    h("div", { class: "actions" }, Object.entries(JOBS).map(([job, text]) => h("button", { class: "secondary", onclick: (event) => run(event.target, job) }, t(text)))),
    message,
    runs.items.length ? table("job-runs", [t("Taak"), t("Gestart"), t("Duur"), t("Resultaat"), t("Gedaan")],
      runs.items.map((r) => [
        t(JOBS[r.job] ?? r.job), formatDateTime(r.started_at), `${formatNumber(r.duration_ms, 0)} ms`,
        h("span", { class: `status ${r.outcome === "ok" ? "active" : "ended"}` }, label(r.outcome === "ok" ? "ok" : "failed")),
        Object.entries(r.counts).map(([name, count]) => `${t(COUNTS[name] ?? name)}: ${count}`).join(", ") || "–",
      ])) : h("p", {}, t("Nog geen taken uitgevoerd.")),
  ];
}

// "Mijn mandaten": the customer's mandates, with a button to end each active one, and who read
// their data (the access log, R12) in sessions: paged, filtered by EDV and EAN, downloadable.
import {
  accessToken, alertBox, allItems, api, download, edvName, errorBox, formatDate, formatDateTime, formatDays, formatPeriod, h,
  confirmInPlace, label, LANG, login, n, renderAccount, show, t, today,
} from "./portal.js";

const app = document.getElementById("app");
const WHAT = { volumes: n("verbruik"), peak_power: n("piekvermogen"), energy: n("verbruik") };
const RESOLUTIONS = {
  quarter_hour: n("per kwartier"), hour: n("per uur"), day: n("per dag"), week: n("per week"),
  month: n("per maand"), year: n("per jaar"),
  daily: n("per dag"), hourly_quarterhourly: n("per kwartier of uur"), // the machine API's series
};
const LOG_COLUMNS = [n("Wanneer"), n("Wie"), n("EAN"), n("Periode"), n("Detail"), n("Via")];

renderAccount();
if (!accessToken()) login();
else show(app, render);

async function render() {
  const mandates = { items: await allItems("/v1/me/mandates") }; // an organisation may have many
  const names = await namesOf(mandates.items.map((item) => item.edv));
  const log = h("div", { id: "log" });
  showLog(log, names, {});
  return [
    h("section", { "aria-labelledby": "mandates-title" },
      h("h2", { id: "mandates-title" }, t("Toestemmingen")),
      mandates.items.length
        ? h("ul", { class: "cards", id: "mandates" }, mandates.items.map((m) => mandateCard(m, names)))
        : h("p", {}, t("Je gaf nog geen enkele energiedienstverlener toegang tot je meetgegevens."))),
    h("section", { "aria-labelledby": "log-title" },
      h("h2", { id: "log-title" }, t("Wie raadpleegde je meetgegevens?")),
      h("p", { class: "note" }, t("Raadplegingen door dezelfde dienstverlener van dezelfde aansluiting kort na elkaar staan samen op één regel.")),
      logFilters(log, names, mandates.items),
      log),
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
  const adjustments = mandate.period_adjustments.map((a) => h("li", {}, t(
    "Einde verbruiksperiode {previous} → {new} (wijziging van netgebruiker op {date})",
    { previous: formatDate(a.previous_end), new: formatDate(a.new_end), date: formatDate(a.effective_date) },
  )));
  const message = h("div");
  const requested = mandate.status === "requested";
  return h("li", { class: "card", "data-mandate": mandate.id },
    h("h3", {}, names.get(mandate.edv)),
    status,
    h("dl", { class: "facts" },
      h("dt", {}, t("EAN")), h("dd", {}, mandate.ean),
      h("dt", {}, t("Gegevens")), h("dd", {}, label(mandate.granularity)),
      h("dt", {}, t("Verbruiksperiode")), h("dd", {}, formatPeriod(mandate.period_start, mandate.period_end)),
      requested ? null : h("dt", {}, mandate.status === "active" ? t("Geldig tot") : mandate.status === "rejected" ? t("Geweigerd op") : t("Beëindigd op")),
      requested ? null : h("dd", {}, mandate.status === "active" ? formatDate(mandate.valid_until) : formatDateTime(mandate.ended_at) || formatDate(mandate.valid_until))),
    adjustments.length ? h("ul", { class: "note" }, adjustments) : null,
    purgeNote(mandate, names.get(mandate.edv)),
    requested ? h("p", { class: "note" }, mandate.you_decide
      ? t("Iemand op je adres of in je organisatie vroeg deze toestemming. Ze geldt pas als jij ze goedkeurt.")
      : t("Je vroeg deze toestemming aan. Ze geldt pas als de netgebruiker ze goedkeurt.")) : null,
    renewalNote(mandate, names.get(mandate.edv)),
    message,
    mandate.status === "active"
      ? h("div", { class: "actions" },
        mandate.renewal === "due" || mandate.renewal === "requested"
          ? h("button", { onclick: (event) => renew(event.target, mandate, names.get(mandate.edv), message) }, t("Vernieuwen"))
          : null,
        h("button", {
          class: "secondary",
          onclick: (event) => end(event.target, mandate, names.get(mandate.edv), message),
        }, t("Stopzetten")))
      : null,
    requested && mandate.you_decide
      ? h("div", { class: "actions" },
        h("button", { onclick: (event) => confirmApproval(event.target, mandate, names.get(mandate.edv), message) }, t("Goedkeuren")),
        h("button", { class: "secondary", onclick: (event) => decide(event.target, mandate, "refuse", names.get(mandate.edv), message) }, t("Weigeren")))
      : null,
  );
}

/** Once a mandate stopped or was cut short, the EDV must delete what it may no longer keep; the
 * customer sees whether it confirmed that it did. */
function purgeNote(mandate, name) {
  const purge = mandate.purge;
  if (!purge) return null;
  if (purge.confirmed === purge.duties) {
    return h("p", { class: "note purge-confirmed" }, t("{name} bevestigde op {date} dat het de gegevens verwijderde die het niet meer mag bewaren.", {
      name, date: formatDateTime(purge.confirmed_at),
    }));
  }
  return h("p", { class: "note purge-due" }, t("{name} moet de gegevens verwijderen die het niet meer mag bewaren, en heeft dat nog niet bevestigd.", { name }));
}

/** The last 90 days: the mandate runs out, and perhaps the EDV asked to renew it. */
function renewalNote(mandate, name) {
  const end = formatDate(mandate.valid_until);
  if (mandate.renewal === "requested") {
    return alertBox("warn", h("p", {}, t(
      "{name} vraagt je dit mandaat te vernieuwen. Het loopt af op {end}. Vernieuwen geeft {name} drie jaar langer toegang, met dezelfde keuzes.",
      { name, end },
    )));
  }
  if (mandate.renewal === "due") {
    return h("p", { class: "note" }, t(
      "Dit mandaat loopt af op {end}. Vernieuw het als {name} je meetgegevens mag blijven raadplegen.", { name, end },
    ));
  }
  return null;
}

async function renew(button, mandate, name, message) {
  button.disabled = true;
  try {
    const renewed = await api(`/v1/me/mandates/${mandate.id}/renew`, { method: "POST" });
    await show(app, render);
    app.prepend(alertBox("ok", h("p", {}, t(
      "Het mandaat voor {name} is vernieuwd. Het geldt nu tot {end}.", { name, end: formatDate(renewed.valid_until) },
    ))));
  } catch (error) {
    button.disabled = false;
    message.replaceChildren(errorBox(error));
  }
}

/** Approving grants access for years: say what and until when, and ask once more, in the page. */
async function confirmApproval(button, mandate, name, message) {
  const question = t(
    "Je geeft {name} toegang tot de meetgegevens van EAN {ean}: {what}, verbruiksperiode {period}. Het mandaat geldt tot {until}, tenzij je het eerder stopzet.",
    {
      name, ean: mandate.ean, what: label(mandate.granularity).toLowerCase(),
      period: formatPeriod(mandate.period_start, mandate.period_end), until: formatDate(mandate.valid_until_if_approved),
    },
  );
  if (await confirmInPlace(button.parentElement ?? button, question, t("Bevestigen"))) {
    await decide(button, mandate, "approve", name, message);
  }
}

async function decide(button, mandate, decision, name, message) {
  button.disabled = true;
  try {
    await api(`/v1/me/mandates/${mandate.id}/${decision}`, { method: "POST" });
    await show(app, render);
    const done = decision === "approve"
      ? t("{name} heeft nu toegang tot de meetgegevens van EAN {ean}.", { name, ean: mandate.ean })
      : t("De aanvraag voor {name} is geweigerd.", { name });
    app.prepend(alertBox("ok", h("p", {}, done)));
  } catch (error) {
    button.disabled = false;
    message.replaceChildren(errorBox(error));
  }
}

async function end(button, mandate, name, message) {
  const question = t("Wil je de toestemming voor {name} op EAN {ean} stopzetten? {name} kan je meetgegevens dan niet meer raadplegen.", { name, ean: mandate.ean });
  if (!(await confirmInPlace(button, question, t("Stopzetten")))) return;
  button.disabled = true;
  try {
    await api(`/v1/me/mandates/${mandate.id}/end`, { method: "POST" });
    await show(app, render);
    app.prepend(alertBox("ok", h("p", {}, t("De toestemming voor {name} is stopgezet. {name} moet de gegevens die het ophaalde verwijderen; hier zie je wanneer het dat bevestigt.", { name }))));
  } catch (error) {
    button.disabled = false;
    message.replaceChildren(errorBox(error));
  }
}

// The access log -------------------------------------------------------------------------------

function logFilters(log, names, mandates) {
  const eans = [...new Set(mandates.map((m) => m.ean))];
  const form = h("form", { class: "row", onchange: () => showLog(log, names, filters()), onsubmit: (e) => e.preventDefault() },
    h("div", { class: "field" }, h("label", { for: "log-edv" }, t("Dienstverlener")),
      h("select", { id: "log-edv", name: "edv" }, h("option", { value: "" }, t("Alle")),
        [...names].map(([number, name]) => h("option", { value: number }, name)))),
    h("div", { class: "field" }, h("label", { for: "log-ean" }, t("Aansluiting")),
      h("select", { id: "log-ean", name: "ean" }, h("option", { value: "" }, t("Alle")),
        eans.map((ean) => h("option", { value: ean }, ean)))));
  const filters = () => Object.fromEntries([...new FormData(form)].filter(([, value]) => value));
  return [form, h("div", { class: "actions" }, h("button", {
    class: "secondary",
    onclick: () => download(`/v1/me/access-log/sessions?${new URLSearchParams({ ...filters(), format: "csv", lang: LANG })}`, [t("raadplegingen"), filters().ean, today()].filter(Boolean).join("-") + ".csv"),
  }, t("Raadplegingen downloaden (CSV)")))];
}

function showLog(log, names, filters) {
  show(log, async () => {
    const body = h("tbody");
    const more = h("div", { class: "actions" });
    const empty = await page(body, more, names, filters, null);
    if (empty) return h("p", {}, t("Nog niemand raadpleegde je meetgegevens."));
    return [h("div", { class: "table-wrap" }, h("table", { id: "access-log", class: "stacked" },
      h("caption", { class: "visually-hidden" }, t("Raadplegingen van je meetgegevens")),
      h("thead", {}, h("tr", {}, LOG_COLUMNS.map((text) => h("th", { scope: "col" }, t(text))))),
      body)), more];
  });
}

/** One page of sessions appended to `body`; "Meer tonen" fetches the next. True if none at all. */
async function page(body, more, names, filters, cursor) {
  const query = new URLSearchParams({ limit: "20", ...filters });
  if (cursor) query.set("cursor", cursor);
  const answer = await api(`/v1/me/access-log/sessions?${query}`);
  const unknown = answer.items.map((s) => s.edv).filter((edv) => !names.has(edv));
  for (const [edv, name] of await namesOf(unknown)) names.set(edv, name);
  body.append(...answer.items.map((session) => sessionRow(session, names)));
  more.replaceChildren(answer.next_cursor ? h("button", {
    class: "secondary",
    onclick: async (event) => {
      event.target.disabled = true;
      try {
        await page(body, more, names, filters, answer.next_cursor);
      } catch (error) {
        more.replaceChildren(errorBox(error));
      }
    },
  }, t("Meer tonen")) : "");
  return !cursor && !answer.items.length;
}

function sessionRow(session, names) {
  const when = session.reads > 1 && formatDateTime(session.first_at) !== formatDateTime(session.last_at)
    ? t("{from} tot {to}", { from: formatDateTime(session.first_at), to: formatDateTime(session.last_at).slice(-5) })
    : formatDateTime(session.last_at);
  const detail = [t(WHAT[session.what] ?? session.what), ...new Set(session.resolutions.flatMap((r) => r.split("+")).map((r) => t(RESOLUTIONS[r] ?? r)))];
  const cells = [
    when,
    names.get(session.edv),
    session.ean,
    formatDays(session.first_day, session.last_day),
    `${detail.join(", ")}${session.reads > 1 ? ` · ${t("{count} raadplegingen", { count: session.reads })}` : ""}`,
    session.face === "api" ? "API" : session.face === "export" ? t("historiek-export") : t("portaal"),
  ];
  return h("tr", {}, cells.map((cell, i) => h("td", { "data-label": t(LOG_COLUMNS[i]) }, cell)));
}

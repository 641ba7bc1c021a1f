// The consent page /verbruik/dienstverlener/{en}/toegang: the customer logs in, picks EAN(s), what
// to share and the consumption period, confirms, and sees the result. Opened with ?sessie= (an
// EDV-initiated request) it is pre-filled and afterwards returns to the EDV's site.
import {
  accessToken, addDays, addYears, alertBox, api, ApiError, formatDate, h, label, login,
  maxDate, queryParam, renderAccount, show, today,
} from "./portal.js";

const main = document.getElementById("consent");
const edv = main.dataset.edv;
const edvName = main.dataset.edvName;
const app = document.getElementById("app");
const sessionId = queryParam("sessie");

renderAccount();
show(app, start);

async function start() {
  const session = sessionId ? await consentSession() : null;
  const published = await api(`/v1/edvs/${edv}`, { auth: false });
  if (published.status !== "active") {
    return alertBox("warn", h("p", {}, `${edvName} biedt deze dienst niet langer aan. Je kan hier geen toestemming meer geven.`));
  }
  if (!accessToken()) {
    return [
      h("p", {}, "Meld je aan met je eID of itsme om verder te gaan. Daarna kies je wat je deelt."),
      h("div", { class: "actions" }, h("button", { onclick: () => login() }, "Aanmelden en verder")),
    ];
  }
  const points = (await api("/v1/me/access-points?limit=100")).items;
  if (!points.length) {
    return alertBox("warn", h("p", {}, "Je bent voor geen enkele aansluiting de netgebruiker, dus je kan geen meetgegevens delen."));
  }
  return choose(points, session, null);
}

async function consentSession() {
  try {
    const session = await api(`/v1/consent-sessions/${encodeURIComponent(sessionId)}`, { auth: false });
    if (session.edv !== edv) throw new Error("wrong EDV");
    return session;
  } catch {
    throw new ApiError(404, {
      message: `Deze aanvraag van ${edvName} bestaat niet of is verlopen. Vraag ${edvName} een nieuwe link.`,
    });
  }
}

function granularityFor(point, detailed) {
  if (!detailed) return "day";
  return point.energy === "gas" ? "hour" : "quarter_hour";
}

/** Step 1: the choices. `previous` keeps them when the customer comes back to change them. */
function choose(points, session, previous) {
  const requested = session?.services?.[0];
  const detailed = previous ? previous.detailed : requested ? requested.granularity !== "day" : false;
  const earliest = points.reduce((first, p) => (p.grid_user_since < first ? p.grid_user_since : first), "9999-12-31");
  const start = previous?.start ?? requested?.period_start ?? maxDate(`${Number(today().slice(0, 4)) - 1}-01-01`, earliest);
  const end = previous?.end ?? (requested ? addDays(requested.period_end, -1) : addDays(addYears(today(), 3), -1));
  const checked = new Set(previous?.eans ?? (points.length === 1 ? [points[0].ean] : []));
  const problems = h("div");

  const form = h("form", { novalidate: true, onsubmit: (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const choice = {
      eans: data.getAll("ean"),
      detailed: data.get("granularity") === "detailed",
      start: data.get("start"),
      end: data.get("end"),
    };
    const errors = [];
    if (!choice.eans.length) errors.push("Kies minstens één aansluiting.");
    if (!choice.start || !choice.end) errors.push("Vul het begin en het einde van de verbruiksperiode in.");
    else if (choice.end < choice.start) errors.push("Het einde van de verbruiksperiode ligt vóór het begin.");
    if (errors.length) {
      problems.replaceChildren(alertBox("error", h("ul", {}, errors.map((e) => h("li", {}, e)))));
      problems.querySelector(".alert").focus?.();
      return;
    }
    app.replaceChildren(confirmStep(points, session, choice));
  } },
    session ? alertBox("", h("p", {}, `${edvName} vroeg deze meetgegevens aan`, session.reference_number ? ` (referentie ${session.reference_number})` : "", ". Je kan de keuze nog aanpassen.")) : null,
    h("fieldset", {},
      h("legend", {}, "Van welke aansluiting?"),
      points.map((point) => h("label", { class: "choice" },
        h("input", { type: "checkbox", name: "ean", value: point.ean, checked: checked.has(point.ean) }),
        h("span", {}, `EAN ${point.ean}`,
          h("small", {}, `${label(point.energy)}, ${label(point.meter_type).toLowerCase()}, ${label(point.direction).toLowerCase()}`),
          h("small", {}, point.address))))),
    h("fieldset", {},
      h("legend", {}, "Welke meetgegevens?"),
      h("label", { class: "choice" },
        h("input", { type: "radio", name: "granularity", value: "day", checked: !detailed }),
        h("span", {}, "Dagwaarden", h("small", {}, "Je verbruik per dag; de dienstverlener ziet ook week, maand en jaar."))),
      h("label", { class: "choice" },
        h("input", { type: "radio", name: "granularity", value: "detailed", checked: detailed }),
        h("span", {}, "Kwartierwaarden (elektriciteit) of uurwaarden (gas)",
          h("small", {}, "Een gedetailleerd verbruikspatroon, en ook de dagwaarden.")))),
    h("fieldset", {},
      h("legend", {}, "Over welke periode?"),
      h("p", { class: "hint" }, "De verbruiksperiode mag niet beginnen voor je netgebruiker werd, en mag in de toekomst lopen."),
      h("div", { class: "row" },
        h("div", { class: "field" }, h("label", { for: "start" }, "Van"), h("input", { type: "date", id: "start", name: "start", value: start, required: true })),
        h("div", { class: "field" }, h("label", { for: "end" }, "Tot en met"), h("input", { type: "date", id: "end", name: "end", value: end, required: true })))),
    problems,
    h("div", { class: "actions" },
      h("button", { type: "submit" }, "Verder"),
      session ? h("button", { type: "button", class: "secondary", onclick: (event) => {
        const named = new FormData(form).getAll("ean");
        decline(event.target, named.length ? named : points.map((p) => p.ean), session, problems);
      } }, "Weigeren") : null),
  );
  return form;
}

/** The customer says no to the EDV's request: the EDV learns it (a rejected mandate). */
async function decline(button, eans, session, problems) {
  if (!window.confirm(`Wil je de aanvraag van ${edvName} weigeren? ${edvName} krijgt dan geen toegang.`)) return;
  button.disabled = true;
  try {
    await api(`/v1/consent-sessions/${encodeURIComponent(sessionId)}/decline`, { method: "POST", json: { eans } });
  } catch (error) {
    button.disabled = false;
    problems.replaceChildren(alertBox("error", h("p", {}, error.message)));
    return;
  }
  const back = session.return_url_failed;
  app.replaceChildren(
    h("h2", { id: "result-title", tabindex: "-1" }, "Je weigerde de aanvraag"),
    alertBox("ok", h("p", {}, `${edvName} krijgt geen toegang tot je meetgegevens en hoort dat je de aanvraag weigerde.`)),
    h("div", { class: "actions" },
      back ? h("a", { class: "button", href: back }, `Terug naar ${edvName}`) : null,
      h("a", { class: back ? "button secondary" : "button", href: "/verbruik/mandaten/" }, "Naar mijn mandaten")));
  document.getElementById("result-title")?.focus();
}

/** Step 2: say plainly what will be shared, then grant. */
function confirmStep(points, session, choice) {
  const chosen = points.filter((p) => choice.eans.includes(p.ean));
  const validUntil = addYears(today(), 3);
  return h("section", { "aria-labelledby": "confirm-title" },
    h("h2", { id: "confirm-title" }, "Controleer en bevestig"),
    h("p", {}, `Je geeft ${edvName} toegang tot:`),
    h("ul", {}, chosen.map((p) => h("li", {}, `EAN ${p.ean}: ${label(granularityFor(p, choice.detailed)).toLowerCase()}`))),
    h("dl", { class: "facts" },
      h("dt", {}, "Verbruiksperiode"), h("dd", {}, `${formatDate(choice.start)} tot en met ${formatDate(choice.end)}`),
      h("dt", {}, "Geldig"), h("dd", {}, `drie jaar, tot ${formatDate(validUntil)}; je kan de toestemming altijd stopzetten`)),
    h("div", { class: "actions" },
      h("button", { onclick: (event) => grant(event.target, points, chosen, session, choice) }, "Bevestigen"),
      h("button", { class: "secondary", onclick: () => app.replaceChildren(choose(points, session, choice)) }, "Wijzigen")),
  );
}

async function grant(button, points, chosen, session, choice) {
  button.disabled = true;
  const results = [];
  for (const point of chosen) {
    const body = {
      edv,
      ean: point.ean,
      granularity: granularityFor(point, choice.detailed),
      period_start: choice.start,
      period_end: addDays(choice.end, 1), // the API's period is half-open
    };
    if (sessionId) body.session = sessionId;
    try {
      results.push({ point, mandate: await api("/v1/me/mandates", { method: "POST", json: body }) });
    } catch (error) {
      results.push({ point, error });
    }
  }
  app.replaceChildren(...resultStep(results, session, () => app.replaceChildren(choose(points, session, choice))));
  document.getElementById("result-title")?.focus();
}

/** The outcome; when something failed, "Keuze aanpassen" goes back with every choice kept. */
function resultStep(results, session, change) {
  const allGranted = results.every((r) => r.mandate);
  const items = results.map((r) => r.mandate
    ? h("li", {}, `EAN ${r.point.ean}: toestemming gegeven, geldig tot ${formatDate(r.mandate.valid_until)}.`)
    : h("li", {}, `EAN ${r.point.ean}: niet gelukt. ${r.error.message}`));
  const back = session && (allGranted ? session.return_url_success : session.return_url_failed);
  return [
    h("h2", { id: "result-title", tabindex: "-1" }, allGranted ? "Je toestemming is geregistreerd" : "Niet alles is gelukt"),
    alertBox(allGranted ? "ok" : "error", h("ul", {}, items)),
    h("div", { class: "actions" },
      allGranted ? null : h("button", { onclick: change }, "Keuze aanpassen"),
      back ? h("a", { class: "button", href: back }, `Terug naar ${edvName}`) : null,
      h("a", { class: back || !allGranted ? "button secondary" : "button", href: "/verbruik/mandaten/" }, "Naar mijn mandaten")),
  ];
}

// The consent page /verbruik/dienstverlener/{en}/toegang: the customer logs in, picks EAN(s), what
// to share and the consumption period, confirms, and sees the result. Opened with ?sessie= (an
// EDV-initiated request) it is pre-filled and afterwards returns to the EDV's site. What the
// customer already shares with this EDV is shown, is where the form starts, and a new grant says
// what it replaces.
import {
  accessToken, addDays, addYears, alertBox, allItems, api, ApiError, confirmInPlace, errorBox, formatDate, formatPeriod, h, label, login,
  maxDate, queryParam, renderAccount, show, t, today,
} from "./portal.js";

const main = document.getElementById("consent");
const edv = main.dataset.edv;
const edvName = document.body.dataset.name;
const app = document.getElementById("app");
const sessionId = queryParam("sessie");

renderAccount();
show(app, start);

async function start() {
  const session = sessionId ? await consentSession() : null;
  const published = await api(`/v1/edvs/${edv}`, { auth: false });
  if (published.status !== "active") {
    return alertBox("warn", h("p", {}, t("{name} biedt deze dienst niet langer aan. Je kan hier geen toestemming meer geven.", { name: edvName })));
  }
  // Who asks and what for, before anything else: the customer decides knowing it.
  return [purpose(published), ...[await afterPurpose(session)].flat()];
}

/**
 * The EDV as it applied: its name and enterprise number, what it does with the data in its own
 * words, and how to reach it.
 * @param {{name: string, enterprise_number: string, service_description: string, contact_email: string}} published
 */
function purpose(published) {
  const number = published.enterprise_number;
  const dotted = `${number.slice(0, 4)}.${number.slice(4, 7)}.${number.slice(7)}`;
  return h("section", { class: "card purpose", "aria-labelledby": "purpose-title" },
    h("h2", { id: "purpose-title" }, t("Wie vraagt je gegevens?")),
    h("p", {}, h("strong", {}, published.name), ` (${t("ondernemingsnummer {number}", { number: dotted })})`),
    h("p", {}, t("Wat {name} met je gegevens doet, in eigen woorden:", { name: published.name })),
    // The EDV's own text, in the language it wrote it in: quoted, not translated.
    h("blockquote", { id: "purpose-description", translate: "no", "data-own-words": "" }, published.service_description),
    h("p", {}, `${t("Contact")}: `, h("a", { href: `mailto:${published.contact_email}` }, published.contact_email)));
}

/** @param {any} session */
async function afterPurpose(session) {
  if (!accessToken()) {
    return [
      h("p", {}, t("Meld je aan met je eID of itsme om verder te gaan. Daarna kies je wat je deelt.")),
      h("div", { class: "actions" }, h("button", { onclick: () => login() }, t("Aanmelden en verder"))),
    ];
  }
  const [points, mine] = await Promise.all([allItems("/v1/me/access-points"), allItems("/v1/me/mandates")]);
  if (!points.length) {
    return alertBox("warn", h("p", {}, t("Je bent voor geen enkele aansluiting de netgebruiker, dus je kan geen meetgegevens delen.")));
  }
  // What this customer shares with this EDV now, per EAN (a customer has a handful of mandates).
  const current = new Map(mine.filter((m) => m.edv === edv && m.status === "active").map((m) => [m.ean, m]));
  return choose({ points, session, current }, null);
}

/** A word inside a sentence: "digitale meter", but "AMR-meter" stays as written. */
function lowerFirst(/** @type {string} */ text) {
  return /^\p{Lu}{2}/u.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

/** What "detailed" means for the customer's own meters: a gas-only customer has no quarter-hours. */
function detailedName(/** @type {{energy: string}[]} */ points) {
  const energies = new Set(points.map((point) => point.energy));
  if (energies.size > 1) return t("Kwartierwaarden (elektriciteit) of uurwaarden (gas)");
  return energies.has("gas") ? t("Uurwaarden") : t("Kwartierwaarden");
}

async function consentSession() {
  try {
    const session = await api(`/v1/consent-sessions/${encodeURIComponent(sessionId)}`, { auth: false });
    if (session.edv !== edv) throw new Error("wrong EDV");
    return session;
  } catch {
    throw new ApiError(404, {
      message: t("Deze aanvraag van {name} bestaat niet of is verlopen. Vraag {name} een nieuwe link.", { name: edvName }),
    });
  }
}

function granularityFor(point, detailed) {
  if (!detailed) return "day";
  return point.energy === "gas" ? "hour" : "quarter_hour";
}

/** Where the form starts: the customer's earlier choice when they come back to change it, else
 * the EDV's request, else what they share now, else last year and three years on. */
function initialChoice({ points, session, current }, previous) {
  if (previous) return previous;
  const requested = session?.services?.[0];
  if (requested) {
    return {
      eans: points.length === 1 ? [points[0].ean] : [],
      detailed: requested.granularity !== "day",
      start: requested.period_start,
      end: addDays(requested.period_end, -1),
    };
  }
  const shared = [...current.values()];
  if (shared.length) {
    return {
      eans: shared.map((m) => m.ean),
      detailed: shared[0].granularity !== "day",
      start: shared[0].period_start,
      end: addDays(shared[0].period_end, -1),
    };
  }
  const earliest = points.reduce((first, p) => (p.grid_user_since < first ? p.grid_user_since : first), "9999-12-31");
  return {
    eans: points.length === 1 ? [points[0].ean] : [],
    detailed: false,
    start: maxDate(`${Number(today().slice(0, 4)) - 1}-01-01`, earliest),
    end: addDays(addYears(today(), 3), -1),
  };
}

function sharedNow(current) {
  if (!current.size) return null;
  return alertBox("", h("p", {}, t("Je deelt nu al met {name}:", { name: edvName })),
    h("ul", { id: "shared-now" }, [...current.values()].map((m) => h("li", {}, t("EAN {ean}: {granularity}, {period}, geldig tot {until}", {
      ean: m.ean, granularity: label(m.granularity).toLowerCase(), period: formatPeriod(m.period_start, m.period_end), until: formatDate(m.valid_until),
    })))),
    h("p", {}, t("Een nieuwe toestemming voor dezelfde aansluiting vervangt de huidige.")));
}

/** The earliest start the chosen EANs allow: the latest of their grid-user start dates. */
function earliestStart(points, eans) {
  return points.filter((p) => eans.includes(p.ean)).reduce((latest, p) => maxDate(latest, p.grid_user_since), "0000-01-01");
}

function fieldError(id) {
  return h("p", { class: "field-error", id, role: "alert", hidden: true });
}

function setError(element, text) {
  element.textContent = text || "";
  element.hidden = !text;
}

/** Step 1: the choices. `previous` keeps them when the customer comes back to change them. */
function choose(context, previous) {
  const { points, session, current } = context;
  const initial = initialChoice(context, previous);
  const checked = new Set(initial.eans);
  // The EANs the customer ticked by hand: a decline names only those to the EDV, never what the
  // page ticked for them.
  const ticked = new Set();
  const eanError = fieldError("ean-error");
  const periodError = fieldError("period-error");
  const startInput = h("input", { type: "date", id: "start", name: "start", value: initial.start, required: true, "aria-describedby": "period-hint period-error" });
  const endInput = h("input", { type: "date", id: "end", name: "end", value: initial.end, required: true, min: initial.start, "aria-describedby": "period-error" });
  const bound = () => {
    const eans = new FormData(form).getAll("ean");
    startInput.min = eans.length ? earliestStart(points, eans) : "";
    endInput.min = startInput.value || startInput.min;
  };

  const form = h("form", { novalidate: true, onchange: (event) => {
    if (event.target.name === "ean") {
      if (event.target.checked) ticked.add(event.target.value);
      else ticked.delete(event.target.value);
    }
    bound();
  }, onsubmit: (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const choice = { eans: data.getAll("ean"), detailed: data.get("granularity") === "detailed", start: data.get("start"), end: data.get("end") };
    setError(eanError, choice.eans.length ? "" : t("Kies minstens één aansluiting."));
    let period = "";
    const earliest = earliestStart(points, choice.eans);
    if (!choice.start || !choice.end) period = t("Vul het begin en het einde van de verbruiksperiode in.");
    else if (choice.end < choice.start) period = t("Het einde van de verbruiksperiode ligt vóór het begin.");
    else if (choice.eans.length && choice.start < earliest) {
      period = t("De verbruiksperiode mag niet beginnen vóór je netgebruiker werd ({date}).", { date: formatDate(earliest) });
    }
    setError(periodError, period);
    const wrong = !choice.eans.length ? form.querySelector("input[name=ean]") : period ? startInput : null;
    if (wrong) {
      wrong.focus();
      return;
    }
    app.replaceChildren(confirmStep(context, choice));
    document.getElementById("confirm-title")?.focus();
  } },
    session?.declined_at ? alertBox("info", h("p", {}, t("Je weigerde deze aanvraag op {date}. Je kan nog altijd toestemming geven.", { date: formatDate(session.declined_at.slice(0, 10)) }))) : null,
    session ? alertBox("", h("p", {}, session.reference_number
      ? t("{name} vroeg deze meetgegevens aan (referentie {reference}). Je kan de keuze nog aanpassen.", { name: edvName, reference: session.reference_number })
      : t("{name} vroeg deze meetgegevens aan. Je kan de keuze nog aanpassen.", { name: edvName }))) : null,
    sharedNow(current),
    h("fieldset", { "aria-describedby": "ean-error" },
      h("legend", {}, t("Van welke aansluiting?")),
      points.map((point) => h("label", { class: "choice" },
        h("input", { type: "checkbox", name: "ean", value: point.ean, checked: checked.has(point.ean) }),
        h("span", {}, `EAN ${point.ean}`,
          h("small", {}, `${label(point.energy)}, ${lowerFirst(label(point.meter_type))}, ${lowerFirst(label(point.direction))}`),
          h("small", {}, point.address),
          h("small", {}, t("Je bent netgebruiker sinds {date}.", { date: formatDate(point.grid_user_since) }))))),
      eanError),
    h("fieldset", {},
      h("legend", {}, t("Welke meetgegevens?")),
      h("label", { class: "choice" },
        h("input", { type: "radio", name: "granularity", value: "day", checked: !initial.detailed }),
        h("span", {}, t("Dagwaarden"), h("small", {}, t("Je verbruik per dag; de dienstverlener ziet ook week, maand en jaar.")))),
      h("label", { class: "choice" },
        h("input", { type: "radio", name: "granularity", value: "detailed", checked: initial.detailed }),
        h("span", {}, detailedName(points),
          h("small", {}, t("Een gedetailleerd verbruikspatroon, en ook de dagwaarden."))))),
    h("fieldset", {},
      h("legend", {}, t("Over welke periode?")),
      h("p", { class: "hint", id: "period-hint" }, t("De verbruiksperiode mag niet beginnen voor je netgebruiker werd, en mag in de toekomst lopen.")),
      h("div", { class: "row" },
        h("div", { class: "field" }, h("label", { for: "start" }, t("Van")), startInput),
        h("div", { class: "field" }, h("label", { for: "end" }, t("Tot en met")), endInput)),
      periodError),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, t("Verder")),
      // Only the EANs the customer ticked are named to the EDV; none ticked declines the whole
      // request, and the EDV learns no EAN at all.
      session && !session.declined_at ? h("button", { type: "button", class: "secondary", onclick: (event) => {
        const named = new FormData(form).getAll("ean").filter((ean) => ticked.has(ean));
        decline(event.target, named, session, periodError);
      } }, t("Weigeren")) : null),
  );
  bound();
  return form;
}

/** The customer says no to the EDV's request. The EDV hears it by its reference number; of the
 * customer's access points it learns only those ticked (each a refused mandate). */
async function decline(button, eans, session, problems) {
  const question = eans.length
    ? t("Wil je de aanvraag van {name} weigeren? {name} hoort dat je weigerde voor de aansluitingen die je aanvinkte.", { name: edvName })
    : t("Wil je de aanvraag van {name} weigeren? {name} hoort dat je weigerde, maar niet welke aansluitingen je hebt.", { name: edvName });
  if (!(await confirmInPlace(button, question, t("Weigeren")))) return;
  button.disabled = true;
  let answer;
  try {
    answer = await api(`/v1/consent-sessions/${encodeURIComponent(sessionId)}/decline`, { method: "POST", json: { eans } });
  } catch (error) {
    button.disabled = false;
    setError(problems, /** @type {Error} */ (error).message);
    return;
  }
  const back = session.return_url_failed;
  app.replaceChildren(
    h("h2", { id: "result-title", tabindex: "-1" }, t("Je weigerde de aanvraag")),
    answer.still_shared.length
      ? alertBox("warn",
        h("p", {}, t("{name} krijgt met deze aanvraag niets, maar je deelt nog meetgegevens met {name}:", { name: edvName })),
        h("ul", { id: "still-shared" }, answer.still_shared.map((mandate) => stillShared(mandate))))
      : alertBox("ok", h("p", {}, t("{name} krijgt geen toegang tot je meetgegevens en hoort dat je de aanvraag weigerde.", { name: edvName }))),
    h("div", { class: "actions" },
      back ? h("a", { class: "button", href: back }, t("Terug naar {name}", { name: edvName })) : null,
      h("a", { class: back ? "button secondary" : "button", href: "/verbruik/mandaten/" }, t("Naar mijn mandaten"))));
  document.getElementById("result-title")?.focus();
}

/** A mandate the customer still has with the EDV, and a button to stop it here and now. */
function stillShared(mandate) {
  const message = h("div");
  const item = h("li", {}, t("EAN {ean}: {granularity}, {period}", {
    ean: mandate.ean, granularity: label(mandate.granularity).toLowerCase(), period: formatPeriod(mandate.period_start, mandate.period_end),
  }), " ");
  const stop = h("button", {
    class: "secondary",
    onclick: async () => {
      stop.disabled = true;
      try {
        await api(`/v1/me/mandates/${mandate.id}/end`, { method: "POST" });
        stop.replaceWith(h("span", { role: "status" }, t("stopgezet; {name} moet verwijderen wat het ophaalde", { name: edvName })));
      } catch (error) {
        stop.disabled = false;
        message.replaceChildren(errorBox(error));
      }
    },
  }, t("Stopzetten"));
  item.append(stop, message);
  return item;
}

/** Step 2: say plainly what will be shared and what it replaces, then grant. */
function confirmStep(context, choice) {
  const { points, current } = context;
  const chosen = points.filter((p) => choice.eans.includes(p.ean));
  const validUntil = addYears(today(), 3);
  const replaced = chosen.filter((p) => current.has(p.ean)).map((p) => {
    const old = current.get(p.ean);
    return h("li", {}, t("EAN {ean}: nu {granularity}, {period}", {
      ean: p.ean, granularity: label(old.granularity).toLowerCase(), period: formatPeriod(old.period_start, old.period_end),
    }));
  });
  return h("section", { "aria-labelledby": "confirm-title" },
    h("h2", { id: "confirm-title", tabindex: "-1" }, t("Controleer en bevestig")),
    h("p", {}, t("Je geeft {name} toegang tot:", { name: edvName })),
    h("ul", {}, chosen.map((p) => h("li", {}, `EAN ${p.ean}: ${label(granularityFor(p, choice.detailed)).toLowerCase()}`))),
    h("dl", { class: "facts" },
      h("dt", {}, t("Verbruiksperiode")), h("dd", {}, t("{from} tot en met {to}", { from: formatDate(choice.start), to: formatDate(choice.end) })),
      h("dt", {}, t("Geldig")), h("dd", {}, t("drie jaar, tot {date}; je kan de toestemming altijd stopzetten", { date: formatDate(validUntil) }))),
    replaced.length ? alertBox("warn", h("p", {}, t("Dit vervangt wat je nu deelt:")), h("ul", { id: "replaces" }, replaced)) : null,
    h("div", { class: "actions" },
      h("button", { onclick: (event) => grant(event.target, context, chosen, choice) }, t("Bevestigen")),
      h("button", { class: "secondary", onclick: () => app.replaceChildren(choose(context, choice)) }, t("Wijzigen"))),
  );
}

async function grant(button, context, chosen, choice) {
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
  app.replaceChildren(...resultStep(results, context.session, () => app.replaceChildren(choose(context, choice))));
  document.getElementById("result-title")?.focus();
}

/** The outcome; when something failed, "Keuze aanpassen" goes back with every choice kept. */
function resultStep(results, session, change) {
  const allGranted = results.every((r) => r.mandate);
  const items = results.map((r) => r.mandate
    ? h("li", {}, t("EAN {ean}: toestemming gegeven, geldig tot {date}.", { ean: r.point.ean, date: formatDate(r.mandate.valid_until) }))
    : h("li", {}, t("EAN {ean}: niet gelukt.", { ean: r.point.ean }), " ", r.error.message));
  const back = session && (allGranted ? session.return_url_success : session.return_url_failed);
  return [
    h("h2", { id: "result-title", tabindex: "-1" }, allGranted ? t("Je toestemming is geregistreerd") : t("Niet alles is gelukt")),
    alertBox(allGranted ? "ok" : "error", h("ul", {}, items)),
    h("div", { class: "actions" },
      allGranted ? null : h("button", { onclick: change }, t("Keuze aanpassen")),
      back ? h("a", { class: "button", href: back }, t("Terug naar {name}", { name: edvName })) : null,
      h("a", { class: back || !allGranted ? "button secondary" : "button", href: "/verbruik/mandaten/" }, t("Naar mijn mandaten"))),
  ];
}

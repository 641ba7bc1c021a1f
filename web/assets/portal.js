// What every portal page shares: logging in (OpenID Connect, authorization code with PKCE), calling
// the portal API (errors arrive as problem+json), the reader's language (i18n.js) with its number
// and date formats, Brussels dates, and a small DOM builder. No framework: each page is a module
// that imports what it needs from here.
import { LANG, LANGUAGES, LOCALE, n, setLanguage, t, translateDocument } from "./i18n.js";
import { problemMessage } from "./messages.js";

export { LANG, n, t };

translateDocument();

const TOKEN_KEY = "edv.token";
const LOGIN_KEY = "edv.login";

let configPromise = null;

/** /portal-config.json, published beside the pages: where to log in, as which client. */
export function portalConfig() {
  configPromise ??= fetch("/portal-config.json").then((r) => r.json());
  return configPromise;
}

function base64url(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomText(length) {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

function callbackUrl() {
  return `${location.origin}/aanmelden/terug/`;
}

function safeReturn(path) {
  // Only back to a page of this site: never an open redirect.
  return typeof path === "string" && path.startsWith("/") && !path.startsWith("//") ? path : "/";
}

/** Send the browser to the identity provider; it comes back to /aanmelden/terug/. */
export async function login(returnTo = location.pathname + location.search) {
  const config = await portalConfig();
  const verifier = randomText(48);
  const state = randomText(16);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  sessionStorage.setItem(LOGIN_KEY, JSON.stringify({ verifier, state, returnTo: safeReturn(returnTo) }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: callbackUrl(),
    scope: config.scope,
    state,
    code_challenge: base64url(digest),
    code_challenge_method: "S256",
  });
  location.assign(`${config.authorization_endpoint}?${query}`);
  return new Promise(() => {}); // the page is leaving
}

/** On /aanmelden/terug/: trade the code for a token, then go back where the person was. */
export async function completeLogin() {
  const answer = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(LOGIN_KEY) || "null");
  sessionStorage.removeItem(LOGIN_KEY);
  if (answer.get("error")) throw new Error(t("Aanmelden is niet gelukt ({error}).", { error: answer.get("error") }));
  if (!pending || answer.get("state") !== pending.state) {
    throw new Error(t("Aanmelden is verlopen of komt niet van deze pagina. Probeer opnieuw."));
  }
  const config = await portalConfig();
  const response = await fetch(config.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: answer.get("code") || "",
      redirect_uri: callbackUrl(),
      client_id: config.client_id,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(t("Aanmelden is niet gelukt. Probeer opnieuw."));
  const token = await response.json();
  sessionStorage.setItem(
    TOKEN_KEY,
    JSON.stringify({ token: token.access_token, expires: Date.now() + token.expires_in * 1000 }),
  );
  location.replace(pending.returnTo);
}

/** The access token, if there is one that has not (nearly) expired. */
export function accessToken() {
  const stored = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || "null");
  if (!stored || stored.expires - 30_000 < Date.now()) return null;
  return stored.token;
}

export function logout() {
  sessionStorage.removeItem(TOKEN_KEY);
  location.assign("/");
}

export class ApiError extends Error {
  /** The message of the problem's code in the reader's language (messages.js); the API's own
   * words never reach a page. */
  constructor(status, problem) {
    super(problem.message ?? problemMessage(status, problem));
    this.status = status;
    this.code = problem.code || "";
    this.errors = problem.errors || [];
  }
}

/**
 * @typedef {object} ApiOptions
 * @property {string} [method]
 * @property {unknown} [json] a body sent as JSON
 * @property {BodyInit} [body] a body sent as it is
 * @property {Record<string, string>} [headers]
 * @property {boolean} [auth] with the reader's token (default), or none
 * @property {boolean} [raw] the Response itself instead of its JSON
 */

/** Call the portal API. JSON in and out by default; `raw: true` gives the Response itself.
 * @param {string} path
 * @param {ApiOptions} [options] */
export async function api(path, { method = "GET", json, body, headers = {}, auth = true, raw = false } = {}) {
  /** @type {Record<string, string>} */
  const sent = { Accept: raw ? "*/*" : "application/json", ...headers };
  if (auth) {
    const token = accessToken();
    if (!token) return login();
    sent.Authorization = `Bearer ${token}`;
  }
  if (json !== undefined) {
    sent["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  const response = await fetch(path, { method, headers: sent, body });
  if (response.status === 401 && auth) {
    sessionStorage.removeItem(TOKEN_KEY);
    return login();
  }
  if (!response.ok) {
    let problem;
    try {
      problem = await response.json();
    } catch {
      problem = { detail: response.statusText };
    }
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

/** Fetch a file from the API (which needs the token, so no plain link) and save it. */
export async function download(path, filename) {
  const response = await api(path, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: filename, class: "visually-hidden" }, filename);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

let mePromise = null;
export function me() {
  mePromise ??= api("/v1/me");
  return mePromise;
}

const edvNames = new Map();
/** An EDV's public name (cached per page). */
export function edvName(enterpriseNumber) {
  if (!edvNames.has(enterpriseNumber)) {
    edvNames.set(
      enterpriseNumber,
      api(`/v1/edvs/${enterpriseNumber}`, { auth: false }).then(
        (edv) => edv.name,
        () => formatEnterpriseNumber(enterpriseNumber),
      ),
    );
  }
  return edvNames.get(enterpriseNumber);
}

/** Nederlands · Français · English, each named in its own language; the current one pressed. */
export function languageSwitch() {
  return h("div", { class: "languages", role: "group", "aria-label": t("Taal") },
    Object.entries(LANGUAGES).map(([code, name]) => h("button", {
      type: "button", class: "link", lang: code, "aria-pressed": String(code === LANG),
      onclick: () => setLanguage(code),
    }, code.toUpperCase(), h("span", { class: "visually-hidden" }, ` ${name}`))));
}

/** The top bar: where to go, who is logged in, log out (or log in), and the language. */
export async function renderAccount() {
  const nav = document.getElementById("account");
  if (!nav) return;
  if (!accessToken()) {
    nav.replaceChildren(h("button", { class: "secondary", onclick: () => login() }, t("Aanmelden")), languageSwitch());
    return;
  }
  const person = await me();
  const links = [h("a", { href: "/verbruik/mandaten/" }, t("Mijn mandaten"))];
  if (person.organisations.length) links.push(h("a", { href: "/verbruik/dienstverlener/" }, t("Dienstverlener")));
  if (person.roles.includes("ops")) links.push(h("a", { href: "/beheer/" }, t("Beheer")));
  nav.replaceChildren(
    ...links,
    h("span", { class: "note" }, person.name),
    h("button", { class: "link", onclick: logout }, t("Afmelden")),
    languageSwitch(),
  );
}

// DOM ------------------------------------------------------------------------------------------

/** h("a", {href, onclick}, "text", child, [more]) */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "style") Object.assign(element.style, value); // CSSOM, which the CSP allows
    else if (name === "class") element.className = value;
    else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** A list table that becomes a card per row on a phone (portal.css `table.stacked`): every cell
 * carries its column's name. The caption is for screen readers unless `shown`.
 * @param {string[]} columns
 * @param {unknown[][]} rows
 * @param {{id?: string, caption?: string, shown?: boolean, extraClass?: string}} [options] */
export function stackedTable(columns, rows, { id, caption, shown = false, extraClass } = {}) {
  return h("div", { class: "table-wrap" }, h("table", { id, class: extraClass ? `stacked ${extraClass}` : "stacked" },
    h("caption", { class: shown ? "" : "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, columns.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell, i) => h("td", { "data-label": columns[i] }, cell)))))));
}

export function alertBox(kind, ...children) {
  return h("div", { class: `alert ${kind}`, role: kind === "error" ? "alert" : "status" }, ...children);
}

export function errorBox(error) {
  return alertBox("error", h("p", {}, error.message));
}

/** After a refused form: the problem's message above the form, and each field the API named
 * marked where it is (aria-invalid, and "check this" under it). `fields` maps the API's field
 * names to the ids of the form's inputs; the API's own words for a field never reach the page. */
export function showFormErrors(form, problems, error, fields) {
  for (const old of form.querySelectorAll(".field-error.from-api")) old.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  problems.replaceChildren(errorBox(error));
  let first = null;
  for (const { field } of error.errors || []) {
    const input = document.getElementById(fields[field] || fields[field?.split(".")[0]] || "");
    if (!input || input.getAttribute("aria-invalid")) continue;
    const note = h("p", { class: "field-error from-api", id: `${input.id}-error` }, t("Controleer dit veld."));
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
    (input.closest(".field") || input.parentElement).append(note);
    first ??= input;
  }
  first?.focus();
}

const generations = new WeakMap();

/** Render `build()` into `target`, showing a clear message if it fails. When the person clicks
 * faster than the API answers, only the newest rendering lands. */
export async function show(target, build) {
  const generation = (generations.get(target) || 0) + 1;
  generations.set(target, generation);
  let content;
  try {
    // A part that is not there (null) is left out, not written as the text "null".
    content = [await build()].flat().filter((node) => node !== null && node !== undefined);
  } catch (error) {
    content = [errorBox(error)];
  }
  if (generations.get(target) === generation) target.replaceChildren(...content);
}

// Words and numbers, in the reader's language ---------------------------------------------------

export const LABELS = {
  day: n("Dagwaarden"),
  quarter_hour: n("Kwartierwaarden"),
  hour: n("Uurwaarden"),
  electricity: n("Elektriciteit"),
  gas: n("Gas"),
  digital: n("Digitale meter"),
  amr: n("AMR-meter"),
  both: n("Afname en injectie"),
  offtake: n("Afname"),
  injection: n("Injectie"),
  active: n("Actief"),
  ended: n("Beëindigd"),
  expired: n("Verlopen"),
  requested: n("In aanvraag"),
  signed: n("Ondertekend, wacht op goedkeuring"),
  rejected: n("Geweigerd"),
  cancelled: n("Geannuleerd"),
  terminated: n("Opgezegd"),
  inactive: n("Niet actief"),
  portal: n("Via het portaal"),
  portal_and_api: n("Via het portaal en de API"),
  revoked_by_customer: n("stopgezet door de klant"),
  revoked_by_grid_user: n("stopgezet door de netgebruiker"),
  replaced: n("vervangen door een nieuw mandaat"),
  renewed: n("vernieuwd"),
  edv_terminated: n("de dienstverlener stopte"),
  refused_by_grid_user: n("geweigerd door de netgebruiker"),
  declined_by_customer: n("aanvraag van de dienstverlener geweigerd"),
  expired_reason: n("verlopen"),
  period_truncated: n("periode ingekort door een marktscenario"),
  validated: "",
  estimated: n("geschat"),
  missing: n("ontbrekend"),
  api: n("API"),
  supplier_switch: n("leverancierswissel"),
  customer_switch: n("klantwissel"),
  combined_switch: n("gecombineerde wissel"),
  move_in: n("inhuizing"),
  move_out: n("uithuizing"),
  physical_disconnection: n("afsluiting"),
  pending: n("wacht op de ingangsdatum"),
  applied: n("uitgevoerd"),
  ok: n("in orde"),
  partial: n("deels"),
  failed: n("mislukt"),
};

export function label(key) {
  return key in LABELS ? t(LABELS[key]) : key ?? "";
}

const numberFormats = new Map();
export function formatNumber(value, decimals = 3) {
  if (value === null || value === undefined) return "–";
  if (!numberFormats.has(decimals)) {
    numberFormats.set(
      decimals,
      new Intl.NumberFormat(LOCALE, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }),
    );
  }
  return numberFormats.get(decimals).format(value);
}

const euroFormats = new Map();
/** An amount in euro as the reader's language writes it: "€ 15,75", "15,75 €", "€15.75". */
export function formatEuro(value, decimals = 2) {
  if (value === null || value === undefined) return "–";
  if (!euroFormats.has(decimals)) {
    euroFormats.set(decimals, new Intl.NumberFormat(LOCALE, {
      style: "currency", currency: "EUR", minimumFractionDigits: decimals, maximumFractionDigits: decimals,
    }));
  }
  return euroFormats.get(decimals).format(value);
}

export function formatEnterpriseNumber(number) {
  return `${number.slice(0, 4)}.${number.slice(4, 7)}.${number.slice(7)}`;
}

/** "2025-03-30" → "30/03/2025" (a Brussels date needs no time-zone arithmetic). */
export function formatDate(isoDate) {
  if (!isoDate) return "";
  const [year, month, day] = isoDate.slice(0, 10).split("-");
  return `${day}/${month}/${year}`;
}

const BRUSSELS = "Europe/Brussels";
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  timeZone: BRUSSELS, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
});
const timeFormat = new Intl.DateTimeFormat(LOCALE, { timeZone: BRUSSELS, hour: "2-digit", minute: "2-digit" });
const zoneFormat = new Intl.DateTimeFormat(LOCALE, { timeZone: BRUSSELS, timeZoneName: "short" });
const weekdayFormat = new Intl.DateTimeFormat(LOCALE, {
  timeZone: BRUSSELS, weekday: "long", day: "2-digit", month: "2-digit", year: "numeric",
});
const monthFormat = new Intl.DateTimeFormat(LOCALE, { timeZone: "UTC", month: "long", year: "numeric" });

export function formatDateTime(iso) {
  return iso ? dateTimeFormat.format(new Date(iso)) : "";
}

export function formatTime(iso, withZone = false) {
  const date = new Date(iso);
  const time = timeFormat.format(date);
  if (!withZone) return time;
  const zone = zoneFormat.formatToParts(date).find((part) => part.type === "timeZoneName");
  return `${time} ${zone ? zone.value : ""}`.trim();
}

export function formatWeekday(iso) {
  const text = weekdayFormat.format(new Date(iso));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A half-open consumption period [start, end) as people read it: "01/01/2025 t.e.m. 31/12/2025". */
export function formatPeriod(start, endExclusive) {
  return t("{from} t.e.m. {to}", { from: formatDate(start), to: formatDate(addDays(endExclusive, -1)) });
}

/** An inclusive range of days: "01/01/2025 t.e.m. 31/01/2025", or the one day. */
export function formatDays(first, last) {
  return first === last ? formatDate(first) : t("{from} t.e.m. {to}", { from: formatDate(first), to: formatDate(last) });
}

// The portal's own abbreviations (Intl's nl "short" month gives "mrt." with a dot, and some
// engines "maa"): one fixed list per language, the way its calendars write them.
const SHORT_NAMES = {
  nl: {
    months: ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    weekdays: ["zo", "ma", "di", "wo", "do", "vr", "za"],
  },
  fr: {
    months: ["janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov", "déc"],
    weekdays: ["di", "lu", "ma", "me", "je", "ve", "sa"],
  },
  en: {
    months: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    weekdays: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
  },
};
export const MONTHS_SHORT = SHORT_NAMES[LANG].months;
const WEEKDAYS_SHORT = SHORT_NAMES[LANG].weekdays;

/** "2025-03-03" → "ma" (a calendar date: no time zone involved). */
export function weekdayShort(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  return WEEKDAYS_SHORT[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
}

export function formatMonth(isoDate) {
  const [year, month] = isoDate.split("-").map(Number);
  return monthFormat.format(new Date(Date.UTC(year, month - 1, 1)));
}

// Brussels calendar dates as "YYYY-MM-DD" strings, computed on the UTC calendar (no DST there).

function toUtc(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day));
}

function fromUtc(date) {
  return date.toISOString().slice(0, 10);
}

export function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: BRUSSELS }).format(new Date());
}

export function addDays(isoDate, days) {
  const date = toUtc(isoDate);
  date.setUTCDate(date.getUTCDate() + days);
  return fromUtc(date);
}

export function addMonths(isoDate, months) {
  const date = toUtc(isoDate.slice(0, 8) + "01");
  date.setUTCMonth(date.getUTCMonth() + months);
  return fromUtc(date);
}

/** The same day n years on; 29 February becomes 28 February. */
export function addYears(isoDate, years) {
  const [year, month, day] = isoDate.split("-").map(Number);
  const target = new Date(Date.UTC(year + years, month - 1, day));
  if (target.getUTCMonth() !== month - 1) target.setUTCDate(0);
  return fromUtc(target);
}

/** Every item of a list, page after page (following next_cursor): for lists a page shows whole.
 * @param {string} path the list's path, with its own query if any */
export async function allItems(path) {
  const items = [];
  let cursor = null;
  do {
    const query = new URLSearchParams({ limit: "200" });
    if (cursor) query.set("cursor", cursor);
    const page = await api(`${path}${path.includes("?") ? "&" : "?"}${query}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/**
 * Asks in the page, not in a browser dialog: the question and two buttons take the place of
 * `anchor` (what asked) until the reader chooses; resolves true for `yes`.
 * @param {Element} anchor
 * @param {string} question
 * @param {string} yes
 * @returns {Promise<boolean>}
 */
export function confirmInPlace(anchor, question, yes) {
  return new Promise((resolve) => {
    const id = `confirm-${Math.random().toString(36).slice(2)}`;
    const choose = (/** @type {boolean} */ answer) => { panel.replaceWith(anchor); resolve(answer); };
    const panel = h("div", { class: "confirm", role: "group", "aria-labelledby": id },
      h("p", { id }, question),
      h("div", { class: "actions" },
        h("button", { onclick: () => choose(true) }, yes),
        h("button", { class: "secondary", onclick: () => choose(false) }, t("Annuleren"))));
    anchor.replaceWith(panel);
    /** @type {HTMLElement | null} */ (panel.querySelector("button"))?.focus();
  });
}

/** "Meer tonen": loads the next page of a list into the page; a failure shows where it was.
 * @param {() => Promise<unknown>} load
 * @param {HTMLElement} more where the button sits */
export function moreButton(load, more) {
  return h("button", {
    class: "secondary",
    onclick: async (event) => {
      event.target.disabled = true;
      try {
        await load();
      } catch (error) {
        more.replaceChildren(errorBox(error));
      }
    },
  }, t("Meer tonen"));
}

export function mondayOf(isoDate) {
  const weekday = (toUtc(isoDate).getUTCDay() + 6) % 7; // Monday 0
  return addDays(isoDate, -weekday);
}

export function isoWeek(isoDate) {
  const thursday = toUtc(addDays(mondayOf(isoDate), 3));
  const firstDay = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 1));
  return 1 + Math.floor((thursday.getTime() - firstDay.getTime()) / 86_400_000 / 7);
}

export function minDate(a, b) {
  return a < b ? a : b;
}

export function maxDate(a, b) {
  return a > b ? a : b;
}

export function queryParam(name) {
  return new URLSearchParams(location.search).get(name);
}

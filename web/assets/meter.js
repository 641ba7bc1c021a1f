// One meter of a customer, as the EDV sees it: tabs Verbruik and Piekvermogen; Dag/Week/Maand/Jaar
// with previous/next; chart or table; the notice about late values; CSV and PDF downloads. What
// the EDV is told comes from the server's account of the access point: the mandate in force (never
// a request), whether it may read, the requests, and what it must still delete. A mandate that
// stopped says so instead of offering controls that would fail.
import {
  accessToken, addDays, addMonths, alertBox, api, download, errorBox, formatDate, formatDateTime, formatMonth,
  formatNumber, formatPeriod, formatTime, formatWeekday, h, isoWeek, label, login, maxDate, minDate, mondayOf,
  MONTHS_SHORT, n, queryParam, renderAccount, show, t, today, weekdayShort,
} from "./portal.js";
import { LANG } from "./i18n.js";
import { currentOrganisation } from "./organisation.js";

/** @typedef {import("./portal.js").ApiError} ApiError */

const app = document.getElementById("app");
const ean = queryParam("ean") || "";
const VIEWS = { day: n("Dag"), week: n("Week"), month: n("Maand"), year: n("Jaar") };
const NARROW = window.matchMedia("(max-width: 40rem)");
const NARROW_BARS = 24; // at most this many bars on a phone: wider bars, values combined

let en = "";
let point = null;
const state = { tab: "volumes", view: "month", anchor: "", display: "chart" };

renderAccount();
if (!accessToken()) login();
else show(app, start);

async function start() {
  ({ organisation: { enterprise_number: en } } = await currentOrganisation());
  point = await api(`/v1/organisations/${en}/access-points/${ean}`);
  const mandate = point.mandate;
  document.getElementById("title").textContent = point.meter_type === "amr" ? t("AMR-meter") : t("Digitale meter");
  document.title = `${point.ean} · ${t("Mijn netbeheerder")}`;
  const back = h("p", {}, h("a", { href: `/verbruik/meters-van-anderen/?org=${en}` }, t("← Terug naar overzicht")));
  if (!point.may_read) {
    return [back, mandate ? facts(mandate) : null, mandate ? endedNotice(mandate) : null, requestsNotice(), dutiesNotice()];
  }
  state.view = fine() ? "day" : "month";
  // ?datum=YYYY-MM-DD opens that day (a link someone shared); else the most recent day.
  const wanted = /^\d{4}-\d{2}-\d{2}$/.test(queryParam("datum") || "") ? queryParam("datum") : null;
  state.anchor = maxDate(minDate(wanted || addDays(servedEnd(), -1), addDays(servedEnd(), -1)), mandate.period_start);
  const body = h("div", { id: "tab-body" });
  const tabs = h("div", { class: "tabs", role: "tablist" },
    tabButton("volumes", t("Verbruik"), body), tabButton("peaks", t("Piekvermogen"), body));
  renderTab(body);
  return [back, facts(mandate), truncatedNotice(mandate), dutiesNotice(), requestsNotice(), renewalNotice(mandate), tabs, body];
}

function facts(mandate) {
  const meter = point.meter_type === "amr" ? `, ${label(point.direction).toLowerCase()}` : "";
  return h("dl", { class: "facts" },
    h("dt", {}, t("Adres")), h("dd", {}, point.address || "–"),
    h("dt", {}, t("EAN-code")), h("dd", {}, point.ean),
    h("dt", {}, t("Meter")), h("dd", {}, `${point.meter_number || "–"} · ${label(point.energy)}${meter}`),
    h("dt", {}, t("Mandaat")), h("dd", {}, t("{granularity}, verbruiksperiode {period}", {
      granularity: label(mandate.granularity), period: formatPeriod(mandate.period_start, mandate.period_end),
    })),
    h("dt", {}, t("Status")), h("dd", {}, h("span", { class: `status ${mandate.status}` }, label(mandate.status))));
}

/** The mandate in force stopped (ended, expired, replaced): what happened, instead of the views. */
function endedNotice(mandate) {
  const reason = mandate.end_reason ? label(mandate.end_reason === "expired" ? "expired_reason" : mandate.end_reason) : "";
  const when = mandate.ended_at ? formatDateTime(mandate.ended_at) : formatDate(mandate.valid_until);
  return alertBox("warn",
    h("p", {}, t("Dit mandaat is niet meer geldig sinds {when}{reason}.", { when, reason: reason ? ` (${reason})` : "" })),
    h("p", {}, t("Je kan de meetgegevens van deze aansluiting niet meer raadplegen.")));
}

/** A market scenario cut the period short (R8); what to delete, if anything, is a duty below. */
function truncatedNotice(mandate) {
  const cuts = mandate.period_adjustments || [];
  if (!cuts.length) return null;
  return alertBox("info", cuts.map((cut) => h("p", {}, t(
    "De verbruiksperiode is ingekort tot {end} door een marktscenario op {date}.",
    { end: formatDate(addDays(cut.new_end, -1)), date: formatDate(cut.effective_date) },
  ))));
}

/** What the EDV held here and must still delete, as the server worked it out. */
function dutiesNotice() {
  if (!point.purge_duties.length) return null;
  return alertBox("warn",
    h("p", {}, t("Het datatoegangscontract vraagt dat je deze gegevens verwijdert:")),
    h("ul", { id: "meter-duties" }, point.purge_duties.map((duty) => h("li", {}, duty.keep === "day"
      ? t("de kwartier- en uurwaarden van {period} (de dagwaarden mag je bewaren)", { period: formatPeriod(duty.from, duty.to) })
      : t("alle meetgegevens van {period}", { period: formatPeriod(duty.from, duty.to) })))),
    h("p", {}, h("a", { href: `/verbruik/dienstverlener/te-verwijderen/?org=${en}` }, t("Naar de te verwijderen gegevens"))));
}

/** Consents asked of the grid user: pending, refused or declined. None of them gives anything. */
function requestsNotice() {
  if (!point.requests.length) return null;
  return alertBox("info", h("ul", { id: "meter-requests" }, point.requests.map((request) => h("li", {}, request.status === "requested"
    ? t("Gevraagd aan de netgebruiker op {date}: {granularity}, {period}. Nog niet goedgekeurd.", {
      date: formatDate(request.granted_at), granularity: label(request.granularity).toLowerCase(), period: formatPeriod(request.period_start, request.period_end),
    })
    : t("Geweigerd op {date}: {granularity}, {period} ({reason}).", {
      date: formatDate(request.ended_at), granularity: label(request.granularity).toLowerCase(), period: formatPeriod(request.period_start, request.period_end),
      reason: label(request.end_reason),
    })))));
}

/** The last 90 days of validity: ask the customer to renew, or say that we asked. */
function renewalNotice(mandate) {
  if (mandate.renewal === "requested") {
    return alertBox("info", h("p", {}, t(
      "Je vroeg de klant op {asked} om dit mandaat te vernieuwen. Het loopt af op {end}; de klant ziet je vraag bij Mijn mandaten.",
      { asked: formatDate(mandate.renewal_requested_at), end: formatDate(mandate.valid_until) },
    )));
  }
  if (mandate.renewal !== "due") return null;
  const message = h("div");
  const ask = h("button", {
    onclick: async () => {
      ask.disabled = true;
      try {
        await api(`/v1/organisations/${en}/access-points/${ean}/renewal-request`, { method: "POST" });
        await show(app, start);
        app.prepend(alertBox("ok", h("p", {}, t("Je vraag om te vernieuwen staat bij de klant op Mijn mandaten."))));
      } catch (error) {
        ask.disabled = false;
        message.replaceChildren(errorBox(error));
      }
    },
  }, t("Vraag de klant om te vernieuwen"));
  return alertBox("warn",
    h("p", {}, t("Dit mandaat loopt af op {end}. Daarna kan je de meetgegevens niet meer raadplegen.", { end: formatDate(mandate.valid_until) })),
    message, h("div", { class: "actions" }, ask));
}

function fine() {
  return point.mandate.granularity !== "day";
}

function servedEnd() {
  return minDate(point.mandate.period_end, today());
}

function tabButton(tab, text, body) {
  return h("button", {
    role: "tab", id: `tab-${tab}`, "aria-selected": String(state.tab === tab), "aria-controls": "tab-body",
    onclick: (event) => {
      state.tab = tab;
      for (const other of event.target.parentElement.children) other.setAttribute("aria-selected", String(other === event.target));
      renderTab(body);
    },
  }, text);
}

function renderTab(body) {
  body.setAttribute("aria-labelledby", `tab-${state.tab}`);
  body.setAttribute("role", "tabpanel");
  show(body, () => (state.tab === "volumes" ? volumesTab(body) : peaksTab(body)));
}

// Verbruik --------------------------------------------------------------------------------------

/** The range, resolution and label of the current view around the anchor date. */
/** The range a view shows around its anchor date.
 * @param {{view: string, anchor: string}} [shown] */
function period({ view, anchor } = state) {
  const detail = point.energy === "gas" ? "hour" : "quarter_hour";
  if (view === "day") {
    return { from: anchor, to: addDays(anchor, 1), resolution: detail, text: formatWeekday(`${anchor}T12:00:00Z`) };
  }
  if (view === "week") {
    const monday = mondayOf(anchor);
    const sunday = addDays(monday, 6);
    return {
      from: monday, to: addDays(monday, 7), resolution: fine() ? "hour" : "day",
      text: t("week {number}: {from} - {to}", { number: isoWeek(monday), from: formatDate(monday), to: formatDate(sunday) }),
    };
  }
  if (view === "month") {
    const first = `${anchor.slice(0, 7)}-01`;
    return { from: first, to: addMonths(first, 1), resolution: "day", text: formatMonth(first) };
  }
  const year = anchor.slice(0, 4);
  return { from: `${year}-01-01`, to: `${Number(year) + 1}-01-01`, resolution: "month", text: year };
}

function step(direction) {
  const current = period();
  state.anchor = direction < 0 ? addDays(current.from, -1) : current.to;
  // Stay inside what the mandate serves.
  state.anchor = maxDate(minDate(state.anchor, addDays(servedEnd(), -1)), point.mandate.period_start);
}

function volumesPath(current, format) {
  // Days that have not come yet are not "missing": ask up to today at most.
  const to = maxDate(minDate(current.to, servedEnd()), addDays(current.from, 1));
  const query = new URLSearchParams({ from: current.from, to, resolution: current.resolution });
  if (format) {
    query.set("format", format);
    query.set("lang", LANG); // the download in the page's language
  }
  return `/v1/organisations/${en}/access-points/${ean}/volumes?${query}`;
}

async function volumesTab(body) {
  const { view, display, anchor } = state; // as clicked: a later click renders anew
  const current = period({ view, anchor });
  const rerender = () => show(body, () => volumesTab(body));
  const views = Object.entries(VIEWS).filter(([option]) => option !== "day" || fine());
  const controls = [
    h("div", { class: "actions" },
      h("div", { class: "segmented", role: "group", "aria-label": t("Periode") }, views.map(([option, text]) => h("button", {
        "aria-pressed": String(view === option),
        onclick: () => { state.view = option; rerender(); },
      }, t(text)))),
      h("div", { class: "segmented", role: "group", "aria-label": t("Weergave") },
        h("button", { "aria-pressed": String(display === "chart"), onclick: () => { state.display = "chart"; rerender(); } }, t("Grafiek")),
        h("button", { "aria-pressed": String(display === "table"), onclick: () => { state.display = "table"; rerender(); } }, t("Tabel")))),
    h("div", { class: "period-nav" },
      h("button", { class: "secondary", "aria-label": t("Vorige periode"), disabled: current.from <= point.mandate.period_start, onclick: () => { step(-1); rerender(); } }, "‹"),
      h("span", { class: "label", id: "period-label", "aria-live": "polite" }, current.text),
      h("button", { class: "secondary", "aria-label": t("Volgende periode"), disabled: current.to >= servedEnd(), onclick: () => { step(1); rerender(); } }, "›")),
  ];
  let volumes;
  try {
    volumes = await api(volumesPath(current));
  } catch (error) {
    return [...controls, errorBox(error)];
  }
  const channels = Object.entries(volumes.channels).filter(([, points]) => points);
  const totals = h("div", { class: "totals" }, channels.map(([channel, points]) => h("p", {},
    `${label(channel)} `, h("strong", { "data-total": channel }, totalText(points, volumes.unit)))));
  return [
    ...controls,
    alertBox("warn", h("p", {}, t("Opgelet: deze meetgegevens zijn informatief en sommige zijn pas beschikbaar in de loop van de komende 72 uur."))),
    totals,
    display === "chart" ? chart(volumes, channels) : table(volumes, channels),
    h("div", { class: "actions" },
      h("button", { class: "secondary", onclick: () => download(volumesPath(current, "csv"), `${t("verbruik")}-${ean}-${current.from}.csv`) }, t("Historiek downloaden (CSV)")),
      h("button", { class: "secondary", onclick: () => download(volumesPath(current, "pdf"), `${t("verbruik")}-${ean}-${current.from}.pdf`) }, t("PDF downloaden")),
      h("button", { class: "link", onclick: () => window.print() }, t("Afdrukken"))),
  ];
}

function sum(points) {
  return points.reduce((total, p) => total + (p.value ?? 0), 0);
}

/**
 * A channel's total as a reader may trust it: missing is not zero. No value at all says so; a
 * total over some missing points says it is incomplete.
 * @param {{value: number | null}[]} points
 * @param {string} unit
 */
function totalText(points, unit) {
  const present = points.filter((p) => p.value !== null).length;
  if (!present) return t("geen gegevens");
  const text = `${formatNumber(sum(points))} ${unit}`;
  return present < points.length ? `${text} ${t("(onvolledig)")}` : text;
}

/** "Zondag 26/10/2025 02:00 - 02:15", with the time zone on the days the clocks change. */
function when(resolution, p, zoned) {
  if (resolution === "month") return formatMonth(p.start.slice(0, 10));
  if (resolution === "day") return formatWeekday(p.start);
  return `${formatWeekday(p.start)} ${formatTime(p.start, zoned)} - ${formatTime(p.end, zoned)}`;
}

/** Local days whose points carry two UTC offsets: the daylight-saving days (92 or 100 slots). */
function switchDays(points) {
  const offsets = new Map();
  for (const p of points) {
    const day = formatDate(p.start.slice(0, 10));
    if (!offsets.has(day)) offsets.set(day, new Set());
    offsets.get(day).add(p.start.slice(-6));
  }
  return new Set([...offsets].filter(([, set]) => set.size > 1).map(([day]) => day));
}

function table(volumes, channels) {
  const [, first] = channels[0];
  const zoned = switchDays(first);
  const rows = first.map((p, i) => h("tr", {},
    h("td", {}, when(volumes.resolution, p, zoned.has(formatDate(p.start.slice(0, 10))))),
    channels.map(([, points]) => h("td", { class: "number" }, points[i].value === null ? "–" : `${formatNumber(points[i].value)} ${volumes.unit}`)),
    h("td", {}, channels.map(([, points]) => label(points[i].status)).filter(Boolean)[0] || "")));
  return h("div", { class: "table-wrap" }, h("table", { id: "volumes-table" },
    h("caption", { class: "visually-hidden" }, t("Meetgegevens")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Datum")),
      channels.map(([channel]) => h("th", { scope: "col", class: "number" }, label(channel))),
      h("th", { scope: "col" }, t("Omschrijving")))),
    h("tbody", {}, rows)));
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** A round axis value as the reader's locale writes it, without trailing zeros: 0,25 · 1 · 2,5. */
function axisNumber(/** @type {number} */ value) {
  const text = formatNumber(value, 3);
  const decimals = text.slice(-3).replace(/0+$/, "");
  return decimals ? `${text.slice(0, -3)}${decimals}` : text.slice(0, -4);
}

/** The smallest 1, 2, 2.5 or 5 times a power of ten at least `value` (0 stays 0). */
function roundUp(/** @type {number} */ value) {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((step) => step * power).find((nice) => nice >= value * (1 - 1e-9)) ?? 10 * power;
}

/** On a phone, consecutive points combined so no more than NARROW_BARS bars remain: a sum, marked
 * estimated if any part is, missing only if every part is. */
function combined(points) {
  const size = Math.ceil(points.length / NARROW_BARS);
  if (!NARROW.matches || size <= 1) return points;
  const groups = [];
  for (let i = 0; i < points.length; i += size) {
    const part = points.slice(i, i + size);
    const known = part.filter((p) => p.value !== null);
    groups.push({
      start: part[0].start, end: part[part.length - 1].end,
      value: known.length ? known.reduce((total, p) => total + p.value, 0) : null,
      status: !known.length ? "missing" : part.some((p) => p.status === "estimated" || p.status === "missing") ? "estimated" : part[0].status,
    });
  }
  return groups;
}

/** An axis label: the month; the weekday and date of a day; on sub-day views of several days
 * the weekday at each midnight, else the time. */
function tickText(resolution, p, severalDays) {
  const day = p.start.slice(0, 10);
  if (resolution === "month") return MONTHS_SHORT[Number(p.start.slice(5, 7)) - 1];
  if (resolution === "day" || severalDays) return `${weekdayShort(day)} ${formatDate(day).slice(0, 5)}`;
  return formatTime(p.start);
}

/** Bars: offtake above the axis, injection below; estimated values paler, missing ones absent;
 * gridlines at half and full scale; a legend for what each look means. */
function chart(volumes, allChannels) {
  const narrow = NARROW.matches;
  const width = narrow ? 400 : 800; // a narrower drawing keeps its text readable on a phone
  const height = narrow ? 260 : 280;
  const left = narrow ? 48 : 56;
  const channels = allChannels.map(([channel, points]) => [channel, combined(points)]);
  const [, first] = channels[0];
  const count = first.length;
  // Round scales (1, 2, 2.5 or 5 times a power of ten), so the axis reads 0,5 and 1 kWh, not 162,2.
  const up = roundUp(Math.max(0, ...channels.filter(([c]) => c === "offtake").flatMap(([, ps]) => ps.map((p) => p.value ?? 0))));
  const down = roundUp(Math.max(0, ...channels.filter(([c]) => c === "injection").flatMap(([, ps]) => ps.map((p) => p.value ?? 0))));
  const scale = (height - 40) / ((up + down) || 1);
  const axis = 10 + up * scale;
  const slot = (width - left - 8) / Math.max(count, 1);
  const bars = [];
  const statuses = new Set(allChannels.flatMap(([, points]) => points.map((p) => p.status)));
  for (const [channel, points] of channels) {
    points.forEach((p, i) => {
      if (p.value === null) return;
      const size = Math.max(p.value * scale, p.value > 0 ? 1 : 0);
      const y = channel === "injection" ? axis : axis - size;
      bars.push(svg("rect", {
        class: `bar ${channel} ${p.status}`, x: (left + i * slot + slot * 0.1).toFixed(1), y: y.toFixed(1),
        width: Math.max(slot * 0.8, 0.5).toFixed(1), height: size.toFixed(1),
      }, svg("title", {}, `${when(volumes.resolution, p, false)}: ${formatNumber(p.value)} ${volumes.unit}`)));
    });
  }
  // A day of quarter-hours or hours (a gas day runs 06:00 to 06:00, over two dates) is labelled by
  // the hour; a week of them by the day.
  const severalDays = volumes.resolution !== "day" && volumes.resolution !== "month" && first.length > 0
    && Date.parse(first[first.length - 1].end) - Date.parse(first[0].start) > 25 * 3600 * 1000;
  const ticks = [];
  let previousDay = "";
  const every = Math.max(1, Math.ceil(count / (narrow ? 6 : 12)));
  first.forEach((p, i) => {
    const day = p.start.slice(0, 10);
    const due = severalDays ? day !== previousDay : i % every === 0;
    previousDay = day;
    if (!due) return;
    const x = left + i * slot;
    ticks.push(svg("line", { class: "grid", x1: x.toFixed(1), x2: x.toFixed(1), y1: "10", y2: String(height - 20) }));
    ticks.push(svg("text", { x: x.toFixed(1), y: String(height - 6) }, tickText(volumes.resolution, p, severalDays)));
  });
  const gridlines = [];
  for (const share of [0.5, 1]) {
    if (up > 0) gridlines.push(svg("line", { class: "grid", x1: String(left), x2: String(width), y1: (axis - up * scale * share).toFixed(1), y2: (axis - up * scale * share).toFixed(1) }));
    if (down > 0) gridlines.push(svg("line", { class: "grid", x1: String(left), x2: String(width), y1: (axis + down * scale * share).toFixed(1), y2: (axis + down * scale * share).toFixed(1) }));
  }
  const graphic = svg("svg", {
    class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": t("Grafiek van {channels} in {unit}; de tabelweergave toont dezelfde waarden.", {
      channels: channels.map(([c]) => label(c).toLowerCase()).join(` ${t("en")} `), unit: volumes.unit,
    }),
  },
  ...gridlines,
  svg("line", { class: "axis", x1: String(left), x2: String(width), y1: axis.toFixed(1), y2: axis.toFixed(1) }),
  svg("text", { x: "0", y: "14" }, `${axisNumber(up)} ${volumes.unit}`),
  up > 0 ? svg("text", { x: "0", y: (axis - up * scale * 0.5 + 4).toFixed(1) }, axisNumber(up / 2)) : "",
  down ? svg("text", { x: "0", y: String(height - 22) }, `-${axisNumber(down)}`) : "",
  ...bars, ...ticks);
  const combinedNote = channels[0][1].length < allChannels[0][1].length
    ? h("p", { class: "note" }, t("Op een klein scherm zijn opeenvolgende waarden samengeteld; de tabel toont ze elk apart."))
    : null;
  return h("figure", { id: "volumes-chart" }, graphic,
    h("figcaption", { class: "legend" },
      channels.map(([c]) => h("span", { class: c }, label(c))),
      statuses.has("estimated") ? h("span", { class: "estimated" }, t("Geschat (lichter)")) : null,
      statuses.has("missing") ? h("span", { class: "missing" }, t("Ontbrekend (geen staaf)")) : null),
    combinedNote);
}

// Piekvermogen ----------------------------------------------------------------------------------

async function peaksTab(body) {
  const year = state.anchor.slice(0, 4);
  const from = maxDate(`${year}-01-01`, point.mandate.period_start);
  const to = minDate(`${Number(year) + 1}-01-01`, servedEnd());
  const move = (years) => {
    state.anchor = maxDate(minDate(`${Number(year) + years}-06-30`, addDays(servedEnd(), -1)), point.mandate.period_start);
    show(body, () => peaksTab(body));
  };
  const controls = h("div", { class: "period-nav" },
    h("button", { class: "secondary", "aria-label": t("Vorig jaar"), disabled: from <= point.mandate.period_start, onclick: () => move(-1) }, "‹"),
    h("span", { class: "label", "aria-live": "polite" }, year),
    h("button", { class: "secondary", "aria-label": t("Volgend jaar"), disabled: to >= servedEnd(), onclick: () => move(1) }, "›"));
  let answer;
  try {
    answer = await api(`/v1/organisations/${en}/access-points/${ean}/peak-power?from=${from}&to=${to}`);
  } catch (error) {
    if (/** @type {ApiError} */ (error).code === "not_available") {
      return [controls, alertBox("", h("p", {}, t("Voor deze meter is er geen piekvermogen: dat is er voor elektriciteit, en voor gas enkel bij een AMR-meter.")))];
    }
    return [controls, errorBox(error)];
  }
  if (!answer.peaks.length) return [controls, h("p", {}, t("Geen piekvermogen in deze periode."))];
  return [controls, h("div", { class: "table-wrap" }, h("table", { id: "peaks-table" },
    h("caption", {}, t("Hoogste kwartiervermogen per maand")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Maand")), h("th", { scope: "col", class: "number" }, t("Piekvermogen")), h("th", { scope: "col" }, t("Tijdstip")))),
    h("tbody", {}, answer.peaks.map((peak) => h("tr", {},
      h("td", {}, formatMonth(`${peak.month}-01`)),
      h("td", { class: "number" }, `${formatNumber(peak.kw)} kW`),
      // A day mandate gives the date of the peak, not its time of day.
      h("td", {}, peak.at ? `${formatWeekday(peak.at)} ${formatTime(peak.at)}` : formatDate(peak.date)))))))];
}

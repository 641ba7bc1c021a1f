// One meter of a customer, as the EDV sees it: tabs Verbruik and Piekvermogen; Dag/Week/Maand/Jaar
// with previous/next; chart or table; the notice about late values; CSV and PDF downloads.
import {
  accessToken, addDays, addMonths, alertBox, api, download, errorBox, formatDate, formatMonth, MONTHS_SHORT, weekdayShort,
  formatNumber, formatPeriod, formatTime, formatWeekday, h, isoWeek, label, login, maxDate, minDate, mondayOf,
  queryParam, renderAccount, show, today,
} from "./portal.js";
import { currentOrganisation } from "./organisation.js";

const app = document.getElementById("app");
const ean = queryParam("ean") || "";
const VIEWS = { day: "Dag", week: "Week", month: "Maand", year: "Jaar" };

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
  state.view = fine() ? "day" : "month";
  // ?datum=YYYY-MM-DD opens that day (a link someone shared); else the most recent day.
  const wanted = /^\d{4}-\d{2}-\d{2}$/.test(queryParam("datum") || "") ? queryParam("datum") : null;
  state.anchor = maxDate(minDate(wanted || addDays(servedEnd(), -1), addDays(servedEnd(), -1)), mandate.period_start);
  document.getElementById("title").textContent = point.meter_type === "amr" ? "AMR-meter" : "Digitale meter";
  document.title = `${point.ean} · Mijn netbeheerder`;
  const body = h("div", { id: "tab-body" });
  const tabs = h("div", { class: "tabs", role: "tablist" },
    tabButton("volumes", "Verbruik", body), tabButton("peaks", "Piekvermogen", body));
  renderTab(body);
  return [
    h("p", {}, h("a", { href: `/verbruik/meters-van-anderen/?org=${en}` }, "← Terug naar overzicht")),
    h("dl", { class: "facts" },
      h("dt", {}, "Adres"), h("dd", {}, point.address || "–"),
      h("dt", {}, "EAN-code"), h("dd", {}, point.ean),
      h("dt", {}, "Meter"), h("dd", {}, `${point.meter_number || "–"} · ${label(point.energy)}${point.meter_type === "amr" ? `, ${label(point.direction).toLowerCase()}` : ""}`),
      h("dt", {}, "Mandaat"), h("dd", {}, `${label(mandate.granularity)}, verbruiksperiode ${formatPeriod(mandate.period_start, mandate.period_end)}`)),
    tabs,
    body,
  ];
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
      text: `week ${isoWeek(monday)}: ${formatDate(monday)} - ${formatDate(sunday)}`,
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
  if (format) query.set("format", format);
  return `/v1/organisations/${en}/access-points/${ean}/volumes?${query}`;
}

async function volumesTab(body) {
  const { view, display, anchor } = state; // as clicked: a later click renders anew
  const current = period({ view, anchor });
  const rerender = () => show(body, () => volumesTab(body));
  const views = Object.entries(VIEWS).filter(([option]) => option !== "day" || fine());
  const controls = [
    h("div", { class: "actions" },
      h("div", { class: "segmented", role: "group", "aria-label": "Periode" }, views.map(([option, text]) => h("button", {
        "aria-pressed": String(view === option),
        onclick: () => { state.view = option; rerender(); },
      }, text))),
      h("div", { class: "segmented", role: "group", "aria-label": "Weergave" },
        h("button", { "aria-pressed": String(display === "chart"), onclick: () => { state.display = "chart"; rerender(); } }, "Grafiek"),
        h("button", { "aria-pressed": String(display === "table"), onclick: () => { state.display = "table"; rerender(); } }, "Tabel"))),
    h("div", { class: "period-nav" },
      h("button", { class: "secondary", "aria-label": "Vorige periode", disabled: current.from <= point.mandate.period_start, onclick: () => { step(-1); rerender(); } }, "‹"),
      h("span", { class: "label", id: "period-label", "aria-live": "polite" }, current.text),
      h("button", { class: "secondary", "aria-label": "Volgende periode", disabled: current.to >= servedEnd(), onclick: () => { step(1); rerender(); } }, "›")),
  ];
  let volumes;
  try {
    volumes = await api(volumesPath(current));
  } catch (error) {
    return [...controls, errorBox(error)];
  }
  const channels = Object.entries(volumes.channels).filter(([, points]) => points);
  const totals = h("div", { class: "totals" }, channels.map(([channel, points]) => h("p", {},
    `${label(channel)} `, h("strong", { "data-total": channel }, `${formatNumber(sum(points))} ${volumes.unit}`))));
  return [
    ...controls,
    alertBox("warn", h("p", {}, volumes.notice)),
    totals,
    display === "chart" ? chart(volumes, channels) : table(volumes, channels),
    h("div", { class: "actions" },
      h("button", { class: "secondary", onclick: () => download(volumesPath(current, "csv"), `verbruik-${ean}-${current.from}.csv`) }, "Historiek downloaden (CSV)"),
      h("button", { class: "secondary", onclick: () => download(volumesPath(current, "pdf"), `verbruik-${ean}-${current.from}.pdf`) }, "PDF downloaden"),
      h("button", { class: "link", onclick: () => window.print() }, "Afdrukken")),
  ];
}

function sum(points) {
  return points.reduce((total, p) => total + (p.value ?? 0), 0);
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
    h("caption", { class: "visually-hidden" }, "Meetgegevens"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Datum"),
      channels.map(([channel]) => h("th", { scope: "col", class: "number" }, label(channel))),
      h("th", { scope: "col" }, "Omschrijving"))),
    h("tbody", {}, rows)));
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** Bars: offtake above the axis, injection below; estimated values paler, missing ones absent. */
function chart(volumes, channels) {
  const width = 800;
  const height = 280;
  const left = 56;
  const [, first] = channels[0];
  const count = first.length;
  const up = Math.max(0, ...channels.filter(([c]) => c === "offtake").flatMap(([, ps]) => ps.map((p) => p.value ?? 0)));
  const down = Math.max(0, ...channels.filter(([c]) => c === "injection").flatMap(([, ps]) => ps.map((p) => p.value ?? 0)));
  const scale = (height - 40) / ((up + down) || 1);
  const axis = 10 + up * scale;
  const slot = (width - left - 8) / Math.max(count, 1);
  const bars = [];
  const statuses = new Set(channels.flatMap(([, points]) => points.map((p) => p.status)));
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
  const ticks = [];
  const every = Math.max(1, Math.ceil(count / 12));
  for (let i = 0; i < count; i += every) {
    const p = first[i];
    const text = volumes.resolution === "month" ? MONTHS_SHORT[Number(p.start.slice(5, 7)) - 1]
      : volumes.resolution === "day" ? `${weekdayShort(p.start.slice(0, 10))} ${formatDate(p.start.slice(0, 10)).slice(0, 5)}`
        : formatTime(p.start);
    ticks.push(svg("text", { x: (left + i * slot).toFixed(1), y: String(height - 6) }, text));
  }
  const graphic = svg("svg", {
    class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `Grafiek van ${channels.map(([c]) => label(c).toLowerCase()).join(" en ")} in ${volumes.unit}; de tabelweergave toont dezelfde waarden.`,
  },
  svg("line", { class: "axis", x1: String(left), x2: String(width), y1: axis.toFixed(1), y2: axis.toFixed(1) }),
  ...[0.5, 1].filter(() => up > 0).map((share) => svg("line", {
    class: "grid", x1: String(left), x2: String(width),
    y1: (axis - up * scale * share).toFixed(1), y2: (axis - up * scale * share).toFixed(1),
  })),
  svg("text", { x: "0", y: "14" }, `${formatNumber(up, 1)} ${volumes.unit}`),
  down ? svg("text", { x: "0", y: String(height - 22) }, `-${formatNumber(down, 1)}`) : "",
  ...bars, ...ticks);
  return h("figure", { id: "volumes-chart" }, graphic,
    h("figcaption", { class: "legend" },
      channels.map(([c]) => h("span", { class: c }, label(c))),
      statuses.has("estimated") ? h("span", { class: "estimated" }, "Geschat (lichter)") : null,
      statuses.has("missing") ? h("span", { class: "missing" }, "Ontbrekend (geen staaf)") : null));
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
    h("button", { class: "secondary", "aria-label": "Vorig jaar", disabled: from <= point.mandate.period_start, onclick: () => move(-1) }, "‹"),
    h("span", { class: "label", "aria-live": "polite" }, year),
    h("button", { class: "secondary", "aria-label": "Volgend jaar", disabled: to >= servedEnd(), onclick: () => move(1) }, "›"));
  let answer;
  try {
    answer = await api(`/v1/organisations/${en}/access-points/${ean}/peak-power?from=${from}&to=${to}`);
  } catch (error) {
    if (error.code === "not_available") {
      return [controls, alertBox("", h("p", {}, "Voor deze meter is er geen piekvermogen: dat is er voor elektriciteit, en voor gas enkel bij een AMR-meter."))];
    }
    return [controls, errorBox(error)];
  }
  if (!answer.peaks.length) return [controls, h("p", {}, "Geen piekvermogen in deze periode.")];
  return [controls, h("div", { class: "table-wrap" }, h("table", { id: "peaks-table" },
    h("caption", {}, "Hoogste kwartiervermogen per maand"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Maand"), h("th", { scope: "col", class: "number" }, "Piekvermogen"), h("th", { scope: "col" }, "Tijdstip"))),
    h("tbody", {}, answer.peaks.map((peak) => h("tr", {},
      h("td", {}, formatMonth(`${peak.month}-01`)),
      h("td", { class: "number" }, `${formatNumber(peak.kw)} kW`),
      // A day mandate gives the date of the peak, not its time of day.
      h("td", {}, peak.at ? `${formatWeekday(peak.at)} ${formatTime(peak.at)}` : formatDate(peak.date)))))))];
}

// "Historiek exporteren": the history of every mandate (or the EANs named) in one job. The form
// asks what (resolution, channels, range; by default all each mandate allows), the page follows
// the job until its files are ready and offers them for download.
import {
  accessToken, addDays, api, errorBox, formatDate, formatDateTime, formatNumber, h, label, login, moreButton, n, renderAccount, show, t,
} from "./portal.js";
import { currentOrganisation, organisationPicker } from "./organisation.js";

const app = document.getElementById("app");
const RESOLUTIONS = { finest: n("Zo fijn als elk mandaat toelaat"), day: n("Per dag"), hour: n("Per uur"), quarter_hour: n("Per kwartier") };
const STATUS = { queued: n("In de wachtrij"), running: n("Bezig"), ready: n("Klaar"), failed: n("Mislukt") };
const FILES = {
  "history.parquet": n("Parquet (alle aansluitingen)"),
  "history-electricity.csv.gz": n("CSV elektriciteit (gzip)"),
  "history-gas.csv.gz": n("CSV gas (gzip)"),
  "manifest.json": n("Overzicht (JSON)"),
};
const POLL_MS = 3000; // longer than the local stack waits for a quiet API before it works on exports
let en = "";

renderAccount();
if (!accessToken()) login();
else show(app, render);

async function render() {
  const { person, organisation } = await currentOrganisation();
  en = organisation.enterprise_number;
  const progress = h("div", { id: "export-status", "aria-live": "polite" });
  const message = h("div");
  const resolution = h("select", { id: "resolution", name: "resolution" },
    Object.entries(RESOLUTIONS).map(([value, text]) => h("option", { value }, t(text))));
  const offtake = h("input", { type: "checkbox", id: "offtake", name: "channel", value: "offtake", checked: true });
  const injection = h("input", { type: "checkbox", id: "injection", name: "channel", value: "injection", checked: true });
  const from = h("input", { type: "date", id: "from", name: "from" });
  const to = h("input", { type: "date", id: "to", name: "to" });
  const submit = h("button", { type: "submit" }, t("Exporteren"));
  const form = h("form", {
    onsubmit: async (event) => {
      event.preventDefault();
      submit.disabled = true;
      message.replaceChildren();
      const body = { channels: [offtake, injection].filter((box) => box.checked).map((box) => box.value) };
      if (resolution.value !== "finest") body.resolution = resolution.value;
      if (from.value) body.from = from.value;
      if (to.value) body.to = to.value;
      try {
        follow(await api(`/v1/organisations/${en}/exports`, { method: "POST", json: body }), progress);
      } catch (error) {
        message.replaceChildren(errorBox(error));
      } finally {
        submit.disabled = false;
      }
    },
  },
  h("div", { class: "field" }, h("label", { for: "resolution" }, t("Detail")), resolution),
  h("fieldset", {}, h("legend", {}, t("Kanalen")),
    h("label", { class: "choice" }, offtake, h("span", {}, t("Afname"))),
    h("label", { class: "choice" }, injection, h("span", {}, t("Injectie")))),
  h("div", { class: "field" }, h("label", { for: "from" }, t("Van (leeg: alles wat het mandaat toelaat)")), from),
  h("div", { class: "field" }, h("label", { for: "to" }, t("Tot (leeg: tot vandaag)")), to),
  message,
  h("div", { class: "actions" }, submit));
  return [
    organisationPicker(person, organisation),
    h("section", { "aria-labelledby": "export-title" },
      h("h2", { id: "export-title" }, t("Wat wil je exporteren?")),
      h("p", { class: "note" }, t("Alle mandaten die nu gelden. Dezelfde vraag terwijl een export loopt, is dezelfde export.")),
      form),
    progress,
    await history(),
  ];
}

/** Earlier exports, newest first: what each asked, how it went, and its files while kept. */
async function history() {
  const list = h("ul", { class: "cards", id: "export-history" });
  const more = h("div", { class: "actions" });
  const load = async (/** @type {string | null} */ cursor) => {
    const query = new URLSearchParams({ limit: "20" });
    if (cursor) query.set("cursor", cursor);
    const page = await api(`/v1/organisations/${en}/exports?${query}`);
    list.append(...page.items.map(historyCard));
    more.replaceChildren(page.next_cursor ? moreButton(() => load(page.next_cursor), more) : "");
    return page.items.length;
  };
  const found = await load(null);
  return h("section", { "aria-labelledby": "history-title" },
    h("h2", { id: "history-title" }, t("Eerdere exports")),
    found ? list : h("p", { class: "note" }, t("Nog geen exports.")),
    more);
}

function historyCard(job) {
  const what = [
    t(RESOLUTIONS[job.resolution ?? "finest"]),
    job.channels.map((/** @type {string} */ channel) => label(channel)).join(", "),
    job.from || job.to
      ? t("van {from} tot en met {to}", { from: job.from ? formatDate(job.from) : "…", to: job.to ? formatDate(addDays(job.to, -1)) : t("vandaag") })
      : t("alles wat elk mandaat toelaat"),
  ].join(" · ");
  const files = Object.entries(job.files).map(([name, file]) => h("li", {},
    h("a", { href: file.url, download: name }, t(FILES[name] ?? name)), ` · ${size(file.bytes)}`));
  const expired = job.status === "ready" && !files.length;
  return h("li", { class: "card" },
    h("h3", {}, t("Gevraagd op {when}", { when: formatDateTime(job.created_at) })),
    h("p", {}, what),
    h("p", { class: `status ${job.status}` }, t(STATUS[job.status]), ` · ${t("{done} van {eans} aansluitingen", { done: job.done, eans: job.eans })}`),
    files.length ? h("ul", {}, files) : null,
    files.length ? h("p", { class: "note" }, t("Te downloaden tot {when}", { when: formatDateTime(job.files_until) })) : null,
    expired ? h("p", { class: "note" }, t("De bestanden worden niet langer bewaard. Vraag dezelfde export opnieuw om ze opnieuw te maken.")) : null);
}

async function follow(job, target) {
  target.replaceChildren(statusCard(job));
  if (job.status === "queued" || job.status === "running") {
    setTimeout(async () => {
      try {
        follow(await api(`/v1/organisations/${en}/exports/${job.id}`), target);
      } catch (error) {
        target.replaceChildren(errorBox(error));
      }
    }, POLL_MS);
  }
}

function size(bytes) {
  return bytes < 1e6 ? `${formatNumber(Math.max(bytes / 1e3, 0.1), 1)} kB` : `${formatNumber(bytes / 1e6, 1)} MB`;
}

function statusCard(job) {
  const files = Object.entries(job.files).map(([name, file]) => h("li", {},
    h("a", { href: file.url, download: name }, t(FILES[name] ?? name)),
    ` · ${size(file.bytes)}`));
  return h("section", { class: "card", id: "export" },
    h("h2", {}, t("Export")),
    h("p", { class: `status ${job.status}` }, t(STATUS[job.status])),
    h("p", {}, t("{done} van {eans} aansluitingen", { done: job.done, eans: job.eans })),
    job.finished_at ? h("p", { class: "note" }, t("Klaar op {when}", { when: formatDateTime(job.finished_at) })) : null,
    files.length ? h("ul", { id: "export-files" }, files) : null,
    h("p", { class: "note" }, t("Hoogstens {jobs} exports tegelijk, {eans} aansluitingen per export.", {
      jobs: job.limits.jobs_at_once, eans: formatNumber(job.limits.eans_per_job, 0),
    })));
}

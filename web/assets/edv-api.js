// "API en webhooks", for an EDV on the API channel: its API clients (created with a secret or a
// certificate, the secret shown once, revoked), the sandbox to try the API, and its webhooks
// (registered, tested, their deliveries, a failing state).
import {
  accessToken, alertBox, api, confirmInPlace, errorBox, formatDateTime, formatPeriod, h, label, login, n, renderAccount, show, showFormErrors,
  stackedTable, t,
} from "./portal.js";
import { currentOrganisation, organisationPicker } from "./organisation.js";

const app = document.getElementById("app");
const EVENT_TYPES = {
  granted: n("toestemming gegeven"), requested: n("toestemming gevraagd"), rejected: n("toestemming geweigerd"),
  ended: n("mandaat beëindigd"), expired: n("mandaat verlopen"), period_truncated: n("periode ingekort"),
  renewal_requested: n("vernieuwing gevraagd"), expiring: n("mandaat loopt binnen 30 dagen af"),
  purge_due: n("gegevens te verwijderen"), consent_declined: n("aanvraag geweigerd"),
  data_available: n("nieuwe meetgegevens"), export_ready: n("export klaar"),
};
const DELIVERY_STATUS = { queued: n("in de wachtrij"), retrying: n("wordt opnieuw geprobeerd"), delivered: n("afgeleverd"), dead: n("opgegeven") };
const FAILURES = {
  dns: n("naam niet gevonden"), private_address: n("geen adres op het publieke internet"), refused: n("verbinding geweigerd"),
  timeout: n("geen antwoord binnen 10 seconden"), tls: n("TLS-fout (certificaat)"), unreachable: n("onbereikbaar"),
  invalid_url: n("ongeldig adres: registreer het opnieuw"), internal: n("fout bij ons; we proberen opnieuw"),
};
let en = "";

/** A delivery failure's category in words; an answer that is not a 2xx is "http_<status>". */
function failure(code) {
  if (!code) return "–";
  if (code.startsWith("http_")) return `HTTP ${code.slice(5)}`;
  return t(FAILURES[code] ?? code);
}

renderAccount();
if (!accessToken()) login();
else show(app, render);

async function render() {
  const { person, organisation } = await currentOrganisation();
  en = organisation.enterprise_number;
  const clients = h("section", { "aria-labelledby": "clients-title" });
  const hooks = h("section", { "aria-labelledby": "hooks-title" });
  show(clients, clientsSection);
  show(hooks, webhooksSection);
  const sandbox = h("section", { "aria-labelledby": "sandbox-title" });
  show(sandbox, sandboxSection);
  return [organisationPicker(person, organisation), clients, sandbox, hooks];
}

// API clients ----------------------------------------------------------------------------------

async function clientsSection() {
  const list = await api(`/v1/organisations/${en}/api-clients?limit=100`);
  const created = h("div", { "aria-live": "polite" });
  const problems = h("div");
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { name: data.get("name") };
    if (data.get("certificate_pem")) body.certificate_pem = data.get("certificate_pem");
    event.submitter.disabled = true;
    try {
      const client = await api(`/v1/organisations/${en}/api-clients`, { method: "POST", json: body });
      await show(form.closest("section"), clientsSection);
      document.getElementById("client-created").replaceChildren(shownOnce(client));
      document.getElementById("client-created-title")?.focus();
    } catch (error) {
      event.submitter.disabled = false;
      showFormErrors(form, problems, error, { name: "client-name", certificate_pem: "client-certificate" });
    }
  } },
    h("h3", {}, t("Nieuwe API-client")),
    h("div", { class: "field" }, h("label", { for: "client-name" }, t("Naam")),
      h("input", { type: "text", id: "client-name", name: "name", required: true, maxlength: "200" })),
    h("div", { class: "field" },
      h("label", { for: "client-certificate" }, t("Certificaat (PEM), in plaats van een geheim"), h("span", { class: "hint" }, t("Laat leeg voor een client met een geheim."))),
      h("textarea", { id: "client-certificate", name: "certificate_pem", rows: "4", spellcheck: "false" })),
    problems,
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("API-client aanmaken"))));
  created.id = "client-created";
  return [
    h("h2", { id: "clients-title" }, t("API-clients")),
    list.items.length ? h("div", { class: "table-wrap" }, h("table", { id: "api-clients", class: "stacked" },
      h("caption", { class: "visually-hidden" }, t("API-clients")),
      h("thead", {}, h("tr", {}, [t("Naam"), t("Client-ID"), t("Aanmelden met"), t("Status"), t("Aangemaakt"), ""].map((text) => h("th", { scope: "col" }, text)))),
      h("tbody", {}, list.items.map(clientRow)))) : h("p", {}, t("Je hebt nog geen API-client.")),
    created,
    form,
  ];
}

function clientRow(client) {
  const message = h("span");
  const cells = [
    [t("Naam"), client.name],
    [t("Client-ID"), h("code", {}, client.client_id)],
    [t("Aanmelden met"), client.auth_method === "private_key_jwt" ? t("certificaat") : t("geheim")],
    [t("Status"), h("span", { class: `status ${client.status === "active" ? "active" : "ended"}` }, client.status === "active" ? t("Actief") : t("Ingetrokken"))],
    [t("Aangemaakt"), formatDateTime(client.created_at)],
    ["", client.status === "active" ? h("button", { class: "link", onclick: (event) => revoke(event.target, client, message) }, t("Intrekken")) : "", message],
  ];
  return h("tr", {}, cells.map(([heading, ...content]) => h("td", { "data-label": heading }, content)));
}

function shownOnce(client) {
  return alertBox("ok",
    h("h3", { id: "client-created-title", tabindex: "-1" }, t("API-client {name} is aangemaakt", { name: client.name })),
    h("p", {}, h("strong", {}, t("Bewaar deze gegevens nu: we tonen ze maar één keer."))),
    h("dl", { class: "facts" },
      h("dt", {}, t("Client-ID")), h("dd", {}, h("code", { id: "new-client-id" }, client.client_id)),
      client.client_secret ? [h("dt", {}, t("Geheim")), h("dd", {}, h("code", { id: "new-client-secret" }, client.client_secret))] : null,
      h("dt", {}, t("Abonnementssleutel")), h("dd", {}, h("code", { id: "new-subscription-key" }, client.subscription_key))));
}

async function revoke(button, client, message) {
  const question = t("Wil je API-client {name} intrekken? Systemen die hem gebruiken, krijgen dan geen toegang meer.", { name: client.name });
  if (!(await confirmInPlace(button, question, t("Intrekken")))) return;
  button.disabled = true;
  try {
    await api(`/v1/organisations/${en}/api-clients/${client.client_id}`, { method: "DELETE" });
    await show(button.closest("section"), clientsSection);
  } catch (error) {
    button.disabled = false;
    message.replaceChildren(/** @type {Error} */ (error).message);
  }
}

// Sandbox --------------------------------------------------------------------------------------

async function sandboxSection() {
  const origin = location.origin;
  const mocks = await api(`/v1/organisations/${en}/sandbox/mandates`);
  const problems = h("div");
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    event.submitter.disabled = true;
    try {
      await api(`/v1/organisations/${en}/sandbox/mandates`, {
        method: "POST", json: { ean: String(data.get("ean")).trim(), granularity: data.get("granularity"), reference_number: data.get("reference_number") || "portaal" },
      });
      await show(form.closest("section"), sandboxSection);
    } catch (error) {
      event.submitter.disabled = false;
      showFormErrors(form, problems, error, { ean: "mock-ean", reference_number: "mock-reference" });
    }
  } },
    h("h3", {}, t("Nieuw testmandaat")),
    h("div", { class: "row" },
      h("div", { class: "field" }, h("label", { for: "mock-ean" }, t("EAN-code")),
        h("input", { type: "text", id: "mock-ean", name: "ean", required: true, inputmode: "numeric", pattern: "[0-9]{18}", autocomplete: "off" })),
      h("div", { class: "field" }, h("label", { for: "mock-reference" }, t("Referentie")),
        h("input", { type: "text", id: "mock-reference", name: "reference_number", maxlength: "100", autocomplete: "off" }))),
    h("fieldset", {}, h("legend", {}, t("Welke meetgegevens?")),
      h("label", { class: "choice" }, h("input", { type: "radio", name: "granularity", value: "detailed", checked: true }), h("span", {}, t("Kwartierwaarden (elektriciteit) of uurwaarden (gas)"))),
      h("label", { class: "choice" }, h("input", { type: "radio", name: "granularity", value: "day" }), h("span", {}, t("Dagwaarden")))),
    problems,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, t("Testmandaat aanmaken"))));
  const columns = [t("EAN-code"), t("Meter"), t("Gegevens"), t("Referentie"), t("Verbruiksperiode")];
  return [
    h("h2", { id: "sandbox-title" }, t("Sandbox")),
    h("p", {}, t("Probeer de API uit zonder echte klanten: met dezelfde API-client maak je in de sandbox testmandaten aan, waarvan de meetgegevens gegenereerd worden.")),
    h("dl", { class: "facts" },
      h("dt", {}, t("Token")), h("dd", {}, h("code", {}, `${origin}/oauth2/token`)),
      h("dt", {}, t("Sandbox")), h("dd", {}, h("code", {}, `${origin}/esco-sbx/v3/api`)),
      h("dt", {}, t("Productie")), h("dd", {}, h("code", {}, `${origin}/esco-live/v3/api`)),
      h("dt", {}, t("Beschrijving")), h("dd", {}, h("a", { href: "/openapi.json" }, "OpenAPI"))),
    h("p", {}, t("Een testmandaat maak je hier of met POST /mandate/mock. De EAN bepaalt de meter: een oneven voorlaatste cijfer geeft gas, een derde laatste cijfer vanaf 5 een AMR-meter.")),
    mocks.items.length ? stackedTable(columns, mocks.items.map((m) => [
      m.ean, `${label(m.energy)}, ${label(m.meter_type).toLowerCase()}`, label(m.granularity), m.reference_number || "–",
      formatPeriod(m.period_start, m.period_end),
    ]), { id: "sandbox-mandates", caption: t("Testmandaten") }) : h("p", {}, t("Nog geen testmandaten.")),
    form,
  ];
}

// Webhooks -------------------------------------------------------------------------------------

async function webhooksSection() {
  const list = await api(`/v1/organisations/${en}/webhooks`);
  const problems = h("div");
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    event.submitter.disabled = true;
    try {
      const endpoint = await api(`/v1/organisations/${en}/webhooks`, {
        method: "POST", json: { url: data.get("url"), event_types: data.getAll("event_types"), description: data.get("description") || "" },
      });
      await show(form.closest("section"), webhooksSection);
      document.getElementById("hook-created").replaceChildren(alertBox("ok",
        h("h3", { id: "hook-created-title", tabindex: "-1" }, t("Webhook geregistreerd")),
        h("p", {}, h("strong", {}, t("Bewaar dit geheim nu: we tonen het maar één keer. Je controleert er de handtekening van elke levering mee."))),
        h("p", {}, h("code", { id: "new-webhook-secret" }, endpoint.secret))));
      document.getElementById("hook-created-title")?.focus();
    } catch (error) {
      event.submitter.disabled = false;
      showFormErrors(form, problems, error, { url: "hook-url", description: "hook-description", event_types: "hook-url" });
    }
  } },
    h("h3", {}, t("Nieuwe webhook")),
    h("div", { class: "field" }, h("label", { for: "hook-url" }, t("Adres (https)")),
      h("input", { type: "url", id: "hook-url", name: "url", required: true, placeholder: "https://", autocomplete: "url" })),
    h("fieldset", {}, h("legend", {}, t("Welke wijzigingen?")),
      Object.entries(EVENT_TYPES).map(([type, text]) => h("label", { class: "choice" },
        h("input", { type: "checkbox", name: "event_types", value: type, checked: type !== "data_available" }), h("span", {}, t(text))))),
    h("div", { class: "field" }, h("label", { for: "hook-description" }, t("Omschrijving")),
      h("input", { type: "text", id: "hook-description", name: "description", maxlength: "200" })),
    problems,
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("Webhook registreren"))));
  return [
    h("h2", { id: "hooks-title" }, t("Webhooks")),
    h("p", {}, t("Je systemen horen meteen wanneer een mandaat verandert, in plaats van de wijzigingen op te vragen.")),
    list.items.length ? h("ul", { class: "cards", id: "webhooks" }, list.items.map(endpointCard)) : h("p", {}, t("Je hebt nog geen webhook.")),
    h("div", { id: "hook-created", "aria-live": "polite" }),
    form,
  ];
}

function endpointCard(endpoint) {
  const deliveries = h("div");
  const message = h("div");
  const failing = endpoint.status === "failing";
  return h("li", { class: "card" },
    h("h3", {}, endpoint.description || endpoint.url),
    h("p", { class: `status ${failing ? "ended" : "active"}` }, failing
      ? t("Faalt sinds {date}", { date: formatDateTime(endpoint.failing_since) }) : t("Actief")),
    h("dl", { class: "facts" },
      h("dt", {}, t("Adres")), h("dd", {}, endpoint.url),
      h("dt", {}, t("Wijzigingen")), h("dd", {}, endpoint.event_types.map((type) => t(EVENT_TYPES[type] ?? type)).join(", ")),
      endpoint.last_error ? [h("dt", {}, t("Laatste fout")), h("dd", {}, failure(endpoint.last_error))] : null),
    message,
    h("div", { class: "actions" },
      h("button", { class: "secondary", onclick: async (event) => {
        event.target.disabled = true;
        try {
          await api(`/v1/organisations/${en}/webhooks/${endpoint.id}/test`, { method: "POST" });
          message.replaceChildren(alertBox("ok", h("p", {}, t("Testbericht verstuurd. Het verschijnt zo in de leveringen."))));
        } catch (error) {
          message.replaceChildren(errorBox(error));
        }
        event.target.disabled = false;
      } }, t("Testbericht sturen")),
      h("button", { class: "secondary", onclick: () => show(deliveries, () => deliveryTable(endpoint)) }, t("Leveringen tonen")),
      h("button", { class: "link", onclick: async (event) => {
        if (!(await confirmInPlace(event.target, t("Wil je deze webhook verwijderen?"), t("Verwijderen")))) return;
        event.target.disabled = true;
        try {
          await api(`/v1/organisations/${en}/webhooks/${endpoint.id}`, { method: "DELETE" });
          await show(event.target.closest("section"), webhooksSection);
        } catch (error) {
          event.target.disabled = false;
          message.replaceChildren(errorBox(error));
        }
      } }, t("Verwijderen"))),
    deliveries);
}

async function deliveryTable(endpoint) {
  const page = await api(`/v1/organisations/${en}/webhooks/${endpoint.id}/deliveries?limit=50`);
  if (!page.items.length) return h("p", {}, t("Nog geen leveringen."));
  const columns = [t("Wijziging"), t("Status"), t("Pogingen"), t("Laatste poging"), t("Antwoord")];
  return stackedTable(columns, page.items.map((d) => [
    ["test", "webhook_test"].includes(d.event_type) ? t("testbericht") : t(EVENT_TYPES[d.event_type] ?? d.event_type),
    t(DELIVERY_STATUS[d.status] ?? d.status),
    String(d.attempts),
    formatDateTime(d.last_attempt_at) || "–",
    d.last_status ? `HTTP ${d.last_status}` : failure(d.last_error),
  ]), { caption: t("Leveringen van de laatste 30 dagen"), shown: true, extraClass: "deliveries" });
}


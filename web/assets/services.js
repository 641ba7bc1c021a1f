// "Overzicht diensten": the organisation's EDV contract and API status, and what it can do next.
import {
  accessToken, alertBox, api, confirmInPlace, errorBox, formatDate, h, label, login, queryParam, renderAccount, show, t,
} from "./portal.js";
import { currentOrganisation, organisationPicker } from "./organisation.js";

/** @typedef {import("./portal.js").ApiError} ApiError */

const app = document.getElementById("app");

// EDV software links its customers to /verbruik/dienstverlener?id=<shortUrlIdentifier>, the form
// the reference portal uses: that opens the EDV's consent page with its request filled in.
const shortUrlIdentifier = queryParam("id");
renderAccount();
if (shortUrlIdentifier) show(app, () => toConsentPage(shortUrlIdentifier));
else if (!accessToken()) login();
else show(app, render);

async function toConsentPage(identifier) {
  try {
    const session = await api(`/v1/consent-sessions/${encodeURIComponent(identifier)}`, { auth: false });
    location.replace(`/verbruik/dienstverlener/${session.edv}/toegang?sessie=${encodeURIComponent(identifier)}`);
    return h("p", { class: "note" }, t("Je wordt doorgestuurd naar de toestemmingspagina…"));
  } catch (error) {
    if (/** @type {ApiError} */ (error).status !== 404) throw error;
    document.getElementById("title").textContent = t("Toestemming geven");
    return alertBox("error", h("p", {},
      t("Deze toestemmingsaanvraag bestaat niet of is verlopen. Vraag je dienstverlener een nieuwe link.")));
  }
}

async function render() {
  const { person, organisation } = await currentOrganisation();
  const en = organisation.enterprise_number;
  const admin = organisation.role === "admin";
  let overview = null;
  try {
    overview = await api(`/v1/organisations/${en}/edv-application`);
  } catch (error) {
    if (/** @type {ApiError} */ (error).status !== 404) throw error;
  }
  return [organisationPicker(person, organisation), overview ? card(overview, admin) : notYet(en, admin)];
}

function notYet(en, admin) {
  return h("section", { class: "card" },
    h("h2", {}, t("Energiedienstverlener worden")),
    h("p", {}, t("Bied energiediensten aan op basis van de meetgegevens van je klanten. Je tekent daarvoor het standaard datatoegangscontract; je klanten geven zelf toestemming.")),
    admin
      ? h("a", { class: "button", href: `/verbruik/dienstverlener/worden/?org=${en}` }, t("Dienstverlener worden"))
      : h("p", { class: "note" }, t("Enkel een beheerder van je organisatie kan dit aanvragen.")));
}

function card(overview, admin) {
  const en = overview.enterprise_number;
  const status = overview.contract_status;
  const message = h("div");
  const actions = [];
  if (status === "active") {
    actions.push(h("a", { class: "button", href: `/verbruik/meters-van-anderen/?org=${en}` }, t("Overzicht klantgegevens")));
    actions.push(h("a", { class: "button secondary", href: overview.stappenplan_url }, t("Stappenplan voor je klanten")));
    actions.push(h("a", { class: "button secondary", href: `/verbruik/dienstverlener/te-verwijderen/?org=${en}` }, t("Wijzigingen en te verwijderen gegevens")));
    actions.push(h("a", { class: "button secondary", href: `/verbruik/dienstverlener/export/?org=${en}` }, t("Historiek exporteren")));
    if (overview.channel === "portal_and_api" && admin) {
      actions.push(h("a", { class: "button secondary", href: `/verbruik/dienstverlener/api/?org=${en}` }, t("API-clients, sandbox en webhooks")));
    }
    if (admin) actions.push(h("button", { class: "link", onclick: (e) => terminate(e.target, en, message) }, t("Opzeggen")));
  } else if (status === "requested" && admin) {
    actions.push(h("a", { class: "button", href: `/verbruik/dienstverlener/worden/?org=${en}` }, t("Aanvraag verderzetten")));
  } else if (["rejected", "cancelled", "terminated"].includes(status) && admin) {
    actions.push(h("a", { class: "button", href: `/verbruik/dienstverlener/worden/?org=${en}` }, t("Opnieuw aanvragen")));
  }
  return h("section", { class: "card", id: "services" },
    h("h2", {}, t("Energiedienstverlener")),
    h("p", {}, t("Contract"), " ", h("span", { class: `status ${status}` }, label(status)),
      " · API ", h("span", { class: `status ${overview.api_status}` }, label(overview.api_status))),
    h("dl", { class: "facts" },
      h("dt", {}, t("Kanaal")), h("dd", {}, label(overview.channel)),
      h("dt", {}, t("Contractnummer")), h("dd", {}, overview.contract_number),
      h("dt", {}, t("Aangevraagd op")), h("dd", {}, formatDate(overview.requested_at)),
      overview.decided_at ? [h("dt", {}, t("Beslist op")), h("dd", {}, formatDate(overview.decided_at))] : null,
      overview.rejection_reason ? [h("dt", {}, t("Reden")), h("dd", {}, overview.rejection_reason)] : null),
    status === "signed" ? alertBox("", h("p", {}, t("We bekijken je ondertekende contract. Na goedkeuring krijg je de rol Energiedienstverlener."))) : null,
    message,
    h("div", { class: "actions" }, actions));
}

async function terminate(button, en, message) {
  const question = t("Wil je het datatoegangscontract opzeggen? Alle mandaten van je klanten eindigen dan.");
  if (!(await confirmInPlace(button, question, t("Opzeggen")))) return;
  button.disabled = true;
  try {
    await api(`/v1/organisations/${en}/edv-application/terminate`, { method: "POST" });
    await show(app, render);
  } catch (error) {
    button.disabled = false;
    message.replaceChildren(errorBox(error));
  }
}

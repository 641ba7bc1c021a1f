// "Energiedienstverlener worden": what it means, the channel, the contract to sign and upload.
// Progress is shown as in the operator's presentation; "Aanvraag annuleren" is always at hand.
import {
  accessToken, alertBox, api, ApiError, confirmInPlace, download, errorBox, h, login, renderAccount, show, showFormErrors, t,
} from "./portal.js";
import { currentOrganisation } from "./organisation.js";

const app = document.getElementById("app");
let en = "";
let application = null;

renderAccount();
if (!accessToken()) login();
else show(app, start);

async function start() {
  const { organisation } = await currentOrganisation();
  en = organisation.enterprise_number;
  if (organisation.role !== "admin") {
    return alertBox("warn", h("p", {}, t("Enkel een beheerder van de organisatie kan een aanvraag indienen.")));
  }
  try {
    application = await api(`/v1/organisations/${en}/edv-application`);
  } catch (error) {
    if (/** @type {ApiError} */ (error).status !== 404) throw error;
  }
  const status = application?.contract_status;
  if (status === "requested") return step(3);
  if (status === "signed") return step(4);
  if (status === "active") {
    return alertBox("ok", h("p", {}, t("Je organisatie is al energiedienstverlener."), " ",
      h("a", { href: `/verbruik/dienstverlener/?org=${en}` }, t("Naar het overzicht"))));
  }
  return step(1);
}

function frame(percent, title, ...content) {
  return [
    h("div", { class: "actions" },
      h("button", { class: "link", onclick: (event) => cancel(event.target) }, t("Aanvraag annuleren"))),
    h("div", { class: "progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(percent), "aria-label": t("Voortgang") },
      h("div", { style: { width: `${percent}%` } })),
    h("p", { class: "note" }, `${percent}%`),
    h("h2", { id: "step-title", tabindex: "-1" }, title),
    ...content,
  ];
}

function go(number) {
  app.replaceChildren(...step(number));
  document.getElementById("step-title")?.focus();
}

function step(number) {
  if (number === 1) {
    return frame(33, t("Wat is een energiedienstverlener?"),
      h("p", {}, t("Ben je een organisatie die energie- of aanverwante diensten aanbiedt aan andere partijen? Dan treed je op als energiedienstverlener (EDV) en krijg je, met hun toestemming, toegang tot de meetgegevens van je klanten: via grafieken, tabellen, downloads of via de API.")),
      h("p", {}, t("Je sluit daarvoor een datatoegangscontract af, een door de regulator goedgekeurde standaardovereenkomst. Voor het gebruik van deze dienst worden kosten aangerekend.")),
      h("div", { class: "actions" }, h("button", { onclick: () => go(2) }, t("Ga verder"))));
  }
  if (number === 2) return channelStep();
  if (number === 3) return contractStep();
  return frame(100, t("Je aanvraag is ingediend"),
    alertBox("ok", h("p", {}, t("We bekijken je ondertekende contract. Na onze goedkeuring krijg je de rol Energiedienstverlener en je stappenplan voor je klanten."))),
    h("a", { class: "button", href: `/verbruik/dienstverlener/?org=${en}` }, t("Naar het overzicht")));
}

function channelStep() {
  const problems = h("div");
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    form.querySelector("button[type=submit]").disabled = true;
    try {
      application = await api(`/v1/organisations/${en}/edv-application`, { method: "POST", json: {
        channel: data.get("channel"),
        contact: { name: data.get("contact_name"), email: data.get("contact_email") },
        service_description: data.get("service_description"),
      } });
      go(3);
    } catch (error) {
      form.querySelector("button[type=submit]").disabled = false;
      showFormErrors(form, problems, error, {
        "contact.name": "contact_name", "contact.email": "contact_email", service_description: "service_description", channel: "contact_name",
      });
    }
  } },
    h("fieldset", {},
      h("legend", {}, t("Hoe wil je de meetgegevens raadplegen?")),
      h("label", { class: "choice" }, h("input", { type: "radio", name: "channel", value: "portal", checked: true }),
        h("span", {}, t("Via het portaal"), h("small", {}, t("Je raadpleegt de meetgegevens van je klanten altijd via dit portaal.")))),
      h("label", { class: "choice" }, h("input", { type: "radio", name: "channel", value: "portal_and_api" }),
        h("span", {}, t("Via zowel de API als het portaal"), h("small", {}, t("Je systemen halen de meetgegevens ook automatisch op."))))),
    h("div", { class: "row" },
      h("div", { class: "field" }, h("label", { for: "contact_name" }, t("Contactpersoon")), h("input", { type: "text", id: "contact_name", name: "contact_name", required: true, autocomplete: "name" })),
      h("div", { class: "field" }, h("label", { for: "contact_email" }, t("E-mailadres")), h("input", { type: "email", id: "contact_email", name: "contact_email", required: true, autocomplete: "email" }))),
    h("div", { class: "field" },
      h("label", { for: "service_description" }, t("Welke diensten bied je aan?")),
      h("textarea", { id: "service_description", name: "service_description", rows: "3", required: true })),
    problems,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => go(1) }, t("Terug")),
      h("button", { type: "submit" }, t("Ga verder"))));
  return frame(66, t("Hoe wil je de meetgegevens raadplegen?"), form);
}

function contractStep() {
  const problems = h("div");
  const file = h("input", { type: "file", id: "signed", accept: "application/pdf", required: true });
  const upload = async (event) => {
    event.preventDefault();
    if (!file.files.length) {
      problems.replaceChildren(alertBox("error", h("p", {}, t("Kies het ondertekende contract (PDF)."))));
      return;
    }
    const chosen = file.files[0];
    if (chosen.size > 5 * 1024 * 1024) {
      problems.replaceChildren(alertBox("error", h("p", {}, t("Dit bestand is te groot."))));
      return;
    }
    event.submitter.disabled = true;
    try {
      application = await uploadSigned(chosen);
      go(4);
    } catch (error) {
      event.submitter.disabled = false;
      problems.replaceChildren(errorBox(error));
    }
  };
  return frame(90, t("Datatoegangscontract tekenen"),
    h("p", {}, t("Download het contract, onderteken het en laad het hier op als PDF (ten hoogste 5 MB).")),
    h("div", { class: "actions" }, h("button", {
      class: "secondary",
      onclick: () => download(`/v1/organisations/${en}/edv-application/contract`, `datatoegangscontract-${en}.pdf`),
    }, t("Contract downloaden (PDF)"))),
    h("form", { onsubmit: upload },
      h("div", { class: "field" }, h("label", { for: "signed" }, t("Ondertekend contract")), file),
      problems,
      h("div", { class: "actions" }, h("button", { type: "submit" }, t("Indienen")))));
}

/** Straight to storage with a presigned form (past API Gateway's request limit), then confirmed:
 * the API checks the stored PDF and moves the application to signed. */
async function uploadSigned(chosen) {
  const form = await api(`/v1/organisations/${en}/edv-application/signed-contract/upload`, { method: "POST" });
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append("file", chosen, "contract.pdf");
  const stored = await fetch(form.url, { method: "POST", body });
  if (!stored.ok) throw new ApiError(stored.status, { code: stored.status === 400 ? "payload_too_large" : "service_unavailable" });
  return api(`/v1/organisations/${en}/edv-application/signed-contract/confirm`, { method: "POST", json: { key: form.key } });
}

async function cancel(/** @type {Element} */ button) {
  if (application?.contract_status === "requested") {
    if (!(await confirmInPlace(button, t("Wil je je aanvraag annuleren?"), t("Aanvraag annuleren")))) return;
    try {
      await api(`/v1/organisations/${en}/edv-application/cancel`, { method: "POST" });
    } catch (error) {
      app.prepend(errorBox(error));
      return;
    }
  }
  location.assign(`/verbruik/dienstverlener/?org=${en}`);
}

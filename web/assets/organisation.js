// Which organisation an EDV page is about: ?org= if the person is linked to it, else their first.
import { ApiError, formatEnterpriseNumber, h, me, t } from "./portal.js";

export async function currentOrganisation() {
  const person = await me();
  if (!person.organisations.length) {
    throw new ApiError(403, {
      message: t("Je bent aan geen enkele organisatie gekoppeld. Een beheerder van je organisatie kan je toegang geven."),
    });
  }
  const wanted = new URLSearchParams(location.search).get("org");
  const organisation = person.organisations.find((o) => o.enterprise_number === wanted) || person.organisations[0];
  return { person, organisation };
}

/** A picker when the person acts for several organisations; it reloads the page for the other. */
export function organisationPicker(person, organisation) {
  if (person.organisations.length < 2) {
    return h("p", { class: "note" }, `${organisation.name} (${formatEnterpriseNumber(organisation.enterprise_number)})`);
  }
  return h("div", { class: "field" },
    h("label", { for: "organisation" }, t("Organisatie")),
    h("select", {
      id: "organisation",
      onchange: (event) => {
        const url = new URL(location.href);
        url.searchParams.set("org", event.target.value);
        location.assign(url);
      },
    }, person.organisations.map((o) => h("option", {
      value: o.enterprise_number, selected: o.enterprise_number === organisation.enterprise_number,
    }, `${o.name} (${formatEnterpriseNumber(o.enterprise_number)})`))));
}

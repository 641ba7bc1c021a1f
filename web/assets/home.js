import { accessToken, h, me, renderAccount, show, t } from "./portal.js";

renderAccount();
show(document.getElementById("app"), async () => {
  const cards = [
    h("li", { class: "card" },
      h("h2", {}, t("Mijn mandaten")),
      h("p", {}, t("Je toestemmingen aan energiedienstverleners, en wie je meetgegevens raadpleegde.")),
      h("a", { class: "button", href: "/verbruik/mandaten/" }, t("Naar mijn mandaten"))),
    h("li", { class: "card" },
      h("h2", {}, t("Energiedienstverleners")),
      h("p", {}, t("Word dienstverlener, of raadpleeg de meetgegevens die klanten met je organisatie delen.")),
      h("a", { class: "button", href: "/verbruik/dienstverlener/" }, t("Naar diensten"))),
  ];
  if (accessToken() && (await me()).roles.includes("ops")) {
    cards.push(h("li", { class: "card" },
      h("h2", {}, t("Beheer")),
      h("p", {}, t("Aanvragen van dienstverleners, aansluitingen en marktscenario's, inlezingen, tarieven, gebruik en taken.")),
      h("a", { class: "button", href: "/beheer/" }, t("Naar het beheer"))));
  }
  return h("ul", { class: "cards" }, cards);
});

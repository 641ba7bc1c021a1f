import { accessToken, h, me, renderAccount, show } from "./portal.js";

renderAccount();
show(document.getElementById("app"), async () => {
  const cards = [
    h("li", { class: "card" },
      h("h2", {}, "Mijn mandaten"),
      h("p", {}, "Je toestemmingen aan energiedienstverleners, en wie je meetgegevens raadpleegde."),
      h("a", { class: "button", href: "/verbruik/mandaten/" }, "Naar mijn mandaten")),
    h("li", { class: "card" },
      h("h2", {}, "Energiedienstverleners"),
      h("p", {}, "Word dienstverlener, of raadpleeg de meetgegevens die klanten met je organisatie delen."),
      h("a", { class: "button", href: "/verbruik/dienstverlener/" }, "Naar diensten")),
  ];
  if (accessToken()) await me();
  return h("ul", { class: "cards" }, cards);
});

import { alertBox, completeLogin, h } from "./portal.js";

completeLogin().catch((error) => {
  document.getElementById("app").replaceChildren(
    alertBox("error", h("p", {}, error.message)),
    h("a", { class: "button", href: "/" }, "Naar de startpagina"),
  );
});

import { alertBox, completeLogin, h, t } from "./portal.js";

completeLogin().catch((error) => {
  document.getElementById("app").replaceChildren(
    alertBox("error", h("p", {}, error.message)),
    h("a", { class: "button", href: "/" }, t("Naar de startpagina")),
  );
});

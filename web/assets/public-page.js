// The EDV's public pages (stappenplan, printable, withdrawn): served as static files, in the
// reader's language (portal.js translates the marked markup on import), with the language switch.
import { languageSwitch } from "./portal.js";

document.getElementById("languages")?.replaceChildren(languageSwitch());

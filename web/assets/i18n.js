// The portal's languages: Dutch, French and English. Every text is written in Dutch in the code
// and looked up by that Dutch text, t("Mijn mandaten"), with {name} placeholders for values;
// n("…") only marks a text to translate later. The French and English tables are in
// i18n-fr.js and i18n-en.js; tests/unit/test_portal_translations.py fails when a text has none.
import { EN } from "./i18n-en.js";
import { FR } from "./i18n-fr.js";

export const LANGUAGES = { nl: "Nederlands", fr: "Français", en: "English" };
const TABLES = { fr: FR, en: EN };
const LOCALES = { nl: "nl-BE", fr: "fr-BE", en: "en-GB" };
const STORED = "portal.lang";

/** The reader's language: ?lang= (a link in that language), then their earlier choice, then the
 * browser's, else Dutch. */
function chosen() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked in LANGUAGES) {
    remember(asked);
    return asked;
  }
  const stored = safeStorage()?.getItem(STORED);
  if (stored in LANGUAGES) return stored;
  for (const tag of navigator.languages || [navigator.language]) {
    const base = (tag || "").slice(0, 2).toLowerCase();
    if (base in LANGUAGES) return base;
  }
  return "nl";
}

function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage switched off: the choice lasts the page
  }
}

function remember(lang) {
  safeStorage()?.setItem(STORED, lang);
}

export const LANG = chosen();
export const LOCALE = LOCALES[LANG];

/** The text in the reader's language, with {placeholders} filled in. */
export function t(dutch, values = {}) {
  const text = LANG === "nl" ? dutch : TABLES[LANG][dutch] ?? dutch;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** Marks a Dutch text for translation where it is written down (a table), not yet shown. */
export function n(dutch) {
  return dutch;
}

export function setLanguage(lang) {
  remember(lang);
  const url = new URL(location.href);
  url.searchParams.delete("lang");
  location.assign(url);
}

/** The page's own markup: every element with data-i18n gets its text in the reader's language
 * (data-i18n="…" names the Dutch text, else the element's own text is it; values come from the
 * body's data-* attributes), and so do the title and alt/aria-label texts marked likewise. */
export function translateDocument() {
  document.documentElement.lang = LANG;
  const values = { ...document.body.dataset };
  for (const element of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("[data-i18n]"))) {
    element.textContent = t(element.dataset.i18n || element.textContent.trim(), values);
  }
  for (const element of /** @type {NodeListOf<HTMLImageElement>} */ (document.querySelectorAll("[data-i18n-alt]"))) {
    element.alt = t(element.dataset.i18nAlt, values);
  }
}

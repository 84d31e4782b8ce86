// tinnhiem — shared by every page: the language switch, the texts, and the
// one place where a card code is kept in the browser.
//
// Stable DOM hooks (browser tests rely on them):
//   #i18n   JSON data block {"vi": {key: text}, "en": {key: text}}
//   #lang   language switch button; shows "English" in Vietnamese, "Tiếng Việt" in English
//   [data-i18n="key"]             element whose text is the catalogue text for key
//   [data-i18n-aria-label="key"]  element whose aria-label is that text
//   <html lang>                   "vi" or "en", the language shown
// Storage: localStorage "tinnhiem.lang" ("vi" | "en");
//          sessionStorage "tinnhiem.token" (the card code, erased after casting).
//
// No framework and no inline code: the pages run under a strict
// Content-Security-Policy (script-src 'self', style-src 'self').
(function () {
  "use strict";

  var LANG_KEY = "tinnhiem.lang";
  var TOKEN_KEY = "tinnhiem.token";
  var catalog = JSON.parse(document.getElementById("i18n").textContent);
  var listeners = [];

  // Storage can be disabled (private mode, strict settings); the pages must
  // still work, only without remembering.
  function storageGet(store, key) {
    try { return store.getItem(key); } catch (e) { return null; }
  }
  function storageSet(store, key, value) {
    try { store.setItem(key, value); } catch (e) { /* remembered in memory only */ }
  }
  function storageRemove(store, key) {
    try { store.removeItem(key); } catch (e) { /* nothing stored */ }
  }

  var lang = storageGet(window.localStorage, LANG_KEY) === "en" ? "en" : "vi";

  // t returns the text for key in the current language, with {name}
  // placeholders filled from vars.
  function t(key, vars) {
    var s = (catalog[lang] && catalog[lang][key]) || catalog.vi[key] || key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m;
      });
    }
    return s;
  }

  function apply() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach(function (el) {
      el.textContent = t(el.getAttribute("data-i18n"));
    });
    document.querySelectorAll("[data-i18n-aria-label]").forEach(function (el) {
      el.setAttribute("aria-label", t(el.getAttribute("data-i18n-aria-label")));
    });
    var button = document.getElementById("lang");
    if (button) {
      button.textContent = t("lang.switch");
      button.lang = lang === "vi" ? "en" : "vi";
    }
    listeners.forEach(function (fn) { fn(lang); });
  }

  function setLang(l) {
    lang = l === "en" ? "en" : "vi";
    storageSet(window.localStorage, LANG_KEY, lang);
    apply();
  }

  // normalizeCode turns what a voter typed or pasted (a code with dashes or
  // spaces, in any case, or a whole card URL) into the canonical 32
  // characters, or "" if it cannot be a card code. The server checks again.
  function normalizeCode(s) {
    s = String(s || "").trim();
    var i = s.toUpperCase().lastIndexOf("/V/");
    if (i >= 0) { s = s.slice(i + 3); }
    s = s.replace(/[\s-]/g, "").toUpperCase();
    return /^[A-Z2-7]{32}$/.test(s) ? s : "";
  }

  window.TN = {
    t: t,
    lang: function () { return lang; },
    setLang: setLang,
    // onLang registers fn to re-render dynamic content after a switch.
    onLang: function (fn) { listeners.push(fn); },
    normalizeCode: normalizeCode,
    // formatDate shows a session's YYYY-MM-DD as DD/MM/YYYY, as dates are
    // written in Vietnam; the API keeps ISO dates.
    formatDate: function (d) {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d || "");
      return m ? m[3] + "/" + m[2] + "/" + m[1] : (d || "");
    },
    token: {
      get: function () { return storageGet(window.sessionStorage, TOKEN_KEY); },
      set: function (v) { storageSet(window.sessionStorage, TOKEN_KEY, v); },
      clear: function () { storageRemove(window.sessionStorage, TOKEN_KEY); }
    },
    // post sends JSON and resolves to {status, body}; body is null when the
    // answer is not JSON. A network failure rejects.
    post: function (url, payload) {
      return fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload),
        cache: "no-store",
        credentials: "same-origin",
        referrerPolicy: "no-referrer"
      }).then(function (res) {
        return res.json().then(
          function (body) { return { status: res.status, body: body }; },
          function () { return { status: res.status, body: null }; });
      });
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("lang");
    if (button) {
      button.addEventListener("click", function () { setLang(lang === "vi" ? "en" : "vi"); });
    }
    apply();
  });
})();

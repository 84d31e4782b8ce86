// tinnhiem — the hall's projector (/trinh-chieu/{session}).
//
// Stable DOM hooks (browser tests rely on them):
//   #display-form #display-code #display-submit #display-error
//                            asks for the display code when the page has none
//   #display                 the projection
//     #display-title #display-meta #display-state
//     #display-summoned #display-present #display-quorum #display-received
//     #display-noresult      shown until the tally
//     #display-results       after the tally: #display-rules #display-collected #display-percent
//       #display-table > #display-rows > tr (one per cadre) #display-findings
//     #display-offline       the last poll failed
//     #display-fullscreen
//
// The code: taken from the address's fragment (#CODE) at once, or typed,
// kept in sessionStorage["tinnhiem.display"] with the session so that a
// reload works, and dropped from the address bar. It travels only in the
// body of POST /api/v1/display. The page shows what the server sends and
// computes nothing: counts, percentages and findings are the minutes'.
(function () {
  "use strict";

  var KEY = "tinnhiem.display";
  var POLL_MS = 2000;

  function $(id) { return document.getElementById(id); }

  var session = (/^\/trinh-chieu\/([^\/]+)$/.exec(window.location.pathname) || [])[1] || "";
  try { session = decodeURIComponent(session); } catch (e) { session = ""; }
  var code = takeCode();
  var last = null;      // the last answer, for a change of language
  var timer = null;

  function takeCode() {
    var frag = window.location.hash.replace(/^#/, "");
    if (frag) {
      window.history.replaceState(null, "", window.location.pathname);
      store(frag);
      return frag;
    }
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
      if (saved && saved.session === session && saved.code) { return saved.code; }
    } catch (e) { /* no storage: ask for the code */ }
    return "";
  }

  function store(c) {
    try { window.sessionStorage.setItem(KEY, JSON.stringify({ session: session, code: c })); } catch (e) { /* kept in memory only */ }
  }

  function forget() {
    code = "";
    try { window.sessionStorage.removeItem(KEY); } catch (e) { /* nothing kept */ }
  }

  function askCode(errKey) {
    $("display").hidden = true;
    $("display-form").hidden = false;
    if (errKey) {
      $("display-error").textContent = TN.t(errKey);
      $("display-error").setAttribute("data-i18n", errKey);
      $("display-error").hidden = false;
    }
    $("display-code").focus();
  }

  function poll() {
    timer = null;
    TN.post("/api/v1/display", { session: session, code: code }).then(function (res) {
      if (res.status === 200 && res.body) {
        $("display-offline").hidden = true;
        last = res.body;
        render();
        // A tallied session's figures are final: nothing more to poll.
        if (!last.results) { timer = window.setTimeout(poll, POLL_MS); }
        return;
      }
      if (res.status === 404) {
        forget();
        askCode("display.unknown");
        return;
      }
      $("display-offline").hidden = false;
      timer = window.setTimeout(poll, POLL_MS);
    }, function () {
      $("display-offline").hidden = false;
      timer = window.setTimeout(poll, POLL_MS);
    });
  }

  function render() {
    if (!last) { return; }
    var en = TN.lang() === "en";
    var s = last.session;
    $("display-form").hidden = true;
    $("display").hidden = false;
    $("display-title").textContent = s.title;
    $("display-meta").textContent = [s.body, TN.formatDate(s.date), s.place].filter(Boolean).join(" · ");
    $("display-state").textContent = TN.t("display.state." + s.state);
    $("display-state").setAttribute("data-state", s.state);
    $("display-summoned").textContent = String(last.summoned);
    $("display-present").textContent = String(last.present);
    $("display-quorum").textContent = TN.t(last.quorum_met ? "display.quorum.ok" : "display.quorum.no");
    $("display-quorum").setAttribute("data-met", last.quorum_met ? "true" : "false");
    $("display-received").textContent = String(last.received);
    var r = last.results;
    $("display-noresult").hidden = !!r;
    $("display-results").hidden = !r;
    if (r) { renderResults(r, en); }
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function renderResults(r, en) {
    $("display-rules").textContent = r.rules;
    $("display-collected").textContent = String(r.collected);
    $("display-percent").textContent = TN.t("display.percent", { d: en ? r.denominator_en : r.denominator_vi }) + " (" + r.denominator + ").";
    r.levels.forEach(function (l, i) { $("display-level-" + i).textContent = en ? l.en : l.vi; });
    var rows = $("display-rows");
    var findings = $("display-findings");
    rows.textContent = "";
    findings.textContent = "";
    r.cadres.forEach(function (c, i) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-condition", c.condition);
      cell(tr, String(i + 1), "num");
      var who = cell(tr, c.name);
      var pos = document.createElement("span");
      pos.className = "display-position";
      pos.textContent = c.position;
      who.appendChild(document.createElement("br"));
      who.appendChild(pos);
      for (var k = 0; k < 3; k++) {
        cell(tr, c.counts[k] + " (" + c.percent[k] + " %)", "num");
      }
      cell(tr, String(c.invalid), "num");
      cell(tr, TN.t("display.cond." + c.condition), "condition");
      rows.appendChild(tr);
      if (c.condition !== "none") {
        var li = document.createElement("li");
        li.textContent = c.name + " (" + c.position + "): " + (en ? c.condition_en : c.condition_vi);
        findings.appendChild(li);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    TN.onLang(render);
    $("display-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var typed = $("display-code").value.replace(/[\s-]+/g, "").toUpperCase();
      $("display-code").value = "";
      $("display-error").hidden = true;
      if (!typed) { askCode("display.unknown"); return; }
      code = typed;
      store(code);
      poll();
    });
    $("display-fullscreen").addEventListener("click", function () {
      var el = document.documentElement;
      if (el.requestFullscreen) { el.requestFullscreen().catch(function () { /* the browser refused: stay as is */ }); }
    });
    if (code && session) { poll(); } else { askCode(""); }
  });
})();

// tinnhiem — the organiser console's one script: live figures and the
// check-in search. Everything else is plain forms that work without it.
//
// Stable DOM hooks (browser tests rely on them):
//   #turnout[data-url]  polled every 3 s for {state, summoned, present,
//                       quorum_met, issued, used, remaining}; fills
//                       #present #summoned #quorum #issued #used #remaining
//   #search             filters #members li[data-name] as one types
//   #ceremony[data-status-url]  an encrypted session's key ceremony, polled
//                       every 2 s while members work on their phones; fills
//                       #trustee-N-r1…r3, #trustee-N-p, #partials-valid,
//                       shows #partials-ready and #tally-form once t valid
//                       partials are in, and reloads the page when the
//                       ceremony completes elsewhere
//
// The figures are counts only: the server never sends anything about
// which card was used or what a ballot holds.
(function () {
  "use strict";

  function setText(id, v) {
    var el = document.getElementById(id);
    if (el) { el.textContent = String(v); }
  }

  function poll(box) {
    var url = box.getAttribute("data-url");
    function once() {
      fetch(url, { cache: "no-store", credentials: "same-origin" })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (t) {
          if (!t) { return; }
          setText("present", t.present);
          setText("summoned", t.summoned);
          setText("issued", t.issued);
          setText("used", t.used);
          setText("remaining", t.remaining);
          var q = document.getElementById("quorum");
          if (q) {
            q.setAttribute("data-met", t.quorum_met ? "true" : "false");
            var span = q.querySelector("[data-i18n]");
            if (span) {
              span.setAttribute("data-i18n", t.quorum_met ? "session.quorum.ok" : "session.quorum.no");
              span.textContent = window.TN.t(span.getAttribute("data-i18n"));
            }
          }
        })
        .catch(function () { /* the next poll tries again */ });
    }
    window.setInterval(once, 3000);
  }

  function ceremony(section) {
    var url = section.getAttribute("data-status-url");
    var state = section.getAttribute("data-state");
    var completed = section.getAttribute("data-completed") === "true";
    if (state === "tallied" || (state === "open" && completed)) { return; }
    var t = window.TN.t;
    function cell(id, source, mark) {
      var el = document.getElementById(id);
      if (!el) { return; }
      el.textContent = source ? mark + " " + t("ceremony.src." + source) : "";
    }
    function once() {
      fetch(url, { cache: "no-store", credentials: "same-origin" })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (st) {
          if (!st) { return; }
          if (st.completed !== completed) { window.location.reload(); return; }
          st.trustees.forEach(function (tr) {
            for (var r = 1; r <= 3; r++) { cell("trustee-" + tr.number + "-r" + r, tr.sources[r - 1], "✓"); }
            var p = document.getElementById("trustee-" + tr.number + "-p");
            if (p) {
              p.textContent = tr.partial === "valid" ? "✓ " + t("ceremony.p.valid") + " (" + t("ceremony.src." + tr.sources[3]) + ")" :
                tr.partial === "invalid" ? "✗ " + t("ceremony.p.invalid") : "";
            }
          });
          setText("partials-valid", st.valid);
          var ready = st.valid >= st.t;
          ["partials-ready", "tally-form"].forEach(function (id) {
            var el = document.getElementById(id);
            if (el && ready) { el.hidden = false; }
          });
        })
        .catch(function () { /* the next poll tries again */ });
    }
    window.setInterval(once, 2000);
  }

  function search(input) {
    var items = document.querySelectorAll("#members li[data-name]");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLocaleLowerCase("vi");
      items.forEach(function (li) {
        li.hidden = q !== "" && li.getAttribute("data-name").toLocaleLowerCase("vi").indexOf(q) < 0;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("turnout");
    if (box) { poll(box); }
    var cer = document.getElementById("ceremony");
    if (cer && cer.getAttribute("data-status-url")) { ceremony(cer); }
    var input = document.getElementById("search");
    if (input) { search(input); }
  });
})();

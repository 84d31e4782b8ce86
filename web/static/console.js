// tinnhiem — the organiser console's one script: live figures and the
// check-in search. Everything else is plain forms that work without it.
//
// Stable DOM hooks (browser tests rely on them):
//   #turnout[data-url]  polled every 3 s for {state, summoned, present,
//                       quorum_met, issued, used, remaining}; fills
//                       #present #summoned #quorum #issued #used #remaining
//   #search             filters #members li[data-name] as one types
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
    var input = document.getElementById("search");
    if (input) { search(input); }
  });
})();

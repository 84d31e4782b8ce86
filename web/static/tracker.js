// tinnhiem — receipt look-up (/tra-cuu): after the vote closes, a voter
// types the TB1-… code the phone showed and sees that the ballot was
// counted. The receipt says nothing of the choices, so nothing here does.
//
// Stable DOM hooks (browser tests rely on them):
//   #tracker-form #tracker #tracker-submit #tracker-error
//   #tracker-result         shown when the ballot was counted
//     #tracker-session-title #tracker-session-body #tracker-session-date
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }

  var lastError = null; // {body} from the server or {key} for a catalogue text

  function renderError() {
    if (!lastError) { return; }
    var msg = lastError.key ? TN.t(lastError.key) :
      (TN.lang() === "en" && lastError.body.message_en ? lastError.body.message_en : lastError.body.message);
    $("tracker-error").textContent = msg;
    $("tracker-error").hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    TN.onLang(renderError);
    $("tracker-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var code = $("tracker").value.replace(/\s+/g, "");
      $("tracker-result").hidden = true;
      $("tracker-error").hidden = true;
      lastError = null;
      if (!code) {
        lastError = { key: "tracker.empty" };
        renderError();
        $("tracker").focus();
        return;
      }
      $("tracker-submit").disabled = true;
      TN.post("/api/v1/tracker", { tracker: code }).then(function (res) {
        $("tracker-submit").disabled = false;
        if (res.status === 200 && res.body && res.body.status === "counted") {
          var s = res.body.session;
          $("tracker-session-title").textContent = s.title;
          $("tracker-session-body").textContent = s.body;
          $("tracker-session-date").textContent = TN.formatDate(s.date);
          $("tracker-result").hidden = false;
          return;
        }
        lastError = res.body && res.body.error ? { body: res.body.error } : { key: "error.internal" };
        renderError();
      }, function () {
        $("tracker-submit").disabled = false;
        lastError = { key: "error.network" };
        renderError();
      });
    });
    $("tracker").focus();
  });
})();

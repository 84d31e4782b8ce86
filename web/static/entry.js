// tinnhiem — manual card code entry (/ and /nhap-ma), for when the camera
// cannot read the card's QR code.
//
// Stable DOM hooks (browser tests rely on them):
//   #code-form #code #code-submit #code-error   (as on the ballot page)
//   #base-url                                   the server's address, when configured
//
// The code is checked here for shape, stored in sessionStorage and the page
// moves to /v/: the code never appears in a URL, so it cannot reach a log,
// a Referer header or the history.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("code-form");
    var input = document.getElementById("code");
    var error = document.getElementById("code-error");

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var code = TN.normalizeCode(input.value);
      if (!code) {
        error.setAttribute("data-i18n", "code.invalid");
        error.textContent = TN.t("code.invalid");
        error.hidden = false;
        input.focus();
        return;
      }
      error.hidden = true;
      input.value = "";
      TN.token.set(code);
      window.location.assign("/v/");
    });

    input.focus();
  });
})();

// tinnhiem — the ballot page (/V/{token}, /v/{token}, /v/).
//
// Stable DOM hooks (browser tests rely on them; change them only with the tests):
//   #loading                 shown while the ballot loads
//   #code-form #code #code-submit #code-error
//                            card code entry, shown when the page has no code
//   #ballot                  the ballot form
//   #session-title #session-body #session-date #session-place
//   #cadres                  one fieldset.cadre per cadre, in ballot order:
//     fieldset#cadre-{id}[data-cadre="{id}"] > legend (.cadre-name, .cadre-position)
//     input[type=radio][name="{id}"][value="high"|"normal"|"low"], id "{id}-{level}"
//       (a formal vote: value="confidence"|"no_confidence"; the page renders
//       the levels the form gives, in their order)
//     button.clear            clears that cadre's mark
//   #progress                "Marked 3 of 5"
//   #submit                  "Gửi phiếu"
//   #confirm                 <dialog>; data-step="unmarked" (some lines blank) or "final"
//     #confirm-title #confirm-text #confirm-yes #confirm-no
//   #encrypting              shown while the phone encrypts the ballot (encrypted sessions)
//   #sending                 shown while the ballot is sent
//   #review #review-tracker  encrypted sessions: the ballot is encrypted, not sent; its tracker
//     #review-send #review-audit #review-back #review-sending
//   #audit #audit-tracker #audit-choices #audit-download #audit-text #audit-command
//     #audit-again #audit-back
//                            the check of the encryption (Benaloh): the audited ballot's file; that
//                            ballot is discarded and #audit-again encrypts a new one
//   #receipt #receipt-code #receipt-command
//                            shown after a 201; #receipt-code holds the receipt
//   #receipt-lookup #receipt-lookup-link
//                            encrypted sessions: look the TB1-… receipt up at /tra-cuu after close
//   #receipt-cli             clear sessions: the tinnhiem-verify command
//   #error #error-message #error-retry #error-code-link
//                            shown on any failure; the message is the server's sentence
//
// The token: taken from the path at once, kept in sessionStorage (so a
// reload works) and in this closure, and the address bar is rewritten to
// /v/ so that the token leaves the history. Both copies are erased after a
// ballot is cast or when the card turns out to be unusable.
(function () {
  "use strict";

  var token = takeToken();
  var form = null;      // the last /api/v1/ballot answer
  var pending = null;   // the encrypted ballot shown on #review, with its randomness, not sent yet
  var auditURL = null;  // the object URL of the last audit file offered
  var lastError = null; // {body} from the server or {key} for a catalogue text

  function takeToken() {
    var m = /^\/v\/([^\/]+)$/i.exec(window.location.pathname);
    if (m) {
      var code = "";
      try { code = decodeURIComponent(m[1]); } catch (e) { code = ""; }
      window.history.replaceState(null, "", "/v/");
      if (code) {
        TN.token.set(code);
        return code;
      }
    }
    return TN.token.get();
  }

  function $(id) { return document.getElementById(id); }

  // show reveals exactly the named top-level parts of the page.
  function show(ids) {
    ["loading", "code-form", "error", "ballot", "review", "audit", "receipt"].forEach(function (id) {
      $(id).hidden = ids.indexOf(id) < 0;
    });
  }

  function forgetToken() {
    token = null;
    TN.token.clear();
  }

  // ---- loading the ballot ----

  function load() {
    show(["loading"]);
    TN.post("/api/v1/ballot", { token: token }).then(function (res) {
      if (res.status === 200 && res.body) {
        form = res.body;
        renderBallot();
        show(["ballot"]);
        $("session-title").focus();
        return;
      }
      fail(res, []);
    }, function () {
      fail(null, []);
    });
  }

  function renderBallot() {
    var s = form.session;
    $("session-title").textContent = s.title;
    $("session-title").tabIndex = -1;
    $("session-body").textContent = s.body;
    $("session-date").textContent = TN.formatDate(s.date);
    $("session-place").textContent = s.place;
    var intro = document.querySelector("#ballot .intro");
    intro.setAttribute("data-i18n", s.kind === "formal" ? "ballot.intro.formal" : "ballot.intro");
    intro.textContent = TN.t(intro.getAttribute("data-i18n"));
    var box = $("cadres");
    box.textContent = "";
    form.cadres.forEach(function (c, i) {
      box.appendChild(renderCadre(c, i));
    });
    renderLabels();
    updateProgress();
  }

  function renderCadre(c, i) {
    var fs = document.createElement("fieldset");
    fs.className = "cadre";
    fs.id = "cadre-" + c.id;
    fs.setAttribute("data-cadre", c.id);
    var legend = document.createElement("legend");
    var name = document.createElement("span");
    name.className = "cadre-name";
    name.textContent = (i + 1) + ". " + c.name;
    var position = document.createElement("span");
    position.className = "cadre-position";
    position.textContent = c.position;
    legend.appendChild(name);
    legend.appendChild(position);
    fs.appendChild(legend);
    form.levels.forEach(function (l) {
      var label = document.createElement("label");
      label.className = "choice";
      var input = document.createElement("input");
      input.type = "radio";
      input.name = c.id;
      input.value = l.code;
      input.id = c.id + "-" + l.code;
      var text = document.createElement("span");
      text.className = "level-label";
      text.setAttribute("data-level", l.code);
      label.appendChild(input);
      label.appendChild(text);
      fs.appendChild(label);
    });
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "clear";
    clear.setAttribute("data-i18n", "ballot.clear");
    clear.textContent = TN.t("ballot.clear");
    clear.addEventListener("click", function () {
      fs.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = false; });
      updateProgress();
    });
    fs.appendChild(clear);
    return fs;
  }

  function renderLabels() {
    if (!form) { return; }
    var en = TN.lang() === "en";
    form.levels.forEach(function (l) {
      document.querySelectorAll('.level-label[data-level="' + l.code + '"]').forEach(function (el) {
        el.textContent = en ? l.label_en : l.label;
      });
    });
  }

  // ---- marking ----

  function choices() {
    var out = {};
    form.cadres.forEach(function (c) {
      var checked = document.querySelector('input[name="' + CSS.escape(c.id) + '"]:checked');
      if (checked) { out[c.id] = checked.value; }
    });
    return out;
  }

  function unmarked() {
    return form.cadres.length - Object.keys(choices()).length;
  }

  // unmarkedNames names the cadres left unmarked, numbered as on the
  // ballot, so the warning says which lines will count as invalid.
  function unmarkedNames() {
    var marks = choices();
    var names = [];
    form.cadres.forEach(function (c, i) {
      if (!marks[c.id]) { names.push((i + 1) + ". " + c.name + " (" + c.position + ")"); }
    });
    return names.join("; ");
  }

  function updateProgress() {
    if (!form) { return; }
    var total = form.cadres.length;
    $("progress").textContent = TN.t("ballot.progress", { done: total - unmarked(), total: total });
    form.cadres.forEach(function (c) {
      var fs = $("cadre-" + c.id);
      var any = !!fs.querySelector("input:checked");
      fs.querySelector("button.clear").disabled = !any;
      fs.classList.toggle("marked", any);
    });
  }

  // ---- confirming and sending ----

  var dialog = $("confirm");

  function openConfirm(step) {
    dialog.setAttribute("data-step", step);
    renderConfirm();
    if (typeof dialog.showModal === "function") {
      if (!dialog.open) { dialog.showModal(); }
    } else {
      dialog.setAttribute("open", "");
    }
    $("confirm-no").focus();
  }

  function renderConfirm() {
    var step = dialog.getAttribute("data-step");
    if (!step || !form) { return; }
    $("confirm-title").textContent = TN.t("confirm." + step + ".title");
    $("confirm-text").textContent = TN.t("confirm." + step + ".text", { n: unmarked(), names: unmarkedNames() });
    $("confirm-yes").textContent = TN.t("confirm." + step + ".yes");
    $("confirm-no").textContent = TN.t("confirm." + step + ".no");
  }

  function closeConfirm() {
    dialog.removeAttribute("data-step");
    if (typeof dialog.close === "function" && dialog.open) { dialog.close(); } else { dialog.removeAttribute("open"); }
  }

  // optionOf gives the option numbers of the encrypted ballot (SPEC.md
  // 11.4): 0 is no mark, then the form's levels in order — high, normal,
  // low for a rating; confidence, no_confidence for a formal vote.
  function optionOf(code) {
    for (var i = 0; i < form.levels.length; i++) {
      if (form.levels[i].code === code) { return i + 1; }
    }
    throw new Error("unknown level " + code);
  }

  // encrypt makes the ballot of an encrypted session on this phone: the
  // card key comes from the session and the card code, and the code does
  // not leave tinnhiemBox. The randomness stays inside the result until the
  // voter sends the ballot (forget) or checks it (audit): a ballot whose
  // randomness was shown is never sent, since anyone who saw the file could
  // read it. Lines follow the cadres' order.
  function encrypt() {
    var marks = choices();
    var b = form.box;
    return window.tinnhiemBox.encryptBallotAuditable({
      session: b.session, jointKey: b.joint_key, lines: b.lines, options: b.options, token: token,
      choices: form.cadres.map(function (c) { return marks[c.id] ? optionOf(marks[c.id]) : 0; })
    });
  }

  function send() {
    $("error").hidden = true;
    $("submit").disabled = true;
    if (!form.box) {
      post({ token: token, choices: choices() }, null);
      return;
    }
    $("encrypting").hidden = false;
    // Encryption holds the page's thread for a moment: let the notice be
    // painted first.
    window.setTimeout(function () {
      var enc;
      try {
        enc = encrypt();
      } catch (e) {
        $("encrypting").hidden = true;
        $("submit").disabled = false;
        lastError = { key: "error.encrypt" };
        renderError();
        $("error-code-link").hidden = true;
        $("error-retry").hidden = true;
        show(["error", "ballot"]);
        return;
      }
      $("encrypting").hidden = true;
      $("submit").disabled = false;
      showReview(enc);
    }, 50);
  }

  // ---- the encrypted ballot before it is sent, and its check ----

  function discardPending() {
    if (pending) { pending.forget(); }
    pending = null;
  }

  function showReview(enc) {
    discardPending();
    pending = enc;
    $("review-tracker").textContent = enc.trackerDisplay;
    $("review-send").disabled = false;
    $("review-audit").disabled = false;
    show(["review"]);
    window.scrollTo(0, 0);
    $("review").focus();
  }

  function sendPending() {
    if (!pending) { return; }
    var enc = pending;
    pending = null;
    enc.forget();
    $("review-send").disabled = true;
    $("review-audit").disabled = true;
    post({ token: token, ballot: JSON.parse(enc.ballotJSON) }, enc);
  }

  function levelLabel(code) {
    var en = TN.lang() === "en";
    for (var i = 0; i < form.levels.length; i++) {
      if (form.levels[i].code === code) { return en ? form.levels[i].label_en : form.levels[i].label; }
    }
    return code;
  }

  // auditPending reveals the pending ballot's randomness as the audit file
  // and drops that ballot: from here on it can only be checked, not sent.
  function auditPending() {
    if (!pending) { return; }
    var enc = pending;
    pending = null;
    var file = enc.audit(form.cadres.map(function (c) { return { id: c.id, name: c.name, position: c.position }; }));
    enc.forget();
    var name = "tinnhiem-kiem-tra-" + enc.trackerDisplay + ".json";
    $("audit-tracker").textContent = enc.trackerDisplay;
    $("audit-text").value = file;
    $("audit-command").textContent = "tinnhiem-verify benaloh " + name;
    if (auditURL) { URL.revokeObjectURL(auditURL); }
    auditURL = URL.createObjectURL(new Blob([file], { type: "application/json" }));
    $("audit-download").href = auditURL;
    $("audit-download").setAttribute("download", name);
    renderAuditChoices();
    show(["audit"]);
    window.scrollTo(0, 0);
    $("audit").focus();
  }

  function renderAuditChoices() {
    if (!form || $("audit").hidden && !$("audit-text").value) { return; }
    var marks = choices();
    var list = $("audit-choices");
    list.textContent = "";
    form.cadres.forEach(function (c) {
      var li = document.createElement("li");
      li.textContent = c.name + " (" + c.position + "): " + (marks[c.id] ? levelLabel(marks[c.id]) : TN.t("audit.none"));
      list.appendChild(li);
    });
  }

  function backToBallot() {
    discardPending();
    show(["ballot"]);
    $("session-title").focus();
  }

  // post sends the ballot; enc, for an encrypted one, is what the phone
  // computed, whose receipt the server's answer must repeat.
  function post(payload, enc) {
    var notice = enc ? $("review-sending") : $("sending");
    notice.hidden = false;
    TN.post("/api/v1/cast", payload).then(function (res) {
      notice.hidden = true;
      $("submit").disabled = false;
      if (res.status === 201 && res.body && res.body.receipt) {
        forgetToken();
        if (enc && (res.body.receipt !== enc.trackerDisplay || res.body.tracker !== enc.tracker)) {
          // The server recorded something else than this phone made:
          // the voter must tell the committee, with the phone's receipt.
          lastError = { key: "error.receipt_mismatch" };
          showReceipt(enc.trackerDisplay, true);
          renderError();
          $("error").hidden = false;
          return;
        }
        showReceipt(res.body.receipt, !!enc);
        return;
      }
      fail(res, ["ballot"]);
    }, function () {
      notice.hidden = true;
      $("submit").disabled = false;
      fail(null, ["ballot"]);
    });
  }

  function showReceipt(receipt, encrypted) {
    form = null;
    $("cadres").textContent = "";
    $("receipt-code").textContent = receipt;
    $("receipt-command").textContent = "tinnhiem-verify receipt --receipt " + receipt + " BUNDLE";
    $("receipt-lookup").hidden = !encrypted;
    $("receipt-cli").hidden = encrypted;
    show(["receipt"]);
    window.scrollTo(0, 0);
    $("receipt").focus();
  }

  // ---- failures ----

  // Codes after which this card can do nothing more on this page.
  var cardFinished = { token_unknown: true, token_used: true, token_revoked: true, session_closed: true };

  // fail shows why a request failed. keep lists the parts that stay visible
  // when the failure may pass (network, server error): the voter can retry
  // without losing the marks.
  function fail(res, keep) {
    var code = res && res.body && res.body.error ? res.body.error.code : "";
    lastError = res && res.body && res.body.error ? { body: res.body.error } :
      { key: res ? "error.internal" : "error.network" };
    renderError();
    var finished = cardFinished[code] === true;
    if (finished) { forgetToken(); }
    $("error-code-link").hidden = !finished;
    $("error-retry").hidden = finished || keep.length > 0;
    show(finished ? ["error"] : ["error"].concat(keep));
    $("error").scrollIntoView();
  }

  function renderError() {
    if (!lastError) { return; }
    var msg = lastError.key ? TN.t(lastError.key) :
      (TN.lang() === "en" && lastError.body.message_en ? lastError.body.message_en : lastError.body.message);
    $("error-message").textContent = msg;
  }

  // ---- wiring ----

  function start() {
    if (token) { load(); return; }
    show(["code-form"]);
  }

  document.addEventListener("DOMContentLoaded", function () {
    TN.onLang(function () {
      renderLabels();
      updateProgress();
      renderConfirm();
      renderError();
      renderAuditChoices();
    });

    $("code-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var code = TN.normalizeCode($("code").value);
      if (!code) {
        $("code-error").textContent = TN.t("code.invalid");
        $("code-error").setAttribute("data-i18n", "code.invalid");
        $("code-error").hidden = false;
        $("code").focus();
        return;
      }
      $("code-error").hidden = true;
      $("code").value = "";
      token = code;
      TN.token.set(code);
      lastError = null;
      load();
    });

    $("cadres").addEventListener("change", updateProgress);

    $("ballot").addEventListener("submit", function (e) {
      e.preventDefault();
      if (!form || !token) { return; }
      // An encrypted ballot is shown with its tracker before it is sent
      // (#review, with its own send button): that is its final step.
      if (unmarked() > 0) { openConfirm("unmarked"); } else if (form.box) { send(); } else { openConfirm("final"); }
    });

    $("confirm-yes").addEventListener("click", function () {
      var step = dialog.getAttribute("data-step");
      closeConfirm();
      if (step === "unmarked" && !form.box) { openConfirm("final"); } else if (step) { send(); }
    });
    $("confirm-no").addEventListener("click", closeConfirm);
    dialog.addEventListener("cancel", function () { dialog.removeAttribute("data-step"); });

    $("review-send").addEventListener("click", sendPending);
    $("review-audit").addEventListener("click", auditPending);
    $("review-back").addEventListener("click", backToBallot);
    $("audit-again").addEventListener("click", function () {
      show(["ballot"]);
      send();
    });
    $("audit-back").addEventListener("click", backToBallot);

    $("error-retry").addEventListener("click", function () {
      lastError = null;
      if (token) { load(); } else { start(); }
    });

    start();
  });
})();

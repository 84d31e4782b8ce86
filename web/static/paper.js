// tinnhiem — paper ballot entry (/bkp/phieu-giay), the paper section of a
// counting committee member's page (SPEC.md 11.5.2). The member types the
// card code printed on a paper ballot and ticks what the paper shows; the
// page encrypts it deterministically (tinnhiemBox.encryptPaperBallot), so
// that another member entering the same paper makes the same ballot, and
// sends it with the member's link code. No mark leaves the page in clear.
//
// The member is the one of sessionStorage["tinnhiem.member"] =
// {"session":…, "code":…}, which the member page stores; a member who
// opens this page directly pastes their link (…/bkp/SESSION/CODE).
//
// Stable DOM hooks (browser tests rely on them):
//   #paper-loading #paper-link-form #paper-link #paper-link-submit
//   #paper-error #paper-error-message
//   #paper-form #paper-session-title #paper-session-body #paper-member #paper-counts #paper-closed
//   #paper-card #paper-cadres (fieldset.paper-cadre[data-cadre] > input[type=checkbox][data-option])
//   #paper-summary-list #paper-submit #paper-result
(function () {
  "use strict";

  var MEMBER_KEY = "tinnhiem.member";

  function $(id) { return document.getElementById(id); }

  var member = null; // {session, code}
  var form = null;   // the answer of /api/v1/member/paper/form
  var lastError = null;
  var lastResult = null;

  function readMember() {
    try {
      var m = JSON.parse(window.sessionStorage.getItem(MEMBER_KEY) || "null");
      if (m && typeof m.session === "string" && typeof m.code === "string") { return m; }
    } catch (e) { /* storage off or not JSON: ask for the link */ }
    return null;
  }

  // parseLink reads a member link …/bkp/SESSION/CODE.
  function parseLink(s) {
    var m = /\/bkp\/([^\/\s?#]+)\/([A-Za-z2-7\- ]{32,48})\s*$/.exec(String(s || "").trim());
    if (!m) { return null; }
    var code = m[2].replace(/[\s-]/g, "").toUpperCase();
    if (!/^[A-Z2-7]{32}$/.test(code)) { return null; }
    return { session: decodeURIComponent(m[1]), code: code };
  }

  function show(id) {
    ["paper-loading", "paper-link-form", "paper-form"].forEach(function (x) { $(x).hidden = x !== id; });
  }

  function message(e) {
    if (!e) { return ""; }
    if (e.key) { return TN.t(e.key, e.vars); }
    return TN.lang() === "en" && e.body.message_en ? e.body.message_en : e.body.message;
  }

  function renderError() {
    $("paper-error").hidden = !lastError;
    $("paper-error-message").textContent = message(lastError);
  }

  function renderResult() {
    $("paper-result").hidden = !lastResult;
    $("paper-result").textContent = message(lastResult);
  }

  function levelLabel(l) { return TN.lang() === "en" ? l.label_en : l.label; }

  // choices returns, per cadre, the options ticked (1-based).
  function choices() {
    return form.cadres.map(function (c, k) {
      var ticked = [];
      document.querySelectorAll('#paper-cadre-' + k + ' input[type="checkbox"]').forEach(function (box) {
        if (box.checked) { ticked.push(Number(box.getAttribute("data-option"))); }
      });
      return ticked;
    });
  }

  function renderSummary() {
    if (!form) { return; }
    var list = $("paper-summary-list");
    list.textContent = "";
    var ch = choices();
    form.cadres.forEach(function (c, k) {
      var li = document.createElement("li");
      var what;
      if (ch[k].length === 1) {
        what = levelLabel(form.levels[ch[k][0] - 1]);
      } else if (ch[k].length === 0) {
        what = TN.t("paper.summary.none");
      } else {
        what = TN.t("paper.summary.many", { n: ch[k].length });
      }
      li.textContent = c.name + ": " + what;
      list.appendChild(li);
    });
  }

  function renderCounts() {
    if (!form) { return; }
    $("paper-counts").textContent = TN.t("paper.counts", form.counts);
  }

  function renderForm() {
    $("paper-session-title").textContent = form.session.title;
    $("paper-session-body").textContent = form.session.body;
    $("paper-member").textContent = form.trustee + ". " + form.name;
    $("paper-closed").hidden = form.open;
    $("paper-submit").disabled = !form.open;
    var root = $("paper-cadres");
    root.textContent = "";
    form.cadres.forEach(function (c, k) {
      var fs = document.createElement("fieldset");
      fs.className = "cadre paper-cadre";
      fs.id = "paper-cadre-" + k;
      fs.setAttribute("data-cadre", c.id);
      var legend = document.createElement("legend");
      legend.textContent = (k + 1) + ". " + c.name + (c.position ? " — " + c.position : "");
      fs.appendChild(legend);
      form.levels.forEach(function (l, i) {
        var id = "paper-" + k + "-" + (i + 1);
        var label = document.createElement("label");
        label.className = "level";
        label.setAttribute("for", id);
        var box = document.createElement("input");
        box.type = "checkbox";
        box.id = id;
        box.setAttribute("data-option", String(i + 1));
        box.addEventListener("change", renderSummary);
        var span = document.createElement("span");
        span.textContent = levelLabel(l);
        label.appendChild(box);
        label.appendChild(span);
        fs.appendChild(label);
      });
      root.appendChild(fs);
    });
    renderCounts();
    renderSummary();
  }

  function load() {
    show("paper-loading");
    return TN.post("/api/v1/member/paper/form", { session: member.session, member: member.code }).then(function (res) {
      if (res.status === 200 && res.body) {
        form = res.body;
        lastError = null;
        renderError();
        show("paper-form");
        renderForm();
        return;
      }
      lastError = res.body && res.body.error ? { body: res.body.error } : { key: "error.internal" };
      renderError();
      show("paper-link-form");
    }, function () {
      lastError = { key: "error.network" };
      renderError();
    });
  }

  function refreshCounts() {
    return TN.post("/api/v1/member/paper/form", { session: member.session, member: member.code }).then(function (res) {
      if (res.status === 200 && res.body) { form.counts = res.body.counts; renderCounts(); }
    }, function () { /* the counts stay as they were */ });
  }

  function reset() {
    $("paper-card").value = "";
    document.querySelectorAll('#paper-cadres input[type="checkbox"]').forEach(function (b) { b.checked = false; });
    renderSummary();
  }

  function submit(e) {
    e.preventDefault();
    lastError = null;
    lastResult = null;
    renderError();
    renderResult();
    var card = TN.normalizeCode($("paper-card").value);
    if (!card) {
      lastError = { key: "paper.card.invalid" };
      renderError();
      $("paper-card").focus();
      return;
    }
    var out;
    try {
      out = tinnhiemBox.encryptPaperBallot({ session: form.box.session, jointKey: form.box.joint_key,
        lines: form.box.lines, options: form.box.options, token: card, choices: choices() });
    } catch (err) {
      lastError = { key: "error.internal" };
      renderError();
      return;
    }
    $("paper-submit").disabled = true;
    TN.post("/api/v1/member/paper", { session: member.session, member: member.code, ballot: JSON.parse(out.ballotJSON) })
      .then(function (res) {
        $("paper-submit").disabled = false;
        if (res.status === 200 && res.body) {
          lastResult = res.body.status === "cast" ? { key: "paper.cast", vars: { receipt: res.body.receipt } } : { key: "paper.waiting" };
          renderResult();
          reset();
          return refreshCounts();
        }
        lastError = res.body && res.body.error ? { body: res.body.error } : { key: "error.internal" };
        renderError();
        refreshCounts(); // a mismatch voids the entry awaiting confirmation
      }, function () {
        $("paper-submit").disabled = false;
        lastError = { key: "error.network" };
        renderError();
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    TN.onLang(function () {
      renderError();
      renderResult();
      if (form) { renderForm(); }
    });
    $("paper-form").addEventListener("submit", submit);
    $("paper-link-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var m = parseLink($("paper-link").value);
      if (!m) {
        lastError = { key: "paper.link.invalid" };
        renderError();
        return;
      }
      try { window.sessionStorage.setItem(MEMBER_KEY, JSON.stringify(m)); } catch (err) { /* kept in memory */ }
      member = m;
      load();
    });
    member = readMember();
    if (member) {
      load();
    } else {
      show("paper-link-form");
    }
  });
})();

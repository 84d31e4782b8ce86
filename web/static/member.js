// tinnhiem — the counting committee member's page (/bkp/SESSION/CODE, /bkp/), SPEC.md 11.15.
//
// Stable DOM hooks (browser tests rely on them; change them only with the tests):
//   #loading #error #error-message #error-retry
//   #member                      the member's part: #member-name #member-session #member-trustee #member-n #member-t
//                                #member-assets (the digest of this page's files, as the server logged it)
//   #step-keygen #keygen         "Tạo khóa": round 1 on this device
//   #step-status                 what the page is doing or waiting for; data-step = round1|round2|round3|working
//   #step-wait-others #missing #continue  while a round waits: the members not in yet, and "Tiếp tục không chờ"
//                                to go on without them (an absent member; the organiser then ticks them absent)
//   #step-nosecret #step-excluded
//   #step-done #fingerprint      the ceremony is complete: the joint key's fingerprint to compare with the console
//   #step-decrypt #decrypt       after close: "Giải mã kết quả"; data-checked = true|refused|failed once the sum check
//                                that starts at close (in a worker, member-sum.js) has settled
//   #decrypt-refused             the tally is not the sum of the sealed ballots: nothing was decrypted
//   #decrypt-done #decrypt-ballots #partials #partials-valid #partials-needed
//   #step-open #step-tallied
//   #backup #backup-form #backup-pass #backup-pass2 #backup-submit #backup-status
//   #restore #restore-form #restore-file #restore-pass #restore-submit #restore-status
//
// The member code: taken from the path at once, the address bar rewritten to /bkp/ so that the code leaves the
// history, and kept in sessionStorage["tinnhiem.member"] as {"session","code"} for a reload and for the other
// member pages of this origin. It travels only in request bodies.
//
// The trustee's secrets (the ceremony secret, then the decryption key) live in IndexedDB on this device only and are
// never sent; a backup is the same secret sealed under a passphrase (tinnhiem-box-sealed/v1), which the laptop tool
// `tinnhiem-verify trustee` opens too.
//
// Rounds 2 and 3 run by themselves as soon as the other members' messages are in: they ask the member nothing, and
// a tap per round would make the ceremony wait on the least attentive member of the committee.
(function () {
  "use strict";

  var MEMBER_KEY = "tinnhiem.member";
  var POLL_MS = 700;
  var box = window.tinnhiemBox;
  var me = takeMember();
  var state = null;   // the last /api/v1/member/state answer
  var local = null;   // {secret, round1, key} of this device, from IndexedDB
  var busy = false;   // a computation or a request of the member's is under way
  var timer = null;
  var goOn = {};      // rounds the member chose to run without the members not in yet

  function $(id) { return document.getElementById(id); }

  function takeMember() {
    var m = /^\/bkp\/([^\/]+)\/([^\/]+)$/.exec(window.location.pathname);
    if (m) {
      var v = null;
      try { v = { session: decodeURIComponent(m[1]), code: decodeURIComponent(m[2]) }; } catch (e) { v = null; }
      window.history.replaceState(null, "", "/bkp/");
      if (v) {
        try { window.sessionStorage.setItem(MEMBER_KEY, JSON.stringify(v)); } catch (e) { /* kept in memory */ }
        return v;
      }
    }
    try {
      var s = JSON.parse(window.sessionStorage.getItem(MEMBER_KEY) || "null");
      if (s && typeof s.session === "string" && typeof s.code === "string") { return s; }
    } catch (e) { /* nothing stored */ }
    return null;
  }

  function api(path, extra) {
    var body = { session: me.session, member: me.code };
    if (extra) { Object.keys(extra).forEach(function (k) { body[k] = extra[k]; }); }
    return TN.post("/api/v1/member/" + path, body);
  }

  // ---- IndexedDB: the secrets of this device ----

  function db() {
    return new Promise(function (resolve, reject) {
      var req = window.indexedDB.open("tinnhiem-member", 1);
      req.onupgradeneeded = function () { req.result.createObjectStore("trustees"); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function slot() { return me.session + "#" + state.trustee; }
  function loadLocal() {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var req = d.transaction("trustees").objectStore("trustees").get(slot());
        req.onsuccess = function () { resolve(req.result || {}); };
        req.onerror = function () { reject(req.error); };
      });
    });
  }
  function saveLocal() {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction("trustees", "readwrite");
        tx.objectStore("trustees").put(local, slot());
        tx.oncomplete = function () { resolve(); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  // ---- showing ----

  var steps = ["step-keygen", "step-status", "step-wait-others", "step-nosecret", "step-excluded", "step-done", "step-decrypt",
    "step-open", "step-tallied"];
  function showSteps(ids) {
    steps.forEach(function (id) { $(id).hidden = ids.indexOf(id) < 0; });
  }
  function status(step, key) {
    var el = $("step-status");
    el.setAttribute("data-step", step);
    el.setAttribute("data-i18n", key);
    el.textContent = TN.t(key);
  }
  function showPart(id) {
    ["loading", "error", "member"].forEach(function (p) { $(p).hidden = p !== id; });
  }
  function fail(res, key, vars) {
    stopPolling();
    var msg;
    if (res && res.body && res.body.error) {
      msg = TN.lang() === "en" && res.body.error.message_en ? res.body.error.message_en : res.body.error.message;
    } else {
      msg = TN.t(key || "member.error.network", vars);
    }
    $("error-message").textContent = msg;
    $("error-retry").hidden = !(res === null || (res && res.status >= 500) || key === "member.error.crypto");
    showPart("error");
  }

  function render() {
    var s = state;
    $("member-name").textContent = s.name;
    $("member-session").textContent = s.session.title;
    $("member-trustee").textContent = String(s.trustee);
    $("member-n").textContent = String(s.n);
    $("member-t").textContent = String(s.t);
    $("member-assets").textContent = s.assets || "—";
    $("backup").hidden = !(local.secret || local.key);
    showPart("member");
  }

  // ---- the state machine, run after every poll ----

  function has(list, i) { return list.indexOf(i) >= 0; }

  function step() {
    var s = state, c = s.ceremony, i = s.trustee;
    render();
    if (s.state === "tallied") {
      stopPolling();
      showSteps(["step-tallied"]);
      return Promise.resolve();
    }
    if (c.completed) {
      if (!has(c.qualified, i)) {
        stopPolling();
        showSteps(["step-excluded"]);
        return Promise.resolve();
      }
      if (!local.key) {
        if (!local.secret) { showSteps(["step-nosecret"]); return Promise.resolve(); }
        return work(makeKey);
      }
      $("fingerprint").textContent = fingerprint(c.joint_key);
      if (s.state === "closed") { return closedStep(); }
      showSteps(s.state === "open" ? ["step-done", "step-open"] : ["step-done"]);
      if (s.state !== "draft") { stopPolling(); }
      return Promise.resolve();
    }
    if (s.state !== "draft") { showSteps([]); return Promise.resolve(); }
    if (!has(c.round1, i)) {
      if (local.round1) { return work(function () { return send(local.round1); }); }
      showSteps(["step-keygen"]);
      return Promise.resolve();
    }
    if (!local.secret) { showSteps(["step-nosecret"]); return Promise.resolve(); }
    if (!has(c.round2, i)) {
      if (c.round1.length < s.n && !goOn.round1) { waitOthers("round1", "member.step.round1", all(s.n), c.round1); return Promise.resolve(); }
      return work(makeRound2);
    }
    if (!has(c.round3, i)) {
      if (c.round2.length < c.round1.length && !goOn.round2) { waitOthers("round2", "member.step.round2", c.round1, c.round2); return Promise.resolve(); }
      return work(makeRound3);
    }
    wait("round3", "member.step.round3");
    return Promise.resolve();
  }

  function wait(stepName, key) {
    status(stepName, key);
    showSteps(["step-status"]);
  }

  function all(n) {
    var out = [];
    for (var j = 1; j <= n; j++) { out.push(j); }
    return out;
  }

  // waitOthers says which members the round waits for and offers to go on without them.
  function waitOthers(stepName, key, expected, arrived) {
    status(stepName, key);
    $("missing").textContent = expected.filter(function (j) { return !has(arrived, j); }).join(", ");
    $("continue").setAttribute("data-round", stepName);
    showSteps(["step-status", "step-wait-others"]);
  }

  function closedStep() {
    var p = state.partials;
    $("partials-valid").textContent = String(p.valid);
    $("partials-needed").textContent = String(p.needed);
    $("partials").hidden = false;
    if (p.mine === "valid") {
      $("decrypt-done").hidden = false;
      showSteps(["step-done"]);
      return Promise.resolve();
    }
    showSteps(["step-done", "step-decrypt"]);
    stopPolling();
    if (local.key && !busy) { precheck().catch(function () { /* the tap checks again and says why */ }); }
    return Promise.resolve();
  }

  // work runs one computation of the member's device with the page saying so; a failure of the phone's own
  // computation is shown, a refusal of the server is the server's sentence.
  function work(fn) {
    busy = true;
    status("working", "member.step.working");
    showSteps(["step-status"]);
    return new Promise(function (resolve) { window.setTimeout(resolve, 30); }).then(fn).then(function () {
      busy = false;
    }, function (err) {
      busy = false;
      if (err && err.res) { fail(err.res); } else { fail(null, "member.error.crypto", { err: err && err.message ? err.message : String(err) }); }
    });
  }

  function send(messageJSON) {
    return api("message", { message: JSON.parse(messageJSON) }).then(function (res) {
      if (res.status === 201 || (res.status === 409 && res.body && res.body.error && res.body.error.code === "ceremony_repeated")) {
        return refresh(false);
      }
      throw { res: res };
    });
  }

  // messages returns the ceremony so far: {round1, round2, round3: [JSON text], result: JSON text or null}.
  function messages() {
    return api("messages").then(function (res) {
      if (res.status !== 200 || !res.body) { throw { res: res }; }
      var out = { round1: [], round2: [], round3: [], result: res.body.result ? JSON.stringify(res.body.result) : null };
      res.body.messages.forEach(function (m) {
        var text = JSON.stringify(m);
        if (m.format === "tinnhiem-box-dkg-round1/v1") { out.round1.push(text); }
        if (m.format === "tinnhiem-box-dkg-round2/v1") { out.round2.push(text); }
        if (m.format === "tinnhiem-box-dkg-round3/v1") { out.round3.push(text); }
      });
      return out;
    });
  }

  function makeKeyShare() {
    var r = box.trustee.round1({ session: me.session, n: state.n, t: state.t, trustee: state.trustee });
    local.secret = r.secret;
    local.round1 = r.message;
    // The secret is kept before anything is sent, so that a message never goes out that this device could not
    // follow up.
    return saveLocal().then(function () { return send(r.message); });
  }

  function makeRound2() {
    return messages().then(function (m) {
      return send(box.trustee.round2({ secretJSON: local.secret, round1JSONs: m.round1 }));
    });
  }

  function makeRound3() {
    return messages().then(function (m) {
      return send(box.trustee.round3({ secretJSON: local.secret, round1JSONs: m.round1, round2JSONs: m.round2 }));
    });
  }

  function makeKey() {
    return messages().then(function (m) {
      local.key = box.trustee.key({ secretJSON: local.secret, round1JSONs: m.round1, round2JSONs: m.round2,
        round3JSONs: m.round3, ceremonyJSON: m.result });
      return saveLocal();
    }).then(function () { return refresh(false); });
  }

  // fingerprint groups the joint key's first 16 characters by four, as the console shows the whole key.
  function fingerprint(key) {
    return (key || "").slice(0, 16).replace(/(.{4})(?=.)/g, "$1 ");
  }

  // ---- decryption ----

  // The sum check runs as soon as the vote is closed, in a worker, so that the tap costs only the partial
  // decryption; the tap decrypts exactly the tally that was checked, never a second fetch of it.
  var checking = null; // a promise of {tallyJSON, lines, options, ballots}, the tally checked to be the sum

  function precheck() {
    if (checking) { return checking; }
    checking = api("tally").then(function (res) {
      if (res.status !== 200 || !res.body) { throw { res: res }; }
      var b = res.body;
      var job = { session: me.session, lines: b.lines, options: b.options, tallyJSON: JSON.stringify(b.tally),
        ballotJSONs: b.ballots.map(function (x) { return JSON.stringify(x); }) };
      return sumCheck(job).then(function () {
        $("step-decrypt").setAttribute("data-checked", "true");
        return { tallyJSON: job.tallyJSON, lines: b.lines, options: b.options, ballots: b.ballots.length };
      });
    });
    // A refused or failed check is not kept: the next tap fetches and checks afresh.
    checking.catch(function (err) {
      checking = null;
      $("step-decrypt").setAttribute("data-checked", err && err.refused ? "refused" : "failed");
    });
    return checking;
  }

  function sumCheck(job) {
    return new Promise(function (resolve, reject) {
      var w = null;
      try { w = new Worker("/static/member-sum.js"); } catch (e) { w = null; }
      if (!w) {
        try { box.checkTallySum(job); resolve(); } catch (err) { reject({ refused: err }); }
        return;
      }
      w.onmessage = function (ev) {
        w.terminate();
        if (ev.data.ok) { resolve(); } else if (ev.data.refused) { reject({ refused: ev.data }); } else { reject(new Error(ev.data.message)); }
      };
      w.onerror = function (ev) { w.terminate(); reject(new Error(ev.message || "worker")); };
      w.postMessage(job);
    });
  }

  function decrypt() {
    if (busy) { return; }
    busy = true;
    $("decrypt").disabled = true;
    $("decrypt-refused").hidden = true;
    status("working", "member.decrypt.sum");
    showSteps(["step-done", "step-status"]);
    precheck().then(function (c) {
      $("decrypt-ballots").textContent = String(c.ballots);
      return new Promise(function (resolve) { window.setTimeout(resolve, 30); }).then(function () {
        var partial = box.trustee.decrypt({ lines: c.lines, options: c.options, trusteeKeyJSON: local.key, tallyJSON: c.tallyJSON });
        return api("partial", { partial: JSON.parse(partial) });
      });
    }).then(function (res) {
      busy = false;
      if (res.status !== 201) { throw { res: res }; }
      $("decrypt-done").hidden = false;
      return refresh(true);
    }).catch(function (err) {
      busy = false;
      $("decrypt").disabled = false;
      if (err && err.refused) {
        // Nothing was decrypted: the page says so and stays on it.
        $("decrypt-refused").hidden = false;
        showSteps(["step-done", "step-decrypt"]);
        return;
      }
      if (err && err.res) { fail(err.res); } else { fail(null, "member.error.crypto", { err: err && err.message ? err.message : String(err) }); }
    });
  }

  // ---- backup and restore ----

  function backup(ev) {
    ev.preventDefault();
    var p1 = $("backup-pass").value, p2 = $("backup-pass2").value;
    var out = $("backup-status");
    if (p1 !== p2 || p1.length < 8) {
      out.textContent = TN.t("member.passphrase.bad");
      return;
    }
    var contents = local.key || local.secret;
    $("backup-submit").disabled = true;
    out.textContent = TN.t("member.step.working");
    box.trustee.seal({ contentsJSON: contents, passphrase: p1 }).then(function (sealed) {
      var name = "bkp-" + me.session + "-" + state.trustee + (local.key ? "-khoa" : "-bi-mat") + ".json";
      var a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([sealed + "\n"], { type: "application/json" }));
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      out.textContent = TN.t("member.backup.ok") + " (" + name + ")";
      out.setAttribute("data-file", name);
      $("backup-pass").value = "";
      $("backup-pass2").value = "";
    }, function (e) {
      out.textContent = TN.t("member.error.crypto", { err: e && e.message ? e.message : String(e) });
    }).then(function () { $("backup-submit").disabled = false; });
  }

  function restore(ev) {
    ev.preventDefault();
    var file = $("restore-file").files[0];
    var out = $("restore-status");
    if (!file || !state) { return; }
    $("restore-submit").disabled = true;
    out.textContent = TN.t("member.step.working");
    file.text().then(function (text) {
      return box.trustee.unseal({ sealedJSON: text, passphrase: $("restore-pass").value });
    }).then(function (contents) {
      var j = JSON.parse(contents);
      if (j.session !== me.session || j.trustee !== state.trustee) { throw new Error("another member's backup"); }
      if (j.format === "tinnhiem-box-trustee-key/v1") { local.key = contents; } else { local.secret = contents; }
      return saveLocal();
    }).then(function () {
      out.textContent = TN.t("member.restore.ok");
      out.setAttribute("data-restored", "true");
      $("restore-pass").value = "";
      return refresh(true);
    }, function () {
      out.textContent = TN.t("member.restore.bad");
    }).then(function () { $("restore-submit").disabled = false; });
  }

  // ---- polling ----

  function stopPolling() {
    if (timer) { window.clearTimeout(timer); timer = null; }
  }

  // refresh reads the state and takes the next step; poll keeps doing it while others' messages are awaited.
  function refresh(poll) {
    return api("state").then(function (res) {
      if (res.status !== 200 || !res.body) { throw { res: res }; }
      var first = state === null;
      state = res.body;
      return (first || local === null ? loadLocal().then(function (l) { local = l; }) : Promise.resolve()).then(function () {
        if (!busy) { return step(); }
      });
    }).then(function () {
      if (poll) { schedule(); }
    }, function (err) {
      if (err && err.res) { fail(err.res); return; }
      fail(null);
    });
  }

  // schedule polls while something is awaited from others: the ceremony's messages, the close of the vote, the
  // other members' partial decryptions; not while the page waits for the member's own tap.
  function schedule() {
    stopPolling();
    var s = state, ms = 0;
    if (!s) { return; }
    if (s.state === "draft") { ms = POLL_MS; }
    if (s.state === "open") { ms = 3000; }
    if (s.state === "closed" && s.partials.mine === "valid" && s.partials.valid < s.partials.needed) { ms = 2000; }
    if (ms) { timer = window.setTimeout(function () { refresh(true); }, ms); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!me) {
      $("error-message").textContent = TN.t("member.nolink");
      showPart("error");
      return;
    }
    if (!box || !box.trustee || !window.indexedDB) {
      fail(null, "member.error.crypto", { err: "no IndexedDB or no ballot box" });
      return;
    }
    $("keygen").addEventListener("click", function () {
      if (busy) { return; }
      $("keygen").disabled = true;
      work(makeKeyShare).then(function () { $("keygen").disabled = false; });
    });
    $("decrypt").addEventListener("click", decrypt);
    $("continue").addEventListener("click", function () {
      goOn[$("continue").getAttribute("data-round")] = true;
      if (!busy && state) { step(); }
    });
    $("backup-form").addEventListener("submit", backup);
    $("restore-form").addEventListener("submit", restore);
    $("error-retry").addEventListener("click", function () { showPart("loading"); refresh(true); });
    TN.onLang(function () { if (state) { render(); } });
    refresh(true);
  });
})();

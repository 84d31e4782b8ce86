// tinnhiem — the member page's worker: checks that an encrypted tally is the sum of the sealed ballots
// (tinnhiemBox.checkTallySum, SPEC.md 11.15) off the page's thread, so that the page stays responsive while a phone
// adds up hundreds of ballots. It gets {session, lines, options, tallyJSON, ballotJSONs} and answers {ok, ballots} or
// {ok: false, refused, message}; it holds no secret.
/* global importScripts, tinnhiemBox */
importScripts("/static/box.js");
self.onmessage = function (ev) {
  try {
    var r = tinnhiemBox.checkTallySum(ev.data);
    self.postMessage({ ok: true, ballots: r.ballots });
  } catch (e) {
    self.postMessage({ ok: false, refused: e && e.name === "TallySumError", message: String(e && e.message ? e.message : e) });
  }
};

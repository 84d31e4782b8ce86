// tinnhiem — the inspector's check of an audited ballot (Benaloh's challenge, SPEC.md 11.5.1), in the browser:
// the same decoding as `tinnhiem-verify benaloh`, with tinnhiemBox.openAudited from box.js. The page is static
// (kiem-tra-ma-hoa.html, box.js, style.css and this file) so that an inspector serves it from their own laptop, or
// opens it from a folder, and the voter's phone loads nothing from the voting server. It sends nothing anywhere.
//
// Stable DOM hooks: #check-form #check-file #check-text #check-submit #check-error
//   #check-result #check-session #check-tracker #check-tracker-bad #check-lines > li
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }

  // The options of a line in SPEC.md 11.1's order, Vietnamese first, by the number of options.
  var levels = {
    3: ["Tín nhiệm cao / high confidence", "Tín nhiệm / confidence", "Tín nhiệm thấp / low confidence"],
    2: ["Tín nhiệm / confidence", "Không tín nhiệm / no confidence"]
  };

  function choice(options, marks) {
    if (marks.length === 0) { return "Không đánh dấu (không hợp lệ) / no mark (invalid)"; }
    if (marks.length > 1) { return "Nhiều lựa chọn (không hợp lệ) / several marks (invalid): " + marks.join(", "); }
    return levels[options] ? levels[options][marks[0] - 1] : "lựa chọn " + marks[0] + " / option " + marks[0];
  }

  function showError(msg) {
    $("check-result").hidden = true;
    $("check-error").textContent = "Tệp không mở được / the file does not open: " + msg;
    $("check-error").hidden = false;
  }

  function check(text) {
    $("check-error").hidden = true;
    var o;
    try {
      o = window.tinnhiemBox.openAudited(text);
    } catch (e) {
      showError(e.message);
      return;
    }
    $("check-session").textContent = o.session;
    $("check-tracker").textContent = o.trackerDisplay;
    $("check-tracker-bad").hidden = o.trackerMatches;
    var list = $("check-lines");
    list.textContent = "";
    o.lines.forEach(function (l) {
      var li = document.createElement("li");
      li.textContent = l.name + " (" + l.position + "): " + choice(o.options, l.marks);
      list.appendChild(li);
    });
    $("check-result").hidden = false;
    $("check-result").focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("check-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var file = $("check-file").files && $("check-file").files[0];
      if (file) {
        var reader = new FileReader();
        reader.onload = function () { check(String(reader.result)); };
        reader.onerror = function () { showError("cannot read the file"); };
        reader.readAsText(file);
        return;
      }
      var text = $("check-text").value.trim();
      if (!text) { showError("chọn tệp hoặc dán nội dung / choose a file or paste its text"); return; }
      check(text);
    });
  });
})();

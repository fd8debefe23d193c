/* The web cartable's only script (no inline script anywhere: the Content-Security-Policy
   allows none). The countdown to each deadline, by the SERVER's clock: the page carries the
   server's time when it was made (<body data-server-time>) and every htmx answer its
   X-Server-Time header; the phone's own clock is used only to count seconds between them.
   Nothing here decides anything: a stand at 20:00:00 is refused by the server (C3). */
(function () {
  "use strict";
  var DIGITS = "۰۱۲۳۴۵۶۷۸۹";
  var offset = 0; // the server's time minus the phone's, in ms

  function fa(text) {
    return String(text).replace(/[0-9]/g, function (d) { return DIGITS[d]; });
  }
  function two(n) { return (n < 10 ? "0" : "") + n; }

  function setOffset(serverIso) {
    var t = Date.parse(serverIso || "");
    if (!isNaN(t)) { offset = t - Date.now(); }
  }

  // A referral whose deadline has passed (by the server's clock): its stand / cancel buttons
  // are disabled and the card says when the result comes. Only a hint: the server still
  // decides, and refuses a late stand with C3.
  function closeItem(el) {
    var item = el.closest ? el.closest(".item") : null;
    if (!item || item.getAttribute("data-over") === "1") { return; }
    item.setAttribute("data-over", "1");
    var buttons = item.querySelectorAll(".actions button");
    for (var k = 0; k < buttons.length; k++) {
      buttons[k].disabled = true;
      buttons[k].setAttribute("aria-disabled", "true");
    }
    var at = new Date(Date.parse(el.getAttribute("data-deadline")) + 12600000); // Tehran
    var hour = at.getUTCMinutes() ? two(at.getUTCHours()) + ":" + two(at.getUTCMinutes())
      : String(at.getUTCHours());
    var note = document.createElement("p");
    note.className = "over-note";
    note.setAttribute("role", "status");
    note.textContent = "مهلت گذشت؛ نتیجه پس از اجرای ساعت " + fa(hour) + " در همین صفحه";
    var actions = item.querySelector(".actions");
    (actions || item).appendChild(note);
  }

  function tick() {
    var now = Date.now() + offset;
    var clocks = document.querySelectorAll("[data-deadline]");
    for (var i = 0; i < clocks.length; i++) {
      var el = clocks[i];
      var out = el.querySelector(".left") || el;
      var left = Math.floor((Date.parse(el.getAttribute("data-deadline")) - now) / 1000);
      if (isNaN(left)) { continue; }
      if (left <= 0) {
        out.textContent = "مهلت گذشت";
        el.classList.add("over");
        el.classList.remove("soon");
        closeItem(el);
        continue;
      }
      var d = Math.floor(left / 86400);
      var h = Math.floor((left % 86400) / 3600);
      var m = Math.floor((left % 3600) / 60);
      var s = left % 60;
      out.textContent = (d ? fa(d) + " روز و " : "") + fa(two(h) + ":" + two(m) + ":" + two(s));
      el.classList.toggle("soon", left < 600);
    }
    var clock = document.getElementById("server-clock");
    if (clock) {
      var t = new Date(now + 12600000); // Tehran: UTC+03:30, no daylight saving
      clock.textContent = fa(two(t.getUTCHours()) + ":" + two(t.getUTCMinutes()) + ":" +
        two(t.getUTCSeconds()));
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setOffset(document.body.getAttribute("data-server-time"));
    tick();
    window.setInterval(tick, 1000);
    // a form the server sent back refused: the focus goes to its first refused field, whose
    // own error is read out with it (aria-describedby)
    var invalid = document.querySelector("main form [aria-invalid=\"true\"]");
    if (invalid) { invalid.focus(); }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail && e.detail.xhr;
    if (xhr) { setOffset(xhr.getResponseHeader("X-Server-Time")); }
    tick();
  });
  // after a stand or a cancel, the result is read out and the focus goes to it
  document.addEventListener("htmx:afterSwap", function () {
    var note = document.querySelector("#cartable [data-focus]");
    if (note) { note.focus(); }
  });
})();

/* The web cartable's only script (no inline script anywhere: the Content-Security-Policy
   allows none). The countdown to each deadline, by the SERVER's clock: the page carries the
   server's time when it was made (<body data-server-time>) and every htmx answer its
   X-Server-Time header; the phone's own clock is used only to count seconds between them.
   Nothing here decides anything: a stand at 20:00:00 is refused by the server (C3).
   Also: a stand or cancel the server did not take (an error answer, a lost connection) is
   said in place, and the session's idle end is warned of before it comes. */
(function () {
  "use strict";
  var DIGITS = "۰۱۲۳۴۵۶۷۸۹";
  var TEHRAN = 12600000; // UTC+03:30, no daylight saving
  var offset = 0; // the server's time minus the phone's, in ms
  var sessionEnds = NaN; // when the session ends if unused, by the server's clock (ms)

  function fa(text) {
    return String(text).replace(/[0-9]/g, function (d) { return DIGITS[d]; });
  }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function serverNow() { return Date.now() + offset; }

  function setOffset(serverIso) {
    var t = Date.parse(serverIso || "");
    if (!isNaN(t)) { offset = t - Date.now(); }
  }
  function setSessionEnds(iso) {
    var t = Date.parse(iso || "");
    if (!isNaN(t)) { sessionEnds = t; }
  }
  // an instant as Tehran's ۱۹:۵۵ (or ۲۰ for a whole hour when `short`)
  function clockText(ms, short) {
    var at = new Date(ms + TEHRAN);
    if (short && !at.getUTCMinutes()) { return fa(at.getUTCHours()); }
    return fa(two(at.getUTCHours()) + ":" + two(at.getUTCMinutes()));
  }
  // a paragraph of text and links: parts are strings or [words, href]
  function para(parts, cls) {
    var p = document.createElement("p");
    if (cls) { p.className = cls; }
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      if (typeof part === "string") {
        p.appendChild(document.createTextNode(part));
      } else {
        var a = document.createElement("a");
        a.href = part[1];
        a.textContent = part[0];
        p.appendChild(a);
      }
    }
    return p;
  }

  // A referral whose deadline has passed (by the server's clock): its stand / cancel buttons
  // are disabled and the card says where the result will be. Only a hint: the server still
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
    var hour = clockText(Date.parse(el.getAttribute("data-deadline")), true);
    var rid = (item.id || "").replace(/^r/, "");
    var note = para([
      "مهلت گذشت. نتیجه پس از اجرای ساعت " + hour + ": اگر انتخاب شوید، در ",
      ["ارجاع‌های من", "/my-referrals"],
      "؛ فهرست رتبه‌بندی در ",
      ["صفحه عمومی این ارجاع", "/board/" + rid],
      " و ",
      ["نتایج مهلت‌ها", "/runs"],
      "."
    ], "over-note");
    note.setAttribute("role", "status");
    var actions = item.querySelector(".actions");
    (actions || item).appendChild(note);
  }

  function tick() {
    var now = serverNow();
    var clocks = document.querySelectorAll("[data-deadline]");
    for (var i = 0; i < clocks.length; i++) {
      var el = clocks[i];
      var out = el.querySelector(".left") || el;
      var left = Math.floor((Date.parse(el.getAttribute("data-deadline")) - now) / 1000);
      if (isNaN(left)) { continue; }
      if (left <= 0) {
        out.textContent = "مهلت گذشت";
        // read out as passed, not «مهلت گذشت تا مهلت ساعت ۲۰:۰۰»
        var until = el.querySelector(".visually-hidden");
        if (until) { until.parentNode.removeChild(until); }
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
      var t = new Date(now + TEHRAN);
      clock.textContent = fa(two(t.getUTCHours()) + ":" + two(t.getUTCMinutes()) + ":" +
        two(t.getUTCSeconds()));
    }
    sessionTick(now);
  }

  // ---------------------------------------------------------------- the session's idle end
  // The cartable (#session-warning) warns a few minutes before the session ends unused, by
  // the server's clock, with a button that keeps it (a GET of the cartable's list, which
  // the server counts as use); every htmx answer says the session's new end (X-Session-Ends).
  function sessionTick(now) {
    var box = document.getElementById("session-warning");
    if (!box || isNaN(sessionEnds)) { return; }
    var before = 1000 * (parseInt(box.getAttribute("data-warn-before"), 10) || 300);
    var left = sessionEnds - now;
    var state = left <= 0 ? "ended" : (left <= before ? "soon" : "");
    var words = box.querySelector(".session-words");
    var act = box.querySelector(".session-act");
    var keep = box.querySelector(".session-keep");
    var login = box.querySelector(".session-login");
    var shown = box.querySelector(".session-left");
    if (shown && state === "soon") {
      var secs = Math.ceil(left / 1000);
      shown.textContent = "مانده: " + fa(two(Math.floor(secs / 60)) + ":" + two(secs % 60));
    }
    var was = box.getAttribute("data-state") || "";
    if (state === was) { return; }
    box.setAttribute("data-state", state);
    box.classList.toggle("on", state !== "");
    document.body.classList.toggle("session-warned", state !== ""); // room below for it
    if (state === "soon") {
      words.textContent = "نشست شما اگر تا ساعت " + clockText(sessionEnds, false) +
        " (به وقت سرور) کاری نکنید، به سبب بی‌کاری پایان می‌یابد و کاندیداتوری یا لغوی که " +
        "پس از آن بزنید ثبت نمی‌شود. برای ماندن در سامانه، دکمه «ماندن در سامانه» را بزنید.";
      keep.hidden = false;
      login.hidden = true;
      act.hidden = false;
    } else if (state === "ended") {
      words.textContent = "نشست شما به سبب بی‌کاری پایان یافت؛ کاندیداتوری یا لغوی که اکنون " +
        "بزنید ثبت نمی‌شود. برای ادامه دوباره وارد شوید.";
      if (shown) { shown.textContent = ""; }
      keep.hidden = true;
      login.hidden = false;
      act.hidden = false;
    } else {
      var focused = box.contains(document.activeElement);
      words.textContent = was === "soon" ? "نشست شما تمدید شد." : "";
      act.hidden = true;
      if (focused) {
        var main = document.getElementById("main");
        if (main) { main.focus(); }
      }
      window.setTimeout(function () {
        if (!box.getAttribute("data-state")) { words.textContent = ""; }
      }, 6000);
    }
  }

  function keepSession() {
    if (window.htmx) {
      window.htmx.ajax("GET", "/", { target: "#cartable", swap: "innerHTML" });
    } else {
      window.location.reload();
    }
  }

  // ---------------------------------------------------------------- a request that failed
  // htmx swaps no error answer (4xx, 5xx) and a lost connection answers nothing: without
  // this, a stand at 19:59 that the server did not take (a stale CSRF token after a sign-in
  // elsewhere, the clock guard's or the database's 503, a 500) left the card unchanged.
  // The card says, as an alert, that it was NOT recorded, why, and what to do.
  function whatFailed(elt) {
    var path = (elt && elt.getAttribute && elt.getAttribute("hx-post")) || "";
    if (/\/stand$/.test(path)) { return "کاندیداتوری شما ثبت نشد"; }
    if (/\/cancel$/.test(path)) { return "لغو کاندیداتوری شما ثبت نشد"; }
    return "درخواست شما انجام نشد";
  }

  function reasonOf(xhr) {
    var type = (xhr && xhr.getResponseHeader("Content-Type")) || "";
    var text = type.indexOf("text/plain") === 0 ? String(xhr.responseText || "").trim() : "";
    if (text) { return text.slice(0, 600); }
    var status = xhr ? xhr.status : 0;
    if (status === 403) {
      return "نشانه امنیتی صفحه کهنه شده است (شاید در زبانه دیگری خارج و دوباره وارد شده‌اید).";
    }
    if (status === 503) { return "سرور دفتر موقتاً کاری ثبت نمی‌کند."; }
    return "سرور پاسخ خطا داد (کد " + fa(status) + ").";
  }

  function adviceOf(status) {
    if (status === 403 || status === 401) {
      return "صفحه را دوباره بارگیری کنید (اگر خواسته شد، دوباره وارد شوید) و سپس دوباره بزنید: ";
    }
    if (status === 0) {
      return "اتصال اینترنت را بررسی کنید و صفحه را دوباره بارگیری کنید؛ اگر روی این پرونده " +
        "«کاندیدا هستید» نیامد، دوباره بزنید: ";
    }
    return "چند لحظه بعد دوباره بزنید؛ اگر باز هم نشد، صفحه را دوباره بارگیری کنید: ";
  }

  function showFailure(elt, status, reason) {
    var item = elt && elt.closest ? elt.closest(".item") : null;
    var place = item ? (item.querySelector(".actions") || item)
      : (document.getElementById("cartable") || document.getElementById("main"));
    if (!place) { return; }
    var old = place.querySelectorAll(".act-failed");
    for (var i = 0; i < old.length; i++) { old[i].parentNode.removeChild(old[i]); }
    var note = document.createElement("div");
    note.className = "note bad act-failed";
    note.setAttribute("role", "alert");
    note.tabIndex = -1;
    var head = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = whatFailed(elt) + ".";
    head.appendChild(strong);
    note.appendChild(head);
    note.appendChild(para([reason]));
    var advice = [adviceOf(status), ["بارگیری دوباره صفحه", "/"]];
    var clock = item ? item.querySelector("[data-deadline]") : null;
    var deadline = clock ? Date.parse(clock.getAttribute("data-deadline")) : NaN;
    if (!isNaN(deadline) && deadline > serverNow()) {
      advice.push("؛ مهلت این ارجاع ساعت " + clockText(deadline, false) + " به وقت سرور است.");
    }
    note.appendChild(para(advice));
    if (item) { place.appendChild(note); } else { place.insertBefore(note, place.firstChild); }
    note.focus();
  }

  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail && e.detail.xhr;
    showFailure(e.detail && e.detail.elt, xhr ? xhr.status : 0, reasonOf(xhr));
  });
  function lost(e) {
    showFailure(e.detail && e.detail.elt, 0,
      "پاسخی از سرور نرسید (اتصال اینترنت یا شبکه قطع شد)؛ ثبت آن تأیید نشد.");
  }
  document.addEventListener("htmx:sendError", lost);
  document.addEventListener("htmx:timeout", lost);

  document.addEventListener("DOMContentLoaded", function () {
    setOffset(document.body.getAttribute("data-server-time"));
    var box = document.getElementById("session-warning");
    if (box) {
      setSessionEnds(box.getAttribute("data-session-ends"));
      var keep = box.querySelector(".session-keep");
      if (keep) { keep.addEventListener("click", keepSession); }
    }
    tick();
    window.setInterval(tick, 1000);
    // a form the server sent back refused: the focus goes to its first refused field, whose
    // own error is read out with it (aria-describedby)
    var invalid = document.querySelector("main form [aria-invalid=\"true\"]");
    if (invalid) { invalid.focus(); }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail && e.detail.xhr;
    if (xhr) {
      setOffset(xhr.getResponseHeader("X-Server-Time"));
      setSessionEnds(xhr.getResponseHeader("X-Session-Ends"));
    }
    tick();
  });
  // after a stand or a cancel, the result is read out and the focus goes to it
  document.addEventListener("htmx:afterSwap", function () {
    var note = document.querySelector("#cartable [data-focus]");
    if (note) { note.focus(); }
  });
})();

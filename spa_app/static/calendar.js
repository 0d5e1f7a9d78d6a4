// The calendar, enhanced; every part of it works without this file (links and forms).
// - Today: scrolls to the now line on load and keeps it moving.
// - A visit's details (shown on hover and focus by the stylesheet) hide with Escape.
// - Staff drag a visit to another cell: a small dialog asks whether to e-mail the client, then
//   the move is posted (the same rules as the move page); a refusal is said and the visit goes
//   back, a move re-reads the grid.
(function () {
  "use strict";

  var loaded = Date.now();

  function grid() { return document.querySelector(".cal"); }

  function hhmm(minutes) {
    var m = ((minutes % 1440) + 1440) % 1440;
    var h = Math.floor(m / 60), r = m % 60;
    return (h < 10 ? "0" : "") + h + ":" + (r < 10 ? "0" : "") + r;
  }

  function startMinutes(cal) {
    var parts = (cal.getAttribute("data-start") || "00:00").split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }

  function setPlace(el, prefix, value) {
    el.className = el.className.replace(new RegExp("\\b" + prefix + "-\\d+\\b", "g"), "").trim() +
      " " + prefix + "-" + value;
  }

  // The now line -------------------------------------------------------------------------------
  function moveNow() {
    var cal = grid();
    if (!cal || !cal.hasAttribute("data-now")) { return; }
    var step = parseInt(cal.getAttribute("data-step"), 10);
    var rows = parseInt(cal.getAttribute("data-rows"), 10);
    var minutes = parseInt(cal.getAttribute("data-now"), 10) + Math.floor((Date.now() - loaded) / 60000);
    var lines = cal.querySelectorAll(".cal-now");
    for (var i = 0; i < lines.length; i++) {
      lines[i].hidden = minutes >= rows * step;
      setPlace(lines[i], "gr", Math.floor(minutes / step) + 1);
      setPlace(lines[i], "nf", Math.floor((minutes % step) * 10 / step));
    }
    var label = cal.querySelector(".cal-now-label");
    if (label) { label.textContent = label.textContent.replace(/\d\d:\d\d/, hhmm(startMinutes(cal) + minutes)); }
  }

  var now = document.getElementById("now");
  if (now && !window.location.hash) { now.scrollIntoView({ block: "center" }); }
  window.setInterval(moveNow, 30000);

  // Details: Escape hides the open one (it shows again once the pointer or focus moves on) ------
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelectorAll(".cal-item:hover, .cal-item:focus-within");
    for (var i = 0; i < open.length; i++) { open[i].classList.add("tip-gone"); }
  });
  function unhide(event) {
    var item = event.target.closest && event.target.closest(".cal-item");
    if (item && !(event.relatedTarget && item.contains(event.relatedTarget))) {
      item.classList.remove("tip-gone");
    }
  }
  document.addEventListener("mouseout", unhide);
  document.addEventListener("focusout", unhide);

  // Drag and drop ------------------------------------------------------------------------------
  var cal = grid();
  if (!cal || !cal.hasAttribute("data-move") || !window.fetch || !window.FormData) { return; }
  var dialog = document.getElementById("move-dialog");
  if (!dialog || typeof dialog.showModal !== "function") { return; }

  var hints = document.querySelectorAll(".js-only");
  for (var h = 0; h < hints.length; h++) { hints[h].hidden = false; }

  var dragged = null;  // { item, grab (rows above the pointer), span }
  var ghost = null;

  function rowHeight() {
    var cell = document.querySelector(".cal-times .cal-time");
    return cell ? cell.getBoundingClientRect().height : 28;
  }

  function markDraggable() {
    var cards = document.querySelectorAll(".cal-item[data-movable] > .cal-booking");
    for (var i = 0; i < cards.length; i++) { cards[i].setAttribute("draggable", "true"); }
  }
  markDraggable();

  function say(text, alert) {
    var ok = document.getElementById("cal-said"), bad = document.getElementById("cal-alert");
    ok.textContent = alert ? "" : text;
    bad.textContent = alert ? text : "";
  }

  function targetRow(body, event) {
    var c = grid();
    var rows = parseInt(c.getAttribute("data-rows"), 10);
    var row = Math.floor((event.clientY - body.getBoundingClientRect().top) / rowHeight()) - dragged.grab;
    return Math.max(0, Math.min(row, rows - dragged.span));
  }

  function clearGhost() { if (ghost && ghost.parentNode) { ghost.parentNode.removeChild(ghost); } ghost = null; }

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest(".cal-item[data-movable]");
    if (!item) { return; }
    var top = item.getBoundingClientRect().top;
    dragged = {
      item: item,
      grab: Math.floor((event.clientY - top) / rowHeight()),
      span: parseInt(item.getAttribute("data-span"), 10) || 1
    };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.getAttribute("data-booking"));
    item.classList.add("dragging");
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.item.classList.remove("dragging"); }
    clearGhost();
  });

  document.addEventListener("dragover", function (event) {
    var body = dragged && event.target.closest && event.target.closest(".cal-body[data-day]");
    if (!body) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var row = targetRow(body, event);
    if (!ghost) { ghost = document.createElement("div"); }
    ghost.className = "cal-drop gr-" + (row + 1) + " gs-" + dragged.span;
    if (ghost.parentNode !== body) { body.appendChild(ghost); }
  });

  document.addEventListener("drop", function (event) {
    var body = dragged && event.target.closest && event.target.closest(".cal-body[data-day]");
    if (!body) { return; }
    event.preventDefault();
    var row = targetRow(body, event);
    var item = dragged.item;
    item.classList.remove("dragging");
    clearGhost();
    var from = { parent: item.parentNode, next: item.nextSibling, className: item.className };
    var at = hhmm(startMinutes(grid()) + row * parseInt(grid().getAttribute("data-step"), 10));
    var target = {
      booking: item.getAttribute("data-booking"),
      date: body.getAttribute("data-day"),
      time: at
    };
    if (body.hasAttribute("data-room")) {
      target.room = body.getAttribute("data-room");
      target.therapist = item.getAttribute("data-therapist");
    } else {
      target.therapist = body.getAttribute("data-therapist");
    }
    // Shown at its new place while the desk decides; back where it was if not moved.
    setPlace(item, "gr", row + 1);
    body.appendChild(item);
    dragged = null;
    ask(item, body, target, function () {
      item.className = from.className;
      from.parent.insertBefore(item, from.next);
    });
  });

  function ask(item, body, target, putBack) {
    var what = dialog.getAttribute("data-what")
      .replace("{client}", item.getAttribute("data-client"))
      .replace("{time}", target.time)
      .replace("{column}", body.getAttribute("data-name"));
    document.getElementById("move-dialog-what").textContent = what;
    var noEmail = item.hasAttribute("data-no-email");
    var box = document.getElementById("move-dialog-box");
    box.checked = true;
    document.getElementById("move-dialog-tell").hidden = noEmail;
    document.getElementById("move-dialog-phone").hidden = !noEmail;
    dialog.returnValue = "";
    dialog.addEventListener("close", function decided() {
      dialog.removeEventListener("close", decided);
      if (dialog.returnValue !== "move") {
        putBack();
        item.querySelector(".cal-booking").focus();
        return;
      }
      target.tell_client = noEmail || box.checked ? "1" : "0";
      send(target, putBack, item);
    });
    dialog.showModal();
  }

  function send(target, putBack, item) {
    var data = new FormData();
    Object.keys(target).forEach(function (key) { data.append(key, target[key]); });
    var c = grid();
    fetch(c.getAttribute("data-move"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": c.getAttribute("data-csrf"), "Accept": "application/json" }
    })
      .then(function (reply) {
        return reply.json().catch(function () { return { ok: false }; });
      })
      .then(function (answer) {
        if (!answer.ok) {
          putBack();
          say(answer.message || dialog.getAttribute("data-failed"), true);
          item.querySelector(".cal-booking").focus();
          return;
        }
        return reread(target.booking).then(function () {
          say(answer.message + (answer.warning ? " " + answer.warning : ""), false);
        });
      })
      .catch(function () { putBack(); say(dialog.getAttribute("data-failed"), true); });
  }

  // The grid again from the server, in place (the address stays; Back is not a move).
  function reread(bookingId) {
    return fetch(window.location.href, { credentials: "same-origin" })
      .then(function (reply) { if (!reply.ok) { throw new Error(reply.status); } return reply.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("cal-region");
        var region = document.getElementById("cal-region");
        if (!fresh || !region) { throw new Error("no region"); }
        region.replaceWith(fresh);
        loaded = Date.now();
        markDraggable();
        var hintsNow = fresh.querySelectorAll(".js-only");
        for (var i = 0; i < hintsNow.length; i++) { hintsNow[i].hidden = false; }
        var card = fresh.querySelector('.cal-item[data-booking="' + bookingId + '"] > .cal-booking');
        if (card) { card.focus(); }
      })
      .catch(function () { window.location.reload(); });
  }
})();

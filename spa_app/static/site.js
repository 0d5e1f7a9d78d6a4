// Small enhancements; every page works without this file.
(function () {
  "use strict";

  // The menu is a details element: a button on a phone. On a wider screen the stylesheet
  // shows it whatever its state where the browser allows; elsewhere it is opened here.
  var menu = document.getElementById("menu");
  if (menu && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 48rem)");
    var follow = function () { if (wide.matches) { menu.open = true; } };
    follow();
    if (wide.addEventListener) { wide.addEventListener("change", follow); }
  }

  // A link marked data-swap="#region" (a day in the week strip) brings that page's region in
  // place of this one's, without reloading the page; the address follows, so Back works and a
  // reload shows the same day. Anything unexpected falls back to following the link.
  if (!window.fetch || !window.DOMParser || !window.history.pushState) { return; }

  function swap(url, selector, push) {
    var region = document.querySelector(selector);
    if (!region) { window.location.assign(url); return; }
    region.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin" })
      .then(function (reply) {
        if (!reply.ok) { throw new Error(reply.status); }
        return reply.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector(selector);
        if (!fresh) { throw new Error("no region"); }
        region.replaceWith(fresh);
        document.title = page.title;
        if (push) { window.history.pushState({ swap: selector }, "", url); }
        // Screen readers and keyboards go on from the day that was opened.
        var heading = fresh.querySelector("h2");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      })
      .catch(function () { window.location.assign(url); });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-swap]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey ||
        event.ctrlKey || event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    swap(link.href, link.getAttribute("data-swap"), true);
  });

  window.addEventListener("popstate", function (event) {
    if (event.state && event.state.swap) { swap(window.location.href, event.state.swap, false); }
  });
  if (document.querySelector("a[data-swap]")) {
    window.history.replaceState({ swap: document.querySelector("a[data-swap]")
      .getAttribute("data-swap") }, "", window.location.href);
  }
})();

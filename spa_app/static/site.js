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
})();

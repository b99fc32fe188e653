/*
 * A button marked `data-print` prints the page (the print stylesheet in app.css leaves only
 * the slip). Served from /static under the CSP's script-src 'self': no inline script.
 */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();

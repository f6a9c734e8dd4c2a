// The live board: ask the server for the table again every few seconds and put it in place.
// No inline script anywhere (the Content-Security-Policy forbids it); this file is the only one.
(function () {
  "use strict";
  var board = document.getElementById("live-board");
  if (!board) return;
  var source = board.getAttribute("data-source");
  var every = Math.max(1, parseInt(board.getAttribute("data-every"), 10) || 3) * 1000;
  function refresh() {
    fetch(source, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 403) {
          window.location.reload(); // the session ended: the sign-in page
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html !== null && html !== undefined) board.innerHTML = html; })
      .catch(function () { /* offline for a moment: try again next time */ })
      .then(function () { window.setTimeout(refresh, every); });
  }
  window.setTimeout(refresh, every);
})();

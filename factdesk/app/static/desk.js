// factdesk: live progress for background jobs. An element with data-poll="URL" is polled
// until the JSON it returns has a status other than queued/running; then the page goes to
// data-done (or reloads). All text is set with textContent, never as HTML.
(function () {
  "use strict";
  function watch(el) {
    var bar = el.querySelector("progress");
    var msg = el.querySelector(".job-message");
    var delay = 600;
    function tick() {
      fetch(el.getAttribute("data-poll"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) { throw new Error("status " + r.status); }
          return r.json();
        })
        .then(function (j) {
          if (bar) { bar.value = j.progress || 0; }
          if (msg) { msg.textContent = j.message || j.status; }
          if (j.status === "queued" || j.status === "running") {
            setTimeout(tick, delay);
            return;
          }
          window.location.assign(el.getAttribute("data-done") || window.location.href);
        })
        .catch(function (err) {
          if (msg) { msg.textContent = "cannot read progress (" + err.message + "); retrying"; }
          setTimeout(tick, 3000);
        });
    }
    setTimeout(tick, 300);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(watch);
  });
})();

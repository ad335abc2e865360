// The scan page: live progress, paging and filtering the findings in place, and the
// cancel confirmation. A static file, so the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var cancel = document.querySelector("[data-cancel-form]");
  if (cancel) {
    cancel.addEventListener("submit", function (e) {
      if (!window.confirm(cancel.dataset.confirm)) e.preventDefault();
    });
  }

  // Live progress: poll the JSON endpoint until the scan finishes, then reload once for the results.
  var box = document.getElementById("progress");
  if (box && box.dataset.finished === "0") {
    var bar = box.querySelector("svg.progress"), fill = bar.querySelector("rect"), delay = 1500;
    var set = function (name, value) { box.querySelector("[data-" + name + "]").textContent = value; };
    var poll = function () {
      fetch(box.dataset.progressUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (p) {
          fill.setAttribute("width", p.percent); bar.setAttribute("aria-valuenow", p.percent);
          set("percent", p.percent); set("done", p.done); set("total", p.total);
          set("findings", p.findings.toLocaleString("en-US"));
          document.querySelectorAll("[data-status-badge]").forEach(function (b) {
            b.textContent = p.status_label; b.className = "badge st-" + p.status;
          });
          if (p.finished) { window.location.reload(); return; }
          delay = 1500; setTimeout(poll, delay);
        })
        .catch(function () { delay = Math.min(delay * 2, 20000); setTimeout(poll, delay); });
    };
    setTimeout(poll, delay);
  }

  // Findings: page and filter without reloading the page (plain links still work without JavaScript).
  var section = document.getElementById("findings");
  if (!section || !window.fetch) return;
  var holder = section.querySelector("[data-findings]");
  var load = function (query) {
    holder.classList.add("loading");
    fetch(section.dataset.fragmentUrl + query, {credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        holder.innerHTML = html; holder.classList.remove("loading");
        history.replaceState(null, "", window.location.pathname + query + "#findings");
        section.scrollIntoView({block: "start"});
      })
      .catch(function () { window.location.href = window.location.pathname + query + "#findings"; });
  };
  section.addEventListener("click", function (e) {
    var link = e.target.closest("a[data-page]");
    if (!link) return;
    e.preventDefault(); load(link.search);
  });
  section.addEventListener("submit", function (e) {
    if (!e.target.matches("[data-findings-filter]")) return;
    e.preventDefault(); load("?" + new URLSearchParams(new FormData(e.target)).toString());
  });
})();

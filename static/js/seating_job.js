/* The planning job's progress on the plan page (issue 19, §3).

   Progressive enhancement: without this script the page refreshes itself (a meta refresh in
   <noscript>) and has an «Update» link. With it, the section marked data-poll is fetched again
   every second and replaced in place; once the job has ended, the page is loaded again to show
   the plan it made and how it ended. */
(function () {
  "use strict";

  var section = document.querySelector("section[data-poll]");
  if (!section || !window.fetch) {
    return;
  }
  var url = section.getAttribute("data-poll");
  var after = section.getAttribute("data-after");

  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("section[data-job]");
        if (!fresh) {
          return;
        }
        if (!fresh.hasAttribute("data-poll")) {
          // Only the hash would differ: assigning the same address would not load it again.
          if (after.split("#")[0] === window.location.pathname + window.location.search) {
            window.location.reload();
          } else {
            window.location.assign(after);
          }
          return;
        }
        // Keep focus on the stop button if the host is on it.
        var focused = document.activeElement && section.contains(document.activeElement)
          ? document.activeElement.getAttribute("data-action") : null;
        section.replaceWith(fresh);
        section = fresh;
        if (focused) {
          var again = section.querySelector("[data-action='" + focused + "']");
          if (again) {
            again.focus();
          }
        }
        window.setTimeout(tick, 1000);
      })
      .catch(function () {
        window.setTimeout(tick, 5000);
      });
  }

  window.setTimeout(tick, 1000);
}());

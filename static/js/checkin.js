/* Check-in without reloading the page (issue 16, item 1).

   Progressive enhancement: without this script the tick forms post and the page comes back,
   and the search form filters on the server (GET ?q=). With it:
   - a tick posts the same form (its CSRF token included) with fetch, asking for JSON; the
     server answers the row as it now draws it and the counts, which replace those on the page;
     when the server asks first (a tick before the gathering) or answers anything but JSON (an
     expired form, no network), the form is sent the ordinary way, so the user always gets
     an answer;
   - the search field filters the list as one types (name or organisation, ignoring case). */
(function () {
  "use strict";

  var list = document.querySelector("[data-checkin-list]");
  var message = document.querySelector("[data-checkin-message]");

  function setFigure(name, value) {
    document.querySelectorAll('[data-figure="' + name + '"]').forEach(function (el) {
      el.textContent = String(value);
    });
  }

  function updateCounts(counts) {
    setFigure("attended", counts.attended);
    setFigure("expected", counts.expected);
    setFigure("confirmed", counts.confirmed);
    (counts.days || []).forEach(function (c) {
      setFigure("day" + c.day + "-attended", c.attended);
      setFigure("day" + c.day + "-expected", c.expected);
    });
  }

  function say(text) {
    if (!message) { return; }
    // Emptied first so the same words twice are still read out.
    message.textContent = "";
    window.setTimeout(function () { message.textContent = text; }, 50);
  }

  function tick(form) {
    var row = form.closest(".checkin-row");
    var button = form.querySelector("button[type=submit]");
    if (row) { row.classList.add("checkin-row--saving"); }
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error("not json"); }
      return response.json().then(function (data) { return { response: response, data: data }; });
    }).then(function (answer) {
      var data = answer.data;
      if (data.confirm) {
        // Before the gathering the server asks first: its confirmation page, the plain way.
        form.submit();
        return;
      }
      if (!answer.response.ok || !data.ok) {
        if (row) { row.classList.remove("checkin-row--saving"); }
        if (button) { button.disabled = false; button.focus(); }
        say(data.error ? data.error.message : "");
        return;
      }
      var holder = document.createElement("ul");
      holder.innerHTML = data.row;
      var fresh = holder.firstElementChild;
      if (row && fresh) {
        fresh.hidden = row.hidden;
        row.replaceWith(fresh);
        var next = fresh.querySelector("button[type=submit]");
        if (next) { next.focus(); }
      }
      updateCounts(data.counts);
      say(data.message);
    }).catch(function () {
      // Let the browser send it the ordinary way: the page answers whatever happened.
      form.submit();
    });
  }

  if (list && window.fetch && window.FormData) {
    list.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches("[data-checkin-tick]")) { return; }
      event.preventDefault();
      tick(form);
    });
  }

  var search = document.querySelector("[data-checkin-search]");
  var field = search && search.querySelector("input[type=search]");
  var status = search && search.querySelector("[data-filter-status]");
  if (!list || !field) { return; }
  var serverQ = search.getAttribute("data-server-q") || "";

  function normalise(text) {
    return text.toLowerCase().replace(/\s+/g, " ").trim();
  }

  function filter() {
    var needle = normalise(field.value);
    // Rows the server left out cannot be shown here: a wider search goes to the server.
    if (serverQ && needle.indexOf(serverQ) === -1) { return; }
    var rows = list.querySelectorAll(".checkin-row");
    var shown = 0;
    rows.forEach(function (row) {
      var match = !needle || (row.getAttribute("data-search") || "").indexOf(needle) !== -1;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    if (!status) { return; }
    if (!needle) {
      status.textContent = "";
    } else if (shown === 0) {
      status.textContent = status.getAttribute("data-none").replace("{q}", field.value.trim());
    } else {
      status.textContent = status.getAttribute("data-shown")
        .replace("{shown}", String(shown)).replace("{total}", String(rows.length));
    }
  }

  field.addEventListener("input", filter);
  if (field.value) { filter(); }
})();

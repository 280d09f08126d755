/* Filter a long list as one types (issue 16, item 6).

   Progressive enhancement: the search field belongs to a GET form that filters on the server;
   with this script, typing in a field marked data-filter-table="<table id>" hides the rows of
   that table that do not hold every word typed (ignoring case), and a ticked box in a hidden row
   is left out of a bulk action (disabled) so nobody acts on a row they cannot see. Submitting
   the form still asks the server, which is what a link to the list shows. */
(function () {
  "use strict";

  function words(text) {
    return text.toLocaleLowerCase("nb").split(/\s+/).filter(Boolean);
  }

  document.querySelectorAll("input[data-filter-table]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter-table"));
    if (!table || !table.tBodies.length) {
      return;
    }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (row) { return row.textContent.toLocaleLowerCase("nb"); });
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.form.appendChild(status);

    input.addEventListener("input", function () {
      var wanted = words(input.value);
      var shown = 0;
      rows.forEach(function (row, i) {
        var match = wanted.every(function (w) { return texts[i].indexOf(w) !== -1; });
        row.hidden = !match;
        row.querySelectorAll("input[type=checkbox]").forEach(function (box) {
          box.disabled = !match;
        });
        if (match) {
          shown += 1;
        }
      });
      status.textContent = shown + " / " + rows.length;
    });
  });
}());

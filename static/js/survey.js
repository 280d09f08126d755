// After a refused send, take keyboard and screen-reader users straight to the list of what to fix.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});

// The results page: each question's theme control works on the answers ticked below it. Without
// this script it works as is; with it the control says how many are ticked and can tick them all.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll(".survey-tag-form")) {
    const boxes = [...form.querySelectorAll('input[type="checkbox"][name="answer"]')];
    const control = form.querySelector(".survey-tag-control");
    if (!boxes.length || !control) continue;
    const count = document.createElement("p");
    count.className = "report-note survey-tag-count";
    count.setAttribute("aria-live", "polite");
    const all = document.createElement("button");
    all.type = "button";
    all.className = "button button--small button--secondary";
    all.textContent = form.dataset.tickAll;
    const update = () => {
      count.textContent = `${form.dataset.ticked} ${boxes.filter((b) => b.checked).length}`;
    };
    all.addEventListener("click", () => {
      const tick = !boxes.every((b) => b.checked);
      for (const box of boxes) box.checked = tick;
      update();
    });
    form.addEventListener("change", update);
    control.append(all, count);
    update();
  }
});

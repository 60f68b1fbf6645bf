// Book of Business: a parent group's button shows or hides its suffixes' rows, and Print
// prints the list with the print stylesheet. Listeners sit on the document so that the
// table htmx swaps in works the same; htmx re-runs this file when it restores a page from
// history, hence the guard against listening twice.
(() => {
  if (document.documentElement.dataset.bookListening) return;
  document.documentElement.dataset.bookListening = "yes";

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest(".book__toggle");
    if (toggle) {
      const expanded = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!expanded));
      for (const id of toggle.getAttribute("aria-controls").split(" ")) {
        const row = document.getElementById(id);
        if (row) row.hidden = expanded;
      }
      return;
    }
    if (event.target.closest(".book__print")) window.print();
  });
})();

// Print needs the script, so its button shows only with it.
for (const button of document.querySelectorAll(".book__print")) button.hidden = false;

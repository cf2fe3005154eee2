// A little progressive enhancement; every page works without it.
document.addEventListener("DOMContentLoaded", function () {
  // Print buttons (decision letters).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Move keyboard focus to the first refusal so a screen reader reads it.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
});

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
  // The priority form (§ 3-3): the score the municipality's policy suggests, shown beside
  // the score field while the assessor fills in the factors, before anything is saved. It
  // asks the service's own JSON route with the page's session cookie (same origin); the
  // route records nothing and reads no one's data. Without JavaScript the page shows the suggestion
  // after a refused save instead, and the server still asks for a reason when the score
  // departs from it.
  document.querySelectorAll("form[data-suggest]").forEach(function (form) {
    var output = form.querySelector("output[data-prefix]");
    if (!output || !window.fetch || !window.JSON) { return; }
    var timer = null;
    var asked = 0;
    function factors() {
      var out = {};
      form.querySelectorAll("select[name^='factor_']").forEach(function (select) {
        var value = parseInt(select.value, 10);
        if (value > 0) { out[select.name.slice("factor_".length)] = value; }
      });
      return out;
    }
    function show(data) {
      if (!data || typeof data.suggested_score !== "number") {
        output.textContent = "";
        return;
      }
      output.textContent = output.getAttribute("data-prefix") + data.suggested_score +
        (data.special_weight ? output.getAttribute("data-special") : "");
    }
    function ask() {
      var body = { factors: factors() };
      var day = form.querySelector("input[name='assessed_on']");
      if (day && day.value) { body.assessed_on = day.value; }
      var mine = ++asked;
      fetch(form.getAttribute("data-suggest"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(body)
      }).then(function (answer) {
        return answer.ok ? answer.json() : null;
      }).then(function (data) {
        if (mine === asked) { show(data); }
      }).catch(function () {
        if (mine === asked) { show(null); }
      });
    }
    form.addEventListener("change", function (event) {
      var name = event.target && event.target.name ? event.target.name : "";
      if (name.indexOf("factor_") === 0 || name === "assessed_on") {
        window.clearTimeout(timer);
        timer = window.setTimeout(ask, 150);
      }
    });
  });
});

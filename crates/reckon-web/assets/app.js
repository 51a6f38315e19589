// reckon: the little the pages script. Select every finding of a page for
// a bulk action, and confirm bulk changes.
document.addEventListener("change", function (event) {
  var all = event.target.closest("[data-select-all]");
  if (!all) return;
  document.querySelectorAll("input[name=id]").forEach(function (box) {
    box.checked = all.checked;
  });
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("[data-bulk]")) return;
  var chosen = form.querySelectorAll("input[name=id]:checked").length;
  if (chosen === 0) {
    event.preventDefault();
    alert("Choose at least one finding.");
  }
});

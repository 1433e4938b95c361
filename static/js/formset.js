// "Add an invoice" without a page load; without JS one invoice row is offered.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("add-invoice");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var total = document.getElementById("id_inv-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var html = document.getElementById("invoice-template").innerHTML.replace(/__prefix__/g, String(index));
    document.getElementById("invoices").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
  });
});

// "Pay bills": keep the summary under the form in step with what is typed — the amounts applied,
// the cash, the credit the payment will spend and the credit ticked. The server decides; this only shows.
(function () {
  "use strict";
  const form = document.getElementById("apply-payment-form");
  if (!form || !document.getElementById("payment-summary")) return;
  const cents = (value) => Math.round((parseFloat(value) || 0) * 100);
  const show = (id, value) => {
    document.getElementById(id).textContent = (value / 100).toFixed(2);
  };

  function refresh() {
    let applied = 0;
    let available = 0;
    form.querySelectorAll("input[name^=apply_]").forEach((input) => {
      applied += cents(input.value);
    });
    form.querySelectorAll("input[name=vendor_credit_ids]:checked").forEach((box) => {
      available += cents(box.dataset.remaining);
    });
    const cash = cents(form.querySelector("input[name=amount]").value);
    show("summary-applied", applied);
    show("summary-cash", cash);
    show("summary-credit", Math.max(0, applied - cash));
    show("summary-available", available);
  }

  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
})();

// "Receive payment" and "Pay bills" (templates/admin/folio/apply_payment.html): a running total of the amounts
// applied, and "Apply to oldest first", which fills the open documents (listed oldest first) up to the payment —
// the amount received, or the cash plus the ticked vendor credits. The server checks everything again; this
// only types for the accountant.
(function () {
  "use strict";
  const form = document.getElementById("apply-payment-form");
  const table = document.getElementById("open-documents");
  if (!form || !table) return;
  const cents = (value) => Math.round((parseFloat(String(value).replace(/,/g, "")) || 0) * 100);
  const text = (value) => (value / 100).toFixed(2);
  const rows = Array.from(table.querySelectorAll("tbody tr[data-balance]"));
  const inputOf = (row) => row.querySelector("input[name^=apply_]");
  const amountInput = form.querySelector("input[name=amount]");
  const hint = document.getElementById("apply-hint");

  function budget() {
    let total = amountInput ? cents(amountInput.value) : 0;
    form.querySelectorAll("input[name=vendor_credit_ids]:checked").forEach((box) => {
      total += cents(box.dataset.remaining);
    });
    return total;
  }

  function refresh() {
    let applied = 0;
    rows.forEach((row) => {
      applied += cents(inputOf(row).value);
    });
    document.getElementById("applied-total").textContent = text(applied);
    const left = document.getElementById("left-to-apply");
    if (left) {
      // No amount typed on "Receive payment" means "exactly what is applied": nothing is left over.
      const open = amountInput && amountInput.value.trim() === "" && budget() === 0;
      const remaining = budget() - applied;
      left.textContent = open ? "—" : text(remaining);
      left.classList.toggle("over-applied", !open && remaining < 0);
    }
  }

  function applyToOldest() {
    let left = budget();
    if (left <= 0) {
      if (hint) hint.textContent = "Enter the payment amount first: it is what gets applied.";
      if (amountInput) amountInput.focus();
      return;
    }
    if (hint) hint.textContent = "";
    rows.forEach((row) => {
      const take = Math.min(left, cents(row.dataset.balance));
      inputOf(row).value = take > 0 ? text(take) : "";
      left -= take;
    });
    refresh();
  }

  document.getElementById("apply-oldest").addEventListener("click", applyToOldest);
  document.getElementById("apply-clear").addEventListener("click", () => {
    rows.forEach((row) => {
      inputOf(row).value = "";
    });
    refresh();
  });
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
})();

// Live preview on the sequence form: ask the admin's preview endpoint for the next numbers
// of the layout as typed, for the chosen document date. Reserves nothing.
(function () {
  "use strict";
  const box = document.getElementById("sequence-preview");
  if (!box) return;
  const form = box.closest("form");
  const dateInput = document.getElementById("preview-date");
  const list = document.getElementById("preview-numbers");
  const periodLabel = document.getElementById("preview-period");
  const errorBox = document.getElementById("preview-error");
  dateInput.value = new Date().toISOString().slice(0, 10);
  let timer = null;
  let latest = 0; // answers can arrive out of order: only the newest request may paint

  function showError(message) {
    errorBox.textContent = message;
    errorBox.style.display = message ? "" : "none";
  }

  function refresh() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") params.append(name, value);
    }
    if (box.dataset.sequenceId) params.set("id", box.dataset.sequenceId);
    if (box.dataset.entityId) params.set("entity", box.dataset.entityId);
    params.set("date", dateInput.value);
    const ticket = ++latest;
    fetch(box.dataset.previewUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then((response) => response.json())
      .then((data) => {
        if (ticket !== latest) return;
        list.replaceChildren();
        if (!data.ok) {
          showError(data.error);
          periodLabel.textContent = "";
          return;
        }
        showError("");
        periodLabel.textContent = "Period " + data.period_label + ":";
        for (const number of data.numbers) {
          const item = document.createElement("li");
          item.className = "preview-number";
          item.textContent = number;
          list.appendChild(item);
        }
      });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  dateInput.addEventListener("change", later);
  refresh();
})();

// The receiving page: once a return is found, each item scan is counted here at once, before
// anything is saved. A scan names a line by SKU (any case) or GTIN (14 digits, left-padded), as
// returndesk.receiving.domain.tally counts it on the server; an item on no line, or past its
// line's quantity, turns red at once. Enter on the empty field, or the return code again, sends
// the form with the scans as hidden fields: the server records the receipt. Without this script
// the form does the same, one round trip per scan. Focus stays in the one field throughout.
(() => {
  const form = document.querySelector('form[data-form="receiving"]');
  if (!form) {
    return;
  }
  const field = form.querySelector('input[name="scan"]');
  const code = form.dataset.code || "";
  const table = document.querySelector("table[data-tally-lines]");
  const unmatched = document.querySelector("ul[data-unmatched]");
  const feedback = document.querySelector("[data-scan-feedback]");

  // returndesk.returns.domain.codes.normalise: separators dropped, upper case, O as 0, I and L as 1.
  const normaliseCode = (text) => {
    const stripped = text.replace(/[\s\-\u00a0\u2007\u202f\u2010-\u2014\u2212]/g, "");
    if (/[^\x00-\x7f]/.test(stripped)) {
      return stripped;
    }
    return stripped.toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1");
  };
  const gtin14 = (text) => (/^(\d{8}|\d{12,14})$/.test(text) ? text.padStart(14, "0") : "");
  const skuKey = (text) => text.trim().toLowerCase();

  const rows = table ? Array.from(table.querySelectorAll("tbody tr[data-line]")) : [];
  const words = table ? table.dataset : {};

  // The lines a scan names, in line order: by SKU, else by GTIN (tally._candidates for an item).
  const candidates = (scan) => {
    const bySku = rows.filter((row) => skuKey(row.dataset.sku) === skuKey(scan));
    if (bySku.length) {
      return bySku;
    }
    const gtin = gtin14(scan);
    return gtin ? rows.filter((row) => row.dataset.gtin === gtin) : [];
  };

  const show = (row) => {
    const expected = Number(row.dataset.expected);
    const scanned = Number(row.dataset.scanned);
    row.querySelector("[data-scanned-count]").textContent = String(scanned);
    const state = scanned > expected ? words.wordOver : scanned === expected ? words.wordDone : words.wordWaiting;
    row.querySelector("[data-state]").textContent = state;
    row.classList.toggle("tally-off", scanned > expected);
    return `${row.querySelector("th").textContent.trim()}: ${scanned} / ${expected}. ${state}.`;
  };

  const countUnmatched = (scan) => {
    const key = gtin14(scan) || skuKey(scan);
    let item = Array.from(unmatched.querySelectorAll("li")).find(
      (entry) => (gtin14(entry.dataset.unmatchedItem) || skuKey(entry.dataset.unmatchedItem)) === key,
    );
    if (!item) {
      item = document.createElement("li");
      item.className = "tally-off";
      item.dataset.unmatchedItem = scan;
      item.dataset.quantity = "0";
      unmatched.append(item);
    }
    item.dataset.quantity = String(Number(item.dataset.quantity) + 1);
    item.textContent = `${item.dataset.unmatchedItem} × ${item.dataset.quantity}: ${words.wordWrong}`;
    return item.textContent;
  };

  const count = (scan) => {
    const lines = candidates(scan);
    let said;
    if (lines.length) {
      const row = lines.find((line) => Number(line.dataset.scanned) < Number(line.dataset.expected)) || lines.at(-1);
      row.dataset.scanned = String(Number(row.dataset.scanned) + 1);
      said = show(row);
    } else {
      said = countUnmatched(scan);
    }
    const kept = document.createElement("input");
    kept.type = "hidden";
    kept.name = "scans";
    kept.value = scan;
    form.querySelector("[data-scans]").append(kept);
    if (feedback) {
      feedback.textContent = said;
    }
  };

  // An anomaly button adds (or takes back) its anomaly in the form; without this script it is a
  // round trip that does the same.
  const toggle = (button) => {
    const holder = form.querySelector("[data-reported]");
    const kept = holder.querySelector(`input[value="${button.value}"]`);
    if (kept) {
      kept.remove();
    } else {
      const added = document.createElement("input");
      added.type = "hidden";
      added.name = "anomaly";
      added.value = button.value;
      holder.append(added);
    }
    button.setAttribute("aria-pressed", kept ? "false" : "true");
  };

  form.addEventListener("submit", (event) => {
    if (!code || !table) {
      return; // the first scan is looked up by the server
    }
    if (event.submitter && event.submitter.name === "add") {
      event.preventDefault();
      toggle(event.submitter);
      field.focus();
      return;
    }
    const scan = field.value.trim();
    if (!scan || normaliseCode(scan) === code) {
      return; // records the receipt
    }
    event.preventDefault();
    count(scan);
    field.value = "";
    field.focus();
  });
  field.focus();
})();

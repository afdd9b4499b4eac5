// The counter page: after each answer htmx swaps into the live region, the Return code field
// takes the focus back with its text selected, so that the next scan or typed code replaces it
// (the page load's focus is the field's autofocus). No other behaviour: the form works without it.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id !== "counter-answer") {
    return;
  }
  const field = document.getElementById("counter-code");
  if (field) {
    field.focus();
    field.select();
  }
});

// The counter's receipt page: the Print receipt button (hidden without JavaScript, where the
// browser's own print command does the same) prints the page; the print stylesheet leaves the
// receipt alone on the paper.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});

// Drag-and-drop on the experiment board, as an enhancement only: dropping a card on a
// column submits the card's own move form, the one keyboard and no-JavaScript users use,
// so the server's rules and messages are the same for everyone.
document.addEventListener("DOMContentLoaded", () => {
  const board = document.querySelector("[data-board]");
  if (!board) return;
  for (const card of board.querySelectorAll("[data-card]")) {
    if (!card.querySelector("form[data-move]")) continue;
    card.draggable = true;
    card.addEventListener("dragstart", (event) => {
      event.dataTransfer.setData("text/plain", card.id);
      event.dataTransfer.effectAllowed = "move";
      card.classList.add("dragging");
    });
    card.addEventListener("dragend", () => card.classList.remove("dragging"));
  }
  for (const column of board.querySelectorAll("[data-column]")) {
    column.addEventListener("dragover", (event) => {
      event.preventDefault();
      column.classList.add("drop-target");
    });
    column.addEventListener("dragleave", () => column.classList.remove("drop-target"));
    column.addEventListener("drop", (event) => {
      event.preventDefault();
      column.classList.remove("drop-target");
      const card = document.getElementById(event.dataTransfer.getData("text/plain"));
      if (!card || card.closest("[data-column]") === column) return;
      moveTo(card.querySelector("form[data-move]"), column.dataset.column);
    });
  }
});

// A drop on Decided still goes to the server: it leads a card that has run to its decision
// form, and tells why not for one that has not.
function moveTo(form, column) {
  const select = form.elements.column;
  if (![...select.options].some((option) => option.value === column)) {
    select.add(new Option(column, column));
  }
  select.value = column;
  form.requestSubmit();
}

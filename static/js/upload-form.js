// An import form while its file uploads (and a layer imports): a large file takes a
// minute, and a second click would send it again. The button is disabled and a
// line says what is happening; the page that follows replaces it all.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-working]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      var note = document.createElement("p");
      note.className = "hint working";
      note.setAttribute("role", "status");
      note.textContent = form.dataset.working;
      form.appendChild(note);
    });
  });
})();

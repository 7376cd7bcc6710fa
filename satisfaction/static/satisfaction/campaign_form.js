/* The campaign form shows only the fields of the chosen schedule: each field's
   wrapper lists the schedules it serves in data-kinds. Without this script
   every field shows and the server ignores those the schedule does not use. */
(function () {
  "use strict";
  var fieldset = document.querySelector("[data-schedule]");
  if (!fieldset) {
    return;
  }
  var kind = fieldset.querySelector("select[name='kind']");
  var wrappers = fieldset.querySelectorAll("[data-kinds]");

  function update() {
    Array.prototype.forEach.call(wrappers, function (wrapper) {
      var kinds = wrapper.getAttribute("data-kinds").split(" ");
      wrapper.hidden = kinds.indexOf(kind.value) === -1;
    });
  }

  kind.addEventListener("change", update);
  update();
})();

// Customer page: the "log a call" form shows the promise or dispute fields only for that outcome.
// Without JavaScript every field is shown and the server uses the ones the outcome needs.
(function () {
  var forms = document.querySelectorAll('[data-outcome-form]');
  forms.forEach(function (form) {
    var select = form.querySelector('[data-outcome]');
    var parts = form.querySelectorAll('[data-show-for]');
    function update() {
      parts.forEach(function (part) {
        var shown = part.getAttribute('data-show-for') === select.value;
        part.hidden = !shown;
        part.querySelectorAll('input, select, textarea').forEach(function (el) {
          el.disabled = !shown;
        });
      });
    }
    select.addEventListener('change', update);
    update();
  });
})();

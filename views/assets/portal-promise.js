// Promise form: keep the amount at the sum of the chosen invoices until the customer types one.
(function () {
  'use strict';
  var form = document.querySelector('[data-promise-form]');
  if (!form) return;
  var amount = form.querySelector('#promise-amount');
  var boxes = form.querySelectorAll('input[name="invoiceIds"]');
  var typed = false;
  amount.addEventListener('input', function () {
    typed = true;
  });
  function cents(s) {
    var m = /^(\d+)(?:\.(\d{1,4}))?$/.exec(s);
    if (!m) return null;
    return Number(m[1]) * 10000 + Number(((m[2] || '') + '0000').slice(0, 4));
  }
  function update() {
    if (typed) return;
    var total = 0;
    var digits = 2;
    for (var i = 0; i < boxes.length; i++) {
      if (!boxes[i].checked) continue;
      var v = cents(boxes[i].getAttribute('data-balance'));
      if (v === null) return;
      total += v;
      var frac = (boxes[i].getAttribute('data-balance').split('.')[1] || '').length;
      digits = frac;
    }
    var whole = Math.floor(total / 10000);
    var rest = String(total % 10000)
      .padStart(4, '0')
      .slice(0, digits);
    amount.value = total === 0 ? '' : digits > 0 ? whole + '.' + rest : String(whole);
  }
  for (var j = 0; j < boxes.length; j++) boxes[j].addEventListener('change', update);
})();

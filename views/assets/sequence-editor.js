// Sequence editor: add, remove and reorder step rows in the page (the same buttons post the form
// when JavaScript is off), and refresh the preview frame with the unsaved values as they change.
// The branding form uses the live preview part too (any form marked data-live-preview).
(function () {
  var form = document.querySelector('form[data-live-preview]');
  if (!form) return;
  var list = document.getElementById('steps');
  var previewButton = document.getElementById('preview-button');
  var stepSelect = document.getElementById('preview-step');
  var status = document.getElementById('preview-status');
  var timer = null;
  // set once the clerk saves: a preview refresh still pending must not go out after the save, as a
  // second submission of the same form can cancel the first before it leaves the page
  var leaving = false;

  function rows() {
    if (!list) return [];
    return Array.prototype.slice.call(list.querySelectorAll('li.step'));
  }

  // Field names carry the row index (steps[2][key]); keep them, the ids and the labels in order.
  function renumber() {
    rows().forEach(function (li, i) {
      li.setAttribute('data-index', String(i));
      var no = li.querySelector('.step-no');
      if (no) no.textContent = String(i + 1);
      li.querySelectorAll('[name^="steps["]').forEach(function (el) {
        el.name = el.name.replace(/^steps\[\d+\]/, 'steps[' + i + ']');
      });
      li.querySelectorAll('[id^="s"]').forEach(function (el) {
        var id = el.id.replace(/^s\d+-/, 's' + i + '-');
        li.querySelectorAll('label[for="' + el.id + '"]').forEach(function (l) {
          l.htmlFor = id;
        });
        el.id = id;
      });
      li.querySelectorAll('[data-row-action]').forEach(function (b) {
        var kind = b.getAttribute('data-row-action');
        b.value = kind + ':' + i;
        b.setAttribute(
          'aria-label',
          (kind === 'remove' ? 'Remove' : 'Move') +
            ' step ' +
            (i + 1) +
            (kind === 'up' ? ' up' : kind === 'down' ? ' down' : ''),
        );
      });
    });
    refreshStepOptions();
  }

  function refreshStepOptions() {
    if (!stepSelect) return;
    var chosen = stepSelect.selectedIndex;
    stepSelect.innerHTML = '';
    rows().forEach(function (li, i) {
      var key = li.querySelector('[name$="[key]"]');
      var opt = document.createElement('option');
      opt.value = String(i);
      opt.textContent = i + 1 + '. ' + ((key && key.value) || '(new step)');
      stepSelect.appendChild(opt);
    });
    stepSelect.selectedIndex = Math.min(Math.max(chosen, 0), stepSelect.options.length - 1);
  }

  function clearRow(li) {
    li.querySelectorAll('input').forEach(function (el) {
      el.value = '';
      el.removeAttribute('aria-invalid');
      el.classList.remove('invalid');
    });
    li.querySelectorAll('select').forEach(function (el) {
      el.selectedIndex = 0;
    });
    var d = li.querySelector('details');
    if (d) d.open = false;
  }

  form.addEventListener('click', function (ev) {
    var b = ev.target.closest('[data-row-action]');
    if (!b || !list) return;
    ev.preventDefault();
    var kind = b.getAttribute('data-row-action');
    var li = b.closest('li.step');
    if (kind === 'add') {
      var last = rows()[rows().length - 1];
      var copy = last.cloneNode(true);
      clearRow(copy);
      list.appendChild(copy);
      renumber();
      var first = copy.querySelector('input');
      if (first) first.focus();
    } else if (kind === 'remove') {
      if (rows().length === 1) clearRow(li);
      else li.parentNode.removeChild(li);
      renumber();
    } else if (kind === 'up' && li.previousElementSibling) {
      list.insertBefore(li, li.previousElementSibling);
      renumber();
      b.focus();
    } else if (kind === 'down' && li.nextElementSibling) {
      list.insertBefore(li.nextElementSibling, li);
      renumber();
      b.focus();
    }
    schedulePreview();
  });

  function schedulePreview() {
    if (!previewButton || leaving) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (status) status.textContent = 'Preview updated with the unsaved values; nothing is sent.';
      form.requestSubmit(previewButton);
    }, 400);
  }

  form.addEventListener('input', function (ev) {
    if (ev.target.name && /\[key\]$/.test(ev.target.name)) refreshStepOptions();
    schedulePreview();
  });
  form.addEventListener('change', schedulePreview);
  form.addEventListener('submit', function (ev) {
    if (ev.submitter && ev.submitter === previewButton) return;
    leaving = true;
    clearTimeout(timer);
  });
})();

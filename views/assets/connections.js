// Live sync progress on the Connections page: polls each running sync and reloads when it ends.
(function () {
  var boxes = document.querySelectorAll('[data-progress-url]');
  boxes.forEach(function (box) {
    var bar = box.querySelector('progress');
    var text = box.querySelector('.progress-text');
    var timer = setInterval(function () {
      fetch(box.getAttribute('data-progress-url'), { credentials: 'same-origin' })
        .then(function (r) {
          return r.json();
        })
        .then(function (p) {
          if (!p) return;
          if (p.total) {
            bar.max = p.total;
            bar.value = p.done;
          }
          text.textContent = p.done + (p.total ? ' of ' + p.total : '') + ' records';
          if (p.status !== 'running' && p.status !== 'queued') {
            clearInterval(timer);
            window.location.reload();
          }
        })
        .catch(function () {
          clearInterval(timer);
        });
    }, 1500);
  });
})();

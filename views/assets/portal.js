// Customer portal: the statement's Print button (no inline scripts under the CSP).
document.addEventListener('click', (e) => {
  const target = e.target instanceof Element ? e.target.closest('[data-print]') : null;
  if (target) window.print();
});

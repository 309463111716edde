// Customer portal, pay page: shows the total of the chosen amounts as they change (no inline
// scripts under the CSP; without JavaScript the form works the same, the server checks it all).
(() => {
  const form = document.querySelector('[data-pay-form]');
  if (!form) return;
  const out = form.querySelector('[data-pay-total]');
  // whole minor units of the currency ("12.5" USD → 1250), or null when not an amount
  const toMinor = (text, decimals) => {
    const s = text.trim().replace(/,/g, '');
    if (!/^\d+(\.\d+)?$/.test(s)) return null;
    const [whole, frac = ''] = s.split('.');
    if (/[1-9]/.test(frac.slice(decimals))) return null;
    return Number(whole) * 10 ** decimals + Number((frac + '0000').slice(0, decimals) || '0');
  };
  const update = () => {
    const totals = new Map();
    let invalid = false;
    for (const box of form.querySelectorAll('input[name="pay"]')) {
      if (!box.checked) continue;
      const amount = form.querySelector(`input[name="amount_${box.value}"]`);
      const decimals = Number(box.dataset.decimals || '2');
      const minor = amount ? toMinor(amount.value, decimals) : null;
      if (minor === null) invalid = true;
      else {
        const t = totals.get(box.dataset.currency) || { minor: 0, decimals };
        t.minor += minor;
        totals.set(box.dataset.currency, t);
      }
    }
    const parts = [...totals].map(([cur, t]) => `${cur} ${(t.minor / 10 ** t.decimals).toFixed(t.decimals)}`);
    out.textContent = parts.length
      ? `Total to pay: ${parts.join(' + ')}${parts.length > 1 ? ' (one currency per payment)' : ''}${invalid ? ' (check the amounts)' : ''}`
      : 'Choose at least one invoice.';
  };
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  update();
})();

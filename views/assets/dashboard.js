// Draws the dashboard charts from the JSON block on the page (the CSP allows no inline script).
// The same figures are in the tables next to each chart.
(function () {
  'use strict';
  var source = document.getElementById('dashboard-data');
  if (!source || typeof window.Chart === 'undefined') return;
  var data = JSON.parse(source.textContent || '{}');

  var aging = document.getElementById('aging-chart');
  if (aging && data.aging) {
    new window.Chart(aging, {
      type: 'bar',
      data: {
        labels: data.aging.labels,
        datasets: [
          {
            label: 'Open balance (' + data.currency + ')',
            data: data.aging.values,
            backgroundColor: '#2f6fde',
          },
        ],
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    });
  }

  var trend = document.getElementById('trend-chart');
  if (trend && data.trend) {
    new window.Chart(trend, {
      type: 'line',
      data: {
        labels: data.trend.labels,
        datasets: [
          { label: 'DSO (standard)', data: data.trend.standard, borderColor: '#2f6fde', spanGaps: true },
          { label: 'DSO (countback)', data: data.trend.countback, borderColor: '#d9822b', spanGaps: true },
        ],
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'days' } } } },
    });
  }

  var weekly = document.getElementById('weekly-chart');
  if (weekly && data.weekly) {
    new window.Chart(weekly, {
      type: 'bar',
      data: {
        labels: data.weekly.labels,
        datasets: [
          { label: 'E-mails sent', data: data.weekly.emails, backgroundColor: '#2f6fde' },
          { label: 'Calls made', data: data.weekly.calls, backgroundColor: '#d9822b' },
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
})();

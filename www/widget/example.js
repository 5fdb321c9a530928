// The vendor's side: point the widget at the companion, log what it reports.
const el = document.getElementById('check');
const params = new URLSearchParams(location.search);
el.setAttribute('companion', params.get('companion') || location.host);
const log = document.getElementById('log');
for (const name of ['ukemi-result', 'ukemi-error']) {
  el.addEventListener(name, (e) => {
    log.textContent += `${name} ${JSON.stringify(e.detail)}\n`;
  });
}

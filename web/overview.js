// overview.js - the first page: counts, findings by severity, KEV in running containers first, the trend of open findings.
import { api } from './api.js';
import { h, card, section, table, empty, sevBadge, kevBadge, link, SEVERITIES, fmtDay } from './dom.js';
import { findingRowsLink } from './findings.js';

export async function overview(root) {
	const [s, kevRun, kevAll] = await Promise.all([
		api('/ui/summary', { params: { days: 30 } }),
		api('/findings', { params: { kev: true, running: true, limit: 50 } }),
		api('/findings', { params: { kev: true, limit: 200 } }),
	]);
	const f = s.findings;
	root.append(h('h1', {}, 'Overview'));
	root.append(h('div', { class: 'cards' },
		card('open findings', f.open, { href: '#/findings' }),
		card('known exploited (KEV)', f.kev, { href: '#/findings?kev=true', cls: f.kev ? 'alert' : '' }),
		card('KEV in running containers', f.kev_running, { href: '#/findings?kev=true&running=true', cls: f.kev_running ? 'alert' : '' }),
		card('fixable', f.fixable, { href: '#/findings?fix=true' }),
		card('images', s.images, { href: '#/images' }),
		card('running containers', s.containers.running, { href: '#/containers?running=true' }),
		card('hosts', s.hosts, { href: '#/hosts' })));

	// findings by severity: a bar of proportional parts plus the numbers as a list
	const total = SEVERITIES.reduce((n, k) => n + (f.by_severity[k] || 0), 0);
	const bar = h('div', { class: 'sevbar', 'aria-hidden': 'true' });
	for (const k of SEVERITIES) {
		const n = f.by_severity[k] || 0;
		if (!n) continue;
		const part = h('span', { class: `sev-${k}` });
		part.style.flexGrow = String(n);
		bar.append(part);
	}
	root.append(section('Open findings by severity', total ? bar : null,
		h('ul', { class: 'sevlist' }, SEVERITIES.map((k) => h('li', {}, sevBadge(k), ' ',
			link(`#/findings?severity=${k}&exact=1`, `${f.by_severity[k] || 0}`))))));

	// KEV in running containers first, then the other KEV findings
	const runIds = new Set(kevRun.items.map((x) => x.id));
	const rest = kevAll.items.filter((x) => !runIds.has(x.id));
	const cols = findingRowsLink();
	root.append(section('Known exploited, in running containers',
		kevRun.items.length ? table('Known exploited findings in images of running containers', cols, kevRun.items) : empty('None: no running container uses an image with a KEV finding.')));
	root.append(section('Known exploited, elsewhere',
		rest.length ? table('Other known exploited findings', cols, rest.slice(0, 20)) : empty('No other KEV findings.'),
		rest.length > 20 ? h('p', {}, link('#/findings?kev=true', `All ${kevAll.items.length} KEV findings`)) : null));

	root.append(section('Trend: open findings, last 30 days', trendChart(s.trend)));
}

// An SVG line of open findings (critical + high drawn apart) with bars of new findings per day.
function trendChart(trend) {
	if (!trend || !trend.length) return empty('No history yet.');
	const W = 720, H = 200, P = 32;
	const max = Math.max(1, ...trend.map((d) => d.open), ...trend.map((d) => d.new));
	const x = (i) => P + (i * (W - 2 * P)) / Math.max(1, trend.length - 1);
	const y = (v) => H - P - (v * (H - 2 * P)) / max;
	const svg = h('svg:svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img',
		'aria-label': `Open findings from ${fmtDay(trend[0].day)} to ${fmtDay(trend[trend.length - 1].day)}: ${trend[0].open} to ${trend[trend.length - 1].open}` });
	svg.append(h('svg:line', { x1: P, y1: H - P, x2: W - P, y2: H - P, class: 'axis' }));
	svg.append(h('svg:text', { x: 4, y: y(max) + 4, class: 'tick' }, String(max)));
	svg.append(h('svg:text', { x: 4, y: H - P + 4, class: 'tick' }, '0'));
	trend.forEach((d, i) => {
		if (d.new) svg.append(h('svg:rect', { x: x(i) - 3, y: y(d.new), width: 6, height: H - P - y(d.new), class: 'newbar' }));
		if (i % 7 === 0 || i === trend.length - 1) svg.append(h('svg:text', { x: x(i) - 14, y: H - 8, class: 'tick' }, fmtDay(d.day)));
	});
	const line = (get, cls) => svg.append(h('svg:polyline', { class: cls, points: trend.map((d, i) => `${x(i)},${y(get(d))}`).join(' ') }));
	line((d) => d.open, 'open');
	line((d) => (d.by_severity.critical || 0) + (d.by_severity.high || 0), 'crit');
	const last = trend[trend.length - 1];
	return h('figure', { class: 'trend' }, svg,
		h('figcaption', {}, h('span', { class: 'key open' }, 'open'), ' ', h('span', { class: 'key crit' }, 'critical + high'), ' ',
			h('span', { class: 'key newbar' }, 'new that day'), ` · today: ${last.open} open, ${last.new} new, ${last.resolved} resolved`));
}

export { kevBadge };

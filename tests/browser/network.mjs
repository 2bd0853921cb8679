// network.mjs - drives the dashboard's Network and Baselines pages in Debian's chromium (playwright-core): every
// edge of the map drawn and listed with its status by image, label and container; label rules of modes added
// (keyboard), changed and removed; deviations accepted with one
// click, versions compared, the mode switched through its confirm dialog, the YAML exported, edited and imported;
// a viewer sees no controls; 1280 px and 390 px; axe-core. Run by tests/e2e/network-dashboard.sh:
//   node network.mjs EXPECT.json SHOTDIR WORKDIR
// EXPECT.json: base URL, an operator and a viewer token, the two repositories; or, with "live": {names, edges},
// a map an agent fed from real containers (tests/e2e/agent-network.sh): only the edges among those names are
// compared, listed and drawn by container, and one screenshot taken. Prints PASS/FAIL lines and the
// screenshots' paths; exit 0 when nothing failed. Any console error, page error, CSP violation or request off
// the server fails the run.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const [expectFile, shotdir, workdir] = process.argv.slice(2);
const X = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
fs.mkdirSync(shotdir, { recursive: true });
let fails = 0;
const ok = (m) => console.log(`PASS ${m}`);
const ko = (m, why) => { fails++; console.log(`FAIL ${m}: ${why}`); };
const check = (cond, m, why) => (cond ? ok(m) : ko(m, typeof why === 'function' ? why() : why));
const enc = encodeURIComponent;
const t0 = Date.now();

// the API, as the operator
const API = async (p, opts = {}) => {
	const r = await fetch(`${X.base}api/v1${p}`, { ...opts, headers: { Authorization: `Bearer ${X.operator}`, ...(opts.headers || {}) } });
	return r.json();
};

// The statuses each edge must have (README "Baselines": app allows outbound image:localhost/db tcp/5432
// and inbound host tcp/8080; db allows inbound image:localhost/app tcp/5432; third has no baseline).
const EDGES = [
	{ from: 'app', to: 'db', port: 'tcp/5432', status: ['expected'] },
	{ from: 'third', to: 'db', port: 'tcp/5432', status: ['unexpected', 'blocked'] },
	{ from: 'app', to: '93.184.216.34', port: 'tcp/443', status: ['unexpected', 'exposed'] },
	{ from: 'node-1', to: 'app', port: 'tcp/8080', status: ['expected', 'exposed'] },
];
const norm = (s) => (Array.isArray(s) ? s : s.split(' ')).filter((x) => x).sort().join(' ');

const browser = await chromium.launch({ executablePath: process.env.BH_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const contexts = [];

async function open(viewport, { bypassCSP = false, label }) {
	const ctx = await browser.newContext({ viewport, bypassCSP, acceptDownloads: true });
	const page = await ctx.newPage();
	const problems = [];
	page.on('console', (m) => {
		if (m.type() !== 'error') return;
		const url = (m.location() && m.location().url) || '';
		if (/\/api\/v1\/exceptions\?limit=1$/.test(url) && /404/.test(m.text())) return; // the optional accepted-risks probe
		problems.push(`console: ${m.text()} ${url}`);
	});
	page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
	page.on('request', (r) => {
		const u = r.url();
		if (!u.startsWith(X.base) && !u.startsWith('blob:') && !u.startsWith('data:')) problems.push(`request off the server: ${u}`);
	});
	await page.addInitScript(() => {
		window.__bhViolations = [];
		document.addEventListener('securitypolicyviolation', (e) => window.__bhViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
	});
	contexts.push({ ctx, page, problems, label, bypassCSP });
	return page;
}

const main = (page) => page.locator('#main');
async function ready(page, sel = '.view:not([aria-busy])') {
	await page.locator(`#main ${sel}`).first().waitFor({ timeout: 15000 });
}
// action() navigates: wait for the new view (not the one before it) to be drawn
async function fresh(page, action) {
	await page.evaluate(() => { window.__bhOld = document.querySelector('#main .view'); });
	await action();
	if (!await until(() => page.evaluate(() => {
		const v = document.querySelector('#main .view');
		return !!v && v !== window.__bhOld && !v.hasAttribute('aria-busy');
	}), 15000)) throw new Error('the page was not drawn again');
}
const go = (page, hash) => fresh(page, () => page.evaluate((hsh) => { location.hash = hsh; }, hash));
async function signIn(page, tok) {
	await page.goto(X.base);
	await page.getByLabel('API token').fill(tok);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 10000 });
	await ready(page);
}
const shot = async (page, name) => {
	const p = path.join(shotdir, `${name}.png`);
	await page.screenshot({ path: p, fullPage: false });
	console.log(`screenshot ${p}`);
};
const wide = (p) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
// polled from here: waitForFunction would evaluate a string in the page, which its CSP refuses
async function until(fn, ms = 10000) {
	for (let i = 0; i < ms / 100; i++) {
		if (await fn().catch(() => false)) return true;
		await new Promise((r) => setTimeout(r, 100));
	}
	return false;
}

// the drawn edges: {from, to, port, status}
const drawnEdges = (page) => page.locator('svg.netmap g.edge').evaluateAll((els) => els.map((e) => ({
	from: e.dataset.fromLabel, to: e.dataset.toLabel, port: `${e.dataset.proto}/${e.dataset.port}`, status: e.dataset.status,
})));
// the table's rows: {from, to, port, status}
const listedEdges = (page) => page.getByRole('region', { name: 'Every edge of the network map' }).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => {
	const td = [...tr.querySelectorAll('td')];
	return { from: td[0].firstChild.textContent, to: td[1].firstChild.textContent, port: td[2].textContent, blocked: td[5].textContent,
		status: [...td[9].querySelectorAll('.badge')].map((b) => b.textContent).join(' ') };
}));

function sameEdges(got, want, label) {
	const key = (e) => `${e.from}>${e.to} ${e.port}: ${norm(e.status)}`;
	const g = got.map(key).sort(), w = want.map(key).sort();
	check(JSON.stringify(g) === JSON.stringify(w), `${label}: ${w.length} edges, each with its status (${w.join('; ')})`, `got ${g.join('; ')}`);
}

if (X.live) {
	try {
		const page = await open({ width: 1280, height: 900 }, { label: 'agent map' });
		await signIn(page, X.viewer);
		await go(page, '#/network?group=container');
		await main(page).locator('svg.netmap').waitFor();
		const names = new Set(X.live.names);
		const pick = (l) => l.filter((e) => names.has(e.from) && names.has(e.to)).map((e) => `${e.from}>${e.to} ${e.port}`).sort();
		const want = X.live.edges.map((e) => `${e.from}>${e.to} ${e.port}`).sort();
		const listed = pick(await listedEdges(page)), drawn = pick(await drawnEdges(page));
		check(JSON.stringify(listed) === JSON.stringify(want), `the agent's map in the page's table: exactly ${want.join('; ')}`, `got ${listed.join('; ')}`);
		check(JSON.stringify(drawn) === JSON.stringify(want), `the agent's map drawn by container: exactly ${want.join('; ')}`, `got ${drawn.join('; ')}`);
		await shot(page, 'network-agent');
		const c = contexts[0];
		const all = [...c.problems, ...await page.evaluate(() => window.__bhViolations || []).catch(() => [])];
		check(all.length === 0, 'no console error, page error, CSP violation or request off the server', all.slice(0, 5).join(' | '));
	} catch (e) {
		ko('network dashboard (agent map) run', e.stack || e.message);
	} finally {
		await browser.close();
	}
	process.exit(fails ? 1 : 0);
}

try {
	// ---- the network map at 1280 px
	const page = await open({ width: 1280, height: 900 }, { label: '1280 px' });
	await signIn(page, X.operator);

	// the page's copy of runtime/baseline.c's matching (peer forms, private ranges, doublestar globs,
	// access letters), on cases whose answers the C side gives
	const wrong = await page.evaluate(async () => {
		const m = await import('/ui/baselines.js');
		const P = (name, ...addrs) => ({ name, addrs });
		const cases = [
			[m.repoOf('localhost/app:1'), 'localhost/app'], [m.repoOf('registry:5000/team/app:1.2@sha256:ab'), 'registry:5000/team/app'],
			[m.repoOf('registry:5000/team/app'), 'registry:5000/team/app'], [m.repoOf('app'), 'app'],
			[m.peerMatch('*', P('', '1.2.3.4')), true], [m.peerMatch('host', P('host')), true], [m.peerMatch('host', P('image:x')), false],
			[m.peerMatch('world', P('', '93.184.216.34')), true], [m.peerMatch('world', P('', '10.1.2.3')), false],
			[m.peerMatch('world', P('image:x', '93.184.216.34')), false], [m.peerMatch('world', P('', '100.64.0.1')), false],
			[m.peerMatch('world', P('', '::ffff:10.0.0.1')), false], [m.peerMatch('world', P('', '2606:2800:220:1::1')), true],
			[m.peerMatch('world', P('', 'fd00::1')), false], [m.peerMatch('world', P('', 'fe80::1')), false],
			[m.peerMatch('10.0.0.0/8', P('', '10.88.0.12')), true], [m.peerMatch('10.0.0.0/8', P('', '11.0.0.1')), false],
			[m.peerMatch('10.88.0.12', P('image:x', '10.88.0.12')), true], [m.peerMatch('172.16.0.0/12', P('', '172.31.255.1')), true],
			[m.peerMatch('172.16.0.0/12', P('', '172.32.0.1')), false], [m.peerMatch('2001:db8::/32', P('', '2001:db8:1::5')), true],
			[m.peerMatch('2001:db8::/32', P('', '2001:db9::1')), false], [m.peerMatch('10.0.0.0/8', P('', '2001:db8::1')), false],
			[m.peerMatch('image:localhost/db', P('image:localhost/db')), true], [m.peerMatch('image:localhost/db', P('image:localhost/dbx')), false],
			[m.globMatch('/usr/bin/*', '/usr/bin/python3'), true], [m.globMatch('/usr/bin/*', '/usr/bin/x/y'), false],
			[m.globMatch('/usr/**', '/usr/bin/x/y'), true], [m.globMatch('/a/**/z', '/a/z'), true], [m.globMatch('/opt/[ab]pp', '/opt/app'), true],
			[m.globMatch('/opt/[!a]pp', '/opt/app'), false], [m.globMatch('*.sh', '/x.sh'), false], [m.globMatch('/bin/sh?', '/bin/sh'), false],
			[m.globMatch('/tmp/*', '/tmp/a.b'), true], [m.globMatch('/a.c', '/abc'), false],
			[!!m.allowedBy({ files: [{ path: '/tmp/*', access: 'w' }] }, { kind: 'file', path: '/tmp/x', access: 'r' }), false],
			[!!m.allowedBy({ files: [{ path: '/tmp/*', access: 'rw' }] }, { kind: 'file', path: '/tmp/x', access: 'r' }), true],
			[!!m.allowedBy({ processes: [{ exe: '/bin/sh', parent: '*' }] }, { kind: 'process', exe: '/bin/sh', parent: '/x' }), true],
			[!!m.allowedBy({ processes: [{ exe: '/bin/sh', parent: '/y' }] }, { kind: 'process', exe: '/bin/sh', parent: '/x' }), false],
			[!!m.allowedBy({ listen: [{ proto: 'tcp', port: 0 }] }, { kind: 'listen', proto: 'tcp', port: 8080 }), true],
			[!!m.allowedBy({ outbound: [{ peer: '10.0.0.0/8', proto: 'udp', port: 53 }] }, { kind: 'outbound', peer: '10.1.1.1', proto: 'tcp', port: 53 }), false],
			[!!m.allowedBy({ inbound: [{ peer: 'world', proto: '', port: 8080 }] }, { kind: 'inbound', peer: '8.8.8.8', proto: 'tcp', port: 8080 }), true],
			[JSON.stringify(m.entryFromObs({ kind: 'outbound', peer: '93.184.216.34', proto: 'tcp', port: 443, exe: '/x' })), '{"kind":"outbound","peer":"93.184.216.34","proto":"tcp","port":443}'],
		];
		return { n: cases.length, bad: cases.map(([got, want], i) => (got === want ? null : `case ${i}: ${got} != ${want}`)).filter((x) => x) };
	});
	check(wrong.bad.length === 0, `the page's baseline matching gives runtime/baseline.c's answers on ${wrong.n} cases (peers, private ranges, CIDRs, globs, access)`, wrong.bad.join('; '));
	await fresh(page, () => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Network', exact: true }).click());
	await main(page).locator('svg.netmap').waitFor();
	sameEdges(await listedEdges(page), EDGES, 'network table');
	sameEdges(await drawnEdges(page), EDGES.map((e) => ({ ...e, from: { app: 'localhost/app', third: 'localhost/third', db: 'localhost/db' }[e.from] || e.from,
		to: { app: 'localhost/app', db: 'localhost/db' }[e.to] || e.to })), 'network graph by image');
	const thirdRow = (await listedEdges(page)).find((e) => e.from === 'third');
	check(thirdRow && thirdRow.blocked === '3', 'third->db lists 3 blocked connections', JSON.stringify(thirdRow));
	const nodes = await main(page).locator('svg.netmap .node').count();
	check(nodes === 5, 'the graph draws 5 nodes (3 images, the outside address, the host)', `${nodes}`);
	const status = await main(page).getByRole('status').innerText();
	check(status.startsWith('5 nodes, 4 edges: 2 expected, 2 unexpected, 2 exposed, 1 blocked'), 'the summary counts the statuses', status);
	// every drawn edge is inside the picture and its label is readable (not under another)
	const geo = await main(page).locator('svg.netmap').evaluate((svg) => {
		const vb = svg.viewBox.baseVal;
		const boxes = [...svg.querySelectorAll('.edge .line')].map((p) => p.getBBox());
		const labels = [...svg.querySelectorAll('.elabel')].map((t) => t.getBBox());
		const inside = [...boxes, ...labels].every((b) => b.x >= vb.x - 1 && b.y >= vb.y - 1 && b.x + b.width <= vb.x + vb.width + 1 && b.y + b.height <= vb.y + vb.height + 1);
		// no edge runs through a box other than its own two ends' (sampled along each path)
		const rects = [...svg.querySelectorAll('.node rect')].map((r) => ({ g: r.closest('.node').dataset.group, b: r.getBBox() }));
		const through = [...svg.querySelectorAll('.edge')].filter((e) => {
			const p = e.querySelector('.line'), len = p.getTotalLength();
			for (let i = 2; i < 48; i++) {
				const q = p.getPointAtLength((len * i) / 50);
				if (rects.some(({ g, b }) => g !== e.dataset.from && g !== e.dataset.to && q.x > b.x && q.x < b.x + b.width && q.y > b.y && q.y < b.y + b.height)) return true;
			}
			return false;
		}).map((e) => `${e.dataset.fromLabel}>${e.dataset.toLabel}`);
		const overlap = labels.some((a, i) => labels.some((b, j) => j > i && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height));
		return { inside, overlap, n: labels.length, through };
	});
	check(geo.inside && !geo.overlap && geo.n === 4 && !geo.through.length, '1280 px: the edges and their 4 labels lie inside the drawing, no two labels overlap, no edge runs through another node', JSON.stringify(geo));
	check(await wide(page) <= 0, '1280 px: the network page fits the width', `${await wide(page)} px too wide`);
	await shot(page, 'network');

	// by label: the first key (team), then tier
	await fresh(page, () => page.getByLabel('Label', { exact: true }).check());
	check(/group=label/.test(page.url()), 'the grouping is kept in the address', page.url());
	await main(page).locator('svg.netmap').waitFor();
	check(await page.getByLabel('Label', { exact: true }).evaluate((e) => e === document.activeElement), 'the grouping radio keeps the focus after the redraw', 'focus moved');
	sameEdges(await drawnEdges(page), [
		{ from: 'team=shop', to: 'no team', port: 'tcp/5432', status: ['expected'] },
		{ from: 'no team', to: 'no team', port: 'tcp/5432', status: ['unexpected', 'blocked'] },
		{ from: 'team=shop', to: '93.184.216.34', port: 'tcp/443', status: ['unexpected', 'exposed'] },
		{ from: 'node-1', to: 'team=shop', port: 'tcp/8080', status: ['expected', 'exposed'] },
	], 'network graph by label team, the first key (third->db inside one group: a loop)');
	await fresh(page, () => page.getByLabel('Label key').selectOption('tier'));
	sameEdges(await drawnEdges(page), [
		{ from: 'tier=web', to: 'tier=data', port: 'tcp/5432', status: ['unexpected', 'blocked'] },
		{ from: 'tier=web', to: '93.184.216.34', port: 'tcp/443', status: ['unexpected', 'exposed'] },
		{ from: 'node-1', to: 'tier=web', port: 'tcp/8080', status: ['expected', 'exposed'] },
	], 'network graph by label tier (web = app + third: web->data carries app\'s expected and third\'s unexpected, blocked edge)');
	// by container, with the keyboard: arrows move between the radios
	await page.getByLabel('Image', { exact: true }).focus();
	await fresh(page, () => page.getByLabel('Image', { exact: true }).check());
	await page.getByLabel('Image', { exact: true }).focus();
	await fresh(page, () => page.keyboard.press('ArrowUp')); // wraps around to the last radio: Container
	check(/group=container/.test(page.url()), 'ArrowUp on "Image" chooses "Container" (the radios wrap around)', page.url());
	sameEdges(await drawnEdges(page), EDGES, 'network graph by container (radio chosen with the arrow keys)');

	// a container's node opens its baseline
	await go(page, '#/network');
	await fresh(page, () => main(page).locator('svg.netmap a.node[data-group="i:localhost/app"]').click());
	await page.getByRole('heading', { level: 1, name: X.app }).waitFor();
	ok('the graph\'s node of localhost/app links to its baseline');

	// ---- baselines
	await fresh(page, () => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Baselines', exact: true }).click());
	const blRows = await main(page).getByRole('region', { name: 'Baselines' }).locator('tbody tr').allInnerTexts();
	check(blRows.length === 2 && /localhost\/app\s+monitor\s+1\s+4\b.*\s3\s/.test(blRows[0]) && /localhost\/db\s+monitor\s+1\s+3\b.*\s1\s/.test(blRows[1]),
		'baselines list: app and db in monitor, version 1, their entry counts and deviations (3 and 1)', blRows.join(' | '));

	// the label rules: added with the keyboard, changed, one removed through its confirm dialog; each
	// change is the API's (GET /api/v1/baselines/modes) and the page's list at once
	const rulesBox = main(page).locator('#bl-rules');
	check(/No label rules on the server yet/.test(await rulesBox.innerText()), 'label rules: none on the server yet, said so', await rulesBox.innerText());
	const ruleRows = () => rulesBox.getByRole('region', { name: 'Label rules, first match wins' }).locator('tbody tr').allInnerTexts();
	await rulesBox.getByLabel('Label', { exact: true }).focus();
	await page.keyboard.type('tier=web');
	await page.keyboard.press('Tab');
	check(await rulesBox.getByLabel('Mode', { exact: true }).evaluate((e) => e === document.activeElement), 'Tab from the label field reaches the mode', 'focus elsewhere');
	await rulesBox.getByLabel('Mode', { exact: true }).selectOption('monitor');
	await page.keyboard.press('Tab');
	check(await rulesBox.getByRole('button', { name: 'Add rule' }).evaluate((e) => e === document.activeElement), 'Tab from the mode reaches "Add rule"', 'focus elsewhere');
	await page.keyboard.press('Enter');
	await until(async () => (await ruleRows()).length === 1);
	let rm = await API('/baselines/modes');
	check(JSON.stringify(rm.labels) === '[{"label":"tier=web","mode":"monitor"}]' && rm.version === 1 && rm.updated_by === 'secteam'
		&& /tier=web\s+monitor/.test((await ruleRows()).join('|'))
		&& await rulesBox.getByLabel('Label', { exact: true }).evaluate((e) => e === document.activeElement && e.value === ''),
	'a label rule added with the keyboard (type, Tab, mode, Tab, Enter): listed, GET /api/v1/baselines/modes returns it (version 1, by secteam), the focus back in the empty field',
	`${JSON.stringify(rm)} ${(await ruleRows()).join('|')}`);
	await rulesBox.getByLabel('Label', { exact: true }).fill('team');
	await rulesBox.getByLabel('Mode', { exact: true }).selectOption('learn');
	await rulesBox.getByRole('button', { name: 'Add rule' }).click();
	await until(async () => (await ruleRows()).length === 2);
	await rulesBox.getByLabel('New mode of rule tier=web').selectOption('protect');
	await rulesBox.getByRole('button', { name: 'Change the mode of rule tier=web' }).click();
	await until(async () => /tier=web\s+protect/.test((await ruleRows()).join('|')));
	await rulesBox.getByRole('button', { name: 'Remove rule team' }).click();
	const rdlg = page.getByRole('dialog');
	await rdlg.getByRole('button', { name: 'Remove team' }).click();
	await until(async () => (await ruleRows()).length === 1);
	rm = await API('/baselines/modes');
	check(JSON.stringify(rm.labels) === '[{"label":"tier=web","mode":"protect"}]' && rm.version === 4 && (await ruleRows()).length === 1
		&& /Version 4/.test(await rulesBox.innerText()),
	'a second rule added, the first changed to protect, the second removed after its confirm: the API has version 4 with tier=web in protect',
	`${JSON.stringify(rm)} ${(await ruleRows()).join('|')}`);
	await rulesBox.scrollIntoViewIfNeeded();
	await shot(page, 'baseline-rules');
	const yamlModes = await (await fetch(`${X.base}api/v1/baselines/modes?format=yaml`, { headers: { Authorization: `Bearer ${X.operator}` } })).text();
	check(/^\s+- \{label: "tier=web", mode: protect\}$/m.test(yamlModes) && /^kind: BaselineModes$/m.test(yamlModes),
		'GET /api/v1/baselines/modes?format=yaml is the modes.yaml document', yamlModes);

	await fresh(page, () => main(page).getByRole('link', { name: X.app }).click());
	const devs = main(page).getByRole('region', { name: `Deviations of ${X.app}, newest first` });
	const devRows = await devs.locator('tbody tr').allInnerTexts();
	check(devRows.length === 3 && /outbound 93\.184\.216\.34/.test(devRows[0]) && /\/bin\/sh/.test(devRows[1]) && /allowed now/.test(devRows[2])
		&& devRows[1].includes('/bin/sh < /opt/app/server < (engine)') && /monitor/.test(devRows[1])
		&& await devs.getByRole('button', { name: /^Accept into baseline/ }).count() === 2,
	'app\'s deviations newest first: 2 to accept, the listen one allowed by the baseline already, the shell with its parent chain and mode', devRows.join(' | '));
	check(await main(page).getByRole('heading', { name: 'Deviations (2 open of 3)' }).count() === 1, 'the deviations heading counts 2 open', 'not found');
	const processes = main(page).getByRole('region', { name: `processes of ${X.app}` });
	check(await processes.locator('tbody tr').count() === 1, 'entries: 1 process before', `${await processes.locator('tbody tr').count()}`);

	// one click: the shell into the baseline (the version numbers are the API's: each change stores a new one)
	const v1 = (await API(`/baselines/doc?repository=${enc(X.app)}`)).version;
	const tAccept = Date.now();
	await devs.getByRole('button', { name: /Accept into baseline: process \/bin\/sh/ }).click();
	await until(async () => /accepted into version \d+/.test(await devs.locator('tbody tr').nth(1).innerText()));
	const accMs = Date.now() - tAccept;
	const doc2 = await API(`/baselines/doc?repository=${enc(X.app)}`);
	check(doc2.version > v1 && doc2.processes.some((p) => p.exe === '/bin/sh' && p.parent === '/opt/app/server' && p.source === 'accepted'),
		`the API: the baseline went from version ${v1} to ${doc2.version} with {exe /bin/sh, parent /opt/app/server}, source accepted`, `${doc2.version} ${JSON.stringify(doc2.processes)}`);
	check(new RegExp(`accepted into version ${doc2.version}\\b`).test(await devs.locator('tbody tr').nth(1).innerText())
		&& await main(page).getByRole('heading', { name: 'Deviations (1 open of 3)' }).count() === 1
		&& await processes.locator('tbody tr').count() === 2 && /\/bin\/sh/.test(await processes.innerText())
		&& (await main(page).locator('dl.kv').innerText()).includes(`Version\n${doc2.version}`),
	`one click accepts the shell: its row says "accepted into version ${doc2.version}", 1 open left, the entry listed, the version shown (${accMs} ms)`, await main(page).innerText());
	check(await page.evaluate(() => document.activeElement && document.activeElement.classList.contains('accepted-note')), 'the focus moves to the "accepted" note', 'focus elsewhere');
	await shot(page, 'baseline');

	// the keyboard: the outbound deviation accepted with Enter
	await devs.getByRole('button', { name: /Accept into baseline: outbound/ }).focus();
	await page.keyboard.press('Enter');
	await until(async () => /accepted into version/.test(await devs.locator('tbody tr').first().innerText()));
	const doc3 = await API(`/baselines/doc?repository=${enc(X.app)}`);
	check(doc3.version > doc2.version && doc3.outbound.some((o) => o.peer === '93.184.216.34' && o.port === 443 && o.proto === 'tcp')
		&& new RegExp(`accepted into version ${doc3.version}\\b`).test(await devs.locator('tbody tr').first().innerText())
		&& await devs.getByRole('button', { name: /^Accept into baseline/ }).count() === 0,
	`Enter on the outbound deviation accepts {peer 93.184.216.34, tcp/443}: version ${doc3.version}, none open`, JSON.stringify(doc3.outbound));

	// versions and their diff
	const versions = main(page).getByRole('region', { name: `Versions of ${X.app}, newest first` });
	check(await versions.locator('tbody tr').count() === 3, '3 versions listed (the import and the two accepts)', `${await versions.locator('tbody tr').count()}`);
	await versions.getByRole('button', { name: `Changes in version ${doc3.version}` }).click();
	const diff = main(page).locator('#bl-diff');
	await diff.getByRole('heading', { name: `Changes from version ${doc2.version} to version ${doc3.version}` }).waitFor();
	const d1 = await diff.innerText();
	check(/\+ added\s+outbound\s+\{peer 93\.184\.216\.34, tcp\/443\}/.test(d1) && /Mode unchanged/.test(d1) && (await diff.locator('tbody tr').count()) === 1,
		`"Changes in version ${doc3.version}": the outbound entry added, mode unchanged`, d1);
	await main(page).getByLabel('From', { exact: true }).selectOption(String(v1));
	await main(page).getByLabel('To', { exact: true }).selectOption(String(doc3.version));
	await main(page).getByRole('button', { name: 'Compare' }).click();
	await diff.getByRole('heading', { name: `Changes from version ${v1} to version ${doc3.version}` }).waitFor();
	check((await diff.locator('tbody tr').count()) === 2, `compare ${v1}->${doc3.version}: 2 entries added`, await diff.innerText());

	// the mode, through its confirm dialog: Cancel changes nothing, then protect
	await main(page).getByLabel(`New mode of ${X.app}`).selectOption('protect');
	await main(page).getByRole('button', { name: 'Change mode…' }).click();
	const dlg = page.getByRole('dialog');
	await dlg.getByRole('heading', { name: `Change the mode of ${X.app}` }).waitFor();
	check(await dlg.getByRole('button', { name: 'Switch to protect' }).evaluate((e) => e === document.activeElement), 'the confirm dialog opens with the focus on its button', 'not focused');
	await dlg.getByRole('button', { name: 'Cancel' }).click();
	await dlg.waitFor({ state: 'hidden' });
	check((await API(`/baselines/doc?repository=${enc(X.app)}`)).mode === 'monitor', 'Cancel: still monitor', 'changed');
	await main(page).getByRole('button', { name: 'Change mode…' }).click();
	await dlg.getByRole('button', { name: 'Switch to protect' }).click();
	await dlg.waitFor({ state: 'hidden' });
	await until(async () => (await main(page).locator('dl.kv .badge.mode-protect').count()) === 1);
	const doc4 = await API(`/baselines/doc?repository=${enc(X.app)}`);
	check(doc4.mode === 'protect' && doc4.version > doc3.version && await main(page).locator('dl.kv .badge.mode-protect').count() === 1
		&& (await main(page).locator('dl.kv').innerText()).includes(`Version\n${doc4.version}`),
	`confirmed: protect, version ${doc4.version}, shown on the page`, `${doc4.mode} ${doc4.version}`);

	// export the YAML, edit it, import it
	const [download] = await Promise.all([page.waitForEvent('download'), main(page).getByRole('button', { name: 'Export YAML' }).click()]);
	const yaml = fs.readFileSync(await download.path(), 'utf8');
	check(download.suggestedFilename() === 'localhost_app.yaml' && /^repository: "localhost\/app"$/m.test(yaml) && /^mode: "protect"$/m.test(yaml)
		&& /exe: "\/bin\/sh"/.test(yaml) && /^files: \[\]$/m.test(yaml),
	`Export YAML: ${download.suggestedFilename()} with the accepted entries and the mode`, yaml.slice(0, 300));
	const edited = yaml.replace(/^files: \[\]$/m, 'files:\n  - {path: "/var/cache/app/*", access: "w"}').replace(/^mode: "protect"$/m, 'mode: "monitor"');
	const file = path.join(workdir, 'app-edited.yaml');
	fs.writeFileSync(file, edited);
	await main(page).getByLabel('Edited YAML').setInputFiles(file);
	await main(page).getByRole('button', { name: 'Import', exact: true }).click();
	const files = main(page).getByRole('region', { name: `files of ${X.app}` });
	await until(async () => (await files.locator('tbody tr').count()) === 1);
	const doc5 = await API(`/baselines/doc?repository=${enc(X.app)}`);
	check(doc5.version > doc4.version && doc5.mode === 'monitor' && doc5.files.length === 1 && /\/var\/cache\/app\/\*/.test(await files.innerText())
		&& await main(page).locator('dl.kv .badge.mode-monitor').count() === 1,
	`the edited YAML imported: version ${doc5.version}, monitor, the file entry listed`, `${doc5.version} ${doc5.mode} ${JSON.stringify(doc5.files)}`);

	// the network map again: app->outside is in app's baseline now
	await go(page, '#/network');
	await main(page).locator('svg.netmap').waitFor();
	sameEdges(await listedEdges(page), EDGES.map((e) => (e.port === 'tcp/443' ? { ...e, status: ['expected', 'exposed'] } : e)), 'network table after the accept');

	// ---- a viewer: the same pages, no controls
	const vp = await open({ width: 1280, height: 900 }, { label: 'viewer' });
	await signIn(vp, X.viewer);
	await go(vp, '#/baselines');
	check(/tier=web\s+protect/.test(await main(vp).locator('#bl-rules').innerText()) && await main(vp).getByRole('button', { name: 'Add rule' }).count() === 0
		&& await main(vp).getByRole('button', { name: /^Remove rule/ }).count() === 0,
	'a viewer: the label rules listed, no form to add, change or remove one', await main(vp).locator('#bl-rules').innerText());
	await go(vp, `#/baselines/${enc(X.db)}`);
	check(await main(vp).getByRole('button', { name: /Accept into baseline/ }).count() === 0 && await main(vp).getByRole('button', { name: 'Change mode…' }).count() === 0
		&& await main(vp).getByRole('button', { name: 'Export YAML' }).count() === 1 && /open/.test(await main(vp).getByRole('region', { name: `Deviations of ${X.db}, newest first` }).innerText()),
	'a viewer: db\'s open deviation shown, no accept or mode control, export offered', await main(vp).innerText());

	// ---- 390 px
	const mp = await open({ width: 390, height: 844 }, { label: '390 px' });
	await signIn(mp, X.operator);
	await go(mp, '#/network');
	await main(mp).locator('svg.netmap').waitFor();
	const mgeo = await main(mp).locator('svg.netmap').evaluate((svg) => ({ w: svg.getBoundingClientRect().width, dir: svg.classList.contains('dir-v') }));
	check(await wide(mp) <= 0 && mgeo.dir && mgeo.w <= 390, '390 px: the map is drawn top to bottom within the width, the page does not scroll sideways', `${await wide(mp)} px too wide; ${JSON.stringify(mgeo)}`);
	sameEdges(await drawnEdges(mp), EDGES.map((e) => ({ ...e, status: e.port === 'tcp/443' ? ['expected', 'exposed'] : e.status,
		from: { app: 'localhost/app', third: 'localhost/third' }[e.from] || e.from, to: { app: 'localhost/app', db: 'localhost/db' }[e.to] || e.to })), '390 px graph');
	await shot(mp, 'network-mobile');
	await go(mp, `#/baselines/${enc(X.app)}`);
	check(await wide(mp) <= 0, '390 px: the baseline page fits the width', `${await wide(mp)} px too wide`);
	await shot(mp, 'baseline-mobile');

	// ---- axe-core (a context without the page's CSP, which would refuse the injected script)
	const ap = await open({ width: 1280, height: 900 }, { bypassCSP: true, label: 'axe' });
	await signIn(ap, X.operator);
	let serious = 0, minor = 0, views = 0, junkFree = 0;
	const axeRun = async (label) => {
		views++;
		if (!await ap.evaluate(() => typeof window.axe !== 'undefined')) await ap.addScriptTag({ path: AXE });
		const r = await ap.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
		for (const v of r.violations) {
			const line = `${label}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`;
			if (v.impact === 'serious' || v.impact === 'critical') { serious++; console.log(`axe ${line}`); } else { minor++; console.log(`axe note ${line}`); }
		}
	};
	for (const p of ['#/network', '#/network?group=label&key=tier', '#/network?group=container', '#/baselines', `#/baselines/${enc(X.app)}?from=${v1}`, `#/baselines/${enc(X.db)}`]) {
		await go(ap, p);
		const t = await ap.locator('body').innerText();
		const junk = t.match(/(^|\s)(null|undefined|NaN|\[object Object\])(\s|$)/);
		if (junk) ko(`${p}: no "null", "undefined", "NaN" or "[object Object]" on the page`, JSON.stringify(t.slice(Math.max(0, junk.index - 80), junk.index + 40)));
		else junkFree++;
		await axeRun(p);
	}
	check(junkFree === 6, 'no "null", "undefined", "NaN" or "[object Object]" on the 6 views', `${junkFree} clean`);
	await main(ap).getByLabel(`New mode of ${X.db}`).selectOption('learn');
	await main(ap).getByRole('button', { name: 'Change mode…' }).click();
	await ap.getByRole('dialog').getByRole('heading').first().waitFor();
	await axeRun('mode dialog');
	await ap.keyboard.press('Escape');
	check(serious === 0, `axe-core on ${views} views: no serious or critical violation (${minor} minor/moderate)`, `${serious} serious/critical`);

	for (const c of contexts) {
		const v = c.bypassCSP ? [] : await c.page.evaluate(() => window.__bhViolations || []).catch(() => []);
		const all = [...c.problems, ...v];
		check(all.length === 0, `${c.label}: no console error, page error, CSP violation or request off the server`, all.slice(0, 5).join(' | '));
	}
	console.log(`note: the browser part took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} catch (e) {
	ko('network dashboard run', e.stack || e.message);
	const c = contexts[contexts.length - 1];
	if (c) await c.page.screenshot({ path: path.join(shotdir, 'network-failure.png') }).catch(() => {});
	for (const x of contexts) if (x.problems.length) console.log(`problems (${x.label}): ${x.problems.slice(0, 5).join(' | ')}`);
} finally {
	await browser.close();
}
process.exit(fails ? 1 : 0);

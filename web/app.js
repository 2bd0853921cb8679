// app.js - the dashboard's entry: sign-in with a token, the hash router, navigation and search.
import { api, setToken, token, whenUnauthorized, has, forgetProbes, session } from './api.js';
import { h, announce, go } from './dom.js';
import { overview } from './overview.js';
import { findingsPage } from './findings.js';
import { imagesPage, imagePage } from './images.js';
import { hostsPage, hostPage, containersPage, containerPage } from './hosts.js';
import { registriesPage, eventsPage, acceptedPage, tokensPage, searchPage } from './admin.js';
import { baselinesPage, baselinePage } from './baselines.js';
import { networkPage } from './network.js';

const main = document.getElementById('main');

const routes = [
	[/^\/$/, overview],
	[/^\/findings$/, findingsPage],
	[/^\/images$/, imagesPage],
	[/^\/images\/([^/]+)$/, imagePage],
	[/^\/hosts$/, hostsPage],
	[/^\/hosts\/([^/]+)$/, hostPage],
	[/^\/containers$/, containersPage],
	[/^\/containers\/([^/]+)\/([^/]+)$/, containerPage],
	[/^\/baselines$/, baselinesPage],
	[/^\/baselines\/([^/]+)$/, baselinePage],
	[/^\/network$/, networkPage],
	[/^\/registries$/, registriesPage],
	[/^\/events$/, eventsPage],
	[/^\/accepted$/, acceptedPage],
	[/^\/tokens$/, tokensPage],
	[/^\/search$/, searchPage],
];

// "#/images/sha256:..?tab=layers" -> {path, params}
function current() {
	const raw = location.hash.replace(/^#/, '') || '/';
	const q = raw.indexOf('?');
	const path = q < 0 ? raw : raw.slice(0, q);
	return { path, params: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

let renderSeq = 0;
async function render() {
	const seq = ++renderSeq;
	const dlg = document.getElementById('dialog');
	if (dlg.open) dlg.close(); // a link inside the dialog navigated
	if (!token()) return login();
	const { path, params } = current();
	for (const a of document.querySelectorAll('#nav a')) {
		const href = a.getAttribute('href').slice(1);
		const on = href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
		if (on) a.setAttribute('aria-current', 'page');
		else a.removeAttribute('aria-current');
	}
	const hit = routes.find(([re]) => re.test(path));
	const view = hit ? hit[1] : null;
	const args = hit ? path.match(hit[0]).slice(1).map(decodeURIComponent) : [];
	// the view fills its node while its data arrives (the findings list draws its first page at once)
	// stamped with the address it draws, so a reader (a test, a screen reader's script) can tell it
	// from the page it replaces while that is still on screen
	const node = h('div', { class: 'view', 'aria-busy': 'true', dataset: { hash: location.hash } });
	const focusedId = main.contains(document.activeElement) ? document.activeElement.id : '';
	main.replaceChildren(node);
	try {
		if (!view) throw new Error(`No page at ${path}`);
		await view(node, params, ...args);
	} catch (e) {
		if (e.status === 401) return undefined;
		if (seq === renderSeq) node.replaceChildren(h('h1', {}, 'Something went wrong'), h('p', { class: 'error', role: 'alert' }, e.message));
	}
	if (seq !== renderSeq) return undefined; // a newer navigation won
	node.removeAttribute('aria-busy');
	const h1 = main.querySelector('h1');
	document.title = `${h1 ? h1.textContent : 'bulkhead'} · bulkhead`;
	// keyboard users keep their place: the same control after a filter change, else the page
	const again = focusedId && document.getElementById(focusedId);
	if (again) again.focus();
	else if (render.focus && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
	render.focus = true;
	return undefined;
}
render.focus = false;

function login(message) {
	for (const id of ['logout', 'nav-tokens', 'nav-accepted']) document.getElementById(id).hidden = true;
	const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'token-help' });
	const err = h('p', { class: 'error', role: 'alert' }, message || '');
	const form = h('form', { class: 'login panel', onsubmit: async (e) => {
		e.preventDefault();
		setToken(input.value.trim());
		try {
			await start();
		} catch (x) {
			setToken(null);
			err.textContent = x.status === 401 ? 'The server did not accept this token.' : x.message;
			input.focus();
		}
	} },
	h('h1', {}, 'Sign in'),
	h('label', { for: 'token' }, 'API token'), input,
	h('p', { id: 'token-help', class: 'help' }, 'A token from ', h('code', {}, 'bulkhead token create --role viewer'),
		'. It is kept in this tab only (session storage) and sent as a bearer header.'),
	h('button', { type: 'submit' }, 'Sign in'), err);
	main.replaceChildren(form);
	document.title = 'Sign in · bulkhead';
	input.focus();
}

// After a token is set: who it is, which optional routes exist, then the page.
async function start() {
	const s = await api('/ui/summary', { params: { days: 1 }, quiet401: true });
	session.role = s.role || 'viewer';
	forgetProbes();
	session.exceptions = await has('/exceptions');
	document.getElementById('logout').hidden = false;
	document.getElementById('nav-tokens').hidden = session.role !== 'admin';
	document.getElementById('nav-accepted').hidden = !session.exceptions;
	render.focus = false;
	await render();
}

whenUnauthorized(() => {
	setToken(null);
	login('The token was refused (expired or revoked?). Sign in again.');
});

document.getElementById('logout').addEventListener('click', () => {
	setToken(null);
	announce('Signed out');
	login();
});

document.getElementById('search').addEventListener('submit', (e) => {
	e.preventDefault();
	const q = document.getElementById('q').value.trim();
	if (q) go('/search', { q });
});

const menu = document.getElementById('menu');
menu.addEventListener('click', () => {
	const open = menu.getAttribute('aria-expanded') !== 'true';
	menu.setAttribute('aria-expanded', String(open));
	document.getElementById('nav').classList.toggle('open', open);
});
document.getElementById('nav').addEventListener('click', (e) => {
	if (e.target.closest('a')) {
		menu.setAttribute('aria-expanded', 'false');
		document.getElementById('nav').classList.remove('open');
	}
});

window.addEventListener('hashchange', render);
if (token()) start().catch(() => login()); else login();

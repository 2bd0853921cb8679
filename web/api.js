// api.js - the /api/v1 client: the token lives in sessionStorage and goes out as a bearer header, never in a URL.

const KEY = 'bulkhead.token';
// what the signed-in token may do and which optional routes the server has (set at sign-in)
export const session = { role: 'viewer', exceptions: false };
let onUnauthorized = () => {};

export function token() {
	return sessionStorage.getItem(KEY);
}
export function setToken(t) {
	if (t) sessionStorage.setItem(KEY, t);
	else sessionStorage.removeItem(KEY);
}
export function whenUnauthorized(fn) {
	onUnauthorized = fn;
}

export class ApiError extends Error {
	constructor(status, code, message) {
		super(message || `HTTP ${status}`);
		this.status = status;
		this.code = code;
	}
}

function url(path, params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {}))
		if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
	const s = q.toString();
	return `/api/v1${path}${s ? (path.includes('?') ? '&' : '?') + s : ''}`;
}

// One request; JSON answers parsed, errors thrown as ApiError (401 also signs out).
export async function api(path, { params, method = 'GET', body, raw = false, quiet401 = false } = {}) {
	const headers = { Authorization: `Bearer ${token() || ''}` };
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const res = await fetch(url(path, params), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
	if (raw && res.ok) return res;
	let data = null;
	const text = await res.text();
	try { data = text ? JSON.parse(text) : null; } catch { data = null; }
	if (!res.ok) {
		const e = data && data.error ? data.error : {};
		if (res.status === 401 && !quiet401) onUnauthorized();
		throw new ApiError(res.status, e.code || 'http', e.message || `${method} ${path}: HTTP ${res.status}`);
	}
	return data;
}

// Every page of a list (items + next), up to max items; onPage(itemsSoFar) after each page.
export async function all(path, params = {}, { max = 100000, onPage } = {}) {
	const items = [];
	let after = 0;
	for (;;) {
		const page = await api(path, { params: { ...params, limit: 1000, after: after || undefined } });
		items.push(...(page.items || []));
		if (onPage) onPage(items, !!page.next);
		if (!page.next || items.length >= max) return items;
		after = page.next;
	}
}

// Whether an optional part of the API is there (accepted risks come from another change): a 404
// or 405 means absent, any other answer (also 403) present; remembered for the session.
const probes = new Map();
export function has(path) {
	if (!probes.has(path))
		probes.set(path, api(path, { params: { limit: 1 } }).then(() => true,
			(e) => e instanceof ApiError && e.status !== 404 && e.status !== 405));
	return probes.get(path);
}
export function forgetProbes() {
	probes.clear();
}

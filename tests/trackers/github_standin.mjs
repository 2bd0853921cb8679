// github_standin.mjs - a local stand-in for GitHub's REST API (issues) for tests/e2e/tracker.sh: every
// request is checked against GitHub's published OpenAPI description (@octokit/openapi's
// generated/api.github.com.json, from github/rest-api-description): the operation by method and
// path template, path and query parameters, the JSON request body against the operation's schema,
// and the headers GitHub asks for. A request that fails a check is answered 404/422 (as GitHub
// would) and logged as a violation. Issues live in memory; answers are built to the documented
// response schemas (and checked against them: a stand-in mistake is logged too), and lists are paged
// with Link headers.
//
//   node github_standin.mjs --port-file F --log F.jsonl --token T --repo owner/repo [--repo ...]
//
// Control routes for the test, outside the API (never checked, never logged as requests):
//   GET  /_standin/issues                  every issue, {"owner/repo": [issue, ...]}
//   POST /_standin/ratelimit?count=N&kind=primary|secondary   the next N API requests are refused
//                                          as GitHub does when a rate limit is hit (403 with
//                                          x-ratelimit-remaining: 0 and x-ratelimit-reset, or 429
//                                          with Retry-After)
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const args = { repo: [] };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, ''), v = process.argv[i + 1];
  if (k === 'repo') args.repo.push(v); else args[k] = v;
}
const require = createRequire(import.meta.url);
const specPath = require.resolve('@octokit/openapi/generated/api.github.com.json');
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const specVersion = JSON.parse(readFileSync(require.resolve('@octokit/openapi/package.json'), 'utf8')).version;
// GitHub's documented REST API version (docs.github.com "API Versions"); the description itself does not list it
const API_VERSIONS = ['2022-11-28'];
const BODY_MAX_CHARS = 65536; // GitHub refuses longer issue bodies (422), a limit the description does not state

// ---- the description: operations by method and path template ----
const ops = [];
for (const [tpl, item] of Object.entries(spec.paths)) {
  const names = [];
  const re = new RegExp('^' + tpl.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, n) => { names.push(n); return '([^/]+)'; }) + '$');
  for (const m of ['get', 'post', 'put', 'patch', 'delete']) {
    if (item[m]) ops.push({ tpl, method: m.toUpperCase(), re, names, op: item[m], shared: item.parameters || [] });
  }
}
// literal segments win over templates (GitHub's router does the same)
ops.sort((a, b) => a.names.length - b.names.length);

function deref(o) {
  let guard = 0;
  while (o && o.$ref) {
    if (++guard > 50) throw new Error('$ref loop');
    o = o.$ref.slice(2).split('/').reduce((x, k) => x[k.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return o;
}

// ---- a validator for the JSON-schema subset the description uses (OpenAPI 3.0) ----
// strict: properties a schema does not declare are errors too (a misspelt field would be
// silently ignored by GitHub; the test wants to know).
function typeOk(t, v) {
  switch (t) {
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'null': return v === null;
    default: return true;
  }
}
function validate(schema, v, at, errs, strict) {
  schema = deref(schema);
  if (!schema || typeof schema !== 'object') return;
  if (v === null) {
    if (schema.nullable || schema.type === 'null') return;
    if (schema.oneOf || schema.anyOf) {
      if ((schema.oneOf || schema.anyOf).some((s) => { const e = []; validate(s, v, at, e, strict); return e.length === 0; })) return;
    }
    if (!schema.type && !schema.oneOf && !schema.anyOf && !schema.allOf) return;
    errs.push(`${at}: null is not allowed`);
    return;
  }
  if (schema.allOf) for (const s of schema.allOf) validate(s, v, at, errs, false);
  for (const key of ['oneOf', 'anyOf']) {
    if (!schema[key]) continue;
    const ok = schema[key].filter((s) => { const e = []; validate(s, v, at, e, strict); return e.length === 0; }).length;
    if (key === 'oneOf' ? ok !== 1 : ok < 1) errs.push(`${at}: matches ${ok} of the ${key} alternatives`);
  }
  if (schema.type && !typeOk(schema.type, v)) { errs.push(`${at}: ${JSON.stringify(v).slice(0, 40)} is not of type ${schema.type}`); return; }
  if (schema.enum && !schema.enum.includes(v)) errs.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof v === 'string') {
    if (schema.minLength !== undefined && [...v].length < schema.minLength) errs.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && [...v].length > schema.maxLength) errs.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(v)) errs.push(`${at}: does not match ${schema.pattern}`);
  }
  if (typeof v === 'number') {
    if (schema.minimum !== undefined && v < schema.minimum) errs.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && v > schema.maximum) errs.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems) errs.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && v.length > schema.maxItems) errs.push(`${at}: more than ${schema.maxItems} items`);
    if (schema.items) v.forEach((x, i) => validate(schema.items, x, `${at}[${i}]`, errs, strict));
  }
  if (typeOk('object', v) && (schema.type === 'object' || schema.properties)) {
    const props = schema.properties || {};
    for (const r of schema.required || []) if (!(r in v)) errs.push(`${at}: required property ${r} is missing`);
    for (const [k, x] of Object.entries(v)) {
      if (props[k]) validate(props[k], x, `${at}.${k}`, errs, strict);
      else if (schema.additionalProperties === false || (strict && !schema.additionalProperties && !schema.allOf))
        errs.push(`${at}: property ${k} is not in the description`);
      else if (typeof schema.additionalProperties === 'object') validate(schema.additionalProperties, x, `${at}.${k}`, errs, strict);
    }
  }
}

function paramOk(p, raw, errs) {
  const s = deref(p.schema) || {};
  const where = `${p.in} parameter ${p.name}`;
  if (s.type === 'integer' && !/^-?\d+$/.test(raw)) return errs.push(`${where}: ${JSON.stringify(raw)} is not an integer`);
  if (s.type === 'boolean' && !/^(true|false)$/.test(raw)) return errs.push(`${where}: ${JSON.stringify(raw)} is not a boolean`);
  if (s.enum && !s.enum.includes(s.type === 'integer' ? Number(raw) : raw)) errs.push(`${where}: ${JSON.stringify(raw)} is not one of ${JSON.stringify(s.enum)}`);
}

// Checks one request; returns {op, params, query, body, violations, status}.
function check(req, url, raw) {
  const v = [];
  const found = ops.find((o) => o.method === req.method && o.re.test(url.pathname));
  if (!found) {
    const anyMethod = ops.find((o) => o.re.test(url.pathname));
    return { violations: [`${req.method} ${url.pathname}: ${anyMethod ? 'method not in the description' : 'no such path in the description'}`], status: 404 };
  }
  const m = url.pathname.match(found.re);
  const pathValues = Object.fromEntries(found.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
  const params = [...found.shared, ...(found.op.parameters || [])].map(deref);
  for (const p of params) {
    if (p.in === 'path') paramOk(p, pathValues[p.name], v);
    if (p.in === 'query') {
      const all = url.searchParams.getAll(p.name);
      if (p.required && !all.length) v.push(`query parameter ${p.name} is required`);
      if (all.length > 1) v.push(`query parameter ${p.name} given ${all.length} times`);
      if (all.length) paramOk(p, all[0], v);
    }
  }
  for (const k of new Set(url.searchParams.keys())) {
    if (!params.some((p) => p.in === 'query' && p.name === k)) v.push(`query parameter ${k} is not in the description`);
  }
  // headers GitHub asks for (docs.github.com "Getting started with the REST API")
  const auth = req.headers.authorization || '';
  if (auth !== `Bearer ${args.token}` && auth !== `token ${args.token}`) {
    return { op: found, violations: [`Authorization: ${auth ? 'not the token given' : 'missing'}`], status: 401 };
  }
  if (!(req.headers.accept || '').split(',').map((s) => s.trim()).includes('application/vnd.github+json'))
    v.push(`Accept: ${JSON.stringify(req.headers.accept || '')} is not application/vnd.github+json`);
  if (!API_VERSIONS.includes(req.headers['x-github-api-version'] || ''))
    v.push(`X-GitHub-Api-Version: ${JSON.stringify(req.headers['x-github-api-version'] || '')} is not a supported version`);
  if (!req.headers['user-agent']) v.push('User-Agent is missing (GitHub refuses requests without one)');
  // the body
  let body;
  const rb = deref(found.op.requestBody);
  if (raw.length) {
    if (!rb) v.push('a body was sent to an operation that takes none');
    else if (!/^application\/json\b/.test(req.headers['content-type'] || '')) v.push(`Content-Type: ${JSON.stringify(req.headers['content-type'] || '')} is not application/json`);
    else {
      try { body = JSON.parse(raw); } catch (e) { v.push(`the body is not JSON: ${e.message}`); }
      if (body !== undefined) {
        validate(rb.content['application/json'].schema, body, 'body', v, true);
        if (typeof body.body === 'string' && [...body.body].length > BODY_MAX_CHARS)
          v.push(`body.body: longer than ${BODY_MAX_CHARS} characters (GitHub's limit, not in the description)`);
      }
    }
  } else if (rb && rb.required) {
    v.push('the operation requires a body');
  }
  return { op: found, pathValues, body, violations: v, status: v.length ? 422 : 0 };
}

// ---- the issues ----
const repos = new Map(args.repo.map((r) => [r.toLowerCase(), { name: r, issues: [], next: 1 }]));
let ids = 1000;
const base = () => `http://${hostport}`;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const user = (login) => ({
  login, id: 1, node_id: 'MDQ6VXNlcjE=', avatar_url: `https://avatars.example/u/1`, gravatar_id: '', url: `${base()}/users/${login}`,
  html_url: `https://github.example/${login}`, followers_url: `${base()}/users/${login}/followers`,
  following_url: `${base()}/users/${login}/following{/other_user}`, gists_url: `${base()}/users/${login}/gists{/gist_id}`,
  starred_url: `${base()}/users/${login}/starred{/owner}{/repo}`, subscriptions_url: `${base()}/users/${login}/subscriptions`,
  organizations_url: `${base()}/users/${login}/orgs`, repos_url: `${base()}/users/${login}/repos`,
  events_url: `${base()}/users/${login}/events{/privacy}`, received_events_url: `${base()}/users/${login}/received_events`,
  type: 'Bot', site_admin: false,
});
const label = (repo, name) => ({
  id: 1 + [...name].reduce((h, c) => (h * 31 + c.codePointAt(0)) % 1e9, 7), node_id: 'LA_' + Buffer.from(name).toString('base64'),
  url: `${base()}/repos/${repo.name}/labels/${encodeURIComponent(name)}`, name, description: null, color: 'ededed', default: false,
});
function issueObject(repo, i) {
  return {
    id: i.id, node_id: `I_${i.id}`, url: `${base()}/repos/${repo.name}/issues/${i.number}`,
    repository_url: `${base()}/repos/${repo.name}`, labels_url: `${base()}/repos/${repo.name}/issues/${i.number}/labels{/name}`,
    comments_url: `${base()}/repos/${repo.name}/issues/${i.number}/comments`, events_url: `${base()}/repos/${repo.name}/issues/${i.number}/events`,
    html_url: `https://github.example/${repo.name}/issues/${i.number}`, number: i.number, state: i.state, state_reason: i.state_reason,
    title: i.title, body: i.body, user: user('bulkhead-bot'), labels: i.labels.map((n) => label(repo, n)), assignee: null, assignees: [],
    milestone: null, locked: false, active_lock_reason: null, comments: 0, closed_at: i.closed_at, created_at: i.created_at,
    updated_at: i.updated_at, closed_by: null, author_association: 'NONE',
  };
}
function responseSchema(op, status) {
  const r = deref(op.op.responses[String(status)]);
  return r && r.content && r.content['application/json'] ? r.content['application/json'].schema : null;
}

const log = (o) => appendFileSync(args.log, JSON.stringify(o) + '\n');
let seq = 0, limited = { count: 0, kind: 'primary' };

function send(res, status, obj, headers = {}) {
  const text = obj === undefined ? '' : JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-GitHub-Media-Type': 'github.v3; format=json', ...headers });
  res.end(text);
}

function handle(req, res, url, raw) {
  if (url.pathname === '/_standin/issues') {
    return send(res, 200, Object.fromEntries([...repos.values()].map((r) => [r.name, r.issues.map((i) => issueObject(r, i))])));
  }
  if (url.pathname === '/_standin/ratelimit') {
    limited = { count: Number(url.searchParams.get('count') || 1), kind: url.searchParams.get('kind') || 'primary' };
    return send(res, 200, limited);
  }
  const entry = { seq: ++seq, t: Date.now() / 1000, method: req.method, path: url.pathname, query: url.search };
  const c = check(req, url, raw);
  entry.operation = c.op ? c.op.op.operationId : null;
  entry.violations = c.violations;
  if (c.body !== undefined) entry.body = c.body;
  const answer = (status, obj, headers) => {
    entry.status = status;
    if (c.op && obj !== undefined && status < 300) {
      const schema = responseSchema(c.op, status), e = [];
      if (!schema) e.push(`no ${status} JSON response in the description`);
      else validate(schema, obj, 'response', e, false);
      if (e.length) entry.standin_errors = e;
    }
    log(entry);
    send(res, status, obj, headers);
  };
  if (c.status === 401) return answer(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
  if (c.status === 404) return answer(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  if (c.status === 422) {
    return answer(422, { message: 'Validation Failed', errors: c.violations.map((m) => ({ resource: 'Issue', code: 'invalid', message: m })),
      documentation_url: 'https://docs.github.com/rest', status: '422' });
  }
  if (limited.count > 0) {
    limited.count--;
    entry.rate_limited = limited.kind;
    if (limited.kind === 'secondary') return answer(429, { message: 'You have exceeded a secondary rate limit.', documentation_url: 'https://docs.github.com/rest' }, { 'Retry-After': '2' });
    return answer(403, { message: 'API rate limit exceeded for installation.', documentation_url: 'https://docs.github.com/rest' },
      { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 2) });
  }
  const pv = c.pathValues;
  const repo = pv && pv.owner ? repos.get(`${pv.owner}/${pv.repo}`.toLowerCase()) : null;
  const id = c.op.op.operationId;
  if (!repo) return answer(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  if (id === 'issues/list-for-repo') {
    const q = url.searchParams, state = q.get('state') || 'open';
    const want = (q.get('labels') || '').split(',').filter(Boolean);
    let list = repo.issues.filter((i) => (state === 'all' || i.state === state) && want.every((w) => i.labels.includes(w)));
    list = list.slice().sort((a, b) => b.number - a.number); // sort=created, direction=desc: GitHub's default
    if (q.get('direction') === 'asc') list.reverse();
    const per = Math.min(Number(q.get('per_page') || 30), 100), page = Math.max(Number(q.get('page') || 1), 1);
    const last = Math.max(1, Math.ceil(list.length / per));
    const link = (p, rel) => { const u = new URL(url.href); u.searchParams.set('page', String(p)); return `<${base()}${u.pathname}${u.search}>; rel="${rel}"`; };
    const links = [];
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    return answer(200, list.slice((page - 1) * per, page * per).map((i) => issueObject(repo, i)), links.length ? { Link: links.join(', ') } : {});
  }
  if (id === 'issues/create') {
    const b = c.body, t = now();
    const i = { id: ++ids, number: repo.next++, title: String(b.title), body: b.body ?? null, state: 'open', state_reason: null,
      labels: [...new Set((b.labels || []).map((l) => (typeof l === 'string' ? l : l.name)))], closed_at: null, created_at: t, updated_at: t };
    repo.issues.push(i);
    const o = issueObject(repo, i);
    return answer(201, o, { Location: o.url });
  }
  const issue = pv.issue_number ? repo.issues.find((i) => i.number === Number(pv.issue_number)) : null;
  if (id === 'issues/get' || id === 'issues/update') {
    if (!issue) return answer(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    if (id === 'issues/update') {
      const b = c.body || {};
      if (b.title !== undefined && b.title !== null) issue.title = String(b.title);
      if (b.body !== undefined) issue.body = b.body;
      if (b.labels) issue.labels = [...new Set(b.labels.map((l) => (typeof l === 'string' ? l : l.name)))];
      if (b.state && b.state !== issue.state) {
        issue.state = b.state;
        issue.state_reason = b.state === 'closed' ? (b.state_reason || 'completed') : 'reopened';
        issue.closed_at = b.state === 'closed' ? now() : null;
      }
      issue.updated_at = now();
    }
    return answer(200, issueObject(repo, issue));
  }
  entry.violations = [...entry.violations];
  entry.unimplemented = true;
  return answer(501, { message: `${id} is not implemented by the stand-in` });
}

let hostport = '';
const server = createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (d) => { size += d.length; if (size <= (4 << 20)) chunks.push(d); });
  req.on('end', () => {
    const url = new URL(req.url, `http://${req.headers.host || hostport}`);
    try {
      handle(req, res, url, Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      log({ seq: ++seq, method: req.method, path: url.pathname, standin_errors: [String(e.stack || e)], violations: [] });
      send(res, 500, { message: 'stand-in error' });
    }
  });
});
server.listen(Number(args.port || 0), '127.0.0.1', () => {
  hostport = `127.0.0.1:${server.address().port}`;
  log({ started: true, description: `@octokit/openapi ${specVersion} generated/api.github.com.json`, operations: ops.length });
  writeFileSync(args['port-file'], String(server.address().port));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

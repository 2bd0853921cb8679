// gitlab_standin.mjs - a local stand-in for GitLab's REST API v4 (project issues) for
// tests/e2e/tracker-gitlab.sh: every request is checked against GitLab's published API description,
// an unmodified extract of doc/api/openapi/openapi_v2.yaml (Swagger 2.0) kept beside this file as
// gitlab-openapi-issues.yaml (GitLab publishes no package of it): the operation by method and path
// template, path and query parameters (type, int32 range, enum, csv arrays, nothing undeclared,
// nothing twice), the JSON body against the operation's body schema (required fields, types, enums,
// no field it does not declare), Content-Type and Accept against consumes/produces, and the token
// against securityDefinitions (PRIVATE-TOKEN). Two limits GitLab documents in doc/api/issues.md but
// the description does not state are checked too (title 255, description 1,048,576 characters). A
// request that fails a check is answered 400 (401 for the token, 404 for a path or method the
// description does not have), logged as a violation, and makes the stand-in exit 1 when it stops.
//
// Issues live in memory per project, numbered by iid; answers are issue objects as GitLab sends them
// (doc/api/issues.md), checked against the description's API_Entities_Issue (a mistake of the
// stand-in is logged as standin_errors and also makes it exit 1) with these stated allowances,
// where the generated description is looser than GitLab's answers: a list answer is a JSON list of
// API_Entities_Issue (the description names the entity, not the list); null is accepted for a
// property the schema does not require (Swagger 2.0 cannot say nullable); a property typed only
// `type: string` (no format, example, enum or description: the generator's default for an
// undocumented field) accepts any value; and an array is accepted where the schema gives a single
// $ref'd object (assignees), each item checked against it. Lists are paged as GitLab pages them:
// X-Page, X-Per-Page, X-Next-Page (empty on the last page), X-Prev-Page, X-Total, X-Total-Pages
// and Link.
//
//   node gitlab_standin.mjs --port-file F --log F.jsonl --token T --project group/project [--project ...]
//        [--port N] [--page-cap N]
//   --page-cap N answers at most N issues a page, as if per_page were lower, so a test with few
//   issues still walks several pages.
//
// Control routes for the test, outside the API (never checked, never logged as requests):
//   GET  /_standin/issues                      every issue, {"group/project": [issue, ...]}
//   POST /_standin/ratelimit?count=N&kind=retry-after|reset   the next N API requests are refused
//                                              as GitLab's rate limits refuse them: 429 with
//                                              RateLimit-* headers, and Retry-After (retry-after) or
//                                              not (reset: only RateLimit-Reset says when)
//   POST /_standin/fail?count=N&status=S       the next N API requests are answered S (a 5xx)
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const args = { project: [] };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, ''), v = process.argv[i + 1];
  if (k === 'project') args.project.push(v); else args[k] = v;
}
const require = createRequire(import.meta.url);
const YAML = require('yaml');
const here = dirname(fileURLToPath(import.meta.url));
const specText = readFileSync(join(here, 'gitlab-openapi-issues.yaml'), 'utf8');
const spec = YAML.parse(specText);
const specCommit = (specText.match(/^#\s+commit:\s+([0-9a-f]{40})$/m) || [])[1] || 'unknown';
// limits doc/api/issues.md states and the description does not
const TITLE_MAX_CHARS = 255;
const DESCRIPTION_MAX_CHARS = 1048576;
const PER_PAGE_MAX = 100; // GitLab's cap on per_page
const INT32_MAX = 2147483647;

// ---- the description: operations by method and path template ----
const ops = [];
for (const [tpl, item] of Object.entries(spec.paths)) {
  const names = [];
  const re = new RegExp('^' + tpl.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\\{([^}]+)\\\}|\{([^}]+)\}/g, (_, a, b) => {
    names.push(a || b); return '([^/]+)';
  }) + '$');
  for (const m of ['get', 'post', 'put', 'patch', 'delete']) {
    if (item[m]) ops.push({ tpl, method: m.toUpperCase(), re, names, op: item[m] });
  }
}

function deref(o) {
  let guard = 0;
  while (o && o.$ref) {
    if (++guard > 50) throw new Error('$ref loop');
    const m = o.$ref.match(/^#\/definitions\/(.+)$/);
    if (!m || !spec.definitions[m[1]]) throw new Error(`unresolved $ref ${o.$ref}`);
    o = spec.definitions[m[1]];
  }
  return o;
}

// ---- a validator for the Swagger 2.0 schema subset the extract uses ----
// strict (requests): a property the schema does not declare is an error too (GitLab would drop a
// misspelt field without a word; the test wants to know). loose (the stand-in's own answers): the
// allowances of the header comment.
function typeOk(t, v) {
  switch (t) {
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    default: return true;
  }
}
const bareString = (s) => s.type === 'string' && !s.format && s.example === undefined && !s.enum && !s.description;
function formatOk(s, v, at, errs) {
  if (s.format === 'int32' && Number.isInteger(v) && (v > INT32_MAX || v < -INT32_MAX - 1)) errs.push(`${at}: ${v} is out of int32's range`);
  if (s.format === 'date-time' && typeof v === 'string' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/.test(v)) errs.push(`${at}: ${JSON.stringify(v)} is not a date-time`);
  if (s.format === 'date' && typeof v === 'string' && !/^\d{4}-\d\d-\d\d$/.test(v)) errs.push(`${at}: ${JSON.stringify(v)} is not a date`);
}
function validate(schema, v, at, errs, strict, required = true) {
  const wasRef = !!(schema && schema.$ref);
  schema = deref(schema);
  if (!schema || typeof schema !== 'object') return;
  if (v === null) {
    if (!strict && !required) return;
    errs.push(`${at}: null is not allowed`);
    return;
  }
  if (!strict && bareString(schema)) return;
  if (!strict && wasRef && schema.type === 'object' && Array.isArray(v)) {
    v.forEach((x, i) => validate(schema, x, `${at}[${i}]`, errs, strict));
    return;
  }
  if (schema.type && !typeOk(schema.type, v)) { errs.push(`${at}: ${JSON.stringify(v).slice(0, 40)} is not of type ${schema.type}`); return; }
  if (schema.enum && !schema.enum.includes(v)) errs.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
  formatOk(schema, v, at, errs);
  if (Array.isArray(v) && schema.items) v.forEach((x, i) => validate(schema.items, x, `${at}[${i}]`, errs, strict));
  if (typeOk('object', v) && (schema.type === 'object' || schema.properties)) {
    const props = schema.properties || {}, req = schema.required || [];
    for (const r of req) if (!(r in v)) errs.push(`${at}: required property ${r} is missing`);
    for (const [k, x] of Object.entries(v)) {
      if (props[k]) validate(props[k], x, `${at}.${k}`, errs, strict, req.includes(k));
      else if (strict || schema.additionalProperties === false) errs.push(`${at}: property ${k} is not in the description`);
    }
  }
}

// A query or path value (a string) against its Swagger 2.0 parameter.
function paramOk(p, raw, errs) {
  const where = `${p.in} parameter ${p.name}`;
  const one = (s, x, w) => {
    if (s.type === 'integer') {
      if (!/^-?\d+$/.test(x)) return errs.push(`${w}: ${JSON.stringify(x)} is not an integer`);
      if (s.format === 'int32' && Math.abs(Number(x)) > INT32_MAX) return errs.push(`${w}: ${x} is out of int32's range`);
    }
    if (s.type === 'boolean' && !/^(true|false)$/.test(x)) return errs.push(`${w}: ${JSON.stringify(x)} is not a boolean`);
    if (s.format === 'date-time' && !/^\d{4}-\d\d-\d\d/.test(x)) return errs.push(`${w}: ${JSON.stringify(x)} is not a date-time`);
    if (s.enum && !s.enum.map(String).includes(x)) errs.push(`${w}: ${JSON.stringify(x)} is not one of ${JSON.stringify(s.enum)}`);
  };
  if (p.type === 'array') {
    // collectionFormat csv, Swagger 2.0's default
    raw.split(',').forEach((x, i) => one(p.items || {}, x, `${where}[${i}]`));
  } else {
    one(p, raw, where);
  }
}

const mediaOk = (header, want) => !header || header.split(',').map((s) => s.trim().split(';')[0]).some((m) => m === want || m === '*/*' || m === 'application/*');

// Checks one request; returns {op, pathValues, body, violations, status}.
function check(req, url, raw) {
  const v = [];
  const found = ops.find((o) => o.method === req.method && o.re.test(url.pathname));
  if (!found) {
    const anyMethod = ops.find((o) => o.re.test(url.pathname));
    return { violations: [`${req.method} ${url.pathname}: ${anyMethod ? 'method not in the description' : 'no such path in the description'}`], status: 404 };
  }
  const m = url.pathname.match(found.re);
  const pathValues = {};
  found.names.forEach((n, i) => {
    try { pathValues[n] = decodeURIComponent(m[i + 1]); } catch { v.push(`path parameter ${n}: ${m[i + 1]} is not percent-encoded well`); pathValues[n] = m[i + 1]; }
  });
  const params = found.op.parameters || [];
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
  // securityDefinitions: the token in PRIVATE-TOKEN (private_token in the query leaks it to logs: not accepted here)
  const tok = req.headers['private-token'];
  if (tok !== args.token) {
    return { op: found, violations: [`PRIVATE-TOKEN: ${tok ? 'not the token given' : 'missing'}`], status: 401 };
  }
  if (!mediaOk(req.headers.accept, 'application/json')) v.push(`Accept: ${JSON.stringify(req.headers.accept)} does not take application/json (produces)`);
  // the body
  let body;
  const bp = params.find((p) => p.in === 'body');
  if (raw.length) {
    if (!bp) v.push('a body was sent to an operation that takes none');
    else if (!(found.op.consumes || []).some((c) => (req.headers['content-type'] || '').split(';')[0].trim() === c))
      v.push(`Content-Type: ${JSON.stringify(req.headers['content-type'] || '')} is not one of ${JSON.stringify(found.op.consumes || [])}`);
    else {
      try { body = JSON.parse(raw); } catch (e) { v.push(`the body is not JSON: ${e.message}`); }
      if (body !== undefined) {
        validate(bp.schema, body, 'body', v, true);
        if (body && typeof body.title === 'string' && [...body.title].length > TITLE_MAX_CHARS)
          v.push(`body.title: longer than ${TITLE_MAX_CHARS} characters (doc/api/issues.md, not in the description)`);
        if (body && typeof body.description === 'string' && [...body.description].length > DESCRIPTION_MAX_CHARS)
          v.push(`body.description: longer than ${DESCRIPTION_MAX_CHARS} characters (doc/api/issues.md, not in the description)`);
      }
    }
  } else if (bp && bp.required) {
    v.push('the operation requires a body');
  }
  return { op: found, pathValues, body, violations: v, status: v.length ? 400 : 0 };
}

// ---- the projects and their issues ----
const projects = new Map();
args.project.forEach((p, i) => projects.set(p.toLowerCase(), { path: p, id: 100 + i, issues: [], next: 1 }));
let ids = 5000;
const base = () => `http://${hostport}`;
const now = () => new Date().toISOString();
const bot = () => ({
  id: 42, username: 'project_100_bot_bulkhead', public_email: null, name: 'bulkhead bot', state: 'active', locked: false,
  avatar_url: null, web_url: `${base()}/project_100_bot_bulkhead`,
});
function issueObject(p, i) {
  const web = `${base()}/${p.path}/-/issues/${i.iid}`;
  return {
    id: i.id, iid: i.iid, project_id: p.id, title: i.title, description: i.description, state: i.state,
    created_at: i.created_at, updated_at: i.updated_at, closed_at: i.closed_at, closed_by: i.state === 'closed' ? bot() : null,
    labels: i.labels, milestone: null, assignees: [], author: bot(), type: 'ISSUE', assignee: null, user_notes_count: 0,
    merge_requests_count: 0, upvotes: 0, downvotes: 0, start_date: null, due_date: null, confidential: false,
    discussion_locked: null, issue_type: 'issue', web_url: web,
    time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
    task_completion_status: { count: 0, completed_count: 0 }, has_tasks: false, task_status: '0 of 0 checklist items completed',
    _links: {
      self: `${base()}/api/v4/projects/${p.id}/issues/${i.iid}`, notes: `${base()}/api/v4/projects/${p.id}/issues/${i.iid}/notes`,
      award_emoji: `${base()}/api/v4/projects/${p.id}/issues/${i.iid}/award_emoji`, project: `${base()}/api/v4/projects/${p.id}`,
      closed_as_duplicate_of: null,
    },
    references: { short: `#${i.iid}`, relative: `#${i.iid}`, full: `${p.path}#${i.iid}` },
    severity: 'UNKNOWN', moved_to_id: null, imported: false, imported_from: 'none', service_desk_reply_to: null,
  };
}
const labelList = (l) => [...new Set((Array.isArray(l) ? l : String(l).split(',')).map((x) => String(x).trim()).filter(Boolean))];

const log = (o) => appendFileSync(args.log, JSON.stringify(o) + '\n');
let seq = 0, limited = { count: 0, kind: 'retry-after' }, failing = { count: 0, status: 500 };
let violations = 0, standinErrors = 0;

function send(res, status, obj, headers = {}) {
  const text = obj === undefined ? '' : JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(text);
}

function handle(req, res, url, raw) {
  if (url.pathname === '/_standin/issues') {
    return send(res, 200, Object.fromEntries([...projects.values()].map((p) => [p.path, p.issues.map((i) => issueObject(p, i))])));
  }
  if (url.pathname === '/_standin/ratelimit') {
    limited = { count: Number(url.searchParams.get('count') || 1), kind: url.searchParams.get('kind') || 'retry-after' };
    return send(res, 200, limited);
  }
  if (url.pathname === '/_standin/fail') {
    failing = { count: Number(url.searchParams.get('count') || 1), status: Number(url.searchParams.get('status') || 500) };
    return send(res, 200, failing);
  }
  const entry = { seq: ++seq, t: Date.now() / 1000, method: req.method, path: url.pathname, query: url.search };
  const c = check(req, url, raw);
  entry.operation = c.op ? c.op.op.operationId : null;
  entry.violations = c.violations;
  violations += c.violations.length;
  if (c.body !== undefined) entry.body = c.body;
  const answer = (status, obj, headers, list) => {
    entry.status = status;
    if (c.op && obj !== undefined && status < 300) {
      const r = c.op.op.responses[String(status)], e = [];
      if (!r || !r.schema) e.push(`no ${status} response schema in the description`);
      else if (list) {
        if (!Array.isArray(obj)) e.push('response: a list answer that is not a list');
        else obj.forEach((x, i) => validate(r.schema, x, `response[${i}]`, e, false));
      } else validate(r.schema, obj, 'response', e, false);
      if (e.length) { entry.standin_errors = e; standinErrors += e.length; }
    }
    log(entry);
    send(res, status, obj, headers);
  };
  if (c.status === 401) return answer(401, { message: '401 Unauthorized' });
  if (c.status === 404) return answer(404, { error: '404 Not Found' });
  if (c.status === 400) return answer(400, { error: c.violations.join('; ') });
  if (failing.count > 0) {
    failing.count--;
    entry.failed = failing.status;
    return answer(failing.status, { message: `${failing.status} Internal Server Error` });
  }
  if (limited.count > 0) {
    limited.count--;
    entry.rate_limited = limited.kind;
    const reset = Math.floor(Date.now() / 1000) + 2;
    const h = { 'RateLimit-Name': 'throttle_authenticated_api', 'RateLimit-Limit': '60', 'RateLimit-Observed': '61',
      'RateLimit-Remaining': '0', 'RateLimit-Reset': String(reset), 'RateLimit-ResetTime': new Date(reset * 1000).toUTCString() };
    if (limited.kind === 'retry-after') h['Retry-After'] = '2';
    res.writeHead(429, { 'Content-Type': 'text/plain', ...h });
    entry.status = 429;
    log(entry);
    return res.end('Retry later\n');
  }
  const pv = c.pathValues;
  const p = projects.get(String(pv.id).toLowerCase()) || [...projects.values()].find((x) => String(x.id) === pv.id);
  if (!p) return answer(404, { message: '404 Project Not Found' });
  const id = c.op.op.operationId;
  if (id === 'getApiV4ProjectsIdIssues') {
    const q = url.searchParams, state = q.get('state') || 'all';
    const want = labelList(q.get('labels') || '');
    let list = p.issues.filter((i) => (state === 'all' || i.state === state) && want.every((w) => i.labels.includes(w)));
    list = list.slice().sort((a, b) => (q.get('sort') === 'asc' ? a.id - b.id : b.id - a.id)); // order_by=created_at, sort=desc
    const per = Math.min(Number(q.get('per_page') || 20), PER_PAGE_MAX, Number(args['page-cap'] || PER_PAGE_MAX));
    const page = Math.max(Number(q.get('page') || 1), 1);
    const pages = Math.max(1, Math.ceil(list.length / per));
    const link = (n, rel) => { const u = new URL(url.href); u.searchParams.set('page', String(n)); return `<${base()}${u.pathname}${u.search}>; rel="${rel}"`; };
    const links = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < pages) links.push(link(page + 1, 'next'));
    links.push(link(1, 'first'), link(pages, 'last'));
    return answer(200, list.slice((page - 1) * per, page * per).map((i) => issueObject(p, i)), {
      'X-Page': String(page), 'X-Per-Page': String(per), 'X-Next-Page': page < pages ? String(page + 1) : '',
      'X-Prev-Page': page > 1 ? String(page - 1) : '', 'X-Total': String(list.length), 'X-Total-Pages': String(pages), Link: links.join(', '),
    }, true);
  }
  if (id === 'postApiV4ProjectsIdIssues') {
    const b = c.body, t = now();
    const i = { id: ++ids, iid: p.next++, title: String(b.title).trim(), description: b.description ?? null, state: 'opened',
      labels: b.labels ? labelList(b.labels) : [], closed_at: null, created_at: t, updated_at: t };
    p.issues.push(i);
    return answer(201, issueObject(p, i));
  }
  if (id === 'putApiV4ProjectsIdIssuesIssueIid') {
    const issue = p.issues.find((i) => i.iid === Number(pv.issue_iid));
    if (!issue) return answer(404, { message: '404 Issue Not Found' });
    const b = c.body || {};
    // GitLab: at least one of the updatable parameters
    if (!Object.keys(b).length) return answer(400, { error: 'at least one parameter must be provided' });
    if (b.title !== undefined) issue.title = String(b.title).trim();
    if (b.description !== undefined) issue.description = b.description;
    if (b.labels !== undefined) issue.labels = labelList(b.labels);
    if (b.state_event === 'close' && issue.state !== 'closed') { issue.state = 'closed'; issue.closed_at = now(); }
    if (b.state_event === 'reopen' && issue.state !== 'opened') { issue.state = 'opened'; issue.closed_at = null; }
    issue.updated_at = now();
    return answer(200, issueObject(p, issue));
  }
  entry.unimplemented = true;
  standinErrors++;
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
      standinErrors++;
      log({ seq: ++seq, method: req.method, path: url.pathname, standin_errors: [String(e.stack || e)], violations: [] });
      send(res, 500, { message: 'stand-in error' });
    }
  });
});
server.listen(Number(args.port || 0), '127.0.0.1', () => {
  hostport = `127.0.0.1:${server.address().port}`;
  log({ started: true, description: `gitlab-openapi-issues.yaml, extract of gitlabhq/gitlabhq doc/api/openapi/openapi_v2.yaml at ${specCommit}`,
    operations: ops.map((o) => o.op.operationId) });
  writeFileSync(args['port-file'], String(server.address().port));
});
// the verdict: exit 1 when any request broke the description or the stand-in broke it
process.on('SIGTERM', () => server.close(() => {
  log({ stopped: true, violations, standin_errors: standinErrors });
  process.exit(violations || standinErrors ? 1 : 0);
}));

// `serve`: the AuthZEN PDP in front of an engine, checked against the AuthZEN Authorization
// API 1.0 text field by field: response shapes, evaluations defaults and semantics, errors
// (400 with a message, never a 500 with a stack), X-Request-ID, the metadata document, and
// search answered as unsupported. The engine behind it is the real reference engine loaded
// with the AuthZEN Todo scenario.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRequest } from '../../src/core/request.ts';
import { startAuthzenServer, type AuthzenServer, type Decider } from '../../src/serve/server.ts';
import { loadBundledScenarios } from '../../src/scenario/load.ts';
import { loadScenario } from '../../src/serve/command.ts';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { startEngine } from '../helpers/engines.ts';

// Todo personas (subjects.json): Rick is admin and evil genius, Jerry a viewer.
const RICK = { type: 'user', id: 'CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs' };
const JERRY = { type: 'user', id: 'CiRmZDQ2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs' };
const TODO = { type: 'todo', id: 'todo-1' };
const READ = { name: 'can_read_todos' };
const DELETE = { name: 'can_delete_todo' };

let engine: EngineAdapter;
let server: AuthzenServer;
/** Every request the engine received, to see what the PDP asked it. */
const asked: CheckRequest[][] = [];

beforeAll(async () => {
  engine = await startEngine('reference');
  const [todo] = await loadBundledScenarios(['authzen-todo']);
  await loadScenario(engine, todo!);
  const recording: Decider = {
    check: (request) => {
      asked.push([request]);
      return engine.check(request);
    },
    checkBatch: (requests) => {
      asked.push(requests);
      return engine.checkBatch(requests);
    },
  };
  server = await startAuthzenServer(recording);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await engine?.stop();
});

interface Answer {
  status: number;
  type: string;
  requestId: string | null;
  text: string;
  json?: unknown;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, type, requestId: response.headers.get('x-request-id'), text, ...(type.startsWith('application/json') ? { json: JSON.parse(text) as unknown } : {}) };
}

const evaluation = (body: unknown, headers?: Record<string, string>) => post('/access/v1/evaluation', body, headers);
const evaluations = (body: unknown, headers?: Record<string, string>) => post('/access/v1/evaluations', body, headers);

describe('Access Evaluation API', () => {
  it('answers 200, application/json, a boolean decision, and a Reason Object in context', async () => {
    const allow = await evaluation({ subject: RICK, action: DELETE, resource: TODO });
    expect(allow.status).toBe(200);
    expect(allow.type).toMatch(/^application\/json/);
    const body = allow.json as { decision: unknown; context?: { id?: unknown; reason_admin?: Record<string, unknown> } };
    expect(body.decision).toBe(true);
    expect(typeof body.context?.id).toBe('string');
    expect(body.context?.reason_admin?.en).toMatch(/todo:todo-1#can_delete_todo/);
    const deny = await evaluation({ subject: JERRY, action: DELETE, resource: TODO });
    expect((deny.json as { decision: unknown }).decision).toBe(false);
  });

  it('passes properties and context to the engine unchanged and ignores unknown members', async () => {
    asked.length = 0;
    const subject = { ...JERRY, properties: { department: 'Sales' } };
    const answer = await evaluation({
      subject,
      action: { ...READ, properties: { method: 'GET' } },
      resource: TODO,
      context: { time: '2025-06-27T18:03-07:00' },
      foo: 'bar',
      futureField: { nested: true },
    });
    expect(answer.status).toBe(200);
    expect((answer.json as { decision: unknown }).decision).toBe(true);
    expect(asked).toEqual([[{ subject, action: { ...READ, properties: { method: 'GET' } }, resource: TODO, context: { time: '2025-06-27T18:03-07:00' } }]]);
  });

  it('echoes X-Request-ID, and gives one when the request has none', async () => {
    expect((await evaluation({ subject: RICK, action: READ, resource: TODO }, { 'x-request-id': 'bfe9eb29-ab87' })).requestId).toBe('bfe9eb29-ab87');
    expect((await evaluation({ subject: RICK, action: READ, resource: TODO })).requestId).toMatch(/^[0-9a-f-]{36}$/);
    // errors too
    expect((await evaluation({}, { 'x-request-id': 'err-1' })).requestId).toBe('err-1');
  });

  it.each([
    ['missing subject', { action: READ, resource: TODO }, 'subject: required'],
    ['missing action', { subject: RICK, resource: TODO }, 'action: required'],
    ['missing resource', { subject: RICK, action: READ }, 'resource: required'],
    ['subject without type', { subject: { id: 'alice' }, action: READ, resource: TODO }, 'subject.type: required'],
    ['subject without id', { subject: { type: 'user' }, action: READ, resource: TODO }, 'subject.id: required'],
    ['action without name', { subject: RICK, action: {}, resource: TODO }, 'action.name: required'],
    ['resource without type', { subject: RICK, action: READ, resource: { id: 'todo-1' } }, 'resource.type: required'],
    ['resource without id', { subject: RICK, action: READ, resource: { type: 'todo' } }, 'resource.id: required'],
    ['subject as a string', { subject: 'alice', action: READ, resource: TODO }, 'subject: expected an object, got a string'],
    ['action.name as a number', { subject: RICK, action: { name: 123 }, resource: TODO }, 'action.name: expected a string, got a number'],
    ['subject.id empty', { subject: { type: 'user', id: '' }, action: READ, resource: TODO }, 'subject.id: must not be empty'],
    ['properties as an array', { subject: { ...RICK, properties: [1] }, action: READ, resource: TODO }, 'subject.properties: expected an object, got an array'],
    ['context as a string', { subject: RICK, action: READ, resource: TODO, context: 'now' }, 'context: expected an object, got a string'],
    ['a JSON array', [], 'request body: expected a JSON object, got an array'],
    ['JSON null', null, 'request body: expected a JSON object, got null'],
    ['bad JSON', '{"subject": ', 'request body: not valid JSON'],
    ['an empty body', '', 'request body: empty'],
  ])('400 with a message naming the member: %s', async (_name, body, message) => {
    const answer = await evaluation(body);
    expect(answer.status).toBe(400);
    expect(answer.type).toMatch(/^text\/plain/);
    expect(answer.text).toContain(message);
    expect(answer.text).not.toMatch(/\n\s+at /); // no stack
  });

  it('names every problem of a request at once', async () => {
    const answer = await evaluation({ subject: { type: 1 }, action: [], resource: { type: 'todo' } });
    expect(answer.text).toBe('subject.type: expected a string, got a number; subject.id: required; action: expected an object, got an array; resource.id: required');
  });

  it('400 for a Content-Type other than application/json', async () => {
    const answer = await evaluation(JSON.stringify({ subject: RICK, action: READ, resource: TODO }), { 'content-type': 'text/plain' });
    expect(answer.status).toBe(400);
    expect(answer.text).toBe('Content-Type must be application/json, got "text/plain"');
  });

  it('a failing engine is a 500 with a message, not a stack', async () => {
    const failing: Decider = { check: async () => ({ allowed: false, error: 'store unavailable' }), checkBatch: async (r) => r.map(() => ({ allowed: false, error: 'store unavailable' })) };
    const throwing: Decider = { check: async () => Promise.reject(new Error('boom')), checkBatch: async () => Promise.reject(new Error('boom')) };
    for (const [decider, message] of [
      [failing, 'the engine could not decide: store unavailable'],
      [throwing, 'internal error: boom'],
    ] as const) {
      const pdp = await startAuthzenServer(decider);
      try {
        const answer = await fetch(`${pdp.url}/access/v1/evaluation`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ subject: RICK, action: READ, resource: TODO }),
        });
        expect(answer.status).toBe(500);
        expect(await answer.text()).toBe(message);
      } finally {
        await pdp.close();
      }
    }
  });
});

describe('Access Evaluations API', () => {
  const decisions = (answer: Answer) => (answer.json as { evaluations: { decision: boolean }[] }).evaluations.map((e) => e.decision);

  it('merges top-level defaults into each item (an item entity replaces the default; type and id fall back), in order', async () => {
    asked.length = 0;
    const answer = await evaluations({
      subject: RICK,
      action: READ,
      context: { time: 'default' },
      evaluations: [{ resource: TODO }, { resource: TODO, action: DELETE, context: { time: 'own' } }, { resource: TODO, subject: JERRY, action: DELETE }],
    });
    expect(answer.status).toBe(200);
    expect(decisions(answer)).toEqual([true, true, false]);
    expect(answer.json).not.toHaveProperty('decision');
    expect(asked).toEqual([
      [
        { subject: RICK, action: READ, resource: TODO, context: { time: 'default' } },
        { subject: RICK, action: DELETE, resource: TODO, context: { time: 'own' } },
        { subject: JERRY, action: DELETE, resource: TODO, context: { time: 'default' } },
      ],
    ]);
    // an item's entity without an id takes the default's id; its properties replace the default's
    asked.length = 0;
    await evaluations({ subject: RICK, action: READ, resource: { type: 'todo', properties: { a: 1 } }, evaluations: [{ resource: { id: 'todo-1', properties: { b: 2 } } }] });
    expect(asked[0]![0]!.resource).toEqual({ type: 'todo', id: 'todo-1', properties: { b: 2 } });
  });

  it('execute_all (the default) sends the valid items to the engine as one batch and answers every item', async () => {
    asked.length = 0;
    const answer = await evaluations({
      subject: JERRY,
      resource: TODO,
      options: { evaluations_semantic: 'execute_all' },
      evaluations: [{ action: DELETE }, { action: READ }, { action: DELETE }],
    });
    expect(decisions(answer)).toEqual([false, true, false]);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toHaveLength(3);
  });

  it('deny_on_first_deny stops after the first deny, which it includes', async () => {
    const answer = await evaluations({
      subject: JERRY,
      resource: TODO,
      options: { evaluations_semantic: 'deny_on_first_deny' },
      evaluations: [{ action: READ }, { action: DELETE }, { action: READ }],
    });
    expect(decisions(answer)).toEqual([true, false]);
  });

  it('permit_on_first_permit stops after the first permit, which it includes', async () => {
    const answer = await evaluations({
      subject: JERRY,
      resource: TODO,
      options: { evaluations_semantic: 'permit_on_first_permit' },
      evaluations: [{ action: DELETE }, { action: READ }, { action: DELETE }],
    });
    expect(decisions(answer)).toEqual([false, true]);
    const none = await evaluations({ subject: JERRY, resource: TODO, options: { evaluations_semantic: 'permit_on_first_permit' }, evaluations: [{ action: DELETE }, { action: DELETE }] });
    expect(decisions(none)).toEqual([false, false]);
  });

  it('an incomplete item is an item-level error (decision false, context.error 400); the others are decided', async () => {
    const answer = await evaluations({ subject: RICK, action: READ, evaluations: [{ resource: TODO }, {}] });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      evaluations: [expect.objectContaining({ decision: true }), { decision: false, context: { error: { status: 400, message: 'evaluations[1].resource: required' } } }],
    });
    // an error is a deny for deny_on_first_deny
    const stopped = await evaluations({ subject: RICK, action: READ, options: { evaluations_semantic: 'deny_on_first_deny' }, evaluations: [{}, { resource: TODO }] });
    expect(decisions(stopped)).toEqual([false]);
  });

  it('without evaluations (absent or empty) it is a single evaluation and answers as one', async () => {
    for (const extra of [{}, { evaluations: [] }]) {
      const answer = await evaluations({ subject: RICK, action: READ, resource: TODO, ...extra });
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ decision: true });
      expect(answer.json).not.toHaveProperty('evaluations');
    }
    expect((await evaluations({ subject: RICK, evaluations: [] })).text).toBe('action: required; resource: required');
  });

  it.each([
    ['evaluations not an array', { evaluations: { resource: TODO } }, 'evaluations: expected an array, got an object'],
    ['a default subject as a string', { subject: 'rick', evaluations: [{ action: READ, resource: TODO }] }, 'subject: expected an object, got a string'],
    [
      'an unknown semantic',
      { subject: RICK, action: READ, options: { evaluations_semantic: 'first' }, evaluations: [{ resource: TODO }] },
      'options.evaluations_semantic: expected one of execute_all, deny_on_first_deny, permit_on_first_permit, got "first"',
    ],
    ['options as an array', { options: [], evaluations: [{ subject: RICK, action: READ, resource: TODO }] }, 'options: expected an object, got an array'],
  ])('400 for a malformed payload: %s', async (_name, body, message) => {
    const answer = await evaluations(body);
    expect(answer.status).toBe(400);
    expect(answer.text).toBe(message);
  });
});

describe('search, where the engine can search (the reference engine)', () => {
  let direct: AuthzenServer;
  beforeAll(async () => {
    direct = await startAuthzenServer(engine);
  });
  afterAll(async () => {
    await direct?.close();
  });
  const search = async (entity: string, body: unknown) => {
    const response = await fetch(`${direct.url}/access/v1/search/${entity}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, text, json: response.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as unknown) : undefined };
  };

  it('advertises the three search endpoints', async () => {
    expect(await (await fetch(`${direct.url}/.well-known/authzen-configuration`)).json()).toMatchObject({
      search_subject_endpoint: `${direct.url}/access/v1/search/subject`,
      search_resource_endpoint: `${direct.url}/access/v1/search/resource`,
      search_action_endpoint: `${direct.url}/access/v1/search/action`,
    });
  });

  it('answers each search as a page of typed results, every result in one page; a page token is accepted and ignored', async () => {
    const actions = await search('action', { subject: JERRY, resource: TODO });
    expect(actions.status).toBe(200);
    expect(actions.json).toEqual({ results: [{ name: 'can_read_todos' }, { name: 'reader' }], page: { next_token: '' } });
    const resources = await search('resource', { subject: RICK, action: DELETE, resource: { type: 'todo' }, page: { token: 'x' } });
    const ids = (resources.json as { results: { type: string; id: string }[] }).results;
    expect(ids.every((r) => r.type === 'todo')).toBe(true);
    expect(ids.map((r) => r.id)).toContain('todo-1');
    const subjects = await search('subject', { subject: { type: 'user', id: 'ignored' }, action: DELETE, resource: TODO });
    expect((subjects.json as { results: { type: string; id: string }[] }).results).toEqual([RICK]);
  });

  it.each([
    ['subject', { action: READ, resource: TODO }, 'subject: required'],
    ['subject', { subject: { type: 'user' }, action: READ, resource: { type: 'todo' } }, 'resource.id: required'],
    ['resource', { action: READ, resource: { type: 'todo' } }, 'subject: required'],
    ['resource', { subject: { type: 'user' }, action: READ, resource: { type: 'todo' } }, 'subject.id: required'],
    ['resource', { subject: RICK, action: READ, resource: {} }, 'resource.type: required'],
    ['action', { subject: RICK }, 'resource: required'],
    ['action', { subject: RICK, resource: TODO, page: 'next' }, 'page: expected an object, got a string'],
  ])('400 for a malformed %s search', async (entity, body, message) => {
    const answer = await search(entity, body);
    expect(answer.status).toBe(400);
    expect(answer.text).toBe(message);
  });
});

describe('metadata, search and routing', () => {
  it('publishes the metadata document: its identifier and the endpoints it serves (no search behind an engine without it)', async () => {
    const response = await fetch(`${server.url}/.well-known/authzen-configuration`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      policy_decision_point: server.url,
      access_evaluation_endpoint: `${server.url}/access/v1/evaluation`,
      access_evaluations_endpoint: `${server.url}/access/v1/evaluations`,
    });
  });

  it.each(['subject', 'resource', 'action'])('search/%s behind an engine without search: 501, not advertised', async (entity) => {
    const answer = await post(`/access/v1/search/${entity}`, { subject: RICK, action: READ, resource: TODO }, { 'x-request-id': 's-1' });
    expect(answer.status).toBe(501);
    expect(answer.text).toContain('search is not supported by this PDP');
    expect(answer.requestId).toBe('s-1');
  });

  it('404 for an unknown path, 405 for a wrong method', async () => {
    expect((await post('/access/v2/evaluation', {})).status).toBe(404);
    const get = await fetch(`${server.url}/access/v1/evaluation`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('listens on 127.0.0.1 only', () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });
});

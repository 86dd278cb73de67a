// Group settings over the enqueue API (bearer auth, the validator of groups files) and the OpenAPI
// document of the whole API: a valid OpenAPI 3.0 structure, every route of the app in it and
// nothing else, and the API's answers match the schemas it declares.
import { expect } from 'chai';
import { Ajv } from 'ajv';
import type { Express } from 'express';
import { createApiApp, apiRouters, startApiServer, type ApiServer } from '../../../src/producers/api.ts';
import { openQueue } from '../../../src/shared/queue.ts';
import { QUEUE } from '../../../src/shared/queues.ts';
import { createRedis } from '../../../src/shared/redis.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

const TOKEN = 'groups-api-token';

type Json = Record<string, unknown>;

/** Every (method, path) the express app routes, paths in OpenAPI form (/x/{id}). */
function appRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Array<{ route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }>) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push(`${m.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      else if (layer.handle?.stack) walk(layer.handle.stack as never);
    }
  };
  walk((app as unknown as { router: { stack: never } }).router.stack);
  return out.sort();
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** The structure of an OpenAPI 3.0 document, as far as this API uses it. */
const OPENAPI_30 = {
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.0\\.\\d+$' },
    info: { type: 'object', required: ['title', 'version'], properties: { title: { type: 'string' }, version: { type: 'string' } } },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: [...METHODS, 'parameters', 'summary', 'description'] },
        additionalProperties: {
          type: 'object',
          required: ['responses'],
          properties: {
            parameters: {
              type: 'array',
              items: {
                type: 'object', required: ['name', 'in'],
                properties: { in: { enum: ['path', 'query', 'header', 'cookie'] }, required: { type: 'boolean' }, schema: { type: 'object' } },
              },
            },
            requestBody: { type: 'object', required: ['content'] },
            responses: {
              type: 'object', minProperties: 1, propertyNames: { pattern: '^([1-5][0-9][0-9]|default)$' },
              additionalProperties: { type: 'object', required: ['description'] },
            },
          },
        },
      },
    },
    components: { type: 'object', properties: { schemas: { type: 'object' }, securitySchemes: { type: 'object' } } },
  },
};

/** An OpenAPI 3.0 schema as JSON Schema: nullable → a null alternative, refs into #/definitions. */
function toJsonSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (!s || typeof s !== 'object') return s;
  const { nullable, ...rest } = s as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(rest)) out[k] = k === '$ref' ? String(v).replace('#/components/schemas/', '#/definitions/') : toJsonSchema(v);
  return nullable ? { anyOf: [{ type: 'null' }, out] } : out;
}

describe('enqueue API: group settings and the OpenAPI document', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let api: ApiServer;
  let base: string;
  let doc: Json;
  const ajv = new Ajv({ strict: false, allErrors: true });
  /** Checks `body` against a schema of the document's components. */
  const conforms = (name: string, body: unknown) => {
    const schemas = toJsonSchema((doc.components as Json).schemas) as Json;
    const validate = ajv.compile({ definitions: schemas, $ref: `#/definitions/${name}` });
    expect(validate(body), `${name}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
  };
  const call = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as Json };
  };

  before(async () => {
    env = await createTestEnv('grpapi', { overrides: { apiTokens: [TOKEN], apiPort: 0 } });
    api = await startApiServer(env.cfg, { pool: env.pool });
    base = `http://127.0.0.1:${api.port}`;
  });
  after(async () => {
    await api?.close();
    await env?.cleanup();
  });

  it('serves /v1/openapi.json without a token: a valid OpenAPI 3.0 document describing exactly the routes of the app', async () => {
    const r = await call('GET', '/v1/openapi.json', undefined, null);
    expect(r.status).to.equal(200);
    doc = r.body;
    const validate = ajv.compile(OPENAPI_30);
    expect(validate(doc), ajv.errorsText(validate.errors)).to.equal(true);
    // every $ref resolves, every path parameter is declared
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const m of refs) expect((doc.components as { schemas: Json }).schemas, m).to.have.property(m.split('/').pop()!.replace('"', ''));
    for (const [p, item] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>)) {
      for (const [method, op] of Object.entries(item)) {
        const declared = (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name).sort();
        expect(declared, `${method} ${p}`).to.deep.equal([...p.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort());
      }
    }
    // the app built the way startApiServer builds it
    const redis = createRedis(env.cfg);
    const importQueue = openQueue(env.cfg, QUEUE.import);
    try {
      const app = createApiApp(env.cfg, apiRouters({ cfg: env.cfg, pool: env.pool, importQueue, redis }));
      const documented = Object.entries(doc.paths as Record<string, Json>).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
      expect(documented.sort()).to.deep.equal(appRoutes(app));
    } finally {
      redis.disconnect();
      await importQueue.close();
    }
  });

  it('needs the bearer token', async () => {
    for (const [method, path] of [['GET', '/v1/groups'], ['GET', '/v1/domains/d/groups/g'], ['PUT', '/v1/domains/d/groups/g']]) {
      const r = await call(method, path, method === 'PUT' ? { matchType: 'SYMMETRIC' } : undefined, null);
      expect(r.status, `${method} ${path}`).to.equal(401);
    }
  });

  it('PUT creates, a second PUT changes nothing, an update lists its changes; invalid settings name the field', async () => {
    const settings = { matchType: 'SYMMETRIC', strategy: 'flat', topK: 10, scorer: { weights: { city: 2 } } };
    const dry = await call('PUT', '/v1/domains/api-domain/groups/people?dryRun=true', settings);
    expect(dry.status).to.equal(200);
    expect(dry.body).to.include({ action: 'created', dryRun: true, groupId: null, domainCreated: true });
    expect((await call('GET', '/v1/domains/api-domain/groups/people')).status).to.equal(404);

    const created = await call('PUT', '/v1/domains/api-domain/groups/people', settings);
    expect(created.status).to.equal(201);
    expect(created.body).to.include({ action: 'created', domainCreated: true, fullRecompute: false });
    conforms('ApplyResult', created.body);
    const same = await call('PUT', '/v1/domains/api-domain/groups/people', settings);
    expect(same.status).to.equal(200);
    expect(same.body).to.deep.include({ action: 'unchanged', changes: [] });
    const updated = await call('PUT', '/v1/domains/api-domain/groups/people', { ...settings, topK: 12 });
    expect(updated.body).to.deep.include({ action: 'updated', changes: [{ field: 'topK', from: '10', to: '12' }] });

    const bad = await call('PUT', '/v1/domains/api-domain/groups/people', { ...settings, scorer: { weights: { city: 'heavy' } } });
    expect(bad.status).to.equal(400);
    expect(bad.body).to.deep.equal({ code: 'invalid_settings', message: 'scorer.weights.city must be a number ≥ 0', field: 'scorer.weights.city' });
    conforms('SettingsError', bad.body);
    const notJson = await fetch(`${base}/v1/domains/api-domain/groups/people`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` }, body: 'x' });
    expect(notJson.status).to.equal(415);
  });

  it('GET a group gives its effective and declared settings; GET /v1/groups lists the groups', async () => {
    const g = await call('GET', '/v1/domains/api-domain/groups/people');
    expect(g.status).to.equal(200);
    conforms('GroupView', g.body);
    expect(g.body.declared).to.deep.equal({ matchType: 'SYMMETRIC', strategy: 'flat', topK: 12, scorer: { weights: { city: 2 } } });
    expect(g.body.settings).to.deep.include({ matchType: 'SYMMETRIC', strategy: 'flat', topK: 12, perfect: { algorithm: 'blossom' } });
    expect((g.body.settings as Json).scorer).to.include({ name: 'metadata-compatibility', numericTolerance: 0.6 });

    const all = await call('GET', '/v1/groups');
    expect(all.status).to.equal(200);
    const groups = all.body.groups as Json[];
    expect(groups.map((x) => [x.domain, x.group, x.matchType, x.strategy, x.nodes])).to.deep.equal([['api-domain', 'people', 'SYMMETRIC', 'flat', 0]]);
    for (const x of groups) conforms('GroupSummary', x);
    expect(((await call('GET', '/v1/groups?domain=elsewhere')).body.groups as Json[]).length).to.equal(0);
    expect((await call('GET', '/v1/domains/api-domain/groups/nobody')).status).to.equal(404);
  });
});

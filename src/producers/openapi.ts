// The OpenAPI 3 description of the enqueue API, served at /v1/openapi.json. A test checks that
// every route the app has is described here and nothing else; the enumerations come from the
// code that checks requests, so they cannot drift.
import { CANDIDATE_STRATEGIES, MATCH_TYPES } from '../groups/groupSpec.ts';
import { STRATEGY_NAMES } from '../matching/perfect/strategies.ts';
import { SCORER_NAMES } from '../matching/scorerRegistry.ts';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, description: string): Schema => ({ description, content: { 'application/json': { schema } } });
const error = (description: string): Schema => json(ref('Error'), description);
const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
const nullable = (s: Schema): Schema => ({ ...s, nullable: true });
const path = (name: string, description: string): Schema => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const DOMAIN = path('domain', 'domain name or id');
const GROUP = path('group', 'group name or id');
const UNAUTHORIZED = { 401: error('missing or invalid bearer token') };

const positive = { type: 'integer', minimum: 1 };
const weight = { type: 'number', minimum: 0 };

const GROUP_SETTINGS: Schema = {
  type: 'object',
  description: 'A group\'s settings: docs/configuration.md, "Group settings". Fields left out take their defaults.',
  required: ['matchType'],
  additionalProperties: false,
  properties: {
    matchType: { type: 'string', enum: [...MATCH_TYPES] },
    strategy: { type: 'string', enum: [...CANDIDATE_STRATEGIES], description: 'candidate strategy (default: bipartite for BIPARTITE, else metadata)' },
    topK: { ...positive, description: 'potential matches kept per node (default MATCHING_TOPK_COUNT)' },
    partition: {
      type: 'object', additionalProperties: false, description: 'the bipartite split (BIPARTITE groups or the bipartite strategy)',
      properties: { key: str(), left: { type: 'array', minItems: 1, items: str() }, right: { type: 'array', minItems: 1, items: str() } },
    },
    scorer: {
      type: 'object', additionalProperties: false,
      properties: {
        name: { type: 'string', enum: [...SCORER_NAMES] },
        weights: { type: 'object', additionalProperties: weight },
        defaultWeight: weight,
        exactScore: { type: 'number', exclusiveMinimum: 0 },
        partialScore: weight,
        numericTolerance: weight,
        threshold: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
      },
    },
    lsh: {
      type: 'object', additionalProperties: false, description: 'MinHash LSH (the metadata strategy)',
      properties: { tables: positive, bandsPerTable: positive, similarityThreshold: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 } },
    },
    perfect: {
      type: 'object', additionalProperties: false,
      properties: { algorithm: { type: 'string', enum: [...STRATEGY_NAMES] }, topK: positive, leftCapacity: positive, rightCapacity: positive },
    },
  },
};

const LAST_RUN: Schema = nullable({
  type: 'object',
  properties: {
    status: nullable(str()), cycleId: nullable(str()), startedAt: nullable(str('ISO 8601 time')), finishedAt: nullable(str('ISO 8601 time')),
    count: nullable(int('potential: rows kept; perfect: pairs')),
  },
});

export function openApiDocument(): Schema {
  return {
    openapi: '3.0.3',
    info: {
      title: 'matchflow enqueue API',
      version: '1',
      description: 'Imports, node removal and group settings. Every /v1 route but this document needs Authorization: Bearer <token> (API_TOKENS).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths: {
      '/healthz': {
        get: { summary: 'liveness', security: [], responses: { 200: json({ type: 'object', properties: { status: str() } }, 'the API answers') } },
      },
      '/v1/openapi.json': {
        get: { summary: 'this document', security: [], responses: { 200: json({ type: 'object' }, 'the OpenAPI document') } },
      },
      '/v1/imports': {
        post: {
          summary: 'enqueue an import (a NodeExchange)',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('NodeExchange') } } },
          responses: {
            202: json(ref('ImportAccepted'), 'enqueued (or the import of the same idempotency key)'),
            400: error('invalid request'), ...UNAUTHORIZED, 413: error('body larger than HTTP_BODY_LIMIT'), 415: error('not JSON'),
          },
        },
      },
      '/v1/imports/{id}': {
        get: {
          summary: 'an import\'s status, counts and progress',
          parameters: [path('id', 'import id (UUID)')],
          responses: { 200: json(ref('ImportStatus'), 'the import'), 400: error('not a UUID'), ...UNAUTHORIZED, 404: error('no such import') },
        },
      },
      '/v1/domains/{domain}/groups/{group}/nodes/{referenceId}': {
        delete: {
          summary: 'remove a node from a group, with every match that names it',
          parameters: [DOMAIN, GROUP, path('referenceId', 'the node\'s reference id')],
          responses: {
            200: json(ref('NodeRemoved'), 'removed'), ...UNAUTHORIZED, 404: error('no such group or node'),
            409: error('a potential cycle of the group is running (Retry-After)'),
          },
        },
      },
      '/v1/groups': {
        get: {
          summary: 'every group: match type, strategy, nodes, last runs',
          parameters: [{ name: 'domain', in: 'query', required: false, description: 'only this domain (name or id)', schema: { type: 'string' } }],
          responses: {
            200: json({ type: 'object', required: ['groups'], properties: { groups: { type: 'array', items: ref('GroupSummary') } } }, 'the groups'),
            ...UNAUTHORIZED,
          },
        },
      },
      '/v1/domains/{domain}/groups/{group}': {
        get: {
          summary: 'a group\'s settings: effective (defaults filled in) and as declared',
          parameters: [DOMAIN, GROUP],
          responses: { 200: json(ref('GroupView'), 'the group'), ...UNAUTHORIZED, 404: error('no such group') },
        },
        put: {
          summary: 'create or update a group with these settings (as `matchflow groups apply`)',
          parameters: [DOMAIN, GROUP, {
            name: 'dryRun', in: 'query', required: false, description: 'true: say what would change, write nothing',
            schema: { type: 'string', enum: ['true', 'false'] },
          }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('GroupSettings') } } },
          responses: {
            200: json(ref('ApplyResult'), 'updated, unchanged, or a dry run'),
            201: json(ref('ApplyResult'), 'created'),
            400: json({ anyOf: [ref('SettingsError'), ref('Error')] },
              'the settings do not validate (invalid_settings, with the field at fault), or a name is refused (invalid_name, invalid_group)'),
            ...UNAUTHORIZED, 415: error('not JSON'),
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object', required: ['code', 'message'],
          properties: { code: str(), message: str(), details: { type: 'array', items: str() } },
        },
        SettingsError: {
          type: 'object', required: ['code', 'message', 'field'],
          properties: {
            code: { type: 'string', enum: ['invalid_settings'] }, message: str(), field: str('path of the field at fault, e.g. scorer.weights.city'),
          },
        },
        NodeExchange: {
          type: 'object', required: ['domainId', 'groupId'], additionalProperties: false,
          description: 'exactly one of filePath and referenceIds',
          properties: {
            domainId: str('domain name or id (created when missing)'), groupId: str('group name or id (created when missing)'),
            filePath: str('a path under IMPORT_ROOT, or an s3:// object'), fileName: str(), contentType: str(),
            referenceIds: { type: 'array', minItems: 1, items: str() }, type: str('node type of rows without one'), requestId: str('idempotency key'),
          },
        },
        ImportAccepted: {
          type: 'object',
          properties: { importJobId: str(), status: str(), created: { type: 'boolean' }, domainId: str(), groupId: str(), statusUrl: str() },
        },
        ImportStatus: {
          type: 'object',
          properties: {
            importJobId: str(), status: { type: 'string', enum: ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'] }, domainId: str(), groupId: str(),
            total: int(), processed: int(), failed: int(), duplicates: int(), failureReason: nullable(str()), source: nullable(str()),
            fileName: nullable(str()), createdAt: str(), startedAt: nullable(str()), finishedAt: nullable(str()), progress: {},
          },
        },
        NodeRemoved: {
          type: 'object',
          properties: { removed: str(), groupId: str(), domainId: str(), perfectMatchesRemoved: int(), nodesToRefill: int() },
        },
        GroupSettings: GROUP_SETTINGS,
        GroupSummary: {
          type: 'object',
          properties: {
            domain: str(), domainId: str(), group: str(), groupId: str(), matchType: { type: 'string', enum: [...MATCH_TYPES] },
            strategy: nullable(str()), settingsProblem: nullable(str()), nodes: int(), potential: LAST_RUN, perfect: LAST_RUN,
          },
        },
        GroupView: {
          type: 'object',
          properties: {
            domainId: str(), groupId: str(), group: str(),
            settings: { nullable: true, allOf: [ref('GroupSettings')] }, declared: { nullable: true, allOf: [ref('GroupSettings')] },
            problem: nullable(str('what is wrong with the stored settings')),
          },
        },
        ApplyResult: {
          type: 'object',
          properties: {
            groupId: nullable(str()), action: { type: 'string', enum: ['created', 'updated', 'unchanged'] }, domainCreated: { type: 'boolean' },
            changes: { type: 'array', items: { type: 'object', properties: { field: str(), from: str(), to: str() } } },
            fullRecompute: { type: 'boolean', description: 'the group\'s next potential cycle recomputes it in full' }, dryRun: { type: 'boolean' },
          },
        },
      },
    },
  };
}

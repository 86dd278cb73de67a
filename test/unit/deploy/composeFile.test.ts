// docker-compose.yml and the Dockerfile, checked without a Docker engine (issue 6 item 6):
//  - the compose file is valid against the Compose Specification's JSON schema
//    (compose-spec/compose-spec, schema/compose-spec.json, Apache-2.0), as shipped by the npm
//    package dclint (schemas/compose.schema.json, a devDependency), validated with ajv;
//  - the services, healthchecks, dependencies and scaling the issue asks for are there;
//  - each service gets only its own secrets, connects to PostgreSQL as its role and to Redis with its password;
//  - the Dockerfile is multi-stage, runs as a non-root user, and that user cannot change the app.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jsYaml from 'js-yaml';
import { Ajv } from 'ajv';
import { SETTINGS } from '../../../src/shared/config.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/**
 * YAML with merge keys (`<<: *anchor`), as Compose reads it. js-yaml 5 (mocha's) needs the merge
 * tag added; js-yaml 4 (which other packages may hoist) has it in its default schema.
 */
const yaml = jsYaml as unknown as {
  load(text: string, opts?: object): unknown;
  CORE_SCHEMA: { withTags?(...t: unknown[]): unknown };
  DEFAULT_SCHEMA: unknown;
  mergeTag?: unknown;
};
const yamlSchema = yaml.mergeTag && yaml.CORE_SCHEMA.withTags ? yaml.CORE_SCHEMA.withTags(yaml.mergeTag) : yaml.DEFAULT_SCHEMA;
const parse = (text: string) => yaml.load(text, { schema: yamlSchema }) as Compose;

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}; $$ is a literal $. */
function interpolate(text: string, env: Record<string, string | undefined>): string {
  const reference = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;
  return text.replace(reference, (m, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (m === '$$') return '$';
    const v = env[name!];
    const unset = op?.startsWith(':') ? !v : v === undefined;
    if (op?.endsWith('?') && unset) throw new Error(`${name}: ${arg}`);
    if (op?.endsWith('-') && unset) return arg ?? '';
    return v ?? '';
  });
}

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number | string };
  restart?: string;
}
interface Compose { services: Record<string, Service>; volumes?: Record<string, unknown> }

/** Every secret compose needs, each with a value of its own, so that a test can tell where each one went. */
const REQUIRED_ENV = {
  API_TOKENS: 'api-token-1', DASHBOARD_USERS: 'op:dash-user-secret-2:operator', REDIS_PASSWORD: 'redispw3', POSTGRES_PASSWORD: 'ownerpw4',
  DB_WORKER_PASSWORD: 'workerpw5', DB_DASHBOARD_PASSWORD: 'dashpw6',
};

const APP_SERVICES = ['producer', 'worker-import', 'worker-potential', 'worker-perfect', 'dashboard'];

describe('docker-compose.yml', () => {
  const raw = parse(composeText);
  const compose = parse(interpolate(composeText, REQUIRED_ENV));

  it('is valid against the Compose Specification JSON schema (as written and interpolated)', () => {
    const schemaPath = join(dirname(createRequire(import.meta.url).resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
    // the schema says draft-07 by its https URL; ajv's built-in draft-07 meta-schema is the http one
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
    const validate = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);
    for (const [what, doc] of [['as written', raw], ['interpolated', compose]] as const) {
      expect(validate(doc), `${what}: ${JSON.stringify(validate.errors, null, 1)}`).to.equal(true);
    }
    // and the schema does reject what Compose rejects
    expect(validate({ ...compose, services: { ...compose.services, redis: { ...compose.services.redis, replicas: 2 } } })).to.equal(false);
  });

  it('has every service of the issue: redis, postgres, kafka, minio, migrate, producer, three worker pools, dashboard', () => {
    expect(Object.keys(compose.services)).to.include.members([
      'redis', 'postgres', 'kafka', 'minio', 'migrate', 'producer', 'worker-import', 'worker-potential', 'worker-perfect', 'dashboard',
    ]);
  });

  it('runs Redis with AOF and without eviction (BullMQ keys must never be lost or evicted)', () => {
    const cmd = compose.services.redis.command!.join(' ');
    expect(cmd).to.match(/--appendonly yes/);
    expect(cmd).to.match(/--maxmemory-policy noeviction/);
  });

  it('runs Kafka in KRaft mode (no ZooKeeper)', () => {
    const env = compose.services.kafka.environment!;
    expect(env.KAFKA_CFG_PROCESS_ROLES).to.match(/controller/);
    expect(env.KAFKA_CFG_CONTROLLER_QUORUM_VOTERS).to.be.a('string');
    expect(composeText).to.not.match(/zookeeper/i);
  });

  it('migrates once before the application starts', () => {
    const migrate = compose.services.migrate;
    expect(migrate.command).to.deep.equal(['migrate']);
    expect(migrate.restart).to.equal('no');
    expect(migrate.depends_on?.postgres?.condition).to.equal('service_healthy');
    for (const name of ['producer', 'worker-import', 'worker-potential', 'worker-perfect', 'dashboard']) {
      expect(compose.services[name].depends_on?.migrate?.condition, name).to.equal('service_completed_successfully');
    }
  });

  it('scales each worker pool by a variable', () => {
    for (const [name, variable] of [['worker-import', 'WORKERS_IMPORT'], ['worker-potential', 'WORKERS_POTENTIAL'], ['worker-perfect', 'WORKERS_PERFECT']]) {
      expect(String(raw.services[name].deploy?.replicas), name).to.match(new RegExp(`^\\$\\{${variable}:-\\d+\\}$`));
      expect(Number(compose.services[name].deploy?.replicas), name).to.be.greaterThan(0);
      const scaled = parse(interpolate(composeText, { ...REQUIRED_ENV, [variable]: '5' }));
      expect(Number(scaled.services[name].deploy?.replicas), name).to.equal(5);
    }
  });

  it('gives every long-running service a healthcheck, and waits on health only where one exists', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (name === 'migrate') continue;
      expect(s.healthcheck?.test, name).to.be.an('array').that.is.not.empty;
      for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
        expect(compose.services, `${name} depends on ${dep}`).to.have.property(dep);
        if (d.condition === 'service_healthy') expect(compose.services[dep].healthcheck, `${name} waits for ${dep} to be healthy`).to.not.equal(undefined);
      }
    }
  });

  it('refuses to start without the secrets it needs, naming each', () => {
    for (const name of Object.keys(REQUIRED_ENV)) {
      const { [name as keyof typeof REQUIRED_ENV]: _left, ...rest } = REQUIRED_ENV;
      expect(() => interpolate(composeText, rest), name).to.throw(new RegExp(`^${name}: set ${name}`));
    }
  });

  it('gives each service only the secrets it uses', () => {
    const secretVars = Object.values(SETTINGS as Record<string, { env: string; secret?: boolean }>).filter((x) => x.secret).map((x) => x.env);
    const expected: Record<string, string[]> = {
      migrate: ['DATABASE_URL', 'DB_WORKER_PASSWORD', 'DB_DASHBOARD_PASSWORD'],
      producer: ['DATABASE_URL', 'REDIS_URL', 'API_TOKENS'],
      'worker-import': ['DATABASE_URL', 'REDIS_URL', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'],
      'worker-potential': ['DATABASE_URL', 'REDIS_URL'],
      'worker-perfect': ['DATABASE_URL', 'REDIS_URL'],
      dashboard: ['DATABASE_URL', 'REDIS_URL', 'DASHBOARD_USERS', 'DASHBOARD_SESSION_SECRET'],
    };
    for (const [name, wanted] of Object.entries(expected)) {
      const given = Object.keys(compose.services[name].environment ?? {}).filter((v) => secretVars.includes(v));
      expect(given, name).to.have.members(wanted);
    }
    // and where each secret's value went: nowhere else
    const holders = (value: string) => Object.entries(compose.services)
      .filter(([, svc]) => JSON.stringify([svc.environment ?? {}, svc.command ?? []]).includes(value)).map(([n]) => n).sort();
    const apps = ['dashboard', 'producer', 'worker-import', 'worker-perfect', 'worker-potential'];
    expect(holders(REQUIRED_ENV.API_TOKENS)).to.deep.equal(['producer']);
    expect(holders(REQUIRED_ENV.DASHBOARD_USERS)).to.deep.equal(['dashboard']);
    expect(holders(REQUIRED_ENV.POSTGRES_PASSWORD)).to.deep.equal(['migrate', 'postgres']);
    expect(holders(REQUIRED_ENV.DB_WORKER_PASSWORD)).to.deep.equal(['migrate', 'producer', 'worker-import', 'worker-perfect', 'worker-potential']);
    expect(holders(REQUIRED_ENV.DB_DASHBOARD_PASSWORD)).to.deep.equal(['dashboard', 'migrate']);
    expect(holders(REQUIRED_ENV.REDIS_PASSWORD)).to.deep.equal([...apps, 'redis'].sort());
    expect(holders('matchflow-secret'), 'the object store key').to.deep.equal(['minio', 'worker-import']);
  });

  it('connects as the database roles: migrate as the owner, workers and producers as the worker role, the dashboard as the dashboard role', () => {
    const user = (name: string) => decodeURIComponent(new URL(compose.services[name].environment!.DATABASE_URL).username);
    const owner = compose.services.postgres.environment!.POSTGRES_USER;
    expect(user('migrate')).to.equal(owner);
    const env = compose.services.migrate.environment!;
    for (const name of ['producer', 'worker-import', 'worker-potential', 'worker-perfect']) expect(user(name), name).to.equal(env.DB_WORKER_ROLE);
    expect(user('dashboard')).to.equal(env.DB_DASHBOARD_ROLE);
    expect(new Set([owner, env.DB_WORKER_ROLE, env.DB_DASHBOARD_ROLE]).size, 'three different roles').to.equal(3);
    expect(new URL(compose.services.dashboard.environment!.DATABASE_URL).password).to.equal(REQUIRED_ENV.DB_DASHBOARD_PASSWORD);
    expect(new URL(compose.services.producer.environment!.DATABASE_URL).password).to.equal(REQUIRED_ENV.DB_WORKER_PASSWORD);
  });

  it('Redis asks for a password, its health check gives it, and every REDIS_URL carries it', () => {
    const redis = compose.services.redis;
    expect(redis.command!.join(' ')).to.include(`--requirepass ${REQUIRED_ENV.REDIS_PASSWORD}`);
    expect(redis.environment?.REDISCLI_AUTH).to.equal(REQUIRED_ENV.REDIS_PASSWORD);
    for (const name of APP_SERVICES) {
      const u = new URL(compose.services[name].environment!.REDIS_URL);
      expect([u.hostname, u.password], name).to.deep.equal(['redis', REQUIRED_ENV.REDIS_PASSWORD]);
    }
  });
});

/**
 * `docker compose -f a.yml -f b.yml`, as far as these files need: mappings merge key by key,
 * anything else (command, a list of volumes) is replaced by the later file's.
 */
function mergeCompose(base: unknown, over: unknown): unknown {
  if (!isMapping(base) || !isMapping(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? mergeCompose(out[k], v) : v;
  return out;
}
const isMapping = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

for (const [file, topology] of [['deploy/redis-cluster.compose.yml', 'cluster'], ['deploy/redis-sentinel.compose.yml', 'sentinel']] as const) {
  describe(`${file} (docker compose -f docker-compose.yml -f ${file})`, () => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const over = parse(interpolate(text, REQUIRED_ENV));
    const merged = mergeCompose(parse(interpolate(composeText, REQUIRED_ENV)), over) as Compose;
    const cmd = (s: Service) => (s.command ?? []).join(' ');

    it('is valid against the Compose Specification JSON schema, alone and merged with docker-compose.yml', () => {
      const schemaPath = join(dirname(createRequire(import.meta.url).resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
      const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
      const validate = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);
      for (const [what, doc] of [['as written', parse(text)], ['interpolated', over], ['merged', merged]] as const) {
        expect(validate(doc), `${what}: ${JSON.stringify(validate.errors, null, 1)}`).to.equal(true);
      }
    });

    it('points every matchflow service at it, and starts them only once it is up', () => {
      const wanted = topology === 'cluster' ? ['REDIS_CLUSTER_NODES'] : ['REDIS_SENTINELS', 'REDIS_SENTINEL_NAME'];
      for (const name of APP_SERVICES) {
        const s = merged.services[name];
        for (const v of wanted) expect(s.environment?.[v], `${name} ${v}`).to.be.a('string').that.is.not.empty;
        expect(s.environment?.REDIS_URL, `${name} keeps REDIS_URL for credentials`).to.be.a('string');
        for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
          expect(merged.services, `${name} depends on ${dep}`).to.have.property(dep);
          if (d.condition === 'service_healthy') expect(merged.services[dep].healthcheck, `${name} waits for ${dep} to be healthy`).to.not.equal(undefined);
        }
      }
    });

    if (topology === 'cluster') {
      it('lists six cluster nodes, each with cluster mode, AOF and no eviction, created as 3 masters with 1 replica each', () => {
        const nodes = merged.services.producer.environment!.REDIS_CLUSTER_NODES.split(',');
        expect(nodes).to.have.length(6);
        for (const node of nodes) {
          const [host, port] = node.split(':');
          expect(port).to.equal('6379');
          const s = merged.services[host];
          expect(s, host).to.not.equal(undefined);
          expect(cmd(s), host).to.match(/--cluster-enabled yes/).and.match(/--appendonly yes/).and.match(/--maxmemory-policy noeviction/);
          expect(s.healthcheck?.test, host).to.be.an('array');
        }
        const init = cmd(merged.services['redis-cluster-init']);
        expect(init).to.match(/--cluster-replicas 1/).and.match(/--cluster-yes/);
        for (const node of nodes) expect(init, node).to.include(node.split(':')[0]);
        expect(merged.services['redis-cluster-init'].restart).to.equal('no');
        for (const host of nodes.map((n) => n.split(':')[0])) {
          expect(cmd(merged.services[host]), host).to.include(`--requirepass ${REQUIRED_ENV.REDIS_PASSWORD}`)
            .and.include(`--masterauth ${REQUIRED_ENV.REDIS_PASSWORD}`);
          expect(merged.services[host].environment?.REDISCLI_AUTH, host).to.equal(REQUIRED_ENV.REDIS_PASSWORD);
        }
        expect(merged.services['redis-cluster-init'].environment?.REDISCLI_AUTH).to.equal(REQUIRED_ENV.REDIS_PASSWORD);
        for (const name of APP_SERVICES) {
          expect(merged.services[name].depends_on?.['redis-cluster-init']?.condition, name).to.equal('service_completed_successfully');
        }
      });
    } else {
      it('runs a replica of the master and three Sentinels with a quorum of 2 watching the name the services ask for', () => {
        expect(cmd(merged.services['redis-replica'])).to.match(/--replicaof redis 6379/).and.match(/--maxmemory-policy noeviction/);
        expect(cmd(merged.services.redis)).to.match(/--appendonly yes/);
        const name = merged.services.producer.environment!.REDIS_SENTINEL_NAME;
        const sentinels = merged.services.producer.environment!.REDIS_SENTINELS.split(',');
        expect(sentinels).to.have.length(3);
        for (const node of sentinels) {
          const [host, port] = node.split(':');
          expect(port).to.equal('26379');
          const c = cmd(merged.services[host]);
          expect(c, host).to.include(`sentinel monitor ${name} redis 6379 2`).and.include('--sentinel')
            .and.include(`sentinel auth-pass ${name} ${REQUIRED_ENV.REDIS_PASSWORD}`);
        }
        for (const host of ['redis', 'redis-replica']) {
          expect(cmd(merged.services[host]), host).to.include(`--requirepass ${REQUIRED_ENV.REDIS_PASSWORD}`)
            .and.include(`--masterauth ${REQUIRED_ENV.REDIS_PASSWORD}`);
        }
      });
    }
  });
}

describe('Dockerfile', () => {
  const stages = [...dockerfile.matchAll(/^FROM\s+\S+(?:\s+AS\s+(\S+))?/gim)];

  it('is multi-stage: dependencies are built in one stage and copied into the runtime stage', () => {
    expect(stages.length).to.be.greaterThanOrEqual(2);
    const names = stages.map((s) => s[1]).filter(Boolean);
    expect(dockerfile).to.match(new RegExp(`COPY --from=(${names.join('|')})\\b`));
  });

  it('copies the app root-owned, so that the user it runs as can read it but not change it; only /data is that user\'s', () => {
    const runtime = dockerfile.slice(stages[stages.length - 1].index);
    const copies = [...runtime.matchAll(/^COPY\s.*$/gm)].map((m) => m[0]);
    expect(copies).to.not.be.empty;
    for (const c of copies) expect(c, c).not.to.match(/--chown|--chmod=[0-7]*[2367][0-7]*\b/);
    const chowns = [...runtime.matchAll(/chown\s+(?:-R\s+)?\S+\s+(.+)$/gm)].map((m) => m[1].trim());
    expect(chowns).to.deep.equal(['/data']);
  });

  it('runs as a non-root user', () => {
    const runtime = dockerfile.slice(stages[stages.length - 1].index);
    const users = [...runtime.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users, 'USER in the runtime stage').to.not.be.empty;
    expect(users[users.length - 1]).to.not.match(/^(root|0)(:|$)/);
  });
});

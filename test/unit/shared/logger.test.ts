import { expect } from 'chai';
import { createLogger, maskSecretsInText } from '../../../src/shared/logger.ts';

function capture(): { lines: Array<Record<string, unknown>>; raw: string[]; stream: { write(s: string): void } } {
  const raw: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  return { raw, lines, stream: { write(s: string) { raw.push(s); lines.push(JSON.parse(s)); } } };
}

describe('logger redaction', () => {
  it('redacts secret fields at the top and one level down, by config name and by variable name', () => {
    const out = capture();
    const log = createLogger('info', out.stream);
    log.info({
      password: 'pwSEKRIT1', token: 'tokSEKRIT2', authorization: 'Basic abcSEKRIT3',
      databaseUrl: 'postgres://u:SEKRIT4@h/db', DATABASE_URL: 'postgres://u:SEKRIT5@h/db',
      apiTokens: ['tokSEKRIT6'], cfg: { redisUrl: 'redis://:SEKRIT7@h:6379', s3SecretKey: 'skSEKRIT8', dashboardUsers: ['a:SEKRIT9:operator'], topK: 100 },
      headers: { authorization: 'Bearer tokSEKRIT10', cookie: 'mf_session=ckSEKRIT11', accept: 'text/html' },
      req: { headers: { authorization: 'Bearer tokSEKRIT12', cookie: 'ckSEKRIT13' } },
    }, 'hello');
    const text = out.raw.join('');
    expect(text.match(/SEKRIT\d+/g), 'secrets leaked').to.equal(null);
    const line = out.lines[0] as Record<string, any>;
    expect(line.password).to.equal('[redacted]');
    expect(line.cfg.redisUrl).to.equal('[redacted]');
    expect(line.cfg.topK, 'other fields stay').to.equal(100);
    expect(line.headers.accept).to.equal('text/html');
  });

  it('masks credentials in messages, error messages and stacks, and keeps the rest', () => {
    const out = capture();
    const log = createLogger('info', out.stream);
    const err = new Error('connect ECONNREFUSED postgres://app:hunter2@db.internal:5432/matchflow');
    log.warn({ err }, 'could not reach redis://:s3cr3t@cache:6379/0 with Authorization Bearer abc.def-ghi');
    const text = out.raw.join('');
    expect(text).not.to.contain('hunter2').and.not.to.contain('s3cr3t').and.not.to.contain('abc.def-ghi');
    const line = out.lines[0] as Record<string, any>;
    expect(line.msg).to.equal('could not reach redis://:[redacted]@cache:6379/0 with Authorization Bearer [redacted]');
    expect(line.err.message).to.equal('connect ECONNREFUSED postgres://app:[redacted]@db.internal:5432/matchflow');
    expect(line.err.stack).to.contain('postgres://app:[redacted]@db.internal');
    expect(line.err.type).to.equal('Error');
  });

  it('child loggers carry their fields and keep the redaction', () => {
    const out = capture();
    const job = createLogger('info', out.stream).child({ jobId: 'j1', queue: 'potential', cycleId: 'c1', groupId: 'g1', domainId: 'd1' });
    job.info({ token: 'tok-x' }, 'scored');
    expect(out.lines[0]).to.include({ jobId: 'j1', queue: 'potential', cycleId: 'c1', groupId: 'g1', domainId: 'd1', token: '[redacted]', msg: 'scored' });
  });

  it('redacts what the review found leaking: nested apiTokens, Authorization, redis://:password@ and Basic values, at any depth', () => {
    const out = capture();
    const log = createLogger('info', out.stream);
    log.info({
      job: { data: { settings: { cfg: { apiTokens: ['tokSEKRIT1'], API_TOKENS: 'tokSEKRIT2' } } } },
      request: { headers: { Authorization: 'Bearer tokSEKRIT3', 'Proxy-Authorization': 'Basic SEKRIT4Zm9v', 'X-Api-Key': 'SEKRIT5' } },
      targets: [{ url: 'redis://:SEKRIT6@cache:6379/0' }, { note: 'retrying with Basic dXNlcjpTRUtSSVQ3 now' }],
      location: new URL('https://deploy:SEKRIT8@registry.example/x'),
      dsn: 'host=db user=app password=SEKRIT9 dbname=m',
      deep: { a: { b: { c: { d: { e: { f: { Password: 'SEKRIT10' } } } } } } },
      counts: { total: 3, fencingToken: 7 },
    }, 'request from %s', 'postgres://u:SEKRIT11@db/x');
    const text = out.raw.join('');
    expect(text.match(/SEKRIT\d+/g), 'secrets leaked').to.equal(null);
    const line = out.lines[0] as Record<string, any>;
    expect(line.request.headers.Authorization).to.equal('[redacted]');
    expect(line.targets[0].url).to.equal('redis://:[redacted]@cache:6379/0');
    expect(line.targets[1].note).to.equal('retrying with Basic [redacted] now');
    expect(line.location).to.equal('https://deploy:[redacted]@registry.example/x');
    expect(line.counts, 'other fields stay').to.deep.equal({ total: 3, fencingToken: 7 });
    expect(line.msg).to.equal('request from postgres://u:[redacted]@db/x');
  });

  it('redacts in child bindings and in the fields and causes of errors', () => {
    const out = capture();
    const err = Object.assign(new Error('failed', { cause: new Error('AUTH redis://:SEKRIT1@h') }), { config: { password: 'SEKRIT2' } });
    createLogger('info', out.stream).child({ cfg: { DATABASE_URL: 'postgres://a:SEKRIT3@h/db' }, Token: 'SEKRIT4' }).error({ err }, 'boom');
    expect(out.raw.join('').match(/SEKRIT\d+/g), 'secrets leaked').to.equal(null);
    expect((out.lines[0] as Record<string, any>).err.config.password).to.equal('[redacted]');
  });

  it('maskSecretsInText leaves URLs without passwords alone', () => {
    expect(maskSecretsInText('see http://example.com:8080/a and postgres://app@db/x')).to.equal('see http://example.com:8080/a and postgres://app@db/x');
  });
});

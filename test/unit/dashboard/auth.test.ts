import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { loadConfig, ConfigError } from '../../../src/shared/config.ts';
import { authenticate, dashboardUsers, parseDashboardUsers } from '../../../dashboard/users.ts';
import { issueSession, parseCookies, verifySession } from '../../../dashboard/session.ts';
import { safeNext } from '../../../dashboard/auth.ts';

describe('dashboard users', () => {
  const users = parseDashboardUsers(['alice:s3cret:operator', 'bob:pa:ss:readonly']);

  it('parses name:password:role; a password may contain ":"', () => {
    expect(users.map((u) => [u.name, u.role])).to.deep.equal([['alice', 'operator'], ['bob', 'readonly']]);
    expect(authenticate(users, 'bob', 'pa:ss')?.name).to.equal('bob');
  });

  it('authenticates only the right name with the right password', () => {
    expect(authenticate(users, 'alice', 's3cret')?.role).to.equal('operator');
    expect(authenticate(users, 'alice', 's3cret ')).to.equal(null);
    expect(authenticate(users, 'alice', '')).to.equal(null);
    expect(authenticate(users, 'carol', 's3cret')).to.equal(null);
    expect(authenticate(users, 'carol', '')).to.equal(null);
  });

  it('refuses malformed entries without echoing the password', () => {
    for (const bad of ['alice', 'alice:pw', 'alice:pw:admin', ':pw:operator', 'al ice:pw:operator', 'alice::operator']) {
      let err: unknown;
      try {
        parseDashboardUsers([bad]);
      } catch (e) {
        err = e;
      }
      expect(err, bad).to.be.instanceOf(ConfigError);
      expect((err as Error).message).not.to.contain('pw');
    }
    expect(() => parseDashboardUsers(['a:x:operator', 'a:y:readonly'])).to.throw(ConfigError, /twice/);
  });

  it('no users is a configuration like any other, whatever NODE_ENV says (the dashboard then listens on 127.0.0.1 only)', () => {
    for (const env of ['production', 'Production', 'development']) expect(dashboardUsers(loadConfig({ NODE_ENV: env }))).to.deep.equal([]);
    expect(dashboardUsers(loadConfig({ NODE_ENV: 'production', DASHBOARD_USERS: 'a:b:readonly' }))).to.have.length(1);
  });
});

describe('dashboard sessions', () => {
  const secret = randomBytes(32);
  const users = parseDashboardUsers(['alice:s3cret:operator', 'bob:pw:readonly']);
  const alice = users[0];

  it('a fresh token names its user and session generation until it expires', () => {
    const token = issueSession(secret, alice, 3, 1000, 60_000);
    expect(verifySession(secret, token, users, 1001)).to.deep.equal({ user: alice, generation: 3 });
    expect(verifySession(secret, token, users, 61_000)).to.equal(null);
  });

  it('rejects a token signed with another key, edited, or for a user whose password or role changed', () => {
    const token = issueSession(secret, alice, 0, 1000, 60_000);
    expect(verifySession(randomBytes(32), token, users, 2000)).to.equal(null);
    const [name, gen, expiry, mac] = token.split('.');
    expect(verifySession(secret, `${Buffer.from('bob').toString('base64url')}.${gen}.${expiry}.${mac}`, users, 2000)).to.equal(null);
    expect(verifySession(secret, `${name}.${gen}.${Number(expiry) + 1}.${mac}`, users, 2000)).to.equal(null);
    expect(verifySession(secret, `${name}.${Number(gen) + 1}.${expiry}.${mac}`, users, 2000), 'another generation').to.equal(null);
    expect(verifySession(secret, `${name}.${expiry}.${mac}`, users, 2000), 'the old three-part form').to.equal(null);
    expect(verifySession(secret, token, parseDashboardUsers(['alice:new:operator']), 2000)).to.equal(null);
    expect(verifySession(secret, token, parseDashboardUsers(['alice:s3cret:readonly']), 2000)).to.equal(null);
    expect(verifySession(secret, 'garbage', users, 2000)).to.equal(null);
  });

  it('parses the Cookie header', () => {
    expect([...parseCookies('a=1; matchflow_session=x.y%2Ez; b')]).to.deep.equal([['a', '1'], ['matchflow_session', 'x.y.z']]);
    expect(parseCookies(undefined).size).to.equal(0);
  });
});

describe('login redirect target', () => {
  it('accepts local paths only', () => {
    expect(safeNext('/board/operator/queue/import')).to.equal('/board/operator/queue/import');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'ops', undefined, ['/ops'], '/a b']) {
      expect(safeNext(bad), String(bad)).to.equal('/');
    }
  });
});

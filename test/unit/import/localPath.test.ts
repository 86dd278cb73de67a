// The import-root check against a race: a path checked, then opened, could have a directory
// swapped for a symbolic link in between. The file opened must be the one checked.
import { expect } from 'chai';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportInputError } from '../../../src/import/errors.ts';
import { openConfined, type OpenHooks } from '../../../src/import/localPath.ts';

describe('opening a file under the import root', () => {
  let base: string;
  let root: string;
  let outside: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'mf-localpath-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await mkdir(join(root, 'd'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(root, 'd', 'f.csv'), 'inside\n');
    await writeFile(join(outside, 'f.csv'), 'outside\n');
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  const read = async (hooks?: OpenHooks): Promise<string | ImportInputError> => {
    try {
      const { handle } = await openConfined(root, 'd/f.csv', hooks);
      try {
        return await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (err) {
      if (err instanceof ImportInputError) return err;
      throw err;
    }
  };

  it('opens the file that was checked', async () => {
    expect(await read()).to.equal('inside\n');
  });

  it('refuses when a directory on the path became a symbolic link out of the root after the check', async () => {
    const out = await read({
      afterCheck: async () => {
        await rename(join(root, 'd'), join(root, 'd.was'));
        await symlink(outside, join(root, 'd'));
      },
    });
    expect(out).to.be.instanceOf(ImportInputError);
    expect((out as ImportInputError).code).to.be.oneOf(['path_changed', 'path_outside_root']);
    expect((out as ImportInputError).message).not.to.contain(outside);
  });

  it('refuses when the file was replaced by another after the check', async () => {
    const out = await read({
      afterCheck: async () => {
        await rename(join(root, 'd', 'f.csv'), join(root, 'd', 'old.csv'));
        await writeFile(join(root, 'd', 'f.csv'), 'swapped\n');
      },
    });
    expect((out as ImportInputError).code).to.equal('path_changed');
  });
});

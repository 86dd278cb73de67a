// Local import files are confined to IMPORT_ROOT: a path that resolves outside it (../, an
// absolute path elsewhere, a symbolic link pointing out) is refused before anything is opened,
// and a file that is not the one checked when it is opened is refused after.
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ImportInputError } from './errors.ts';
import { quoted } from '../shared/problemSummary.ts';

async function realRoot(importRoot: string): Promise<string> {
  try {
    return await realpath(resolve(importRoot));
  } catch (err) {
    throw new ImportInputError('import_root_missing', 'the import root is not available on this worker',
      `${resolve(importRoot)} (IMPORT_ROOT): ${(err as Error).message}`);
  }
}

/** Paths quoted back to the client: the one it sent, cut to this many characters. */
const PATH_QUOTED = 200;

function outsideRoot(path: string, detail: string): ImportInputError {
  return new ImportInputError('path_outside_root', `${quoted(path, PATH_QUOTED)} is outside the import root`, detail);
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * The real path of `path` (absolute, or relative to the import root) after checking that it is a
 * regular file under the import root. Throws ImportInputError otherwise.
 */
export async function confinedPath(importRoot: string, path: string): Promise<string> {
  if (path.includes('\0')) throw new ImportInputError('path_invalid', 'the file path contains a NUL character');
  const root = await realRoot(importRoot);
  const wanted = resolve(root, path);
  // Refuse before touching the file system, so that probing paths outside the root reveals nothing.
  if (!inside(root, wanted)) throw outsideRoot(path, `${wanted} is outside ${root} (IMPORT_ROOT)`);
  let real: string;
  try {
    real = await realpath(wanted);
  } catch (err) {
    throw new ImportInputError('file_not_found', `${quoted(path, PATH_QUOTED)}: no such file under the import root`, (err as Error).message);
  }
  if (!inside(root, real)) throw outsideRoot(path, `resolves (through a symbolic link) to ${real}, outside ${root}`);
  return real;
}

/** Lets a test act between the check of a path and its opening, where a race would fall. */
export interface OpenHooks {
  afterCheck?: () => Promise<void>;
}

/**
 * Opens a confined file for reading. Between the check and the open, a directory on the path
 * could be swapped for a symbolic link that points out of the root (O_NOFOLLOW guards only the
 * last component): the file opened must be the one checked (same device and inode), and where
 * the system tells where an open file is (/proc/self/fd on Linux), that must be under the root.
 */
export async function openConfined(
  importRoot: string, path: string, hooks: OpenHooks = {},
): Promise<{ handle: FileHandle; real: string; size: number }> {
  const real = await confinedPath(importRoot, path);
  let checked: Stats;
  try {
    checked = await lstat(real);
  } catch (err) {
    throw new ImportInputError('file_not_found', `${quoted(path, PATH_QUOTED)}: no such file under the import root`, (err as Error).message);
  }
  await hooks.afterCheck?.();
  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    throw new ImportInputError('file_unreadable', `${quoted(path, PATH_QUOTED)} cannot be read`, (err as Error).message);
  }
  try {
    const st = await handle.stat();
    if (st.dev !== checked.dev || st.ino !== checked.ino) {
      throw new ImportInputError('path_changed', `${quoted(path, PATH_QUOTED)} changed while it was being opened`,
        `${real}: checked device ${checked.dev} inode ${checked.ino}, opened device ${st.dev} inode ${st.ino}`);
    }
    const opened = await openedPath(handle);
    if (opened !== null && !inside(await realRoot(importRoot), opened)) {
      throw outsideRoot(path, `the file opened for ${real} is ${opened}`);
    }
    if (!st.isFile()) throw new ImportInputError('not_a_file', `${quoted(path, PATH_QUOTED)} is not a regular file`);
    return { handle, real, size: st.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Where the kernel says an open file is, or null where it does not say (no /proc). */
async function openedPath(handle: FileHandle): Promise<string | null> {
  try {
    return await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return null;
  }
}

/** The check that needs no file system (for producers, which may not see the workers' files). */
export function checkLexicallyConfined(importRoot: string, path: string): void {
  if (path.includes('\0')) throw new ImportInputError('path_invalid', 'the file path contains a NUL character');
  const root = resolve(importRoot);
  if (!inside(root, resolve(root, path))) throw outsideRoot(path, `${resolve(root, path)} is outside ${root} (IMPORT_ROOT)`);
}

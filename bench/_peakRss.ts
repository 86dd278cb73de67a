// Peak resident set (VmHWM) of a worker started under `timeout`: the node process is the
// wrapper's only child.
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export async function peakRssMb(wrapper: ChildProcess): Promise<number> {
  const children = (await readFile(`/proc/${wrapper.pid}/task/${wrapper.pid}/children`, 'utf8')).trim().split(/\s+/);
  const status = await readFile(`/proc/${children[0]}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

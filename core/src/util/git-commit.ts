import { execFileSync } from 'node:child_process';

/** The current git commit of `cwd`, or undefined outside a git checkout. */
export function currentGitCommit(cwd = process.cwd()): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

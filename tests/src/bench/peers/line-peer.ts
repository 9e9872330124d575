import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface PeerReply {
  readonly ok: boolean;
  readonly error?: string;
  readonly [key: string]: unknown;
}

/**
 * A long-lived contestant process speaking the line protocol of tests/peers/peer_protocol.py: JSON
 * requests on stdin, replies on stdout lines prefixed with "@@peer " (other output is kept as a tail for
 * error messages). One request at a time.
 */
export class LinePeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((r: PeerReply) => void)[] = [];
  private tail: string[] = [];
  private exited: string | undefined;

  constructor(
    readonly label: string,
    command: string,
    args: readonly string[],
    options: { cwd: string; env?: NodeJS.ProcessEnv },
  ) {
    this.child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const keep = (line: string) => {
      this.tail.push(line);
      if (this.tail.length > 30) this.tail = this.tail.slice(-30);
    };
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (line.startsWith('@@peer ')) this.waiting.shift()?.(JSON.parse(line.slice(7)) as PeerReply);
      else keep(line);
    });
    createInterface({ input: this.child.stderr }).on('line', keep);
    this.child.stdin.on('error', () => undefined); // EPIPE after an exit: reported through 'exit'
    this.child.on('error', (e) => this.fail(`could not start: ${e.message}`));
    this.child.on('exit', (code, signal) => this.fail(`exited (${signal ?? code})`));
  }

  private fail(why: string): void {
    this.exited ??= why;
    for (const w of this.waiting.splice(0)) w({ ok: false, error: `${this.label} ${why}; last output:\n${this.tail.join('\n')}` });
  }

  private next(timeoutMs: number): Promise<PeerReply> {
    if (this.exited) return Promise.resolve({ ok: false, error: `${this.label} ${this.exited}; last output:\n${this.tail.join('\n')}` });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(done);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve({ ok: false, error: `${this.label}: no reply within ${Math.round(timeoutMs / 1000)} s` });
      }, timeoutMs);
      const done = (r: PeerReply) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.waiting.push(done);
    });
  }

  /** The greeting the process sends when it is ready. */
  hello(timeoutMs = 120_000): Promise<PeerReply> {
    return this.next(timeoutMs);
  }

  request(msg: Record<string, unknown>, timeoutMs = 600_000): Promise<PeerReply> {
    const reply = this.next(timeoutMs);
    if (!this.exited) this.child.stdin.write(`${JSON.stringify(msg)}\n`);
    return reply;
  }

  /** Asks the process to quit, and kills this one child if it has not exited after a grace period. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.write(`${JSON.stringify({ op: 'quit' })}\n`);
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}

/**
 * Turns pino's JSON lines into the short, readable lines the demo prints: `[who] message`, with the
 * noisy per-heartbeat debug lines and machine fields left out.
 */
import { Writable } from 'node:stream';

const COLORS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m'];
const RESET = '\x1b[0m';
let next = 0;

/** A line formatter for one source; `write` accepts raw output chunks. */
export function demoPrinter(who: string, out: NodeJS.WritableStream = process.stdout): (chunk: string | Buffer) => void {
  const color = out === process.stdout && process.stdout.isTTY ? COLORS[next++ % COLORS.length] : '';
  const reset = color ? RESET : '';
  let partial = '';
  return (chunk) => {
    const text = partial + chunk.toString();
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const shown = render(line);
      if (shown) out.write(`${color}[${who}]${reset} ${shown}\n`);
    }
  };
}

/** A writable stream (for pino's destination) that prints through `demoPrinter`. */
export function demoStream(who: string): Writable {
  const print = demoPrinter(who);
  return new Writable({
    write(chunk, _enc, done) {
      print(chunk);
      done();
    },
  });
}

function render(line: string): string | null {
  if (!line.trim()) return null;
  let rec: { level?: number; msg?: string; from?: string; to?: string; err?: unknown };
  try {
    rec = JSON.parse(line);
  } catch {
    return line;
  }
  if ((rec.level ?? 30) < 30 || !rec.msg) return null;
  // State-machine lines are logged at info with fields; make them readable.
  if (rec.msg.endsWith('state') && rec.from && rec.to) return `${rec.msg.replace(/ state$/, '')}: ${rec.from} → ${rec.to}`;
  if (rec.msg.endsWith('state changed') && rec.from && rec.to) return `${rec.msg.replace(/ state changed$/, '')}: ${rec.from} → ${rec.to}`;
  const err = typeof rec.err === 'string' ? rec.err : (rec.err as { message?: string } | undefined)?.message;
  return err ? `${rec.msg} (${err})` : rec.msg;
}

/**
 * Human-sized renderings for terminal tables, in kubectl's conventions: ages like `5s`, `2m30s`,
 * `3h`; binary byte units (`1.2Gi`); aligned columns with no trailing blanks.
 */

/** Spaces between columns. */
export const COLUMN_GAP = 2;

/**
 * An age as kubectl prints it (k8s.io/apimachinery duration.HumanDuration): `45s`, `2m`, `2m30s`,
 * `15m`, `3h`, `3h5m`, `2d4h`, `30d`, `2y10d`. Negative ages (clock skew) print as `0s`.
 */
export function humanAge(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return withRest(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return withRest(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return withRest(years, 'y', days % 365, 'd');
  return `${years}y`;
}

function withRest(n: number, unit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${n}${unit}` : `${n}${unit}${rest}${restUnit}`;
}

const BINARY_UNITS = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi'] as const;

/** Bytes in binary units, one decimal below 100: `512B`, `980Ki`, `1.2Gi`, `15.6Gi`, `128Gi`. */
export function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)}B`;
  let value = bytes;
  let unit: string = 'B';
  for (const u of BINARY_UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return value < 100 ? `${value.toFixed(1)}${unit}` : `${Math.round(value)}${unit}`;
}

/** A Sui address shortened to its first and last four hex digits: `0x1234…abcd`. */
export function shortAddress(address: string): string {
  if (address.length <= 12) return address;
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/**
 * Rows aligned into columns `COLUMN_GAP` spaces apart, each line without trailing blanks; the first
 * row is the header. Widths count code points, so `…` takes one column.
 */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
  const lines = rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - width(cell) + COLUMN_GAP)))
      .join('')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

function width(s: string): number {
  return [...s].length;
}

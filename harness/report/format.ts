/**
 * Number formatting shared by every report. Pure and locale-independent (no
 * `toLocaleString`), so a report renders byte-identically on every machine.
 */

/** A number with 3 significant digits, or a whole number from 1000 up (`1234`, `57.1`, `0.0175`); `–` when not finite. */
export function sig3(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const p = Number(x.toPrecision(3));
  if (Math.abs(p) >= 1000) return String(Math.round(x));
  return x.toPrecision(3);
}

/** Milliseconds without the unit: 2–3 significant digits (`5.90`, `69.5`, `337`, `0.407`). */
export function fmtMs(x: number): string {
  return sig3(x);
}

/** Milliseconds with the unit: `5.90 ms`. */
export function ms(x: number): string {
  return `${fmtMs(x)} ms`;
}

/** A duration in the unit a reader expects: `337 ms`, `2.00 s` from one second up. */
export function duration(x: number): string {
  return Math.abs(x) >= 1000 ? `${sig3(x / 1000)} s` : ms(x);
}

/** A 95% interval `lo–hi` in ms, without the unit. */
export function msRange(ci: readonly [number, number]): string {
  return `${fmtMs(ci[0])}–${fmtMs(ci[1])}`;
}

/** A ratio with 3 significant digits and a `×`: `11.6×`, `0.0175×`. */
export function times(x: number): string {
  return `${sig3(x)}×`;
}

/** An integer with thousands separated by commas: `46,736`. */
export function grouped(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const neg = n < 0;
  const digits = String(Math.round(Math.abs(n)));
  return (neg ? '-' : '') + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Bytes in binary units with 3 significant digits: `512 B`, `45.6 KiB`, `1.50 MiB`. */
export function bytes(b: number): string {
  if (!Number.isFinite(b)) return '–';
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (Math.abs(b) < 1024) return `${Math.round(b)} B`;
  let v = b;
  let u = -1;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  // 1023.9 KiB would print as "1024 KiB": move to the next unit instead.
  if (Number(v.toPrecision(3)) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${sig3(v)} ${units[u]}`;
}

/** Exact bytes: `46,736 B`. */
export function exactBytes(b: number): string {
  return `${grouped(b)} B`;
}

/** Bytes in decimal (SI) units, as the course module's "MB" claims use them: `46.7 kB`, `5.00 MB`. */
export function siBytes(b: number): string {
  if (!Number.isFinite(b)) return '–';
  const units = ['kB', 'MB', 'GB', 'TB'];
  if (Math.abs(b) < 1000) return `${Math.round(b)} B`;
  let v = b;
  let u = -1;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  if (Number(v.toPrecision(3)) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${sig3(v)} ${units[u]}`;
}

/** A fraction as a percentage with 2–3 significant digits: `0.69%`, `4.8%`, `79%`. */
export function pct(f: number): string {
  if (!Number.isFinite(f)) return '–';
  const p = f * 100;
  const a = Math.abs(p);
  let digits = a >= 10 ? 0 : a >= 1 ? 1 : 2;
  // 99.9% must not print as 100%: add digits until a share short of 100 looks it.
  while (digits < 3 && a !== 100 && Math.abs(Number(p.toFixed(digits))) === 100) digits++;
  return `${p.toFixed(digits)}%`;
}

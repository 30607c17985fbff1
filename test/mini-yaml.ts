/**
 * A small YAML reader for the subset GitHub workflow files use here: block
 * mappings and sequences (`- key: value` items included), plain, single- and
 * double-quoted scalars, `|` block scalars, comments. No flow collections,
 * anchors or multi-document streams; anything else throws with the line number.
 * (No YAML package is installed; swap in one if the project adds it.)
 */
type Yaml = string | number | boolean | null | Yaml[] | { [k: string]: Yaml };

interface Line {
  n: number;
  indent: number;
  text: string;
  raw: string;
}

function stripComment(s: string): string {
  let q: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = null;
    } else if (c === '"' || c === "'") q = c;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]))) return s.slice(0, i).trimEnd();
  }
  return s.trimEnd();
}

function scalar(s: string, n: number): Yaml {
  if (/^".*"$/.test(s)) return JSON.parse(s) as string;
  if (/^'.*'$/.test(s)) return s.slice(1, -1).replace(/''/g, "'");
  if (/^[[{&*!|>]/.test(s) && !s.startsWith('${{')) throw new Error(`line ${n}: unsupported YAML: ${s}`);
  if (s === 'true' || s === 'false') return s === 'true';
  if (s === 'null' || s === '~') return null;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  return s;
}

const KEY = /^("[^"]*"|'[^']*'|[^\s"'#][^:]*?):(?:\s+(.*))?$/;

export function parseYaml(text: string): Yaml {
  if (text.includes('\t')) throw new Error('tabs are not allowed in YAML indentation');
  const raw = text.split('\n');
  const lines: Line[] = [];
  raw.forEach((r, i) => {
    const t = stripComment(r);
    if (t.trim()) lines.push({ n: i + 1, indent: t.length - t.trimStart().length, text: t.trim(), raw: r });
  });
  let i = 0;

  function block(indent: number): Yaml {
    return lines[i].text === '-' || lines[i].text.startsWith('- ') ? seq(indent) : map(indent);
  }

  function value(rest: string | undefined, line: Line, indent: number): Yaml {
    if (rest === undefined || rest === '') {
      const next = lines[i];
      if (next && (next.indent > indent || (next.indent === indent && (next.text === '-' || next.text.startsWith('- '))))) return block(next.indent);
      return null;
    }
    if (rest === '|' || rest === '|-') {
      // Block scalar: every raw line (blank ones too) indented deeper than the key.
      const out: string[] = [];
      let j = line.n; // raw index of the next line
      let base = -1;
      while (j < raw.length) {
        const r = raw[j];
        const ind = r.length - r.trimStart().length;
        if (r.trim() && ind <= indent) break;
        if (r.trim() && base < 0) base = ind;
        out.push(r.trim() ? r.slice(base) : '');
        j++;
      }
      while (i < lines.length && lines[i].n <= j) i++;
      while (out.length && out[out.length - 1] === '') out.pop();
      return out.join('\n') + (rest === '|' ? '\n' : '');
    }
    return scalar(rest, line.n);
  }

  function map(indent: number, first?: Line): { [k: string]: Yaml } {
    const out: { [k: string]: Yaml } = {};
    let line: Line | undefined = first;
    for (;;) {
      if (!line) {
        if (i >= lines.length || lines[i].indent !== indent || lines[i].text.startsWith('- ')) break;
        line = lines[i++];
      }
      const m = KEY.exec(line.text);
      if (!m) throw new Error(`line ${line.n}: expected "key: value", got ${line.text}`);
      const key = /^["']/.test(m[1]) ? (scalar(m[1], line.n) as string) : m[1].trim();
      if (key in out) throw new Error(`line ${line.n}: duplicate key ${key}`);
      out[key] = value(m[2], line, indent);
      line = undefined;
    }
    if (i < lines.length && lines[i].indent > indent) throw new Error(`line ${lines[i].n}: unexpected indentation`);
    return out;
  }

  function seq(indent: number): Yaml[] {
    const out: Yaml[] = [];
    while (i < lines.length && lines[i].indent === indent && (lines[i].text === '-' || lines[i].text.startsWith('- '))) {
      const line = lines[i++];
      const rest = line.text.slice(1).trimStart();
      if (!rest) out.push(i < lines.length && lines[i].indent > indent ? block(lines[i].indent) : null);
      else if (KEY.test(rest) && !/^["'].*["']$/.test(rest)) {
        const itemIndent = indent + (line.text.length - rest.length);
        out.push(map(itemIndent, { ...line, indent: itemIndent, text: rest }));
      } else out.push(scalar(rest, line.n));
    }
    return out;
  }

  const doc = block(lines[0]?.indent ?? 0);
  if (i < lines.length) throw new Error(`line ${lines[i].n}: unexpected content: ${lines[i].text}`);
  return doc;
}

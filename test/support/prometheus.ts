/** One sample of Prometheus' text exposition format: `name{label="value",…} value`. */
export type Sample = { name: string; labels: Record<string, string>; value: number };
export type Exposition = {
  samples: Sample[];
  /** `# HELP` text by metric family. */
  help: Map<string, string>;
  /** `# TYPE` by metric family (counter, gauge, histogram, summary, untyped). */
  type: Map<string, string>;
  /** Samples of `name` whose labels include all of `labels`. */
  select(name: string, labels?: Record<string, string>): Sample[];
  /** The sum of those samples' values (0 when there are none). */
  sum(name: string, labels?: Record<string, string>): number;
};

const unescapeLabel = (value: string) =>
  value.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));

/**
 * Parses the text format (version 0.0.4) strictly enough for tests: every line must be a comment, blank
 * or a well-formed sample, so a malformed exposition fails the test instead of being half read.
 */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment) {
      (comment[1] === 'HELP' ? help : type).set(comment[2] as string, comment[3] as string);
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = sample[2] ?? '';
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy;
    let consumed = 0;
    for (const match of body.matchAll(labelPattern)) {
      labels[match[1] as string] = unescapeLabel(match[2] as string);
      consumed = (match.index ?? 0) + match[0].length;
    }
    if (consumed !== body.length) throw new Error(`malformed labels: ${line}`);
    const raw = sample[3] as string;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`malformed value: ${line}`);
    samples.push({ name: sample[1] as string, labels, value });
  }
  const select = (name: string, wanted: Record<string, string> = {}) =>
    samples.filter(
      (sample) =>
        sample.name === name && Object.entries(wanted).every(([key, value]) => sample.labels[key] === value),
    );
  return {
    samples,
    help,
    type,
    select,
    sum: (name, wanted) => select(name, wanted).reduce((total, sample) => total + sample.value, 0),
  };
}

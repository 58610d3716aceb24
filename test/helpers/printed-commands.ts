/** The `$ visage ...` lines of a demo's output, split into arguments as a POSIX shell would (single quotes only). */
export function printedCommands(out: string): string[][] {
  return [...out.matchAll(/^\$ visage (.*)$/gm)].map((m) => [...m[1].matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((a) => a[1]?.replace(/'\\''/g, "'") ?? a[2]));
}

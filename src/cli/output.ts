/** `--json` prints one JSON document on stdout; otherwise a short human line. */
export function output(json: boolean, value: Record<string, unknown>, human: string): void {
  process.stdout.write(json ? JSON.stringify(value) + '\n' : human + '\n');
}

export class CliError extends Error {}

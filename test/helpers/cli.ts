// Runs the command in this process, collecting what it prints.
import { main, nodeIO, type CliIO } from '../../src/cli/main.js';

export interface Ran {
  code: number;
  out: string[];
  err: string[];
}

export async function run(...argv: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { ...nodeIO(), out: (line) => out.push(line), err: (line) => err.push(line) };
  const code = await main(argv, io);
  return { code, out, err };
}

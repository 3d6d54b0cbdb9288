import { listFields } from '../fields/index.js';
import { ArgReader, parseArgs, usageText } from './args.js';
import type { OptionSpec } from './args.js';
import { Output } from './output.js';

const SPECS: OptionSpec[] = [
  { long: 'json', help: 'one JSON object per field instead of the tab-separated table' },
  { short: 'h', long: 'help', help: 'this help' },
];

/** `mpscope fields [PREFIX]`: the field registry, like `tshark -G fields` (name, type, layer, description). */
export async function runFields(argv: string[]): Promise<number> {
  const args = new ArgReader(parseArgs(argv, SPECS, 'fields'), 'fields');
  if (args.count('help') > 0) {
    process.stdout.write(usageText('fields', '[PREFIX] [--json]', SPECS) + '\n');
    return 0;
  }
  const prefix = args.positional[0] ?? '';
  const out = new Output();
  for (const f of listFields()) {
    if (!f.name.startsWith(prefix)) continue;
    if (args.count('json') > 0) out.line(JSON.stringify(f));
    else out.line(`${f.name}\t${f.type}\t${f.layer}\t${f.description}`);
  }
  out.flush();
  return 0;
}

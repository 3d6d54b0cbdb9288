import { listFields, nearestFieldNames } from '../fields/index.js';
import { UsageError } from '../util/errors.js';
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
  if (args.positional.length > 1) throw new UsageError(`unexpected argument '${args.positional[1]}'`, 'one prefix at most, e.g. mpscope fields tcp.options.mptcp.');
  const prefix = args.positional[0] ?? '';
  const selected = listFields().filter((f) => f.name.startsWith(prefix));
  // An empty listing would look like success: a misspelt prefix says so, with the names it was close to.
  if (selected.length === 0) throw new UsageError(`no field name starts with '${prefix}'`, `did you mean ${nearestFieldNames(prefix).join(', ')}? (mpscope fields lists them all)`);
  const out = new Output();
  for (const f of selected) {
    if (args.count('json') > 0) out.line(JSON.stringify(f));
    else out.line(`${f.name}\t${f.type}\t${f.layer}\t${f.description}`);
  }
  out.flush();
  return 0;
}

/**
 * The statistics `mpscope read -z` knows, by tshark's names. Each kind's
 * module is loaded only when asked for.
 */
import { UsageError } from '../../util/errors.js';
import type { StatTap, TapEnv, TapMaker } from './types.js';

export type { StatTap, TapEnv, TapFilter, TapMaker, TapNeeds } from './types.js';

interface TapKind {
  /** The -z argument starts with this, then a comma and the arguments, or ends. */
  readonly name: string;
  /** The arguments, for `-z help` and error hints. */
  readonly usage: string;
  readonly load: () => Promise<TapMaker>;
}

const conv = async (): Promise<TapMaker> => (await import('./conv.js')).makeConvTap;
const endpoints = async (): Promise<TapMaker> => (await import('./conv.js')).makeEndpointsTap;
/** Address families of the conversation and endpoint tables. */
const TABLES = ['eth', 'ip', 'ipv6', 'tcp', 'udp', 'sll', 'mptcp'];

const KINDS: readonly TapKind[] = [
  ...TABLES.map((t) => ({ name: `conv,${t}`, usage: `conv,${t}[,FILTER]`, load: conv })),
  ...TABLES.map((t) => ({ name: `endpoints,${t}`, usage: `endpoints,${t}[,FILTER]`, load: endpoints })),
  { name: 'expert', usage: 'expert[,error|warn|note|chat|comment][,FILTER]', load: async () => (await import('./expert.js')).makeExpertTap },
  ...['tcp', 'udp'].map((p) => ({
    name: `follow,${p}`, usage: `follow,${p},ascii|hex|raw|yaml,STREAM|ADDR:PORT,ADDR:PORT[,RANGE]`,
    load: async () => (await import('./follow.js')).makeFollowTap,
  })),
  { name: 'io,stat', usage: 'io,stat,INTERVAL[,FILTER|CALC(FIELD)FILTER]...', load: async () => (await import('./iostat.js')).makeIoStatTap },
];

/** What `-z help` prints: every statistic with its arguments. */
export function tapHelp(): string {
  return `mpscope read -z knows these statistics (tshark's names):\n${KINDS.map((k) => `  ${k.usage}`).join('\n')}\n`;
}

/** The tap a -z argument names, made; a UsageError when none does or its arguments are wrong. */
export async function makeTap(spec: string, env: TapEnv): Promise<StatTap> {
  const kind = KINDS.find((k) => spec === k.name || spec.startsWith(`${k.name},`));
  if (kind === undefined) throw new UsageError(`unknown statistic '-z ${spec}'`, tapHelp().trimEnd());
  const maker = await kind.load();
  return maker(kind.name, spec.length > kind.name.length ? spec.slice(kind.name.length + 1) : '', env);
}

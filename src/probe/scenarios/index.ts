/**
 * The built-in scenarios, in the order a run takes them (the simple ones
 * first, so a peer's basic troubles show before the subtle ones). See
 * types.ts for how to write one; a run can also be given any list of
 * Scenario objects.
 */
import { addAddr } from './add-addr.js';
import { badCsumFirst } from './bad-csum-first.js';
import { badCsumLater } from './bad-csum-later.js';
import { csumMissing } from './csum-missing.js';
import { dataAck } from './data-ack.js';
import { dataDss } from './data-dss.js';
import { dataDssCsum } from './data-dss-csum.js';
import { dataFin } from './data-fin.js';
import { infiniteMapping } from './infinite-mapping.js';
import { join } from './join.js';
import { joinBadHmac } from './join-bad-hmac.js';
import { joinBadToken } from './join-bad-token.js';
import { mpCapable } from './mp-capable.js';
import { mpFastclose } from './mp-fastclose.js';
import { mpPrio } from './mp-prio.js';
import { removeAddr } from './remove-addr.js';
import type { Scenario } from './types.js';
import { wrongKeyEcho } from './wrong-key-echo.js';

export const SCENARIOS: readonly Scenario[] = [
  mpCapable, dataDss, dataDssCsum, dataAck, dataFin, join, joinBadToken, joinBadHmac, wrongKeyEcho,
  csumMissing, badCsumFirst, badCsumLater, infiniteMapping, addAddr, removeAddr, mpPrio, mpFastclose,
];

/** The scenarios with these names, in the order given; throws on a name that is not one. */
export function scenariosNamed(names: readonly string[], from: readonly Scenario[] = SCENARIOS): Scenario[] {
  return names.map((n) => {
    const s = from.find((x) => x.name === n);
    if (!s) throw new RangeError(`no scenario '${n}' (there are: ${from.map((x) => x.name).join(', ')})`);
    return s;
  });
}

export { runScenarios, expectedText } from './runner.js';
export type { RunOptions } from './runner.js';
export { Concluded, frames, resetText, isReset, dataAcked, sendAcked, establish, secondSubflow, reaction, capableFlags } from './steps.js';
export type { Reaction } from './steps.js';
export type { Scenario, ScenarioContext, ScenarioConnectOptions, ScenarioResult, Outcome, Verdict } from './types.js';

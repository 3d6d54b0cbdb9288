/** Fields of mpscope's own: the decoder's findings (tshark's expert info, in mpscope's codes). */
import type { Finding, TcpOption } from '../../wire/types.js';
import type { FieldRegistry, ScopedDefiner } from '../registry.js';
import type { Scope } from '../types.js';

const findings: Scope<Finding> = {
  name: 'mpscope.expert',
  within: null,
  items: (c) => c.packet.findings,
  node: () => 'mpscope.expert',
};

export function defineFindingFields(r: FieldRegistry): void {
  const s = r.definer('mpscope').scoped(findings);
  s.node('mpscope.expert', 'protocol', 'Decoder finding', (f) => f.message);
  s.field('mpscope.expert.code', 'string', 'Finding code (malformed, truncated, tcp.option.bad_length...)', (f) => f.code);
  s.field('mpscope.expert.severity', 'string', 'Finding severity (error, warning, note, chat)', (f) => f.severity);
  s.field('mpscope.expert.layer', 'string', 'Protocol layer that raised the finding', (f) => f.layer);
  s.field('mpscope.expert.message', 'string', 'Finding text', (f) => f.message);
}

export function defineOptionFindingFields(s: ScopedDefiner<TcpOption>): void {
  s.field('mpscope.tcp.option.malformed', 'string', 'Why the TCP option could not be decoded as its kind says', (o) => o.malformed, { layer: 'tcp' });
}

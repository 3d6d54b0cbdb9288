/**
 * Every field definition, registered in the order the fields appear in a
 * packet's tree (outer layers first): JSON output follows this order.
 */
import type { FieldRegistry } from '../registry.js';
import { defineCommentFields, defineFrameFields } from './frame.js';
import { defineIpFields } from './ip.js';
import { defineLinkFields } from './link.js';
import { defineFindingFields, defineOptionFindingFields } from './mpscope.js';
import { defineMptcpFields } from './mptcp.js';
import { defineMptcpAnalysisFields, defineMptcpAnalysisOptionFields } from './mptcp-analysis.js';
import { defineTcpFields } from './tcp.js';
import { defineDataFields, defineTransportFields } from './transport.js';

export function defineAllFields(r: FieldRegistry): void {
  defineCommentFields(r);
  defineFrameFields(r);
  defineLinkFields(r);
  defineIpFields(r);
  defineTcpFields(r, (options) => {
    defineMptcpFields(options);
    defineMptcpAnalysisOptionFields(options);
    defineOptionFindingFields(options);
  }, () => defineMptcpAnalysisFields(r));
  defineTransportFields(r);
  defineDataFields(r);
  defineFindingFields(r);
}

export { tcpOptions } from './tcp.js';

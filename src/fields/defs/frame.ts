/** `frame.*`: what the capture file says about each packet. */
import { packetTime } from '../context.js';
import { timeDiff } from '../format.js';
import { protocolChain } from '../protocols.js';
import type { FieldRegistry } from '../registry.js';
import type { FieldContext } from '../types.js';

/** Wireshark's encapsulation numbers (WTAP_ENCAP_*) for the link types mpscope reads. */
const WTAP_ENCAP = new Map<number, number>([
  [0, 15], // NULL
  [1, 1], // Ethernet
  [9, 4], // PPP
  [12, 7], // raw IP (DLT 12)
  [14, 7], // raw IP (OpenBSD DLT 14)
  [50, 4], // PPP in HDLC framing
  [101, 7], // raw IP
  [108, 174], // OpenBSD loopback
  [113, 25], // Linux cooked v1
  [228, 129], // raw IPv4
  [229, 130], // raw IPv6
  [276, 210], // Linux cooked v2
]);

/** The interface fields as tshark shows them: for every pcapng frame, named `unknown` when the file gives no name. */
function frameInterface(c: FieldContext): { id: number; name: string } | undefined {
  const p = c.packet;
  const known = c.captureFormat === undefined ? p.ifName !== undefined : c.captureFormat === 'pcapng';
  return known ? { id: p.ifIndex, name: p.ifName ?? 'unknown' } : undefined;
}

const ZERO = { sec: 0, nsec: 0 };

function frameSummary(c: FieldContext): string {
  const p = c.packet;
  const i = frameInterface(c);
  const where = i ? ` on interface ${i.name}, id ${i.id}` : '';
  return `Frame ${p.number}: ${p.origLen} bytes on wire (${p.origLen * 8} bits), ${p.capLen} bytes captured (${p.capLen * 8} bits)${where}`;
}

/**
 * pcapng packet comments: tshark's `pkt_comment` layer, above the frame.
 * Each comment is also an expert item (severity and group Comment), in a
 * JSON subtree of its own.
 */
export function defineCommentFields(r: FieldRegistry): void {
  const d = r.definer('pkt_comment');
  d.protocol('pkt_comment', 'Packet comments', (c) => (c.packet.comments === undefined ? undefined : 'Packet comments'));
  d.field('frame.comment', 'string', 'Comment', (c) => c.packet.comments, {
    json: { expert: { severity: 'comment', group: 'comment', placement: 'subtree', name: 'frame.comment.expert', message: (_c, comment) => String(comment) } },
  });
}

export function defineFrameFields(r: FieldRegistry): void {
  const d = r.definer('frame');
  d.protocol('frame', 'Frame', frameSummary);
  d.field('frame.interface_id', 'uint32', 'Interface id', (c) => frameInterface(c)?.id);
  d.field('frame.interface_name', 'string', 'Interface name', (c) => frameInterface(c)?.name, { parent: 'frame.interface_id' });
  d.field('frame.encap_type', 'int32', 'Encapsulation type', (c) => WTAP_ENCAP.get(c.packet.linkType));
  d.field('frame.time', 'abstime', 'Arrival Time', (c) => packetTime(c.packet));
  d.field('frame.offset_shift', 'reltime', 'Time shift for this packet', () => ZERO);
  d.field('frame.time_epoch', 'reltime', 'Epoch Time', (c) => packetTime(c.packet));
  d.field('frame.time_delta', 'reltime', 'Time delta from previous captured frame', (c) => {
    const t = packetTime(c.packet);
    return timeDiff(t, c.prevTs ?? t);
  });
  d.field('frame.time_delta_displayed', 'reltime', 'Time delta from previous displayed frame', (c) => {
    const t = packetTime(c.packet);
    return timeDiff(t, c.prevShownTs ?? t);
  });
  d.field('frame.time_relative', 'reltime', 'Time since reference or first frame', (c) => {
    const t = packetTime(c.packet);
    return timeDiff(t, c.firstTs ?? t);
  });
  d.field('frame.number', 'uint32', 'Frame Number', (c) => c.packet.number);
  d.field('frame.len', 'uint32', 'Frame length on the wire', (c) => c.packet.origLen);
  d.field('frame.cap_len', 'uint32', 'Frame length stored into the capture file', (c) => c.packet.capLen);
  d.field('frame.marked', 'bool', 'Frame is marked', () => false);
  d.field('frame.ignored', 'bool', 'Frame is ignored', () => false);
  d.field('frame.protocols', 'string', 'Protocols in frame', (c) => protocolChain(c.packet, c.analysis).join(':'));
}

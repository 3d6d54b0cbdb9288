/** pcapng numbers the reader and the writer share: block types, the byte-order magic, option codes. */

export const BlockType = {
  SHB: 0x0a0d0d0a,
  IDB: 1,
  PB: 2,
  SPB: 3,
  EPB: 6,
} as const;

export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const OPT_END = 0;
/** opt_comment: UTF-8 text, allowed in every block (a packet block may carry several). */
export const OPT_COMMENT = 1;
export const SHB_USERAPPL = 4;
export const IF_NAME = 2;
export const IF_TSRESOL = 9;
export const IF_FCSLEN = 13;
export const IF_TSOFFSET = 14;
/** epb_flags and the obsolete Packet Block's pack_flags share code 2. */
export const EPB_FLAGS = 2;

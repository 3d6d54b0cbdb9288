/**
 * A packet's fields as a nested tree of strings, shaped like tshark's JSON
 * layers: one object per protocol, a field's sub-fields in `<name>_tree`,
 * repeated structures (TCP options, VLAN tags) as one node per item, and
 * repeated keys collected into arrays (tshark's `--no-duplicate-keys`).
 *
 * The shape comes from the registry alone: a field sits under its `parent`,
 * else under its scope's item node, else under its layer's protocol field.
 */
import { formatValue } from './format.js';
import { quoteContext } from './quote.js';
import { isMulti } from './registry.js';
import type { FieldRegistry } from './registry.js';
import type { FieldContext, FieldDef, FieldValue, JsonExpert, Scope } from './types.js';

export type TreeValue = string | TreeObject;
export interface TreeObject {
  [key: string]: TreeValue | TreeValue[];
}

interface FieldSlot {
  readonly kind: 'field';
  readonly def: FieldDef;
  readonly children: Slot[];
}

interface ScopeSlot {
  readonly kind: 'scope';
  readonly scope: Scope<unknown>;
  /** Fields of one item's node, in definition order. */
  readonly members: Slot[];
}

/** A text-only node of tshark's tree holding fields ("Timestamps"), keyed by its label. */
interface GroupSlot {
  readonly kind: 'group';
  readonly label: string;
  readonly children: Slot[];
}

type Slot = FieldSlot | ScopeSlot | GroupSlot;

function groupSlot(container: Slot[], label: string): Slot[] {
  let g = container.find((s): s is GroupSlot => s.kind === 'group' && s.label === label);
  if (!g) {
    g = { kind: 'group', label, children: [] };
    container.push(g);
  }
  return g.children;
}

interface Plan {
  readonly generation: number;
  readonly root: Slot[];
  readonly nodes: ReadonlyMap<string, FieldDef>;
}

function buildPlan(registry: FieldRegistry): Plan {
  const root: Slot[] = [];
  const slotOf = new Map<string, FieldSlot>();
  const scopeSlots = new Map<Scope<unknown>, ScopeSlot>();
  const nodes = new Map<string, FieldDef>();

  const scopeSlot = (scope: Scope<unknown>): ScopeSlot => {
    let s = scopeSlots.get(scope);
    if (s) return s;
    s = { kind: 'scope', scope, members: [] };
    scopeSlots.set(scope, s);
    if (scope.within === null) root.push(s);
    else {
      const holder = slotOf.get(scope.within);
      if (!holder) throw new Error(`scope ${scope.name}: field ${scope.within} must be defined before its items`);
      holder.children.push(s);
    }
    return s;
  };

  for (const def of registry.list()) {
    if (def.scope && def.node) {
      scopeSlot(def.scope);
      nodes.set(def.name, def);
      continue;
    }
    const slot: FieldSlot = { kind: 'field', def, children: [] };
    let container: Slot[];
    if (def.parent !== undefined) {
      const parent = slotOf.get(def.parent);
      if (!parent || parent.def.scope !== def.scope) {
        throw new Error(`field ${def.name}: parent ${def.parent} must be a field of the same scope`);
      }
      container = parent.children;
    } else if (def.scope) container = scopeSlot(def.scope).members;
    else if (def.type === 'protocol' && def.name === def.layer) container = root;
    else container = slotOf.get(def.layer)?.children ?? root;
    if (def.json?.group !== undefined) container = groupSlot(container, def.json.group);
    container.push(slot);
    slotOf.set(def.name, slot);
  }
  return { generation: registry.generation, root, nodes };
}

const plans = new WeakMap<FieldRegistry, Plan>();

function planFor(registry: FieldRegistry): Plan {
  let p = plans.get(registry);
  if (!p || p.generation !== registry.generation) {
    p = buildPlan(registry);
    plans.set(registry, p);
  }
  return p;
}

function add(obj: TreeObject, key: string, value: TreeValue): void {
  const old = obj[key];
  if (old === undefined) obj[key] = value;
  else if (Array.isArray(old)) old.push(value);
  else obj[key] = [old, value];
}

function isEmpty(obj: TreeObject): boolean {
  for (const _ in obj) return false;
  return true;
}

function text(def: FieldDef, v: FieldValue): string {
  return def.type === 'none' ? '' : formatValue(v, def.type, def.base, 'colon');
}

/** tshark's numbers for expert severities and groups, as its JSON writes them. */
const SEVERITY_CODE: Readonly<Record<JsonExpert['severity'], string>> = {
  comment: String(0x100000), chat: String(0x200000), note: String(0x400000), warning: String(0x600000), error: String(0x800000),
};
const GROUP_CODE: Readonly<Record<JsonExpert['group'], string>> = {
  checksum: String(0x1000000), sequence: String(0x2000000), malformed: String(0x7000000), protocol: String(0x9000000), comment: String(0xb000000),
};

function expertObject(e: JsonExpert, name: string, ctx: FieldContext, value: FieldValue): TreeObject {
  return {
    [name]: '',
    '_ws.expert.message': typeof e.message === 'string' ? e.message : e.message(ctx, value),
    '_ws.expert.severity': SEVERITY_CODE[e.severity],
    '_ws.expert.group': GROUP_CODE[e.group],
  };
}

class TreeBuilder {
  constructor(
    private readonly plan: Plan,
    private readonly ctx: FieldContext,
  ) {}

  slots(slots: readonly Slot[], into: TreeObject, item: unknown, inItem: boolean): void {
    for (const slot of slots) {
      if (slot.kind === 'scope') this.scope(slot, into);
      else if (slot.kind === 'group') this.group(slot, into, item, inItem);
      else this.field(slot, into, item, inItem);
    }
  }

  private group(slot: GroupSlot, into: TreeObject, item: unknown, inItem: boolean): void {
    const child: TreeObject = {};
    this.slots(slot.children, child, item, inItem);
    if (!isEmpty(child)) add(into, slot.label, child);
  }

  private field(slot: FieldSlot, into: TreeObject, item: unknown, inItem: boolean): void {
    const def = slot.def;
    let v = inItem ? def.getItem?.(item, this.ctx) : def.own(this.ctx);
    if (v === undefined || (isMulti(v) && v.length === 0)) return;
    if (def.json?.once && isMulti(v)) v = v[0]!;
    const expert = def.json?.expert;
    const first = isMulti(v) ? v[0]! : v;
    if (expert !== undefined && expert.placement !== 'subtree') {
      add(into, '_ws.expert', expertObject(expert, expert.name ?? def.name, this.ctx, first));
      return;
    }
    if (expert !== undefined && isMulti(v) && slot.children.length === 0) {
      // Each occurrence with its own expert item (tshark's packet comments).
      for (const x of v) {
        add(into, def.name, text(def, x));
        add(into, `${def.name}_tree`, { '_ws.expert': expertObject(expert, expert.name ?? def.name, this.ctx, x) });
      }
      return;
    }
    const child: TreeObject = {};
    this.slots(slot.children, child, item, inItem);
    if (expert !== undefined) add(child, '_ws.expert', expertObject(expert, expert.name ?? def.name, this.ctx, first));
    if (def.type === 'protocol' && def.name === this.ctx.packet.icmp?.layer) this.quoted(child);
    if (def.type === 'protocol') {
      // A protocol's subtree is its value; one with no fields of its own shows its name.
      add(into, def.name, isEmpty(child) ? def.description : child);
      return;
    }
    // A value-less item with items under it (tshark's `tcp.analysis`) has its subtree as its value.
    if (def.type === 'none' && !isEmpty(child)) {
      add(into, def.name, child);
      return;
    }
    if (isMulti(v)) for (const x of v) add(into, def.name, text(def, x));
    else add(into, def.name, text(def, v));
    if (!isEmpty(child)) add(into, `${def.name}_tree`, child);
  }

  /** The headers an ICMP error quotes, as layers inside the ICMP object (as tshark nests them). */
  private quoted(into: TreeObject): void {
    const q = quoteContext(this.ctx);
    if (!q) return;
    const inner = new TreeBuilder(this.plan, q);
    const quotable = this.plan.root.filter((s) => s.kind === 'field' && s.def.alsoQuoted);
    inner.slots(quotable, into, undefined, false);
  }

  private scope(slot: ScopeSlot, into: TreeObject): void {
    const items = slot.scope.items(this.ctx);
    if (!items) return;
    for (const item of items) {
      const name = slot.scope.node(item);
      const node = this.plan.nodes.get(name);
      const child: TreeObject = {};
      this.slots(slot.members, child, item, true);
      const v = node?.getItem?.(item, this.ctx);
      const head = v === undefined || isMulti(v) ? undefined : v;
      if (head instanceof Uint8Array && node) {
        // Option subtrees show their bytes, then their fields, as tshark does.
        add(into, name, text(node, head));
        if (!isEmpty(child)) add(into, `${name}_tree`, child);
      } else {
        add(into, name, isEmpty(child) && head !== undefined && node ? text(node, head) : child);
      }
    }
  }
}

/** The fields of one packet as tshark-style JSON layers. */
export function packetLayers(ctx: FieldContext, registry: FieldRegistry): TreeObject {
  const plan = planFor(registry);
  const layers: TreeObject = {};
  new TreeBuilder(plan, ctx).slots(plan.root, layers, undefined, false);
  return layers;
}
